//! What regulators read: the ratio figures and the late disclosures, computed from the log alone.
//!
//! This module only translates: the money model's per-organisation-year figures
//! ([`OrgYearFigures`]) become the compliance rules' inputs ([`OrgYearFacts`]), and its dated
//! disclosure events become the deadline checker's obligations. The rules themselves are data
//! (`compliance_rules.json`, `timeliness_rules.json`), each row citing its source.
//!
//! "As of" is the recording date of the newest entry, not the wall clock, so the figures are a
//! pure function of the log and two replays of the same log agree.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use super::compliance::{self, Figure, OrgYearFacts, YearRevenue};
use super::figures::OrgYearFigures;
use super::state::MoneyState;
use super::timeliness::{self, DisclosureFacts, LateItem, Obligation};
use super::types::OrgType;
use super::views::{keys, row};
use crate::ledger::{Currency, Uscc};

/// The regulator figures of one organisation, year and currency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgCompliance {
    pub org: Uscc,
    pub year: i32,
    pub currency: Currency,
    pub figures: Vec<Figure>,
}

fn rule_type(t: OrgType) -> Option<compliance::OrgType> {
    match t {
        OrgType::Foundation => Some(compliance::OrgType::Foundation),
        OrgType::SocialGroup => Some(compliance::OrgType::SocialGroup),
        OrgType::SocialServiceOrg => Some(compliance::OrgType::SocialServiceOrg),
        // Trust companies and lottery administrators are not charitable organisations under the
        // spending rules; their duties are the trust and announcement deadlines.
        OrgType::TrustCompany | OrgType::LotteryAdministrator => None,
    }
}

/// Compliance facts for every row of `rows` (one organisation and currency, ordered by year).
fn facts_for(rows: &[&OrgYearFigures]) -> Vec<(i32, OrgYearFacts)> {
    let revenue_by_year: BTreeMap<i32, YearRevenue> = rows
        .iter()
        .map(|r| {
            let rev = YearRevenue {
                actual: r.income.0,
                restricted_to_later_years: r.restricted_for_later_years.0,
                released_from_restriction: r.released_from_restriction.0,
            };
            (r.year, rev)
        })
        .collect();
    let net_assets_end_by_year: BTreeMap<i32, rust_decimal::Decimal> = rows
        .iter()
        .map(|r| (r.year, r.net_assets_year_end.0))
        .collect();
    rows.iter()
        .filter_map(|r| {
            let org_type = rule_type(r.org_type)?;
            Some((
                r.year,
                OrgYearFacts {
                    org_type,
                    public_fundraising: r.public_fundraising,
                    year: r.year,
                    revenue_by_year: revenue_by_year.clone(),
                    net_assets_end_by_year: net_assets_end_by_year.clone(),
                    charitable_spending: r.charitable_spending.0,
                    admin_costs: r.administrative_costs.0,
                    total_spending: r.total_spending.0,
                    has_explanation: r.explanation_present,
                },
            ))
        })
        .collect()
}

/// The ratio figures of every organisation-year-currency the log has figures for.
pub fn compliance(state: &MoneyState) -> Vec<OrgCompliance> {
    let Ok(table) = compliance::default_table() else {
        // The embedded table is checked by a unit test; without it there is nothing to report.
        return Vec::new();
    };
    let rows = state.org_year_figures();
    let mut groups: BTreeMap<(Uscc, Currency), Vec<&OrgYearFigures>> = BTreeMap::new();
    for r in &rows {
        groups
            .entry((r.org.clone(), r.currency))
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    for ((org, currency), group) in groups {
        for (year, facts) in facts_for(&group) {
            out.push(OrgCompliance {
                org: org.clone(),
                year,
                currency,
                figures: compliance::evaluate(table, &facts),
            });
        }
    }
    out
}

/// The obligations the log creates, with the dates on which they were met.
pub fn disclosure_facts(state: &MoneyState, as_of: Date) -> DisclosureFacts {
    let events = state.disclosure_events();
    let mut facts = DisclosureFacts::default();
    // Annual reports are due for every year an organisation had figures, once the year is over.
    let mut years: BTreeMap<(Uscc, i32), Vec<Date>> = BTreeMap::new();
    for r in state.org_year_figures() {
        if r.year < as_of.year() && rule_type(r.org_type).is_some() {
            years.entry((r.org.clone(), r.year)).or_default();
        }
    }
    for a in &events.annual_reports {
        years
            .entry((a.org.clone(), a.year))
            .or_default()
            .push(a.published.recorded_at.date());
    }
    for ((org, year), dates) in years {
        facts.push(
            Obligation::AnnualReport {
                org: org.to_string(),
                year,
            },
            dates,
        );
    }
    for p in &events.projects {
        let updates: Vec<Date> = p.updates.iter().map(|u| u.recorded_at.date()).collect();
        if p.emergency {
            facts.push(
                Obligation::EmergencyUpdates {
                    org: p.org.to_string(),
                    campaign: p.project.to_string(),
                    started_on: p.start,
                    response_ended_on: p.end,
                },
                updates,
            );
        } else {
            facts.push(
                Obligation::ProjectUpdates {
                    org: p.org.to_string(),
                    project: p.project.to_string(),
                    started_on: p.start,
                    ended_on: p.end,
                },
                updates,
            );
        }
        if let Some(end) = p.end.filter(|e| *e <= as_of) {
            let closed = p.closed.iter().map(|c| c.recorded_at.date());
            facts.push(
                Obligation::ProjectClose {
                    org: p.org.to_string(),
                    project: p.project.to_string(),
                    ended_on: end,
                },
                closed,
            );
        }
    }
    for r in &events.related_party {
        facts.push(
            Obligation::RelatedParty {
                org: r.org.to_string(),
                entry_seq: r.paid.seq,
                occurred_on: r.paid.date,
            },
            [r.paid.recorded_at.date()],
        );
    }
    for t in &events.trusts {
        facts.push(
            Obligation::TrustFiling {
                trust: t.trust_id.to_string(),
                signed_on: t.signed_on,
            },
            [t.filed.date],
        );
        let last_year = t
            .term_end
            .map_or(as_of.year() - 1, |e| e.year().min(as_of.year() - 1));
        for year in t.term_start.year()..=last_year {
            let dates = t.reports.get(&year).map(|d| d.recorded_at.date());
            facts.push(
                Obligation::TrustReport {
                    trust: t.trust_id.to_string(),
                    year,
                },
                dates,
            );
        }
    }
    for l in &events.lottery_years {
        let dates = l.announced.iter().map(|a| a.recorded_at.date());
        facts.push(
            Obligation::LotteryAnnouncement {
                administrator: l.administrator.to_string(),
                year: l.fiscal_year,
            },
            dates,
        );
    }
    facts
}

/// Every late or missing disclosure as of `as_of`.
pub fn late(state: &MoneyState, as_of: Date) -> Vec<LateItem> {
    timeliness::check(&disclosure_facts(state, as_of), as_of).unwrap_or_default()
}

/// The regulator views as cacheable rows: `compliance/{org}/{year}/{currency}` and
/// `late/{index}` (ordered by the checker), canonical JSON.
pub fn view_rows(state: &MoneyState, as_of: Option<Date>) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for c in compliance(state) {
        row(
            &mut rows,
            keys::COMPLIANCE.key(&[&c.org, &c.year, &c.currency]),
            &c,
        );
    }
    if let Some(as_of) = as_of {
        for (i, item) in late(state, as_of).iter().enumerate() {
            row(&mut rows, keys::LATE.key(&[&format!("{i:06}")]), item);
        }
    }
    rows
}
