//! An organisation over time (issue 14, part 3): the regulator's changes to its public-fundraising
//! status and to its registration, the opening balance it declares on joining the ledger, and the
//! audited figures an annual report carries. `org.register` states the facts on the day of
//! registration; these say when they changed, so each year is judged on the facts of that year.
//!
//! The rules that need no ledger state are here ([`OrgChange::check`], [`OrgOpening::check`],
//! [`AuditedFigures::check`]); the rules that need it live in [`crate::money::books::org_time`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Hash, Uscc};
use crate::money::error::{MoneyError, Rule};
use crate::money::rules::org_time::citation;
use crate::money::types::{Money, OrgType, RegionCode, Title};

/// What an `org.fundraising` entry does to public-fundraising status (公开募捐资格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FundraisingChange {
    /// The registering department granted the status (发给公开募捐资格证书).
    Granted,
    /// The status was revoked (吊销公开募捐资格证书) or given up.
    Revoked,
}

impl FundraisingChange {
    /// Whether the organisation holds the status after the change.
    pub fn holds(self) -> bool {
        self == FundraisingChange::Granted
    }
}

/// `org.fundraising`, signed by a regulator: public-fundraising status granted or revoked from
/// `effective_on`, on the decision whose document hash is `decision`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgFundraising {
    pub org: Uscc,
    pub change: FundraisingChange,
    #[serde(with = "date_serde")]
    pub effective_on: Date,
    /// The decision or certificate (公开募捐资格证书 / 决定书).
    pub decision: Hash,
}

/// `org.change`, signed by a regulator: a change of registration (变更登记) from `effective_on`.
/// Only the fields given change; the unified social credit code never does (it is the
/// organisation's identity) and keys change by `org.keys`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgChange {
    pub org: Uscc,
    #[serde(with = "date_serde")]
    pub effective_on: Date,
    /// The approval of the change (变更登记 document).
    pub decision: Hash,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Title>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<Title>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_type: Option<OrgType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<RegionCode>,
}

impl OrgChange {
    /// A change names something to change, and never turns a charity into a trust company or
    /// lottery administrator (or back): those are other kinds of party with other duties.
    pub fn check(&self, prefix: &str) -> Result<(), MoneyError> {
        if self.name.is_none()
            && self.name_en.is_none()
            && self.org_type.is_none()
            && self.region.is_none()
        {
            return Err(MoneyError::malformed(
                prefix,
                "a change names at least one of name, name_en, org_type, region",
            ));
        }
        if self.org_type.is_some_and(|t| !is_charity_type(t)) {
            return Err(MoneyError::refused(
                format!("{prefix}.org_type"),
                Rule::WrongOrgType,
                "a registration change keeps a charity a charity (foundation, social_group, \
                 social_service_org)",
            ));
        }
        Ok(())
    }
}

/// The three forms the spending rules know (the 2016 rule Arts. 6-9).
pub fn is_charity_type(t: OrgType) -> bool {
    matches!(
        t,
        OrgType::Foundation | OrgType::SocialGroup | OrgType::SocialServiceOrg
    )
}

/// `org.opening`, signed by the organisation: its net assets at the end of the year before its
/// first year on the ledger, from its audited balance sheet (`document`). Without it the
/// ledger's net assets start from zero, and a foundation with an endowment lands in the lowest
/// band of the 2016 rule.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgOpening {
    /// A 31 December: the balance-sheet date the opening figures are taken from.
    #[serde(with = "date_serde")]
    pub as_of: Date,
    pub currency: Currency,
    /// 净资产合计.
    pub net_assets: Money,
    /// 限定性净资产.
    pub restricted: Money,
    /// 非限定性净资产.
    pub unrestricted: Money,
    /// The audited balance sheet (or audit report) the figures come from.
    pub document: Hash,
}

impl OrgOpening {
    /// The balance is a year-end one and its parts add up.
    pub fn check(&self, prefix: &str) -> Result<(), MoneyError> {
        if (self.as_of.month(), self.as_of.day()) != (Month::December, 31) {
            return Err(MoneyError::refused(
                format!("{prefix}.as_of"),
                Rule::BadDates,
                format!(
                    "an opening balance is a year-end balance: give 31 December ({})",
                    citation(Rule::OpeningBalance)
                ),
            ));
        }
        sums_to(
            &[self.restricted.0, self.unrestricted.0],
            self.net_assets.0,
            format!("{prefix}.net_assets"),
            "restricted + unrestricted",
            Rule::OpeningBalance,
        )
    }
}

/// The audited year figures of a `report.annual` (`audited`), in the report's currency. They are
/// what the ratio tests read when present (the ledger's own figures otherwise), and they are
/// shown beside the ledger's, with any difference flagged.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditedFigures {
    /// 收入合计.
    pub total_revenue: Money,
    /// 捐赠收入.
    pub donations: Money,
    /// 政府补助收入.
    pub government_grants: Money,
    /// 投资收益.
    pub investment_income: Money,
    /// 提供服务收入.
    pub service_income: Money,
    /// Every other revenue line (会费, 商品销售, 其他收入).
    pub other_income: Money,
    /// Part of the year's revenue time-restricted so it may not be used in the year (the 2016
    /// rule Art. 10 para. 2). Zero when absent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restricted_to_later_years: Money,
    /// Net assets released from a time restriction in the year (Art. 10 para. 2). Zero when absent.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub released_from_restriction: Money,
    /// 慈善活动支出.
    pub charitable_expenditure: Money,
    /// 管理费用.
    pub management_costs: Money,
    /// 费用合计: the admin ratio's denominator (当年总支出).
    pub total_expenditure: Money,
    /// 年末净资产.
    pub net_assets_year_end: Money,
}

fn is_zero(m: &Money) -> bool {
    m.0.is_zero()
}

impl AuditedFigures {
    /// The revenue parts add up to the total, and charitable spending and management costs fit
    /// in total expenditure. Audited figures come with the audit report they are taken from.
    /// `prefix` is the report body's path.
    pub fn check(&self, prefix: &str, audit_report: bool) -> Result<(), MoneyError> {
        let at = |f: &str| format!("{prefix}.audited.{f}");
        if !audit_report {
            return Err(MoneyError::refused(
                format!("{prefix}.audit_report"),
                Rule::AuditReportMissing,
                format!(
                    "audited figures come with the audit report they are taken from ({})",
                    citation(Rule::AuditReportMissing)
                ),
            ));
        }
        sums_to(
            &[
                self.donations.0,
                self.government_grants.0,
                self.investment_income.0,
                self.service_income.0,
                self.other_income.0,
            ],
            self.total_revenue.0,
            at("total_revenue"),
            "donations + government_grants + investment_income + service_income + other_income",
            Rule::PartsMismatch,
        )?;
        let spent = self.charitable_expenditure.0 + self.management_costs.0;
        if spent > self.total_expenditure.0 {
            return Err(MoneyError::refused(
                at("total_expenditure"),
                Rule::PartsMismatch,
                format!(
                    "charitable_expenditure + management_costs = {} exceeds total_expenditure {} ({})",
                    Money(spent),
                    self.total_expenditure,
                    citation(Rule::PartsMismatch)
                ),
            ));
        }
        if self.restricted_to_later_years.0 > self.total_revenue.0 {
            return Err(MoneyError::refused(
                at("restricted_to_later_years"),
                Rule::PartsMismatch,
                "revenue restricted to later years is part of total_revenue, so not above it",
            ));
        }
        Ok(())
    }
}

/// Refuses `total` at `field` unless the `parts` (named `what`) add up to it exactly.
fn sums_to(
    parts: &[Decimal],
    total: Decimal,
    field: String,
    what: &str,
    rule: Rule,
) -> Result<(), MoneyError> {
    let sum: Decimal = parts.iter().sum();
    if sum == total {
        return Ok(());
    }
    Err(MoneyError::refused(
        field,
        rule,
        format!(
            "{what} = {} but the total says {} ({})",
            Money(sum),
            Money(total),
            citation(rule)
        ),
    ))
}
