//! Obligations judged on a date, as readers ask for them: by organisation, by status, as of a
//! day. `sunshine report late`, `GET /api/v1/obligations` and the site's pages all answer
//! through [`judge`] over the cached `duties/` rows ([`super::duties`]), so they can never
//! disagree about what is late on a given day.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::Uscc;
use crate::ledger::time::format_date;

use super::duties::OrgDuties;
use super::timeliness::{self, Obligation, ObligationStatus, Status};

/// One obligation of one organisation, judged on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgObligation {
    /// The organisation that owes it (for a trust, its trustee).
    pub org: Uscc,
    #[serde(flatten)]
    pub judged: ObligationStatus,
}

/// What a reader asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The day the obligations are judged on.
    pub as_of: Date,
    /// Only this organisation's.
    pub org: Option<Uscc>,
    /// Only obligations in this status.
    pub status: Option<Status>,
}

/// Every obligation of `duties` that `q` asks for, organisation by organisation.
pub fn judge(duties: &[OrgDuties], q: &Query) -> Vec<OrgObligation> {
    let Ok(table) = timeliness::default_table() else {
        // The embedded table is checked by a unit test; without it there is nothing to judge.
        return Vec::new();
    };
    duties
        .iter()
        .filter(|d| q.org.as_ref().is_none_or(|o| *o == d.org))
        .flat_map(|d| {
            timeliness::evaluate_with(table, &d.obligations(q.as_of), q.as_of)
                .into_iter()
                .map(|judged| OrgObligation {
                    org: d.org.clone(),
                    judged,
                })
        })
        .filter(|o| q.status.is_none_or(|s| o.judged.status == s))
        .collect()
}

impl Obligation {
    /// The kind's name, as in the JSON (`annual_report`, `project_updates`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Obligation::AnnualReport { .. } => "annual_report",
            Obligation::ProjectUpdates { .. } => "project_updates",
            Obligation::ProjectClose { .. } => "project_close",
            Obligation::EmergencyUpdates { .. } => "emergency_updates",
            Obligation::RelatedParty { .. } => "related_party",
            Obligation::TrustFiling { .. } => "trust_filing",
            Obligation::TrustReport { .. } => "trust_report",
            Obligation::TrustTermination { .. } => "trust_termination",
            Obligation::LotteryAnnouncement { .. } => "lottery_announcement",
            Obligation::CampaignUpdates { .. } => "campaign_updates",
            Obligation::CampaignFinal { .. } => "campaign_final",
            Obligation::PartnerEvaluation { .. } => "partner_evaluation",
            Obligation::MajorProjects { .. } => "major_projects",
            Obligation::AuditedFinancialReport { .. } => "audited_financial_report",
            Obligation::MajorEvent { .. } => "major_event",
            Obligation::RelatedPartyList { .. } => "related_party_list",
            Obligation::SettlorTrust { .. } => "settlor_trust",
        }
    }

    /// What it is about, in a word: the year, project, campaign, entry or trust.
    pub fn subject(&self) -> String {
        match self {
            Obligation::AnnualReport { year, .. }
            | Obligation::LotteryAnnouncement { year, .. }
            | Obligation::MajorProjects { year, .. }
            | Obligation::AuditedFinancialReport { year, .. } => year.to_string(),
            Obligation::CampaignUpdates { campaign, .. }
            | Obligation::CampaignFinal { campaign, .. }
            | Obligation::PartnerEvaluation { campaign, .. } => campaign.clone(),
            Obligation::ProjectUpdates { project, .. }
            | Obligation::ProjectClose { project, .. } => project.clone(),
            Obligation::EmergencyUpdates { campaign, .. } => campaign.clone(),
            Obligation::RelatedParty { entry_seq, .. } => format!("entry {entry_seq}"),
            Obligation::MajorEvent {
                entry_seq, subject, ..
            } => format!("{subject} (entry {entry_seq})"),
            Obligation::RelatedPartyList { year, .. } => year.to_string(),
            Obligation::SettlorTrust { trust, .. } => trust.clone(),
            Obligation::TrustFiling { trust, .. } | Obligation::TrustTermination { trust, .. } => {
                trust.clone()
            }
            Obligation::TrustReport { trust, year } => format!("{trust} {year}"),
        }
    }
}

/// One obligation as a flat row: the CSV download's and the CLI table's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlatRow {
    pub org: String,
    pub kind: &'static str,
    pub subject: String,
    /// The period of a recurring obligation (1 = first), empty for a one-off.
    pub period: String,
    pub due: String,
    pub status: &'static str,
    pub disclosed: String,
    pub days_late: i64,
    /// The entry that met it, if any.
    pub met_by: String,
    pub source: String,
}

impl From<&OrgObligation> for FlatRow {
    fn from(o: &OrgObligation) -> Self {
        let j = &o.judged;
        FlatRow {
            org: o.org.to_string(),
            kind: j.obligation.kind_name(),
            subject: j.obligation.subject(),
            period: j.period_index.map(|p| p.to_string()).unwrap_or_default(),
            due: format_date(j.due),
            status: j.status.as_str(),
            disclosed: j.disclosed.map(format_date).unwrap_or_default(),
            days_late: j.days_late,
            met_by: j.met_by.map(|s| s.to_string()).unwrap_or_default(),
            source: j.source.clone(),
        }
    }
}

/// The columns of the obligations CSV, in order (the `FlatRow` fields).
pub const CSV_COLUMNS: [&str; 10] = [
    "org",
    "kind",
    "subject",
    "period",
    "due",
    "status",
    "disclosed",
    "days_late",
    "met_by",
    "source",
];

impl FlatRow {
    /// The row's cells, in [`CSV_COLUMNS`] order (written as CSV by `site::spreadsheet`).
    pub fn cells(self) -> Vec<String> {
        vec![
            self.org,
            self.kind.to_owned(),
            self.subject,
            self.period,
            self.due,
            self.status.to_owned(),
            self.disclosed,
            self.days_late.to_string(),
            self.met_by,
            self.source,
        ]
    }
}
