//! Welfare-lottery money in full (issue 14): the fund an administrator receives for a fiscal
//! year (`lottery.receive`), which an announcement's `raised` must then agree with; the
//! announcement's execution (执行情况) checked against the recipients' usage; grants to
//! welfare institutions that are not charities; and the year's figures by purpose
//! ([`LotteryYear`], `lottery_execution/{admin}/{year}/{currency}`).
//!
//! An announcement of a year with no receipts recorded (every announcement before this rule)
//! keeps its `raised` as declared, and the figures say it was not checked.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Timestamp, Uscc};

use super::super::{Books, Eff};
use crate::money::bodies::{LotteryAnnounce, LotteryGrant, LotteryReceive};
use crate::money::error::{MoneyError, Rule};
use crate::money::rules::trusts_lottery::citation;
use crate::money::types::{LotteryPurpose, Money, OrgType, opt_signed, signed, wire_enum};

/// One `lottery.receive`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct FundReceipt {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub amount: Money,
    pub currency: Currency,
    pub source: String,
    #[serde(with = "date_serde")]
    pub received_on: time::Date,
}

/// One purpose of a fiscal year: what was granted (the plan) and what the recipients used of it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PurposeExecution {
    pub purpose: LotteryPurpose,
    pub grants: u32,
    #[serde(with = "signed")]
    pub granted: Money,
    /// `granted` over the year's total granted, 4 dp (half away from zero).
    #[schema(value_type = Option<String>)]
    pub share: Option<Decimal>,
    #[serde(with = "signed")]
    pub used: Money,
    /// `used` over `granted`, 4 dp.
    #[schema(value_type = Option<String>)]
    pub execution_rate: Option<Decimal>,
}

/// A fiscal year of one administrator in one currency, as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LotteryYear {
    pub administrator: Uscc,
    pub fiscal_year: i32,
    pub currency: Currency,
    /// Sum of `lottery.receive` entries, if any were recorded.
    #[serde(with = "opt_signed")]
    pub received: Option<Money>,
    /// The announcement's `raised`, if announced.
    #[serde(with = "opt_signed")]
    pub raised_announced: Option<Money>,
    pub raised_status: RaisedStatus,
    #[serde(with = "signed")]
    pub granted: Money,
    #[serde(with = "signed")]
    pub used: Money,
    #[schema(value_type = Option<String>)]
    pub execution_rate: Option<Decimal>,
    /// Granted to welfare institutions that are not charities.
    #[serde(with = "signed")]
    pub granted_to_welfare_institutions: Money,
    pub by_purpose: Vec<PurposeExecution>,
    /// Whether the announcement stated its execution (checked when it did).
    pub executed_announced: bool,
}

wire_enum! {
    /// Whether a fiscal year's announced `raised` was checked: `checked` (agrees with the
    /// receipts: the rule refuses anything else), `declared` (no receipts recorded: not
    /// checked), or `not_announced`.
    RaisedStatus {
        Checked = "checked",
        Declared = "declared",
        NotAnnounced = "not_announced",
    }
}

fn ratio(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero())
        .then(|| (part / whole).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero))
}

impl Books {
    /// A grant's recipient: a charity's open project, or a registered welfare institution
    /// itself (with a project only if it names one of its own, open).
    pub(crate) fn grant_recipient(&self, b: &LotteryGrant) -> Result<(), MoneyError> {
        let org = self.org(&b.recipient_org, "body.recipient_org")?;
        let welfare = org.register.org_type == OrgType::WelfareInstitution;
        match &b.recipient_project {
            Some(p) => {
                self.project(&b.recipient_org, p, "body.recipient_project", true)?;
            }
            None if welfare => {}
            None => {
                return Err(MoneyError::refused(
                    "body.recipient_project",
                    Rule::WrongOrgType,
                    "a charity receives lottery grants into one of its projects; only a \
                     welfare institution (welfare_institution) receives them without one",
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn lottery_receive(
        &mut self,
        e: &Eff,
        b: &LotteryReceive,
    ) -> Result<(), MoneyError> {
        let admin = self.administrator(e)?;
        let key = (admin, b.fiscal_year.0);
        if self.announcements.contains_key(&key) {
            return Err(MoneyError::refused(
                "body.fiscal_year",
                Rule::YearAnnounced,
                "that fiscal year is announced; correct the announcement first",
            ));
        }
        let rec = FundReceipt {
            seq: e.seq,
            recorded_at: e.recorded_at,
            amount: Money(b.amount.decimal()),
            currency: b.currency,
            source: b.source.to_string(),
            received_on: b.received_on,
        };
        let mut list = self.lottery_receipts.get(&key).cloned().unwrap_or_default();
        list.push_back(rec);
        self.lottery_receipts.insert(key, list);
        Ok(())
    }

    /// The fund received by `admin` for `year` in `currency`, if any receipt was recorded.
    fn received(&self, admin: &Uscc, year: i32, currency: Currency) -> Option<Decimal> {
        let list = self.lottery_receipts.get(&(admin.clone(), year))?;
        let mut sum = None;
        for r in list.iter().filter(|r| r.currency == currency) {
            *sum.get_or_insert(Decimal::ZERO) += r.amount.0;
        }
        sum
    }

    /// Usage so far of `admin`'s grants of `year` in `currency`, by purpose.
    fn used_by_purpose(
        &self,
        admin: &Uscc,
        year: i32,
        currency: Currency,
    ) -> BTreeMap<LotteryPurpose, Decimal> {
        let mut used = BTreeMap::new();
        for g in self.grants.values().filter(|g| {
            &g.administrator == admin
                && g.grant.fiscal_year.0 == year
                && g.grant.currency == currency
        }) {
            *used.entry(g.grant.purpose).or_default() += g.used.0;
        }
        used
    }

    /// `raised` against the receipts, and `executed` against the usage (see the module docs).
    pub(crate) fn check_announced_funds(
        &self,
        admin: &Uscc,
        b: &LotteryAnnounce,
    ) -> Result<(), MoneyError> {
        let year = b.fiscal_year.0;
        if let Some(received) = self.received(admin, year, b.currency)
            && received != b.raised.0
        {
            return Err(MoneyError::refused(
                "body.raised",
                Rule::FiguresMismatch,
                format!(
                    "the ledger holds {} received for {year} ({})",
                    Money(received),
                    citation("lottery_raised")
                ),
            ));
        }
        let Some(executed) = &b.executed else {
            return Ok(());
        };
        let used = self.used_by_purpose(admin, year, b.currency);
        for (i, x) in executed.iter().enumerate() {
            let held = used.get(&x.purpose).copied().unwrap_or_default();
            if x.amount.0 != held || !used.contains_key(&x.purpose) {
                return Err(MoneyError::refused(
                    format!("body.executed[{i}].amount"),
                    Rule::FiguresMismatch,
                    format!(
                        "the recipients report {} used of {year}'s grants for {} ({})",
                        Money(held),
                        x.purpose,
                        citation("lottery_executed")
                    ),
                ));
            }
        }
        if let Some(p) = used
            .keys()
            .find(|p| !executed.iter().any(|x| x.purpose == **p))
        {
            return Err(MoneyError::refused(
                "body.executed",
                Rule::FiguresMismatch,
                format!("the execution of {p} is not stated"),
            ));
        }
        Ok(())
    }

    /// Every administrator's fiscal years with grants, receipts or an announcement.
    pub fn lottery_years(&self) -> Vec<LotteryYear> {
        let mut keys: BTreeMap<(Uscc, i32, Currency), ()> = BTreeMap::new();
        for g in self.grants.values() {
            keys.insert(
                (
                    g.administrator.clone(),
                    g.grant.fiscal_year.0,
                    g.grant.currency,
                ),
                (),
            );
        }
        for ((admin, year), list) in self.lottery_receipts.iter() {
            for r in list.iter() {
                keys.insert((admin.clone(), *year, r.currency), ());
            }
        }
        for ((admin, year), a) in self.announcements.iter() {
            keys.insert((admin.clone(), *year, a.body.currency), ());
        }
        keys.into_keys()
            .map(|(admin, year, currency)| self.lottery_year(admin, year, currency))
            .collect()
    }

    fn lottery_year(&self, admin: Uscc, year: i32, currency: Currency) -> LotteryYear {
        let mut purposes: BTreeMap<LotteryPurpose, (u32, Decimal, Decimal)> = BTreeMap::new();
        let mut welfare = Decimal::ZERO;
        for g in self.grants.values().filter(|g| {
            g.administrator == admin
                && g.grant.fiscal_year.0 == year
                && g.grant.currency == currency
        }) {
            let p = purposes.entry(g.grant.purpose).or_default();
            p.0 += 1;
            p.1 += g.grant.amount.decimal();
            p.2 += g.used.0;
            let welfare_org = self
                .orgs
                .get(&g.grant.recipient_org)
                .is_some_and(|o| o.register.org_type == OrgType::WelfareInstitution);
            if welfare_org {
                welfare += g.grant.amount.decimal();
            }
        }
        let granted: Decimal = purposes.values().map(|p| p.1).sum();
        let used: Decimal = purposes.values().map(|p| p.2).sum();
        let received = self.received(&admin, year, currency).map(Money);
        let announced = self
            .announcements
            .get(&(admin.clone(), year))
            .filter(|a| a.body.currency == currency);
        let raised_status = match (announced, received) {
            (None, _) => RaisedStatus::NotAnnounced,
            (Some(_), Some(_)) => RaisedStatus::Checked,
            (Some(_), None) => RaisedStatus::Declared,
        };
        LotteryYear {
            fiscal_year: year,
            currency,
            received,
            raised_announced: announced.map(|a| a.body.raised),
            raised_status,
            granted: Money(granted),
            used: Money(used),
            execution_rate: ratio(used, granted),
            granted_to_welfare_institutions: Money(welfare),
            by_purpose: purposes
                .into_iter()
                .map(|(purpose, (grants, g, u))| PurposeExecution {
                    purpose,
                    grants,
                    granted: Money(g),
                    share: ratio(g, granted),
                    used: Money(u),
                    execution_rate: ratio(u, g),
                })
                .collect(),
            executed_announced: announced.is_some_and(|a| a.body.executed.is_some()),
            administrator: admin,
        }
    }
}
