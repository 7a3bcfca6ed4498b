//! Per-organisation, per-year, per-currency figures: the input of the regulator ratio rules
//! (`money::compliance`).
//!
//! Years are calendar years of the dates the bodies state (received, paid, granted, used), not
//! of recording. Conventions:
//! - income = cash donations + valued goods + grants and leftovers received from other
//!   organisations + lottery grants received;
//! - charitable spending = `programme` disbursements + grants and leftovers given to other
//!   organisations + lottery grant usage; administrative and fundraising costs are the
//!   disbursements of those categories; total spending is all three;
//! - a leftover moved between two projects of the same organisation is neither;
//! - net assets at year end = the running sum of income minus total spending up to that year, which
//!   equals the organisation's fund balances plus unused lottery grants dated up to then; for an
//!   organisation that declared an opening balance (`org.opening`), the sum restarts from it at
//!   the end of its year ([`crate::money::books::org_time`]);
//! - type and public-fundraising status are those in force on the year's 31 December;
//! - trust property is the trust's, not the trustee's, and is left out.
//!
//! Rows run without gaps from an organisation's first to last year with any activity, report or
//! explanation (and the year a restriction releases), so "last year's net assets" always exists.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::{Currency, Uscc};

use crate::money::books::sums::Flows;
use crate::money::state::MoneyState;
use crate::money::types::{Money, OrgType};
use crate::money::types::{opt_signed, signed};

/// One organisation's figures for one year in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct OrgYearFigures {
    pub org: Uscc,
    pub org_type: OrgType,
    pub public_fundraising: bool,
    pub year: i32,
    pub currency: Currency,
    #[serde(with = "signed")]
    pub income: Money,
    #[serde(with = "signed")]
    pub donation_income: Money,
    #[serde(with = "signed")]
    pub in_kind_income: Money,
    #[serde(with = "signed")]
    pub grant_income: Money,
    #[serde(with = "signed")]
    pub lottery_income: Money,
    /// Income of this year restricted to a later year (`restricted_until_year`).
    #[serde(with = "signed")]
    pub restricted_for_later_years: Money,
    /// Income of earlier years whose restriction ends this year.
    #[serde(with = "signed")]
    pub released_from_restriction: Money,
    #[serde(with = "signed")]
    pub charitable_spending: Money,
    #[serde(with = "signed")]
    pub administrative_costs: Money,
    #[serde(with = "signed")]
    pub fundraising_costs: Money,
    #[serde(with = "signed")]
    pub total_spending: Money,
    #[serde(with = "signed")]
    pub net_assets_year_end: Money,
    /// The organisation published an `explanation` for this year.
    pub explanation_present: bool,
    /// The seq of the organisation's `report.annual` for this year, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annual_report_seq: Option<u64>,
    /// The declared opening net assets, on the row of the year they close (`org.opening`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_signed")]
    pub opening_net_assets: Option<Money>,
}

type Acc = BTreeMap<(Uscc, Currency), BTreeMap<i32, Flows>>;

fn at<'a>(acc: &'a mut Acc, org: &Uscc, cur: Currency, year: i32) -> &'a mut Flows {
    acc.entry((org.clone(), cur))
        .or_default()
        .entry(year)
        .or_default()
}

impl MoneyState {
    /// Every organisation's figures, ordered by organisation, currency, year.
    pub fn org_year_figures(&self) -> Vec<OrgYearFigures> {
        // Donations and spends were summed as they stepped (`crate::money::books::sums`).
        let mut acc: Acc = BTreeMap::new();
        for ((org, cur, year), f) in self.books.sums.flows.iter() {
            *at(&mut acc, org, *cur, *year) = *f;
        }
        for g in self.lottery_grants() {
            let cur = g.grant.currency;
            at(
                &mut acc,
                &g.grant.recipient_org,
                cur,
                g.grant.granted_on.year(),
            )
            .lottery_in += g.grant.amount.decimal();
            for u in &g.usages {
                at(&mut acc, &g.grant.recipient_org, cur, u.used_on.year()).charitable +=
                    u.amount.0;
            }
        }
        // Years with words but no money still need a row.
        let mut said: BTreeMap<Uscc, BTreeSet<i32>> = BTreeMap::new();
        for (org, year) in self
            .books
            .explanations
            .keys()
            .chain(self.books.reports.keys())
        {
            said.entry(org.clone()).or_default().insert(*year);
        }
        for (org, years) in &said {
            if !acc.keys().any(|(o, _)| o == org) {
                let cur = self
                    .books
                    .reports
                    .iter()
                    .find(|((o, _), _)| o == org)
                    .map_or(Currency::CNY, |(_, r)| r.body.figures.currency);
                for y in years {
                    at(&mut acc, org, cur, *y);
                }
            }
        }
        // An opening balance starts the net assets of its year's end (`crate::money::books::org_time`).
        for (org, t) in self.books.org_time.iter() {
            if let Some(o) = &t.opening {
                at(&mut acc, org, o.body.currency, o.body.as_of.year());
            }
        }
        let mut out = Vec::new();
        for ((org, cur), by_year) in acc {
            let Some(rec) = self.org(&org) else { continue };
            let extra = said.get(&org);
            let first = by_year
                .keys()
                .chain(extra.into_iter().flatten())
                .min()
                .copied();
            let last = by_year
                .keys()
                .chain(extra.into_iter().flatten())
                .max()
                .copied();
            let (Some(first), Some(last)) = (first, last) else {
                continue;
            };
            let opening = self
                .books
                .org_time
                .get(&org)
                .and_then(|t| t.opening.as_ref())
                .filter(|o| o.body.currency == cur)
                .map(|o| (o.body.as_of.year(), o.body.net_assets));
            let mut net = Decimal::ZERO;
            for year in first..=last {
                let f = by_year.get(&year).copied().unwrap_or_default();
                let income = f.donation + f.in_kind + f.grant_in + f.lottery_in;
                let total = f.charitable + f.admin + f.fundraising;
                net += income - total;
                // The declared balance already holds the flows of its year and before.
                let opening_here = opening.filter(|(y, _)| *y == year).map(|(_, m)| m);
                if let Some(m) = opening_here {
                    net = m.0;
                }
                // The facts in force at the year's end (`org_time::timeline::year_end`).
                let facts = self.books.org_facts_in_year(&org, year);
                out.push(OrgYearFigures {
                    org: org.clone(),
                    org_type: facts.as_ref().map_or(rec.register.org_type, |f| f.org_type),
                    public_fundraising: facts
                        .as_ref()
                        .map_or(rec.register.public_fundraising, |f| f.public_fundraising),
                    year,
                    currency: cur,
                    income: Money(income),
                    donation_income: Money(f.donation),
                    in_kind_income: Money(f.in_kind),
                    grant_income: Money(f.grant_in),
                    lottery_income: Money(f.lottery_in),
                    restricted_for_later_years: Money(f.restricted_later),
                    released_from_restriction: Money(f.released),
                    charitable_spending: Money(f.charitable),
                    administrative_costs: Money(f.admin),
                    fundraising_costs: Money(f.fundraising),
                    total_spending: Money(total),
                    net_assets_year_end: Money(net),
                    explanation_present: self.books.explanations.contains_key(&(org.clone(), year)),
                    annual_report_seq: self.books.reports.get(&(org.clone(), year)).map(|r| r.seq),
                    opening_net_assets: opening_here,
                });
            }
        }
        out
    }

    /// One organisation's figures for one year, in every currency it used.
    pub fn org_year_figures_for(&self, org: &Uscc, year: i32) -> Vec<OrgYearFigures> {
        self.org_year_figures()
            .into_iter()
            .filter(|f| &f.org == org && f.year == year)
            .collect()
    }
}
