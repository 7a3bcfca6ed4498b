//! Disclosure timeliness: whether each required disclosure was published by
//! its legal deadline, as of a given date.
//!
//! Like the ratio rules in `super::compliance`, the deadlines are data
//! (`timeliness_rules.json`, embedded with `include_str!`), and every row cites
//! its source. A changed deadline is an edit to the data file.
//!
//! The caller turns its log into [`ObligationFacts`]: one obligation (e.g.
//! "the 2025 annual report of org X") plus the dates on which matching
//! disclosures were recorded ([`super::duties`] does this for the ledger).
//! [`evaluate`] judges every obligation on a date: met, late (disclosed after its
//! due date, and late for good), due (not yet disclosed, due date not passed) or
//! missing. [`check`] keeps only the late and missing ones.
//!
//! Conventions, chosen so that "within N" reads the way a regulator reads it:
//! - "within 30 days of X" is due on `X + 30 days`; disclosing on the due date is on time.
//! - "within 3 months of X" is due on the same day-of-month 3 months later,
//!   clamped to the month's end (31 Jan + 3 months = 30 Apr).
//! - "by 31 May of the next year" is due on that date.
//! - Periodic updates ("at least every 3 months") are checked as gaps: each
//!   disclosure must come within one period of the previous one, the first
//!   within one period of the start.
//! - Disclosures dated after `as_of` are ignored: the result is what was
//!   knowable on `as_of`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::compliance::Source;

/// The default deadline table, embedded so a release carries the rules it was tested with.
const DEFAULT_DEADLINES_JSON: &str = include_str!("timeliness_rules.json");

/// Upper bound on periodic checks per obligation. A 5-day cadence over a
/// century is ~7,300 steps, so this only stops a runaway loop on absurd input.
const MAX_PERIODS: u32 = 100_000;

/// A span of time, in calendar days or calendar months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Calendar days.
    Days(u16),
    /// Calendar months; day-of-month is kept, clamped to the month's length.
    Months(u16),
}

impl Period {
    /// `date + self`. `None` only if the result is outside `time`'s date range.
    pub fn after(self, date: Date) -> Option<Date> {
        match self {
            Period::Days(d) => date.checked_add(time::Duration::days(i64::from(d))),
            Period::Months(m) => add_months(date, u32::from(m)),
        }
    }

    fn is_zero(self) -> bool {
        matches!(self, Period::Days(0) | Period::Months(0))
    }
}

/// Adds calendar months, clamping the day to the target month's length.
fn add_months(date: Date, months: u32) -> Option<Date> {
    let zero_based =
        i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(months);
    let year = i32::try_from(zero_based.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(zero_based.rem_euclid(12) + 1).ok()?).ok()?;
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).ok()
}

/// A deadline on a fixed date in a year relative to the obligation's year,
/// e.g. 31 May of the next year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearlyDeadline {
    /// Month of the due date (1-12).
    pub month: u8,
    /// Day of the due date. Must exist in every year, so 29 Feb is rejected.
    pub day: u8,
    /// Years after the obligation's year (1 = following year).
    pub years_after: i32,
    /// The first year the duty is owed for, when the rule creating it came into force later
    /// than the ledger's records begin. `None` = every year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_year: Option<i32>,
    /// Key into [`DeadlineTable::sources`].
    pub source: String,
}

impl YearlyDeadline {
    fn due(&self, year: i32) -> Option<Date> {
        let month = Month::try_from(self.month).ok()?;
        Date::from_calendar_date(year.checked_add(self.years_after)?, month, self.day).ok()
    }
}

/// A deadline a fixed span after a triggering event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDeadline {
    /// How long after the event the disclosure is due.
    pub within: Period,
    /// Key into [`DeadlineTable::sources`].
    pub source: String,
}

/// A recurring update obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodicDeadline {
    /// Maximum gap between consecutive disclosures.
    pub every: Period,
    /// The obligation applies only to activities running strictly longer than
    /// this ("超过六个月"). `None` = always applies.
    pub applies_if_longer_than: Option<Period>,
    /// Key into [`DeadlineTable::sources`].
    pub source: String,
}

/// The whole deadline table, as parsed from JSON. One named field per
/// obligation kind, so a missing kind is a parse error rather than a silent gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineTable {
    /// Format version of the data file.
    pub schema: u32,
    /// Cited sources, by id.
    pub sources: BTreeMap<String, Source>,
    /// Annual work and financial reports.
    pub annual_report: YearlyDeadline,
    /// Progress updates of long-running projects.
    pub project_update: PeriodicDeadline,
    /// Close-out report (including leftover property) after a project ends.
    pub project_close: EventDeadline,
    /// Updates during an emergency (disaster) fundraising response.
    pub emergency_update: PeriodicDeadline,
    /// Related-party transactions.
    pub related_party: EventDeadline,
    /// Filing of a charitable trust after signing.
    pub trust_filing: EventDeadline,
    /// Trustee's yearly report.
    pub trust_report: YearlyDeadline,
    /// The trustee's report of a trust's termination (its cause and date), counted from the cause.
    pub trust_termination: EventDeadline,
    /// Welfare-lottery public-welfare-fund announcement.
    pub lottery_announcement: YearlyDeadline,
    /// Fundraising disclosures (募捐情况) of a public fundraising campaign while it runs.
    pub campaign_update: PeriodicDeadline,
    /// A campaign's final report after it ends.
    pub campaign_final: EventDeadline,
    /// Evaluation and supervision of a campaign's public-fundraising partners after it ends.
    pub partner_evaluation: EventDeadline,
    /// Major projects' implementation in the annual disclosure, by an organisation without
    /// public-fundraising status.
    pub major_projects: YearlyDeadline,
    /// The audited annual financial report of an organisation with public-fundraising status.
    pub audited_financial_report: YearlyDeadline,
    /// Major asset changes, investments and transactions.
    pub major_event: EventDeadline,
    /// The related-party list filed with the registering department.
    pub related_party_list: YearlyDeadline,
    /// A charitable trust set up by the organisation as settlor.
    pub settlor_trust: EventDeadline,
}

/// Why a deadline table was rejected.
#[derive(Debug, thiserror::Error)]
pub enum DeadlineTableError {
    /// The JSON did not match the schema.
    #[error("deadline table JSON is malformed: {0}")]
    Json(#[from] serde_json::Error),
    /// Only schema 1 is understood.
    #[error("unsupported deadline table schema {0}")]
    Schema(u32),
    /// A row cites a source id not in `sources`.
    #[error("deadline `{deadline}` cites unknown source `{source_id}`")]
    UnknownSource {
        /// The row.
        deadline: &'static str,
        /// The missing id.
        source_id: String,
    },
    /// A structural problem: impossible date, zero period, bad source date.
    #[error("invalid deadline table: {0}")]
    Invalid(String),
}

impl DeadlineTable {
    /// Parses and validates a table.
    pub fn from_json(json: &str) -> Result<Self, DeadlineTableError> {
        let table: DeadlineTable = serde_json::from_str(json)?;
        table.validate()?;
        Ok(table)
    }

    fn validate(&self) -> Result<(), DeadlineTableError> {
        if self.schema != 1 {
            return Err(DeadlineTableError::Schema(self.schema));
        }
        for (id, s) in &self.sources {
            s.check_dates(id).map_err(DeadlineTableError::Invalid)?;
        }
        let known = |deadline: &'static str, id: &str| {
            if self.sources.contains_key(id) {
                Ok(())
            } else {
                Err(DeadlineTableError::UnknownSource {
                    deadline,
                    source_id: id.to_owned(),
                })
            }
        };
        for (name, y) in [
            ("annual_report", &self.annual_report),
            ("trust_report", &self.trust_report),
            ("lottery_announcement", &self.lottery_announcement),
            ("major_projects", &self.major_projects),
            ("audited_financial_report", &self.audited_financial_report),
            ("related_party_list", &self.related_party_list),
        ] {
            known(name, &y.source)?;
            // 2001 is not a leap year: a due date must exist every year.
            let ok = Month::try_from(y.month)
                .ok()
                .and_then(|m| Date::from_calendar_date(2001, m, y.day).ok())
                .is_some();
            if !ok || y.years_after < 0 {
                return Err(DeadlineTableError::Invalid(format!(
                    "`{name}` has an impossible due date {}-{} (+{} years)",
                    y.month, y.day, y.years_after
                )));
            }
        }
        for (name, e) in [
            ("project_close", &self.project_close),
            ("related_party", &self.related_party),
            ("trust_filing", &self.trust_filing),
            ("trust_termination", &self.trust_termination),
            ("campaign_final", &self.campaign_final),
            ("partner_evaluation", &self.partner_evaluation),
            ("major_event", &self.major_event),
            ("settlor_trust", &self.settlor_trust),
        ] {
            known(name, &e.source)?;
        }
        for (name, p) in [
            ("project_update", &self.project_update),
            ("emergency_update", &self.emergency_update),
            ("campaign_update", &self.campaign_update),
        ] {
            known(name, &p.source)?;
            if p.every.is_zero() {
                return Err(DeadlineTableError::Invalid(format!(
                    "`{name}` has a zero period"
                )));
            }
        }
        Ok(())
    }

    fn source_text(&self, id: &str) -> String {
        self.sources
            .get(id)
            .map_or_else(|| format!("[unknown source `{id}`]"), Source::display)
    }
}

static DEFAULT_TABLE: OnceLock<Result<DeadlineTable, DeadlineTableError>> = OnceLock::new();

/// The embedded default table, parsed and validated once. A unit test proves
/// the shipped data parses.
pub fn default_table() -> Result<&'static DeadlineTable, &'static DeadlineTableError> {
    DEFAULT_TABLE
        .get_or_init(|| DeadlineTable::from_json(DEFAULT_DEADLINES_JSON))
        .as_ref()
}

/// Serde helpers writing dates as `YYYY-MM-DD`. The project's `time`
/// dependency has no `serde` feature, so this is done by hand.
mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _, ser::Error as _};
    use time::{Date, format_description::FormatItem, macros::format_description};

    const FMT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&d.format(FMT).map_err(S::Error::custom)?)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s, FMT).map_err(D::Error::custom)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_some(&d.format(FMT).map_err(S::Error::custom)?),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| Date::parse(&s, FMT).map_err(D::Error::custom))
                .transpose()
        }
    }
}

/// One disclosure obligation, identified well enough to name it in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Obligation {
    /// Annual work report and financial report of `org` for `year`.
    AnnualReport {
        /// Organisation id.
        org: String,
        /// The reported year.
        year: i32,
    },
    /// Progress updates of a project. Checked only if it runs longer than the
    /// table's `applies_if_longer_than` (6 months by default). With no
    /// `ended_on` (still running), it applies once it has run that long by `as_of`.
    ProjectUpdates {
        /// Organisation id.
        org: String,
        /// Project id.
        project: String,
        /// Start of implementation.
        #[serde(with = "iso_date")]
        started_on: Date,
        /// End of implementation, if known. Updates are not due after it:
        /// the close-out report takes over.
        #[serde(with = "iso_date::option")]
        ended_on: Option<Date>,
    },
    /// Close-out report of a project, including disposal of leftover property.
    ProjectClose {
        /// Organisation id.
        org: String,
        /// Project id.
        project: String,
        /// The day the project ended (terminated).
        #[serde(with = "iso_date")]
        ended_on: Date,
    },
    /// Updates of an emergency (disaster) public fundraising campaign.
    EmergencyUpdates {
        /// Organisation id.
        org: String,
        /// Campaign id.
        campaign: String,
        /// Start of the campaign.
        #[serde(with = "iso_date")]
        started_on: Date,
        /// End of the response and rescue phase (应急处置与救援阶段), if it has ended.
        #[serde(with = "iso_date::option")]
        response_ended_on: Option<Date>,
    },
    /// A related-party transaction recorded in the ledger.
    RelatedParty {
        /// Organisation id.
        org: String,
        /// Sequence number of the ledger entry recording it.
        entry_seq: u64,
        /// The day the transaction occurred (e.g. paid).
        #[serde(with = "iso_date")]
        occurred_on: Date,
    },
    /// Filing of a charitable trust.
    TrustFiling {
        /// Trust id.
        trust: String,
        /// The day the trust documents were signed.
        #[serde(with = "iso_date")]
        signed_on: Date,
    },
    /// Trustee's report for `year`.
    TrustReport {
        /// Trust id.
        trust: String,
        /// The reported year.
        year: i32,
    },
    /// The trustee's report that a charitable trust ended: its cause and date (and, in this
    /// ledger, the liquidation report's hash), made by the `trust.terminate` entry. The ledger
    /// learns of a termination only from that entry, so on any day after it was recorded the
    /// obligation is met or late, never missing.
    TrustTermination {
        /// Trust id.
        trust: String,
        /// When the cause of termination arose (`trust.terminate`'s `terminated_on`).
        #[serde(with = "iso_date")]
        terminated_on: Date,
    },
    /// Lottery public-welfare-fund announcement by `administrator` for `year`.
    LotteryAnnouncement {
        /// Administering department or unit.
        administrator: String,
        /// The reported year.
        year: i32,
    },
    /// Fundraising disclosures of a public fundraising campaign while it runs.
    CampaignUpdates {
        /// Organisation id.
        org: String,
        /// Campaign id.
        campaign: String,
        #[serde(with = "iso_date")]
        started_on: Date,
        /// Its end (actual, else planned), if known.
        #[serde(with = "iso_date::option")]
        ended_on: Option<Date>,
    },
    /// A campaign's final report.
    CampaignFinal {
        /// Organisation id.
        org: String,
        /// Campaign id.
        campaign: String,
        #[serde(with = "iso_date")]
        ended_on: Date,
    },
    /// The evaluation of a campaign's public-fundraising partners.
    PartnerEvaluation {
        /// Organisation id.
        org: String,
        /// Campaign id.
        campaign: String,
        #[serde(with = "iso_date")]
        ended_on: Date,
    },
    /// Major projects' implementation for `year`, in the annual disclosure of an organisation
    /// without public-fundraising status.
    MajorProjects {
        /// Organisation id.
        org: String,
        /// The reported year.
        year: i32,
    },
    /// The audit report of the annual financial report for `year`, of an organisation with
    /// public-fundraising status.
    AuditedFinancialReport {
        /// Organisation id.
        org: String,
        /// The reported year.
        year: i32,
    },
    /// A major asset change, investment or transaction recorded by a `disclosure` entry.
    MajorEvent {
        /// Organisation id.
        org: String,
        /// The `disclosure` entry.
        entry_seq: u64,
        /// `major_asset_change`, `major_investment` or `major_transaction`.
        subject: String,
        #[serde(with = "iso_date")]
        occurred_on: Date,
    },
    /// The related-party list for `year`, filed with the registering department.
    RelatedPartyList {
        /// Organisation id.
        org: String,
        year: i32,
    },
    /// A charitable trust the organisation set up as settlor.
    SettlorTrust {
        /// Organisation id.
        org: String,
        /// Trust id.
        trust: String,
        /// The day the trust was set up (its documents signed).
        #[serde(with = "iso_date")]
        established_on: Date,
    },
}

/// One recorded disclosure: the (China) date it entered the ledger and, when the caller knows
/// it, the entry that made it, so a report can point at the entry that met an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Disclosure {
    /// The day it was disclosed.
    #[serde(with = "iso_date")]
    pub on: Date,
    /// The ledger entry that disclosed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl From<Date> for Disclosure {
    fn from(on: Date) -> Self {
        Disclosure { on, seq: None }
    }
}

impl From<(Date, u64)> for Disclosure {
    fn from((on, seq): (Date, u64)) -> Self {
        Disclosure { on, seq: Some(seq) }
    }
}

/// One obligation and the disclosures recorded for it (e.g. the recording dates of the
/// ledger's disclosure entries for it). Order and duplicates do not matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationFacts {
    /// What had to be disclosed.
    pub obligation: Obligation,
    /// When, and by which entry, it was disclosed.
    pub disclosed: Vec<Disclosure>,
    /// A due date before this day is not judged: the ledger could not see the obligation then
    /// (e.g. before the organisation joined it).
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub not_before: Option<Date>,
}

/// All obligations to check. Built by the caller from its log: one entry per
/// org-year, project, campaign, related-party entry, trust, trust-year and
/// lottery-year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureFacts {
    /// The obligations.
    pub items: Vec<ObligationFacts>,
}

impl DisclosureFacts {
    /// Adds an obligation with its disclosures (dates, or dates with the disclosing entry).
    pub fn push<D: Into<Disclosure>>(
        &mut self,
        obligation: Obligation,
        disclosed: impl IntoIterator<Item = D>,
    ) {
        self.items.push(ObligationFacts {
            obligation,
            disclosed: disclosed.into_iter().map(Into::into).collect(),
            not_before: None,
        });
    }

    /// Like [`DisclosureFacts::push`], for an obligation judged only if it falls due on or after
    /// `not_before`.
    pub fn push_from<D: Into<Disclosure>>(
        &mut self,
        not_before: Date,
        obligation: Obligation,
        disclosed: impl IntoIterator<Item = D>,
    ) {
        self.push(obligation, disclosed);
        if let Some(last) = self.items.last_mut() {
            last.not_before = Some(not_before);
        }
    }
}

/// An obligation that was met late, or not at all as of the check date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateItem {
    /// The obligation.
    pub obligation: Obligation,
    /// For periodic obligations, which update (1 = first after the start);
    /// `None` for one-off obligations.
    pub period_index: Option<u32>,
    /// The due date.
    #[serde(with = "iso_date")]
    pub due: Date,
    /// When it was disclosed, or `None` if still missing as of the check date.
    #[serde(with = "iso_date::option")]
    pub disclosed: Option<Date>,
    /// Days past due: to the disclosure, or to the check date if missing. Always >= 1.
    pub days_late: i64,
    /// Citation of the deadline used.
    pub source: String,
}

/// Where an obligation stands on the date it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Disclosed on or before its due date.
    Met,
    /// Disclosed, but after its due date: it stays late for good, with the days it was late.
    Late,
    /// Not disclosed yet, and its due date has not passed.
    Due,
    /// Not disclosed, and its due date has passed.
    Missing,
}

impl Status {
    /// The name used on the wire and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Late => "late",
            Status::Due => "due",
            Status::Missing => "missing",
        }
    }
}

/// A status name that is not one of `met`, `late`, `due`, `missing`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status \"{0}\": expected met, late, due or missing")]
pub struct UnknownStatus(pub String);

impl std::str::FromStr for Status {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Status::Met, Status::Late, Status::Due, Status::Missing]
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.chars().take(32).collect()))
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One obligation (or one period of a recurring one) judged on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObligationStatus {
    /// The obligation.
    pub obligation: Obligation,
    /// For periodic obligations, which update (1 = first after the start);
    /// `None` for one-off obligations.
    pub period_index: Option<u32>,
    /// The due date.
    #[serde(with = "iso_date")]
    pub due: Date,
    /// Where it stands on the date judged.
    pub status: Status,
    /// When it was disclosed, if it was by the date judged.
    #[serde(with = "iso_date::option")]
    pub disclosed: Option<Date>,
    /// Days past due: to the disclosure when late, to the date judged when missing; 0 otherwise.
    pub days_late: i64,
    /// The entry that met it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_by: Option<u64>,
    /// Citation of the deadline used.
    pub source: String,
}

impl ObligationStatus {
    fn late_item(&self) -> Option<LateItem> {
        matches!(self.status, Status::Late | Status::Missing).then(|| LateItem {
            obligation: self.obligation.clone(),
            period_index: self.period_index,
            due: self.due,
            disclosed: self.disclosed,
            days_late: self.days_late,
            source: self.source.clone(),
        })
    }
}

/// Checks every obligation against the embedded default table.
///
/// Errors only if the embedded table fails to parse, which a unit test rules
/// out for the shipped data.
pub fn check(
    events: &DisclosureFacts,
    as_of: Date,
) -> Result<Vec<LateItem>, &'static DeadlineTableError> {
    Ok(check_with(default_table()?, events, as_of))
}

/// Checks every obligation against `table`, in input order. Returns the late
/// and missing items only. Obligations not yet due, or met on time, produce nothing.
pub fn check_with(table: &DeadlineTable, events: &DisclosureFacts, as_of: Date) -> Vec<LateItem> {
    evaluate_with(table, events, as_of)
        .iter()
        .filter_map(ObligationStatus::late_item)
        .collect()
}

/// Every obligation's status on `as_of` against the embedded default table.
pub fn evaluate(
    events: &DisclosureFacts,
    as_of: Date,
) -> Result<Vec<ObligationStatus>, &'static DeadlineTableError> {
    Ok(evaluate_with(default_table()?, events, as_of))
}

/// Every obligation's status on `as_of`, in input order: met, late, due or missing. A recurring
/// obligation gives one row per period up to the first one not yet met (due or missing); the
/// periods after a missing one are owed for the same reason and are not listed again.
pub fn evaluate_with(
    table: &DeadlineTable,
    events: &DisclosureFacts,
    as_of: Date,
) -> Vec<ObligationStatus> {
    let mut out = Vec::new();
    for item in &events.items {
        let mut dates: Vec<Disclosure> = item
            .disclosed
            .iter()
            .copied()
            .filter(|d| d.on <= as_of)
            .collect();
        dates.sort_unstable();
        dates.dedup_by_key(|d| d.on);
        let ob = &item.obligation;
        let before = out.len();
        let j = Judge {
            table,
            ob,
            dates: &dates,
            as_of,
        };
        match ob {
            Obligation::AnnualReport { year, .. } => {
                out.extend(j.yearly(&table.annual_report, *year));
            }
            Obligation::TrustReport { year, .. } => {
                out.extend(j.yearly(&table.trust_report, *year));
            }
            Obligation::LotteryAnnouncement { year, .. } => {
                out.extend(j.yearly(&table.lottery_announcement, *year));
            }
            Obligation::ProjectClose { ended_on, .. } => {
                out.extend(j.after_event(&table.project_close, *ended_on));
            }
            Obligation::RelatedParty { occurred_on, .. } => {
                out.extend(j.after_event(&table.related_party, *occurred_on));
            }
            Obligation::TrustFiling { signed_on, .. } => {
                out.extend(j.after_event(&table.trust_filing, *signed_on));
            }
            Obligation::TrustTermination { terminated_on, .. } => {
                out.extend(j.after_event(&table.trust_termination, *terminated_on));
            }
            Obligation::ProjectUpdates {
                started_on,
                ended_on,
                ..
            } => {
                out.extend(j.periodic(&table.project_update, *started_on, *ended_on));
            }
            Obligation::CampaignUpdates {
                started_on,
                ended_on,
                ..
            } => {
                out.extend(j.periodic(&table.campaign_update, *started_on, *ended_on));
            }
            Obligation::CampaignFinal { ended_on, .. } => {
                out.extend(j.after_event(&table.campaign_final, *ended_on));
            }
            Obligation::PartnerEvaluation { ended_on, .. } => {
                out.extend(j.after_event(&table.partner_evaluation, *ended_on));
            }
            Obligation::MajorEvent { occurred_on, .. } => {
                out.extend(j.after_event(&table.major_event, *occurred_on));
            }
            Obligation::RelatedPartyList { year, .. } => {
                out.extend(j.yearly(&table.related_party_list, *year));
            }
            Obligation::SettlorTrust { established_on, .. } => {
                out.extend(j.after_event(&table.settlor_trust, *established_on));
            }
            Obligation::MajorProjects { year, .. } => {
                out.extend(j.yearly(&table.major_projects, *year));
            }
            Obligation::AuditedFinancialReport { year, .. } => {
                out.extend(j.yearly(&table.audited_financial_report, *year));
            }
            Obligation::EmergencyUpdates {
                started_on,
                response_ended_on,
                ..
            } => {
                out.extend(j.periodic(&table.emergency_update, *started_on, *response_ended_on));
            }
        }
        if let Some(from) = item.not_before {
            let judged = out.split_off(before);
            out.extend(judged.into_iter().filter(|s| s.due >= from));
        }
    }
    out
}

/// One obligation's disclosures (sorted, none after `as_of`) and the date it is judged on.
struct Judge<'a> {
    table: &'a DeadlineTable,
    ob: &'a Obligation,
    dates: &'a [Disclosure],
    as_of: Date,
}

impl Judge<'_> {
    /// The status of a period due on `due` that `found` met (or did not).
    fn status(
        &self,
        period_index: Option<u32>,
        due: Date,
        found: Option<Disclosure>,
        source: &str,
    ) -> ObligationStatus {
        let (status, days_late) = match found {
            Some(d) if d.on <= due => (Status::Met, 0),
            Some(d) => (Status::Late, (d.on - due).whole_days()),
            None if self.as_of > due => (Status::Missing, (self.as_of - due).whole_days()),
            None => (Status::Due, 0),
        };
        ObligationStatus {
            obligation: self.ob.clone(),
            period_index,
            due,
            status,
            disclosed: found.map(|d| d.on),
            days_late,
            met_by: found.and_then(|d| d.seq),
            source: source.to_owned(),
        }
    }

    /// One-off check: the earliest disclosure on or after `from` is compared with `due`.
    fn one_off(&self, from: Date, due: Date, source: &str) -> ObligationStatus {
        let first = self.dates.iter().copied().find(|d| d.on >= from);
        self.status(None, due, first, source)
    }

    fn yearly(&self, rule: &YearlyDeadline, year: i32) -> Option<ObligationStatus> {
        if rule.first_year.is_some_and(|first| year < first) {
            return None;
        }
        // A report about `year` cannot predate it. Earlier dates belong to something else.
        let from = Date::from_calendar_date(year, Month::January, 1).ok()?;
        let due = rule.due(year)?;
        Some(self.one_off(from, due, &self.table.source_text(&rule.source)))
    }

    fn after_event(&self, rule: &EventDeadline, event: Date) -> Option<ObligationStatus> {
        let due = rule.within.after(event)?;
        Some(self.one_off(event, due, &self.table.source_text(&rule.source)))
    }

    /// Gap check for recurring updates. Starting from `start`, each next disclosure must come
    /// within `rule.every` of the previous one (or of the start). A late disclosure is late
    /// and becomes the new anchor. The first period not met ends the list: missing (with days
    /// late as of `as_of`) or due. Updates falling due after `end` are not required.
    fn periodic(
        &self,
        rule: &PeriodicDeadline,
        start: Date,
        end: Option<Date>,
    ) -> Vec<ObligationStatus> {
        let mut out = Vec::new();
        if let Some(min) = rule.applies_if_longer_than {
            let Some(threshold) = min.after(start) else {
                return out;
            };
            // Ongoing with no recorded end: applies once it has in fact run that long.
            if end.unwrap_or(self.as_of) <= threshold {
                return out;
            }
        }
        let source = self.table.source_text(&rule.source);
        let mut anchor = start;
        for index in 1..=MAX_PERIODS {
            let Some(due) = rule.every.after(anchor) else {
                break;
            };
            if end.is_some_and(|e| due > e) {
                break;
            }
            let found = self.dates.iter().copied().find(|d| d.on > anchor);
            out.push(self.status(Some(index), due, found, &source));
            match found {
                Some(d) => anchor = d.on,
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn run(ob: Obligation, disclosed: &[Date], as_of: Date) -> Vec<LateItem> {
        let mut facts = DisclosureFacts::default();
        facts.push(ob, disclosed.iter().copied());
        match check(&facts, as_of) {
            Ok(items) => items,
            Err(e) => panic!("embedded deadline table must parse: {e}"),
        }
    }

    fn annual() -> Obligation {
        Obligation::AnnualReport {
            org: "org-1".into(),
            year: 2025,
        }
    }

    #[test]
    fn embedded_table_parses() {
        let t = match default_table() {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(t.annual_report.due(2025), Some(date!(2026 - 05 - 31)));
        assert_eq!(t.project_update.every, Period::Months(3));
        assert_eq!(t.emergency_update.every, Period::Days(5));
        assert_eq!(t.related_party.within, Period::Days(30));
        assert_eq!(t.trust_filing.within, Period::Days(7));
        assert_eq!(t.trust_termination.within, Period::Days(15));
        assert_eq!(
            t.lottery_announcement.due(2025),
            Some(date!(2026 - 06 - 30))
        );
    }

    #[test]
    fn annual_report_on_31_may_is_on_time() {
        let items = run(annual(), &[date!(2026 - 05 - 31)], date!(2026 - 12 - 31));
        assert!(items.is_empty(), "{items:#?}");
    }

    #[test]
    fn annual_report_on_1_june_is_one_day_late() {
        let items = run(annual(), &[date!(2026 - 06 - 01)], date!(2026 - 12 - 31));
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].due, date!(2026 - 05 - 31));
        assert_eq!(items[0].disclosed, Some(date!(2026 - 06 - 01)));
        assert_eq!(items[0].days_late, 1);
        assert!(items[0].source.contains("5月31日"));
    }

    #[test]
    fn missing_annual_report_counts_days_to_as_of() {
        let items = run(annual(), &[], date!(2026 - 06 - 10));
        assert_eq!(items.len(), 1);
        assert_eq!((items[0].disclosed, items[0].days_late), (None, 10));
        // Not yet due: nothing to report.
        assert!(run(annual(), &[], date!(2026 - 05 - 31)).is_empty());
    }

    #[test]
    fn disclosures_after_as_of_are_ignored_and_earlier_ones_for_other_years_too() {
        // Published 5 June, but as of 3 June it was still missing.
        let items = run(annual(), &[date!(2026 - 06 - 05)], date!(2026 - 06 - 03));
        assert_eq!((items[0].disclosed, items[0].days_late), (None, 3));
        // A date in 2024 cannot be the 2025 report.
        let items = run(annual(), &[date!(2024 - 05 - 01)], date!(2026 - 06 - 03));
        assert_eq!(items[0].disclosed, None);
    }

    #[test]
    fn related_party_within_30_days() {
        let ob = Obligation::RelatedParty {
            org: "org-1".into(),
            entry_seq: 42,
            occurred_on: date!(2026 - 03 - 01),
        };
        assert!(run(ob.clone(), &[date!(2026 - 03 - 31)], date!(2026 - 12 - 31)).is_empty());
        let items = run(ob, &[date!(2026 - 04 - 01)], date!(2026 - 12 - 31));
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 03 - 31), 1)
        );
    }

    #[test]
    fn trust_filed_within_7_days_of_signing() {
        let ob = Obligation::TrustFiling {
            trust: "trust-1".into(),
            signed_on: date!(2026 - 02 - 25),
        };
        // 2026 is not a leap year: 25 Feb + 7 days = 4 Mar.
        assert!(run(ob.clone(), &[date!(2026 - 03 - 04)], date!(2026 - 12 - 31)).is_empty());
        let items = run(ob, &[date!(2026 - 03 - 05)], date!(2026 - 12 - 31));
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 03 - 04), 1)
        );
    }

    #[test]
    fn a_trusts_termination_is_reported_within_15_days_of_the_cause_across_a_month_end() {
        // The cause arose on 20 January 2027: 20 Jan + 15 days = 4 February (11 days left in
        // January, 4 in February). Reported on day 15: met; on day 16 (5 February): 1 day late.
        let ob = Obligation::TrustTermination {
            trust: "trust-1".into(),
            terminated_on: date!(2027 - 01 - 20),
        };
        let on_time = judge(
            ob.clone(),
            &[(date!(2027 - 02 - 04), 7)],
            date!(2027 - 12 - 31),
        );
        assert_eq!(
            (on_time[0].due, on_time[0].status, on_time[0].met_by),
            (date!(2027 - 02 - 04), Status::Met, Some(7))
        );
        let late = run(ob, &[date!(2027 - 02 - 05)], date!(2027 - 12 - 31));
        assert_eq!(
            (late[0].due, late[0].disclosed, late[0].days_late),
            (date!(2027 - 02 - 04), Some(date!(2027 - 02 - 05)), 1)
        );
        assert!(late[0].source.contains("十五日内"), "{}", late[0].source);
        assert!(
            late[0].source.contains("[secondary source]"),
            "{}",
            late[0].source
        );
    }

    #[test]
    fn trust_report_and_lottery_announcement_use_their_own_dates() {
        let trust = Obligation::TrustReport {
            trust: "trust-1".into(),
            year: 2025,
        };
        let items = run(trust, &[], date!(2026 - 04 - 01));
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 03 - 31), 1)
        );
        assert!(items[0].source.contains("[unconfirmed]"));

        let lottery = Obligation::LotteryAnnouncement {
            administrator: "province-civil-affairs".into(),
            year: 2025,
        };
        assert!(
            run(
                lottery.clone(),
                &[date!(2026 - 06 - 30)],
                date!(2026 - 12 - 31)
            )
            .is_empty()
        );
        let items = run(lottery, &[date!(2026 - 07 - 01)], date!(2026 - 12 - 31));
        assert_eq!(items[0].days_late, 1);
    }

    fn project(start: Date, end: Option<Date>) -> Obligation {
        Obligation::ProjectUpdates {
            org: "org-1".into(),
            project: "p-1".into(),
            started_on: start,
            ended_on: end,
        }
    }

    #[test]
    fn seven_month_project_updated_every_three_months_is_on_time() {
        // 1 Jan - 1 Aug: updates due 1 Apr and 1 Jul; the next (1 Oct) is after the end.
        let ob = project(date!(2026 - 01 - 01), Some(date!(2026 - 08 - 01)));
        let items = run(
            ob,
            &[date!(2026 - 04 - 01), date!(2026 - 07 - 01)],
            date!(2026 - 12 - 31),
        );
        assert!(items.is_empty(), "{items:#?}");
    }

    #[test]
    fn gap_of_three_months_and_one_day_is_one_day_late() {
        let ob = project(date!(2026 - 01 - 01), Some(date!(2026 - 08 - 01)));
        let items = run(
            ob,
            &[date!(2026 - 04 - 02), date!(2026 - 07 - 02)],
            date!(2026 - 12 - 31),
        );
        // Only the first update is late; the second is exactly 3 months after the first.
        assert_eq!(items.len(), 1, "{items:#?}");
        assert_eq!(items[0].period_index, Some(1));
        assert_eq!(items[0].due, date!(2026 - 04 - 01));
        assert_eq!(items[0].days_late, 1);
    }

    #[test]
    fn missing_project_update_is_reported_once() {
        let ob = project(date!(2026 - 01 - 01), Some(date!(2026 - 08 - 01)));
        let items = run(ob, &[date!(2026 - 04 - 01)], date!(2026 - 07 - 11));
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].period_index, items[0].due),
            (Some(2), date!(2026 - 07 - 01))
        );
        assert_eq!((items[0].disclosed, items[0].days_late), (None, 10));
    }

    #[test]
    fn project_of_exactly_six_months_needs_no_interim_update() {
        let ob = project(date!(2026 - 01 - 01), Some(date!(2026 - 07 - 01)));
        assert!(run(ob, &[], date!(2026 - 12 - 31)).is_empty());
        // An ongoing project becomes subject once it has run longer than 6 months.
        let ongoing = project(date!(2026 - 01 - 01), None);
        assert!(run(ongoing.clone(), &[], date!(2026 - 07 - 01)).is_empty());
        let items = run(ongoing, &[], date!(2026 - 07 - 02));
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 04 - 01), 92)
        );
    }

    #[test]
    fn project_closed_three_months_and_one_day_after_end_is_late() {
        let ob = |ended| Obligation::ProjectClose {
            org: "org-1".into(),
            project: "p-1".into(),
            ended_on: ended,
        };
        assert!(
            run(
                ob(date!(2026 - 03 - 15)),
                &[date!(2026 - 06 - 15)],
                date!(2026 - 12 - 31)
            )
            .is_empty()
        );
        let items = run(
            ob(date!(2026 - 03 - 15)),
            &[date!(2026 - 06 - 16)],
            date!(2026 - 12 - 31),
        );
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 06 - 15), 1)
        );
        // Month-end clamping: 31 Jan + 3 months = 30 Apr.
        let items = run(
            ob(date!(2026 - 01 - 31)),
            &[date!(2026 - 05 - 01)],
            date!(2026 - 12 - 31),
        );
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 04 - 30), 1)
        );
    }

    #[test]
    fn emergency_update_gap_of_six_days_is_one_day_late() {
        let ob = Obligation::EmergencyUpdates {
            org: "org-1".into(),
            campaign: "flood-2026".into(),
            started_on: date!(2026 - 07 - 01),
            response_ended_on: Some(date!(2026 - 07 - 20)),
        };
        let dates = [
            date!(2026 - 07 - 06),
            date!(2026 - 07 - 12),
            date!(2026 - 07 - 17),
        ];
        let items = run(ob, &dates, date!(2026 - 12 - 31));
        assert_eq!(items.len(), 1, "{items:#?}");
        assert_eq!(items[0].period_index, Some(2));
        assert_eq!(
            (items[0].due, items[0].days_late),
            (date!(2026 - 07 - 11), 1)
        );
    }

    fn judge(ob: Obligation, disclosed: &[(Date, u64)], as_of: Date) -> Vec<ObligationStatus> {
        let mut facts = DisclosureFacts::default();
        facts.push(ob, disclosed.iter().copied());
        match evaluate(&facts, as_of) {
            Ok(items) => items,
            Err(e) => panic!("embedded deadline table must parse: {e}"),
        }
    }

    #[test]
    fn a_deadline_ahead_is_due_and_a_late_disclosure_stays_late_whenever_judged() {
        // Due 31 May 2026. On 30 May: due, not late. On 1 June with nothing: missing 1 day.
        let due = judge(annual(), &[], date!(2026 - 05 - 30));
        assert_eq!((due[0].status, due[0].days_late), (Status::Due, 0));
        let missing = judge(annual(), &[], date!(2026 - 06 - 01));
        assert_eq!(
            (missing[0].status, missing[0].days_late),
            (Status::Missing, 1)
        );
        // Published by entry 8 on 4 June: 4 days late on 4 June and still 4 days late in 2030.
        for as_of in [date!(2026 - 06 - 04), date!(2030 - 01 - 01)] {
            let late = judge(annual(), &[(date!(2026 - 06 - 04), 8)], as_of);
            assert_eq!(
                (late[0].status, late[0].days_late, late[0].met_by),
                (Status::Late, 4, Some(8))
            );
        }
        // Published on the due date: met, and the entry is named.
        let met = judge(
            annual(),
            &[(date!(2026 - 05 - 31), 9)],
            date!(2026 - 06 - 04),
        );
        assert_eq!(
            (met[0].status, met[0].days_late, met[0].met_by),
            (Status::Met, 0, Some(9))
        );
    }

    #[test]
    fn periodic_obligations_list_each_period_up_to_the_first_unmet_one() {
        // 1 Jan - 31 Dec 2026, updates on 1 Apr (met) and 5 Jul (due 1 Jul: 4 days late); the
        // next is due 5 Oct, which on 1 Sep is still ahead.
        let ob = project(date!(2026 - 01 - 01), Some(date!(2026 - 12 - 31)));
        let items = judge(
            ob,
            &[(date!(2026 - 04 - 01), 3), (date!(2026 - 07 - 05), 4)],
            date!(2026 - 09 - 01),
        );
        let got: Vec<_> = items
            .iter()
            .map(|i| (i.period_index, i.due, i.status, i.days_late))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some(1), date!(2026 - 04 - 01), Status::Met, 0),
                (Some(2), date!(2026 - 07 - 01), Status::Late, 4),
                (Some(3), date!(2026 - 10 - 05), Status::Due, 0),
            ]
        );
    }

    #[test]
    fn status_names_parse_and_unknown_ones_are_refused() {
        for s in [Status::Met, Status::Late, Status::Due, Status::Missing] {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        assert_eq!(
            "overdue".parse::<Status>(),
            Err(UnknownStatus("overdue".into()))
        );
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        assert_eq!(
            add_months(date!(2026 - 01 - 31), 1),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            add_months(date!(2028 - 01 - 31), 1),
            Some(date!(2028 - 02 - 29))
        );
        assert_eq!(
            add_months(date!(2026 - 11 - 30), 3),
            Some(date!(2027 - 02 - 28))
        );
        assert_eq!(
            add_months(date!(2026 - 05 - 15), 12),
            Some(date!(2027 - 05 - 15))
        );
    }

    #[test]
    fn facts_and_items_round_trip_through_json() {
        let mut facts = DisclosureFacts::default();
        facts.push(annual(), [date!(2026 - 06 - 01)]);
        let json = match serde_json::to_string(&facts) {
            Ok(j) => j,
            Err(e) => panic!("{e}"),
        };
        assert!(
            json.contains(r#""kind":"annual_report""#) && json.contains("2026-06-01"),
            "{json}"
        );
        let back: DisclosureFacts = match serde_json::from_str(&json) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(back, facts);
    }

    #[test]
    fn validation_rejects_impossible_dates_and_unknown_sources() {
        let good = DEFAULT_DEADLINES_JSON;
        assert!(DeadlineTable::from_json(good).is_ok());
        let feb29 = good.replace(r#""month": 5, "day": 31"#, r#""month": 2, "day": 29"#);
        assert!(matches!(
            DeadlineTable::from_json(&feb29),
            Err(DeadlineTableError::Invalid(_))
        ));
        let unknown = good.replace(
            r#""source": "lottery_fund_measures""#,
            r#""source": "nope""#,
        );
        assert!(matches!(
            DeadlineTable::from_json(&unknown),
            Err(DeadlineTableError::UnknownSource { .. })
        ));
        let zero = good.replace(r#"{ "days": 5 }"#, r#"{ "days": 0 }"#);
        assert!(matches!(
            DeadlineTable::from_json(&zero),
            Err(DeadlineTableError::Invalid(_))
        ));
    }
}
