//! What regulators read: the ratio figures and the late disclosures, computed from the log alone.
//!
//! This module only translates: the money model's per-organisation-year figures
//! ([`OrgYearFigures`]) become the compliance rules' inputs ([`OrgYearFacts`]), and its dated
//! disclosure events become the deadline checker's obligations. The rules themselves are data
//! (`compliance_rules.json`, `timeliness_rules.json`), each row citing its source.
//!
//! The cached `late/` rows are as of the recording date of the newest entry, not the wall clock,
//! so the cache is a pure function of the log and two replays of the same log agree. Readers
//! that ask "as of when?" (`sunshine report late --as-of`, the obligations API, the site) judge
//! the cached `duties/` rows on their own date instead ([`obligations::judge`]).

//!
//! The room: [`figures`] and [`events`] read the money model's state; [`compliance`] (ratio
//! rules), [`timeliness`] (disclosure deadlines), [`duties`] and [`obligations`] (what is owed,
//! judged on a date) and [`sides`] (ledger and audited figures side by side) judge them.

pub mod compliance;
pub mod duties;
pub mod events;
pub mod figures;
pub mod obligations;
pub mod sides;
pub mod timeliness;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::{Currency, Uscc};
use crate::money::keys::{self, row};
use crate::money::state::MoneyState;
use crate::money::types::OrgType;
use compliance::{Figure, OrgYearFacts, YearRevenue};
use duties::OrgDuties;
use figures::OrgYearFigures;
use sides::YearSides;
use timeliness::{DisclosureFacts, LateItem};

/// The regulator figures of one organisation, year and currency: the `compliance/` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrgCompliance {
    pub org: Uscc,
    pub year: i32,
    pub currency: Currency,
    /// The public-fundraising status the year was judged with: the one in force on 31 December
    /// ([`crate::money::books::org_time`]).
    pub public_fundraising: bool,
    pub figures: Vec<Figure>,
    /// The ledger's and the audited figures of the years the test read, side by side, with
    /// which were used and every difference flagged ([`sides`]).
    pub sides: Vec<YearSides>,
}

fn rule_type(t: OrgType) -> Option<compliance::OrgType> {
    match t {
        OrgType::Foundation => Some(compliance::OrgType::Foundation),
        OrgType::SocialGroup => Some(compliance::OrgType::SocialGroup),
        OrgType::SocialServiceOrg => Some(compliance::OrgType::SocialServiceOrg),
        // Trust companies and lottery administrators are not charitable organisations under the
        // spending rules; their duties are the trust and announcement deadlines.
        OrgType::TrustCompany | OrgType::LotteryAdministrator => None,
        // Welfare institutions that are not charities report lottery grants only (issue 14).
        OrgType::WelfareInstitution => None,
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

/// The ratio figures of every organisation-year-currency the log has figures for, read on
/// `as_of`: a year not over on that day is shown in progress, not judged
/// ([`compliance::evaluate`]). The cached rows are read on the newest entry's recording date
/// (China), the clock of the log itself, so two replays agree; a year becomes judged once the
/// ledger records an entry in a later year (its annual report, at the latest).
pub fn compliance(state: &MoneyState, as_of: Option<Date>) -> Vec<OrgCompliance> {
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
        // The audited figures of a year stand in for the ledger's (`org_time::sides`).
        let audited = sides::audited_for(state, &org, currency);
        let used = sides::as_used(&group, &audited);
        let used: Vec<&OrgYearFigures> = used.iter().collect();
        // Before its opening year the organisation was not on the ledger: nothing to judge
        // unless its report brought audited figures.
        let joined = group
            .iter()
            .find_map(|r| r.opening_net_assets.map(|_| r.year));
        for (year, facts) in facts_for(&used) {
            if joined.is_some_and(|j| year <= j) && !audited.contains_key(&year) {
                continue;
            }
            out.push(OrgCompliance {
                org: org.clone(),
                year,
                currency,
                public_fundraising: facts.public_fundraising,
                figures: compliance::evaluate(table, &facts, as_of),
                sides: sides::sides_for_year(&group, &audited, year),
            });
        }
    }
    out
}

/// The obligations the log creates by `as_of`, with the disclosures that met them.
pub fn disclosure_facts(state: &MoneyState, as_of: Date) -> DisclosureFacts {
    facts_of(&state.duties(), as_of)
}

fn facts_of(duties: &[OrgDuties], as_of: Date) -> DisclosureFacts {
    let mut facts = DisclosureFacts::default();
    for d in duties {
        facts.items.extend(d.obligations(as_of).items);
    }
    facts
}

/// Every late or missing disclosure as of `as_of`.
pub fn late(state: &MoneyState, as_of: Date) -> Vec<LateItem> {
    timeliness::check(&disclosure_facts(state, as_of), as_of).unwrap_or_default()
}

/// The regulator views as cacheable rows: `compliance/{org}/{year}/{currency}`, `duties/{org}`
/// (what each organisation owes, for readers to judge on any date) and `late/{index}` (ordered
/// by the checker, as of `as_of`), canonical JSON.
pub fn view_rows(state: &MoneyState, as_of: Option<Date>) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for c in compliance(state, as_of) {
        row(
            &mut rows,
            keys::COMPLIANCE.key(&[&c.org, &c.year, &c.currency]),
            &c,
        );
    }
    let duties = state.duties();
    for d in &duties {
        row(&mut rows, keys::DUTIES.key(&[&d.org]), d);
    }
    if let Some(as_of) = as_of {
        let late = timeliness::check(&facts_of(&duties, as_of), as_of).unwrap_or_default();
        for (i, item) in late.iter().enumerate() {
            row(&mut rows, keys::LATE.key(&[&format!("{i:06}")]), item);
        }
    }
    rows
}
