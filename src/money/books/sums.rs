//! Running sums kept as entries step: the per-organisation, per-year flows behind the figures,
//! the totals by year, purpose and region, and the related-party payments.
//!
//! They are what the summary views are made of. Summing them as entries come, rather than over
//! every donation and spend whenever the views are derived, makes deriving the summary views cost
//! the number of organisations, funds and years instead of the length of the log: a server
//! refreshes them every second under load. Corrections rebuild the books, and these with them,
//! through the same [`Books::step`](super::Books::step), so they cannot drift from a
//! from-scratch replay (the property tests compare both with a naive sum over the records).

use imbl::OrdMap;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::{Currency, Kind, Uscc};

use super::funds::FundKey;
use super::{Books, SpendRecord};
use crate::money::bodies::Donation;
use crate::money::keys;
use crate::money::types::{DonationForm, Money, SpendCategory};

/// One organisation's money flows in one currency and year (conventions: [`crate::money::regulator::figures`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Flows {
    pub donation: Decimal,
    pub in_kind: Decimal,
    pub grant_in: Decimal,
    pub lottery_in: Decimal,
    pub restricted_later: Decimal,
    pub released: Decimal,
    pub charitable: Decimal,
    pub admin: Decimal,
    pub fundraising: Decimal,
}

/// Donations, disbursements and grants given, for one `totals/...` view row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Total {
    // Sums over the whole ledger: read back as derived figures, not as one entry's amount.
    #[serde(with = "crate::money::types::signed")]
    pub donations: Money,
    #[serde(with = "crate::money::types::signed")]
    pub disbursed: Money,
    #[serde(with = "crate::money::types::signed")]
    pub granted: Money,
}

/// The running sums (see the module docs).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Sums {
    /// (organisation, currency, year) -> flows from donations and spends (lottery grants are
    /// added when the figures are derived: their records are kept whole anyway).
    pub flows: OrdMap<(Uscc, Currency, i32), Flows>,
    /// `totals/...` view key -> total.
    pub totals: OrdMap<String, Total>,
    /// Spends marked as paid to a related party, by (seq, index).
    pub related_party: OrdMap<(u64, u32), SpendRecord>,
}

impl Sums {
    pub(crate) fn flows(&mut self, org: &Uscc, currency: Currency, year: i32) -> &mut Flows {
        self.flows.entry((org.clone(), currency, year)).or_default()
    }
}

impl Books {
    /// Counts a donation's value (goods without a valuation count nothing).
    pub(crate) fn count_donation(&mut self, org: &Uscc, d: &Donation) {
        let Some((amount, currency)) = d.value() else {
            return;
        };
        let a = amount.decimal();
        let year = d.received_on.year();
        let f = self.sums.flows(org, currency, year);
        match d.form {
            DonationForm::Cash => f.donation += a,
            DonationForm::InKind => f.in_kind += a,
        }
        if let Some(until) = d.restricted_until_year {
            f.restricted_later += a;
            self.sums.flows(org, currency, until.0).released += a;
        }
        let fund = FundKey {
            org: org.clone(),
            project: d.project.clone(),
            currency,
        };
        self.count_total(&fund, year, |t| t.donations = Money(t.donations.0 + a));
    }

    /// Counts money leaving a fund: spending, or a grant or leftover given to another
    /// organisation (a leftover moved between two projects of one organisation is neither).
    pub(crate) fn count_spend(&mut self, key: (u64, u32), s: &SpendRecord) {
        let year = s.paid_on.year();
        let cur = s.from.currency;
        let a = s.amount.0;
        match (s.kind, &s.to) {
            (Kind::Disbursement, _) => {
                let f = self.sums.flows(&s.from.org, cur, year);
                match s.category {
                    SpendCategory::Programme => f.charitable += a,
                    SpendCategory::Administration => f.admin += a,
                    SpendCategory::Fundraising => f.fundraising += a,
                }
            }
            (_, Some(to)) if to.org != s.from.org => {
                self.sums.flows(&s.from.org, cur, year).charitable += a;
                self.sums.flows(&to.org, cur, year).grant_in += a;
            }
            _ => {}
        }
        if s.to.is_none() {
            self.count_total(&s.from, year, |t| t.disbursed = Money(t.disbursed.0 + a));
        } else {
            self.count_total(&s.from, year, |t| t.granted = Money(t.granted.0 + a));
        }
        if s.related_party {
            self.sums.related_party.insert(key, s.clone());
        }
    }

    /// Adds to the totals of the fund's year, of its project's purpose (or "unrestricted") and
    /// of its project's region (an unrestricted fund: its organisation's region).
    pub(crate) fn count_total(&mut self, fund: &FundKey, year: i32, add: impl Fn(&mut Total)) {
        let (purpose, region) = match &fund.project {
            Some(p) => match self.projects.get(&(fund.org.clone(), p.clone())) {
                Some(rec) => (
                    rec.open.purpose.to_string(),
                    rec.open.region.as_str().to_owned(),
                ),
                None => ("unknown".to_owned(), "unknown".to_owned()),
            },
            None => (
                "unrestricted".to_owned(),
                self.orgs.get(&fund.org).map_or_else(
                    || "unknown".to_owned(),
                    |o| o.register.region.as_str().to_owned(),
                ),
            ),
        };
        let cur = fund.currency;
        for key in [
            keys::TOTALS_YEAR.key(&[&year, &cur]),
            keys::TOTALS_PURPOSE.key(&[&purpose, &year, &cur]),
            keys::TOTALS_REGION.key(&[&region, &year, &cur]),
        ] {
            add(self.sums.totals.entry(key).or_default());
        }
    }
}
