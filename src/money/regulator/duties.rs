//! What each organisation owes in disclosures, held apart from the date it is judged on.
//!
//! An obligation's status depends on the day it is read: the 2025 annual report is "due" on
//! 1 May 2026 and "missing" on 1 June 2026 with no new entry in between (issue 15). So the log is
//! turned into [`OrgDuties`] — one row per organisation, a pure function of the log, cached as a
//! `duties/{org}` view and audited like every other — and the clock is applied only when the row
//! is read: [`OrgDuties::obligations`] expands it into the obligations owed by a date, and
//! [`super::timeliness::evaluate`] judges them on that date. A reader (the CLI report, the API,
//! the site) therefore never replays the log to ask "as of when?".
//!
//! The row holds dates and entry numbers only, never the bodies of past entries, so it grows
//! with an organisation's projects, trusts and years, not with its donations.
//!
//! Dates of disclosure are the China (UTC+8) dates on which the disclosing entry was recorded:
//! deadlines in Chinese law are counted in Chinese days.
//!
//! Conventions the law leaves to us, each stated where it is applied:
//! - A project's update duty ends at its actual close (`project.close`'s `closed_on`), whether
//!   that is before or after its planned end; without a close, at the planned end.
//! - A project's close-out report is due three months after its close, or after its planned
//!   end if it closed later than that (no extension is recorded); a project that passed its
//!   planned end without a close owes it from the planned end; one with neither owes none yet.
//! - Annual reports are owed for every calendar year the organisation was registered in, but
//!   the ledger judges only the years it saw the organisation in: from the later of the year of
//!   `registered_on` and the year its `org.register` entry was recorded. An organisation
//!   registered in 2008 that joined the ledger in 2024 is not listed as missing its 2008 report,
//!   which it owed before the ledger could see it.
//! - A lottery administrator's announcement of a fiscal year's fund is judged on the same
//!   footing: only for the years from the one its `org.register` entry was recorded in. The
//!   announcement reports the whole year's use of the fund (the Lottery Public-Welfare Fund
//!   Measures, `lottery_fund_measures` in `timeliness_rules.json`), and the ledger holds none of
//!   a year before it saw the administrator but the grants recorded later; nothing in the
//!   Measures ties the duty to the ledger, so a fiscal 2023 grant recorded in January 2024 does
//!   not make the ledger the place the 2023 announcement was owed.
//! - A trustee's yearly report on a trust is judged on the same footing: for the years of the
//!   trust's term from the one the trustee's `org.register` entry was recorded in. The duty (Charity
//!   Law 2016 Art. 48 para. 2, `trust_annual_report` in `timeliness_rules.json`) is owed every
//!   year of the term whatever the ledger holds; a trust filed in 2020 and brought into the ledger
//!   with its trustee in 2026 is not listed as missing its 2020-2025 reports.
//! - A trust's termination is reported by its `trust.terminate` entry (cause, date, remaining
//!   property and the liquidation report's hash), judged against the Trust Law's 15 days from the
//!   cause (`trust_law_art70_termination`); the ledger learns of an end only from that entry, so
//!   the obligation is met or late, never missing, on any day after the entry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::Uscc;
use crate::ledger::time::date_serde;

use super::timeliness::{Disclosure, DisclosureFacts, Obligation};
use crate::money::bodies::Subject;
use crate::money::state::MoneyState;
use crate::money::types::{Ident, OrgType, opt_date};

/// A project's dates and the disclosures made for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDuty {
    pub id: Ident,
    #[serde(with = "date_serde")]
    pub start: Date,
    /// The planned end, if the project stated one.
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub planned_end: Option<Date>,
    /// A disaster fundraising response: updates every few days, not every few months.
    #[serde(default)]
    pub emergency: bool,
    /// Its `project.update` entries.
    pub updates: Vec<Disclosure>,
    /// Its `project.close`, if closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<ClosedDuty>,
}

/// A project's actual close and the entry that disclosed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedDuty {
    #[serde(with = "date_serde")]
    pub closed_on: Date,
    pub disclosed: Disclosure,
}

impl ProjectDuty {
    /// The day the close-out report runs from, as far as the log says by `as_of`: the actual
    /// close, unless the project ran past its planned end (the ledger records no extension),
    /// when the planned end; without a close, the planned end once it has passed. So a close-out
    /// that was missing before a late close stays late after it.
    fn ended(&self, as_of: Date) -> Option<Date> {
        match (self.closed, self.planned_end) {
            (Some(c), Some(p)) => Some(c.closed_on.min(p)),
            (Some(c), None) => Some(c.closed_on),
            (None, p) => p.filter(|e| *e <= as_of),
        }
    }

    /// Whether the project ran during some of `year` (as far as the log says).
    fn ran_in(&self, year: i32) -> bool {
        self.start.year() <= year && self.updates_until().is_none_or(|e| e.year() >= year)
    }

    /// The last day updates are owed for: the actual close, else the planned end (which may lie
    /// ahead), else open-ended.
    fn updates_until(&self) -> Option<Date> {
        self.closed.map(|c| c.closed_on).or(self.planned_end)
    }
}

/// An annual report as published, with what it carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualDuty {
    pub disclosed: Disclosure,
    /// It carried the auditor's report.
    #[serde(default)]
    pub audit_report: bool,
    /// It carried the implementation of the year's major projects.
    #[serde(default)]
    pub major_projects: bool,
}

/// A public fundraising campaign's dates and the disclosures made for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDuty {
    pub id: Ident,
    #[serde(with = "date_serde")]
    pub start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub planned_end: Option<Date>,
    /// Its `campaign.update` entries.
    pub updates: Vec<Disclosure>,
    /// Its `campaign.close` (the final report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<ClosedDuty>,
    /// It named public-fundraising partners, whose evaluation is then owed.
    #[serde(default)]
    pub has_partners: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_evaluation: Option<Disclosure>,
}

impl CampaignDuty {
    /// Its actual end, else its planned end once passed.
    fn ended(&self, as_of: Date) -> Option<Date> {
        match self.closed {
            Some(c) => Some(c.closed_on),
            None => self.planned_end.filter(|e| *e <= as_of),
        }
    }
}

/// A related-party transaction and its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedPartyDuty {
    /// The entry recording it (which is also its disclosure).
    pub seq: u64,
    #[serde(with = "date_serde")]
    pub occurred_on: Date,
    pub disclosed: Disclosure,
}

/// A major event (2025 Measures Art. 13) recorded by a `disclosure` entry, which is also its
/// publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDuty {
    pub seq: u64,
    pub subject: Subject,
    #[serde(with = "date_serde")]
    pub occurred_on: Date,
    pub disclosed: Disclosure,
}

/// A charitable trust the organisation set up as settlor, and its publication if made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledTrustDuty {
    pub trust: Ident,
    #[serde(with = "date_serde")]
    pub established_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosed: Option<Disclosure>,
}

/// A charitable trust of which the organisation is trustee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustDuty {
    pub trust: Ident,
    #[serde(with = "date_serde")]
    pub signed_on: Date,
    /// The filing (by the regulator, on its `filed_on`).
    pub filed: Disclosure,
    #[serde(with = "date_serde")]
    pub term_start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub term_end: Option<Date>,
    /// When a terminated trust ended: reports are owed for the years before (issue 14).
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<Date>,
    /// The `trust.terminate` entry that reported the end (never before `ended_on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_reported: Option<Disclosure>,
    /// Year -> the trustee's report.
    pub reports: BTreeMap<i32, Disclosure>,
}

/// One fiscal year of a lottery administrator that granted or announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotteryDuty {
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<Disclosure>,
}

/// Everything one organisation owes disclosures for, independent of the date it is judged on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgDuties {
    pub org: Uscc,
    pub org_type: OrgType,
    /// Holds public-fundraising status.
    pub public_fundraising: bool,
    #[serde(with = "date_serde")]
    pub registered_on: Date,
    /// The China date its `org.register` entry was recorded: the ledger saw it from then on.
    #[serde(with = "date_serde")]
    pub joined_on: Date,
    /// Year -> the annual report published for it.
    pub annual_reports: BTreeMap<i32, AnnualDuty>,
    pub projects: Vec<ProjectDuty>,
    #[serde(default)]
    pub campaigns: Vec<CampaignDuty>,
    /// Related-party payments and donations (their own entries disclose them) and other
    /// related-party dealings disclosed by `disclosure` entries.
    pub related_party: Vec<RelatedPartyDuty>,
    pub trusts: Vec<TrustDuty>,
    pub lottery_years: Vec<LotteryDuty>,
    /// Major asset changes, investments and transactions.
    #[serde(default)]
    pub major_events: Vec<EventDuty>,
    /// Year -> the filing of its related-party list.
    #[serde(default)]
    pub related_party_lists: BTreeMap<i32, Disclosure>,
    /// Trusts it set up as settlor.
    #[serde(default)]
    pub settled_trusts: Vec<SettledTrustDuty>,
}

/// Whether an organisation of this type is a charitable organisation owing annual reports
/// (trust companies and lottery administrators have their own duties: trust reports and
/// announcements).
fn owes_annual_report(t: OrgType) -> bool {
    matches!(
        t,
        OrgType::Foundation | OrgType::SocialGroup | OrgType::SocialServiceOrg
    )
}

impl OrgDuties {
    /// The obligations the organisation has incurred by `as_of`, with their disclosures.
    pub fn obligations(&self, as_of: Date) -> DisclosureFacts {
        let mut facts = DisclosureFacts::default();
        let org = self.org.to_string();
        if owes_annual_report(self.org_type) {
            let first = self.registered_on.year().max(self.joined_on.year());
            // The related-party list is due by 31 May of its own year (from 2026, the table's
            // `first_year`), judged from the day the ledger saw the organisation.
            for year in first..=as_of.year() {
                facts.push_from(
                    self.joined_on,
                    Obligation::RelatedPartyList {
                        org: org.clone(),
                        year,
                    },
                    self.related_party_lists.get(&year).copied(),
                );
            }
            // A year is owed once it is over.
            for year in first..as_of.year() {
                let report = self.annual_reports.get(&year);
                facts.push(
                    Obligation::AnnualReport {
                        org: org.clone(),
                        year,
                    },
                    report.map(|r| r.disclosed),
                );
                if self.public_fundraising {
                    facts.push(
                        Obligation::AuditedFinancialReport {
                            org: org.clone(),
                            year,
                        },
                        report.filter(|r| r.audit_report).map(|r| r.disclosed),
                    );
                } else if self.projects.iter().any(|p| p.ran_in(year)) {
                    facts.push(
                        Obligation::MajorProjects {
                            org: org.clone(),
                            year,
                        },
                        report.filter(|r| r.major_projects).map(|r| r.disclosed),
                    );
                }
            }
        }
        for c in &self.campaigns {
            facts.push(
                Obligation::CampaignUpdates {
                    org: org.clone(),
                    campaign: c.id.to_string(),
                    started_on: c.start,
                    ended_on: c.closed.map(|e| e.closed_on).or(c.planned_end),
                },
                c.updates.iter().copied(),
            );
            if let Some(ended_on) = c.ended(as_of) {
                facts.push(
                    Obligation::CampaignFinal {
                        org: org.clone(),
                        campaign: c.id.to_string(),
                        ended_on,
                    },
                    c.closed.map(|e| e.disclosed),
                );
                if c.has_partners {
                    facts.push(
                        Obligation::PartnerEvaluation {
                            org: org.clone(),
                            campaign: c.id.to_string(),
                            ended_on,
                        },
                        c.partner_evaluation,
                    );
                }
            }
        }
        for p in &self.projects {
            let updates = p.updates.iter().copied();
            if p.emergency {
                facts.push(
                    Obligation::EmergencyUpdates {
                        org: org.clone(),
                        campaign: p.id.to_string(),
                        started_on: p.start,
                        response_ended_on: p.updates_until(),
                    },
                    updates,
                );
            } else if self.public_fundraising {
                // The three-monthly cadence binds organisations with public-fundraising status
                // (row `project_update`); the others report major projects yearly instead.
                facts.push(
                    Obligation::ProjectUpdates {
                        org: org.clone(),
                        project: p.id.to_string(),
                        started_on: p.start,
                        ended_on: p.updates_until(),
                    },
                    updates,
                );
            }
            if let Some(ended_on) = p.ended(as_of) {
                facts.push(
                    Obligation::ProjectClose {
                        org: org.clone(),
                        project: p.id.to_string(),
                        ended_on,
                    },
                    p.closed.map(|c| c.disclosed),
                );
            }
        }
        for r in &self.related_party {
            facts.push(
                Obligation::RelatedParty {
                    org: org.clone(),
                    entry_seq: r.seq,
                    occurred_on: r.occurred_on,
                },
                [r.disclosed],
            );
        }
        for e in &self.major_events {
            facts.push(
                Obligation::MajorEvent {
                    org: org.clone(),
                    entry_seq: e.seq,
                    subject: e.subject.as_str().to_owned(),
                    occurred_on: e.occurred_on,
                },
                [e.disclosed],
            );
        }
        for t in &self.settled_trusts {
            facts.push(
                Obligation::SettlorTrust {
                    org: org.clone(),
                    trust: t.trust.to_string(),
                    established_on: t.established_on,
                },
                t.disclosed,
            );
        }
        for t in &self.trusts {
            facts.push(
                Obligation::TrustFiling {
                    trust: t.trust.to_string(),
                    signed_on: t.signed_on,
                },
                [t.filed],
            );
            if let Some(terminated_on) = t.ended_on {
                facts.push(
                    Obligation::TrustTermination {
                        trust: t.trust.to_string(),
                        terminated_on,
                    },
                    t.termination_reported,
                );
            }
            let last_year = t
                .term_end
                .map_or(as_of.year() - 1, |e| e.year().min(as_of.year() - 1))
                .min(t.ended_on.map_or(i32::MAX, |e| e.year() - 1));
            for year in t.term_start.year().max(self.joined_on.year())..=last_year {
                facts.push(
                    Obligation::TrustReport {
                        trust: t.trust.to_string(),
                        year,
                    },
                    t.reports.get(&year).copied(),
                );
            }
        }
        for l in self
            .lottery_years
            .iter()
            .filter(|l| l.year >= self.joined_on.year())
        {
            facts.push(
                Obligation::LotteryAnnouncement {
                    administrator: org.clone(),
                    year: l.year,
                },
                l.announced,
            );
        }
        facts
    }
}

/// A disclosure made by entry `seq`, recorded on the China date `on`, but never before `floor`:
/// a body's own date may be a day ahead of the UTC recording date, and the disclosure of an
/// event cannot be dated before the event it discloses.
fn disclosed(seq: u64, at: crate::ledger::Timestamp, floor: Option<Date>) -> Disclosure {
    let on = at.china_date();
    Disclosure {
        on: floor.map_or(on, |f| on.max(f)),
        seq: Some(seq),
    }
}

impl MoneyState {
    /// Every registered organisation's duties, in organisation order.
    pub fn duties(&self) -> Vec<OrgDuties> {
        let b = &self.books;
        let events = self.disclosure_events();
        let mut out: BTreeMap<Uscc, OrgDuties> = b
            .orgs
            .values()
            .map(|o| {
                let r = &o.register;
                let d = OrgDuties {
                    org: r.org.clone(),
                    org_type: r.org_type,
                    public_fundraising: r.public_fundraising,
                    registered_on: r.registered_on,
                    joined_on: o.recorded_at.china_date(),
                    annual_reports: BTreeMap::new(),
                    projects: Vec::new(),
                    campaigns: Vec::new(),
                    related_party: Vec::new(),
                    trusts: Vec::new(),
                    lottery_years: Vec::new(),
                    major_events: Vec::new(),
                    related_party_lists: BTreeMap::new(),
                    settled_trusts: Vec::new(),
                };
                (r.org.clone(), d)
            })
            .collect();
        for ((org, year), r) in b.reports.iter() {
            if let Some(d) = out.get_mut(org) {
                d.annual_reports.insert(
                    *year,
                    AnnualDuty {
                        disclosed: disclosed(r.seq, r.recorded_at, None),
                        audit_report: r.body.audit_report.is_some(),
                        major_projects: r.body.major_projects.is_some(),
                    },
                );
            }
        }
        for ((org, _), c) in b.campaigns.iter() {
            if let Some(d) = out.get_mut(org) {
                let at = |x: &crate::money::books::campaigns::Disclosed, floor| {
                    disclosed(x.seq, x.recorded_at, floor)
                };
                d.campaigns.push(CampaignDuty {
                    id: c.id.clone(),
                    start: c.start,
                    planned_end: c.end,
                    updates: c.updates.iter().map(|u| at(u, None)).collect(),
                    closed: c.closed.map(|e| ClosedDuty {
                        closed_on: e.ended_on,
                        disclosed: at(&e.by, Some(e.ended_on)),
                    }),
                    has_partners: c.has_partners,
                    partner_evaluation: c.partner_evaluation.map(|p| at(&p, None)),
                });
            }
        }
        for p in &events.projects {
            let Some(d) = out.get_mut(&p.org) else {
                continue;
            };
            d.projects.push(ProjectDuty {
                id: p.project.clone(),
                start: p.start,
                planned_end: p.end,
                emergency: p.emergency,
                updates: p
                    .updates
                    .iter()
                    .map(|u| disclosed(u.seq, u.recorded_at, None))
                    .collect(),
                closed: p.closed.as_ref().map(|c| ClosedDuty {
                    closed_on: c.date,
                    disclosed: disclosed(c.seq, c.recorded_at, Some(c.date)),
                }),
            });
        }
        for r in &events.related_party {
            if let Some(d) = out.get_mut(&r.org) {
                d.related_party.push(RelatedPartyDuty {
                    seq: r.paid.seq,
                    occurred_on: r.paid.date,
                    disclosed: disclosed(r.paid.seq, r.paid.recorded_at, Some(r.paid.date)),
                });
            }
        }
        for r in b.related_donations.values() {
            if let Some(d) = out.get_mut(&r.org) {
                d.related_party.push(RelatedPartyDuty {
                    seq: r.seq,
                    occurred_on: r.received_on,
                    disclosed: disclosed(r.seq, r.recorded_at, Some(r.received_on)),
                });
            }
        }
        // Published trusts set up as settlor: trust id -> (org, first disclosure).
        let mut settled: BTreeMap<(Uscc, Ident), Disclosure> = BTreeMap::new();
        for x in b.disclosures.values() {
            let Some(d) = out.get_mut(&x.org) else {
                continue;
            };
            let at = disclosed(x.seq, x.recorded_at, Some(x.occurred_on));
            match x.subject {
                Subject::MajorAssetChange
                | Subject::MajorInvestment
                | Subject::MajorTransaction => {
                    d.major_events.push(EventDuty {
                        seq: x.seq,
                        subject: x.subject,
                        occurred_on: x.occurred_on,
                        disclosed: at,
                    });
                }
                Subject::RelatedPartyTransaction => d.related_party.push(RelatedPartyDuty {
                    seq: x.seq,
                    occurred_on: x.occurred_on,
                    disclosed: at,
                }),
                Subject::RelatedPartyList => {
                    if let Some(y) = x.year {
                        // The list is filed on `occurred_on`; the entry records it.
                        let filed = disclosed(x.seq, x.recorded_at, None);
                        d.related_party_lists.entry(y).or_insert(filed);
                    }
                }
                Subject::TrustSettled => {
                    if let Some(t) = &x.trust_id {
                        let filed = disclosed(x.seq, x.recorded_at, None);
                        settled.entry((x.org.clone(), t.clone())).or_insert(filed);
                    }
                }
            }
        }
        for t in b.trusts.values() {
            for s in &t.filing.settlors {
                let Some(org) = &s.org else { continue };
                let Some(d) = out.get_mut(org) else { continue };
                if d.settled_trusts
                    .iter()
                    .any(|x| x.trust == t.filing.trust_id)
                {
                    continue;
                }
                d.settled_trusts.push(SettledTrustDuty {
                    trust: t.filing.trust_id.clone(),
                    established_on: t.filing.signed_on,
                    disclosed: settled
                        .get(&(org.clone(), t.filing.trust_id.clone()))
                        .copied(),
                });
            }
        }
        for t in &events.trusts {
            if let Some(d) = out.get_mut(&t.trustee) {
                d.trusts.push(TrustDuty {
                    trust: t.trust_id.clone(),
                    signed_on: t.signed_on,
                    // The regulator files; the filing's own date is when it was filed.
                    filed: Disclosure {
                        on: t.filed.date,
                        seq: Some(t.filed.seq),
                    },
                    term_start: t.term_start,
                    term_end: t.term_end,
                    ended_on: t.terminated.as_ref().map(|e| e.date),
                    termination_reported: t
                        .terminated
                        .as_ref()
                        .map(|e| disclosed(e.seq, e.recorded_at, Some(e.date))),
                    reports: t
                        .reports
                        .iter()
                        .map(|(y, r)| (*y, disclosed(r.seq, r.recorded_at, None)))
                        .collect(),
                });
            }
        }
        for l in &events.lottery_years {
            if let Some(d) = out.get_mut(&l.administrator) {
                d.lottery_years.push(LotteryDuty {
                    year: l.fiscal_year,
                    announced: l
                        .announced
                        .as_ref()
                        .map(|a| disclosed(a.seq, a.recorded_at, None)),
                });
            }
        }
        out.into_values().collect()
    }
}
