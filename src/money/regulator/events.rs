//! Dated disclosure events: the input of the disclosure deadline rules (`money::timeliness`).
//!
//! Each event pairs the date the body states (when something happened) with `recorded_at`
//! (when the ledger recorded it), so a deadline rule can measure the delay. All come from the
//! effective (corrected) log; an amended entry carries the recording time of its amendment.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Kind, Timestamp, Uscc};

use crate::money::state::MoneyState;
use crate::money::types::{Ident, Money, opt_date};

/// Something that happened on `date` and was recorded at `recorded_at` by entry `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Dated {
    pub seq: u64,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub recorded_at: Timestamp,
}

/// An annual report's publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnnualReportEvent {
    pub org: Uscc,
    pub year: i32,
    pub published: Dated,
}

/// A project's dates: its term, its filing, its updates and its close.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProjectEvent {
    pub org: Uscc,
    pub project: Ident,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub end: Option<Date>,
    pub emergency: bool,
    pub public_fundraising: bool,
    pub opened_seq: u64,
    pub opened_recorded_at: Timestamp,
    /// When the filing number entered the ledger (an emergency project may add it later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filing_recorded_at: Option<Timestamp>,
    /// `date` is the update's `as_of`.
    pub updates: Vec<Dated>,
    /// `date` is `closed_on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Dated>,
}

/// A payment to a related party (to be disclosed within 30 days of `paid.date`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RelatedPartyEvent {
    pub org: Uscc,
    pub kind: Kind,
    pub amount: Money,
    pub currency: Currency,
    /// `date` is the date paid; `recorded_at` is when the ledger recorded the entry.
    pub paid: Dated,
}

/// A trust's filing and yearly reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrustEvent {
    pub trust_id: Ident,
    pub trustee: Uscc,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub signed_on: Date,
    /// `date` is `filed_on`.
    pub filed: Dated,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub term_start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub term_end: Option<Date>,
    /// Its `trust.terminate` (`date` is `terminated_on`): its liquidation report covers that
    /// year, so yearly reports are owed for the years before it only; and the entry is the
    /// report of the termination, due within 15 days of the cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Dated>,
    /// Year -> report (`date` is `reported_on`).
    pub reports: BTreeMap<i32, Dated>,
}

/// One lottery administrator's fiscal year: its grants and its announcement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LotteryYearEvent {
    pub administrator: Uscc,
    pub fiscal_year: i32,
    pub grants: u64,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub last_granted_on: Option<Date>,
    /// `date` is `announced_on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<Dated>,
}

/// Every dated disclosure event, each list in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DisclosureEvents {
    pub annual_reports: Vec<AnnualReportEvent>,
    pub projects: Vec<ProjectEvent>,
    pub related_party: Vec<RelatedPartyEvent>,
    pub trusts: Vec<TrustEvent>,
    pub lottery_years: Vec<LotteryYearEvent>,
}

impl MoneyState {
    pub fn disclosure_events(&self) -> DisclosureEvents {
        let b = &self.books;
        let annual_reports = b
            .reports
            .values()
            .map(|r| AnnualReportEvent {
                org: r.org.clone(),
                year: r.body.year.0,
                published: Dated {
                    seq: r.seq,
                    date: r.body.published_on,
                    recorded_at: r.recorded_at,
                },
            })
            .collect();
        let projects = b
            .projects
            .values()
            .map(|p| ProjectEvent {
                org: p.org.clone(),
                project: p.open.id.clone(),
                start: p.open.start,
                end: p.open.end,
                emergency: p.open.emergency,
                public_fundraising: p.open.public_fundraising,
                opened_seq: p.seq,
                opened_recorded_at: p.recorded_at,
                filing_recorded_at: p.filing_recorded_at,
                updates: p
                    .updates
                    .iter()
                    .map(|u| Dated {
                        seq: u.seq,
                        date: u.body.as_of,
                        recorded_at: u.recorded_at,
                    })
                    .collect(),
                closed: p.closed.as_ref().map(|c| Dated {
                    seq: c.seq,
                    date: c.body.closed_on,
                    recorded_at: c.recorded_at,
                }),
            })
            .collect();
        let related_party = b
            .sums
            .related_party
            .values()
            .map(|s| RelatedPartyEvent {
                org: s.from.org.clone(),
                kind: s.kind,
                amount: s.amount,
                currency: s.from.currency,
                paid: Dated {
                    seq: s.seq,
                    date: s.paid_on,
                    recorded_at: s.recorded_at,
                },
            })
            .collect();
        let trusts = b
            .trusts
            .values()
            .map(|t| TrustEvent {
                trust_id: t.filing.trust_id.clone(),
                trustee: t.filing.trustee.clone(),
                signed_on: t.filing.signed_on,
                filed: Dated {
                    seq: t.seq,
                    date: t.filing.filed_on,
                    recorded_at: t.recorded_at,
                },
                term_start: t.filing.term_start,
                term_end: t.filing.term_end,
                terminated: t.terminated.as_ref().map(|e| Dated {
                    seq: e.seq,
                    date: e.body.terminated_on,
                    recorded_at: e.recorded_at,
                }),
                reports: t
                    .reports
                    .iter()
                    .map(|(y, r)| {
                        (
                            *y,
                            Dated {
                                seq: r.seq,
                                date: r.body.reported_on,
                                recorded_at: r.recorded_at,
                            },
                        )
                    })
                    .collect(),
            })
            .collect();
        let mut years: BTreeMap<(Uscc, i32), LotteryYearEvent> = BTreeMap::new();
        for g in b.grants.values() {
            let y = g.grant.fiscal_year.0;
            let ev = years
                .entry((g.administrator.clone(), y))
                .or_insert_with(|| LotteryYearEvent {
                    administrator: g.administrator.clone(),
                    fiscal_year: y,
                    grants: 0,
                    last_granted_on: None,
                    announced: None,
                });
            ev.grants += 1;
            ev.last_granted_on = ev.last_granted_on.max(Some(g.grant.granted_on));
        }
        for ((admin, y), a) in b.announcements.iter() {
            let ev = years
                .entry((admin.clone(), *y))
                .or_insert_with(|| LotteryYearEvent {
                    administrator: admin.clone(),
                    fiscal_year: *y,
                    grants: 0,
                    last_granted_on: None,
                    announced: None,
                });
            ev.announced = Some(Dated {
                seq: a.seq,
                date: a.body.announced_on,
                recorded_at: a.recorded_at,
            });
        }
        DisclosureEvents {
            annual_reports,
            projects,
            related_party,
            trusts,
            lottery_years: years.into_values().collect(),
        }
    }
}
