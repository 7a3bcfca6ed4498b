//! The ledger's own figures of a year beside the audited ones its annual report carries.
//!
//! The ratio tests read the audited figures of a year when its `report.annual` has them, and the
//! ledger's own otherwise (rule `year_status`'s sources; the 2016 rule measures against the
//! organisation's accounts, which hold more than the ledger: investment income, depreciation,
//! money that never passed through it). Both are published side by side, and every item where
//! they differ is flagged with the difference, so a reader sees what the ledger does not hold.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::figures::OrgYearFigures;
use crate::ledger::{Currency, Uscc};
use crate::money::bodies::AuditedFigures;
use crate::money::state::MoneyState;
use crate::money::types::{Money, signed};

/// Which figures the ratio tests read for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Audited,
    Ledger,
}

/// The figures of one year the ratio tests can read, from one side. Read back with any sign:
/// the ledger's net assets of an insolvent year are negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct YearAmounts {
    #[serde(with = "signed")]
    pub revenue: Money,
    #[serde(with = "signed")]
    pub donations: Money,
    #[serde(with = "signed")]
    pub charitable_spending: Money,
    #[serde(with = "signed")]
    pub admin_costs: Money,
    #[serde(with = "signed")]
    pub total_spending: Money,
    #[serde(with = "signed")]
    pub net_assets_year_end: Money,
}

/// One compared item: a [`YearAmounts`] field, named on the wire as the field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmountItem {
    Revenue,
    Donations,
    CharitableSpending,
    AdminCosts,
    TotalSpending,
    NetAssetsYearEnd,
}

impl AmountItem {
    /// Every item, in the order differences are listed.
    pub const ALL: [AmountItem; 6] = [
        AmountItem::Revenue,
        AmountItem::Donations,
        AmountItem::CharitableSpending,
        AmountItem::AdminCosts,
        AmountItem::TotalSpending,
        AmountItem::NetAssetsYearEnd,
    ];

    /// The field's name, as the rows spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            AmountItem::Revenue => "revenue",
            AmountItem::Donations => "donations",
            AmountItem::CharitableSpending => "charitable_spending",
            AmountItem::AdminCosts => "admin_costs",
            AmountItem::TotalSpending => "total_spending",
            AmountItem::NetAssetsYearEnd => "net_assets_year_end",
        }
    }

    /// Its labels, Chinese and English, in the annual report's wording.
    pub fn labels(self) -> (&'static str, &'static str) {
        match self {
            AmountItem::Revenue => ("收入合计", "Total revenue"),
            AmountItem::Donations => ("捐赠收入", "Donations"),
            AmountItem::CharitableSpending => ("慈善活动支出", "Charitable spending"),
            AmountItem::AdminCosts => ("管理费用", "Administrative costs"),
            AmountItem::TotalSpending => ("费用合计", "Total spending"),
            AmountItem::NetAssetsYearEnd => ("年末净资产", "Net assets at year end"),
        }
    }

    /// Its figure on one side.
    pub fn of(self, a: &YearAmounts) -> Money {
        match self {
            AmountItem::Revenue => a.revenue,
            AmountItem::Donations => a.donations,
            AmountItem::CharitableSpending => a.charitable_spending,
            AmountItem::AdminCosts => a.admin_costs,
            AmountItem::TotalSpending => a.total_spending,
            AmountItem::NetAssetsYearEnd => a.net_assets_year_end,
        }
    }
}

/// One item where the two sides differ. The labels are stored with it (readers of the rows
/// show them as they are) and read back as owned text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Difference {
    pub item: AmountItem,
    pub label_zh: String,
    pub label_en: String,
    #[serde(with = "signed")]
    pub ledger: Money,
    #[serde(with = "signed")]
    pub audited: Money,
    /// audited - ledger.
    #[serde(with = "signed")]
    pub difference: Money,
}

/// One year's figures, ledger and audited, and which the ratio tests read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct YearSides {
    pub year: i32,
    pub used: Side,
    pub ledger: YearAmounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audited: Option<YearAmounts>,
    /// The `report.annual` the audited figures come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_seq: Option<u64>,
    /// Every item where the audited figure differs from the ledger's (empty when they agree or
    /// nothing is audited).
    pub differences: Vec<Difference>,
}

/// The audited figures of one organisation and currency, by year, with their report's seq.
pub type AuditedByYear<'a> = BTreeMap<i32, (u64, &'a AuditedFigures)>;

/// The audited figures `org` reported in `currency`.
pub fn audited_for<'a>(state: &'a MoneyState, org: &Uscc, currency: Currency) -> AuditedByYear<'a> {
    state
        .books
        .reports
        .iter()
        .filter(|((o, _), r)| o == org && r.body.figures.currency == currency)
        .filter_map(|((_, y), r)| Some((*y, (r.seq, r.body.audited.as_ref()?))))
        .collect()
}

fn ledger_amounts(r: &OrgYearFigures) -> YearAmounts {
    YearAmounts {
        revenue: r.income,
        donations: Money(r.donation_income.0 + r.in_kind_income.0),
        charitable_spending: r.charitable_spending,
        admin_costs: r.administrative_costs,
        total_spending: r.total_spending,
        net_assets_year_end: r.net_assets_year_end,
    }
}

fn audited_amounts(a: &AuditedFigures) -> YearAmounts {
    YearAmounts {
        revenue: a.total_revenue,
        donations: a.donations,
        charitable_spending: a.charitable_expenditure,
        admin_costs: a.management_costs,
        total_spending: a.total_expenditure,
        net_assets_year_end: a.net_assets_year_end,
    }
}

fn differences(ledger: &YearAmounts, audited: &YearAmounts) -> Vec<Difference> {
    AmountItem::ALL
        .into_iter()
        .filter_map(|item| {
            let (l, a) = (item.of(ledger), item.of(audited));
            let (zh, en) = item.labels();
            (l != a).then(|| Difference {
                item,
                label_zh: zh.to_owned(),
                label_en: en.to_owned(),
                ledger: l,
                audited: a,
                difference: Money(a.0 - l.0),
            })
        })
        .collect()
}

/// The side-by-side figures of the ledger row `r`.
pub fn sides_of(r: &OrgYearFigures, audited: &AuditedByYear) -> YearSides {
    let ledger = ledger_amounts(r);
    let audit = audited.get(&r.year);
    let audited_side = audit.map(|(_, a)| audited_amounts(a));
    YearSides {
        year: r.year,
        used: if audit.is_some() {
            Side::Audited
        } else {
            Side::Ledger
        },
        differences: audited_side
            .as_ref()
            .map(|a| differences(&ledger, a))
            .unwrap_or_default(),
        ledger,
        audited: audited_side,
        report_seq: audit.map(|(seq, _)| *seq),
    }
}

/// The rows the ratio tests read: the ledger's, with the audited figures laid over every year
/// that has them. Revenue is the audited total with its Art. 10 adjustments; spending, costs
/// and net assets are the audited ones.
pub fn as_used(rows: &[&OrgYearFigures], audited: &AuditedByYear) -> Vec<OrgYearFigures> {
    rows.iter()
        .map(|r| {
            let mut u = (*r).clone();
            if let Some((_, a)) = audited.get(&r.year) {
                u.income = a.total_revenue;
                u.restricted_for_later_years = a.restricted_to_later_years;
                u.released_from_restriction = a.released_from_restriction;
                u.charitable_spending = a.charitable_expenditure;
                u.administrative_costs = a.management_costs;
                u.total_spending = a.total_expenditure;
                u.net_assets_year_end = a.net_assets_year_end;
            }
            u
        })
        .collect()
}

/// The side-by-side figures a ratio test of `year` reads: that year and the three before it
/// (the prior year and the three-year average), where the ledger has a row.
pub fn sides_for_year(
    rows: &[&OrgYearFigures],
    audited: &AuditedByYear,
    year: i32,
) -> Vec<YearSides> {
    rows.iter()
        .filter(|r| (year - 3..=year).contains(&r.year))
        .map(|r| sides_of(r, audited))
        .collect()
}

/// `audited - ledger` of one item, for tests and readers that want one number.
pub fn difference_of(s: &YearSides, item: &str) -> Option<Decimal> {
    s.differences
        .iter()
        .find(|d| d.item.as_str() == item)
        .map(|d| d.difference.0)
}
