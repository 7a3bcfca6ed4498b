//! Lottery public-welfare fund grants, their usage, and the administrators' yearly announcements.
//!
//! A grant is held per grant (not in the recipient's donation funds): usage draws on the grant
//! alone, so lottery money is never mixed into a donor's trace.
//!
//! Issue 14 added the money coming in, the execution figures and grants to welfare institutions
//! that are not charities: see [`funds`].

pub mod funds;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::time::date_serde;
use crate::ledger::{Timestamp, Uscc};

use super::{Books, Eff};
use crate::money::bodies::{LotteryAnnounce, LotteryGrant, LotteryUsage};
use crate::money::error::{MoneyError, Rule, Thing, Unique};
use crate::money::types::{LotteryPurpose, Money, OrgType};

/// A grant and its usage.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct GrantRecord {
    pub administrator: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub grant: LotteryGrant,
    pub used: Money,
    pub usages: Vec<UsageRecord>,
}

impl GrantRecord {
    pub fn remaining(&self) -> Decimal {
        self.grant.amount.decimal() - self.used.0
    }
}

/// One `lottery.usage`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct UsageRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub amount: Money,
    #[serde(with = "date_serde")]
    pub used_on: time::Date,
}

/// One `lottery.announce`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AnnounceRecord {
    pub administrator: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: LotteryAnnounce,
}

impl Books {
    fn administrator(&self, e: &Eff) -> Result<Uscc, MoneyError> {
        let org = self.author_org(e)?;
        if org.register.org_type != OrgType::LotteryAdministrator {
            return Err(MoneyError::refused(
                "author",
                Rule::WrongOrgType,
                "only a lottery public-welfare fund administrator",
            ));
        }
        Ok(org.register.org)
    }

    pub(crate) fn lottery_grant(&mut self, e: &Eff, b: &LotteryGrant) -> Result<(), MoneyError> {
        let admin = self.administrator(e)?;
        if self
            .announcements
            .contains_key(&(admin.clone(), b.fiscal_year.0))
        {
            return Err(MoneyError::refused(
                "body.fiscal_year",
                Rule::YearAnnounced,
                "that fiscal year is announced; correct the announcement first",
            ));
        }
        self.grant_recipient(b)?;
        let key = (admin.clone(), b.grant_id.clone());
        if self.grants.contains_key(&key) {
            return Err(MoneyError::duplicate(
                "body.grant_id",
                Unique::LotteryGrant,
                &b.grant_id,
            ));
        }
        let rec = GrantRecord {
            administrator: admin,
            seq: e.seq,
            recorded_at: e.recorded_at,
            grant: b.clone(),
            used: Money::ZERO,
            usages: Vec::new(),
        };
        self.grants.insert(key, rec);
        Ok(())
    }

    pub(crate) fn lottery_usage(&mut self, e: &Eff, b: &LotteryUsage) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let key = (b.administrator.clone(), b.grant_id.clone());
        let mut g = self.grants.get(&key).cloned().ok_or_else(|| {
            MoneyError::unknown(
                "body.grant_id",
                Thing::LotteryGrant,
                format!("{}/{}", b.administrator, b.grant_id),
            )
        })?;
        if g.grant.recipient_org != org {
            return Err(MoneyError::refused(
                "body.grant_id",
                Rule::NotOwner,
                "only the recipient reports a grant's usage",
            ));
        }
        if b.currency != g.grant.currency {
            return Err(MoneyError::refused(
                "body.currency",
                Rule::CurrencyMismatch,
                format!("the grant is in {}", g.grant.currency),
            ));
        }
        let amount = b.amount.decimal();
        if amount > g.remaining() {
            return Err(MoneyError::GrantOveruse {
                field: "body.amount".into(),
                grant: b.grant_id.to_string(),
                available: g.remaining(),
                requested: amount,
            });
        }
        g.used = Money(g.used.0 + amount);
        g.usages.push(UsageRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            amount: Money(amount),
            used_on: b.used_on,
        });
        self.grants.insert(key, g);
        Ok(())
    }

    pub(crate) fn lottery_announce(
        &mut self,
        e: &Eff,
        b: &LotteryAnnounce,
    ) -> Result<(), MoneyError> {
        let admin = self.administrator(e)?;
        let key = (admin.clone(), b.fiscal_year.0);
        if self.announcements.contains_key(&key) {
            return Err(MoneyError::duplicate(
                "body.fiscal_year",
                Unique::Announcement,
                b.fiscal_year.0,
            ));
        }
        let mut granted: BTreeMap<LotteryPurpose, Decimal> = BTreeMap::new();
        for g in self
            .grants
            .values()
            .filter(|g| g.administrator == admin && g.grant.fiscal_year == b.fiscal_year)
        {
            if g.grant.currency != b.currency {
                return Err(MoneyError::refused(
                    "body.currency",
                    Rule::FiguresMismatch,
                    format!(
                        "grant {} of that year is in {}",
                        g.grant.grant_id, g.grant.currency
                    ),
                ));
            }
            *granted.entry(g.grant.purpose).or_default() += g.grant.amount.decimal();
        }
        for (i, a) in b.allocated.iter().enumerate() {
            let ledger = granted.get(&a.purpose).copied().unwrap_or_default();
            if a.amount.decimal() != ledger {
                return Err(MoneyError::refused(
                    format!("body.allocated[{i}].amount"),
                    Rule::FiguresMismatch,
                    format!(
                        "the ledger holds {} granted for {} in {}",
                        Money(ledger),
                        a.purpose,
                        b.fiscal_year.0
                    ),
                ));
            }
        }
        if let Some((p, v)) = granted
            .iter()
            .find(|(p, _)| !b.allocated.iter().any(|a| a.purpose == **p))
        {
            return Err(MoneyError::refused(
                "body.allocated",
                Rule::FiguresMismatch,
                format!("{} granted for {p} is not announced", Money(*v)),
            ));
        }
        self.check_announced_funds(&admin, b)?;
        let allocated: Decimal = granted.values().sum();
        if b.raised.0 - allocated != b.carried_forward.0 {
            return Err(MoneyError::refused(
                "body.carried_forward",
                Rule::FiguresMismatch,
                format!(
                    "raised {} minus allocated {} is {}",
                    b.raised,
                    Money(allocated),
                    Money(b.raised.0 - allocated)
                ),
            ));
        }
        self.announcements.insert(
            key,
            AnnounceRecord {
                administrator: admin,
                seq: e.seq,
                recorded_at: e.recorded_at,
                body: b.clone(),
            },
        );
        Ok(())
    }
}
