//! Charitable trusts: filing, disbursements within the property, yearly reports. What came with
//! issue 14 (receipts, fees, the checked yearly statement, termination) lives in [`life`], the
//! rules' citations in [`super::trust_lottery_rules`].

pub mod life;

pub use life::{TrustEnd, TrustFlow, TrustYear};

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::time::date_serde;
use crate::ledger::{Author, Timestamp, Uscc};

use super::bodies::{TrustDisburse, TrustFile, TrustReport};
use super::books::{Books, Eff};
use super::error::{MoneyError, Rule, Thing, Unique};
use super::types::Money;

/// A trust and its history in the effective log.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TrustRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub filed_by: Uscc,
    pub filing: TrustFile,
    /// Property not yet disbursed.
    pub balance: Money,
    pub disbursements: Vec<TrustSpend>,
    /// By year.
    pub reports: BTreeMap<i32, TrustReportRecord>,
    /// Contributions and income received after filing (`trust.receive`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<TrustFlow>,
    /// `trust.fee` payments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fees: Vec<TrustFlow>,
    /// The `trust.terminate` that ended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<TrustEnd>,
}

/// One `trust.disburse`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TrustSpend {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub amount: Money,
    #[serde(with = "date_serde")]
    pub paid_on: time::Date,
}

/// One `trust.report`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TrustReportRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: TrustReport,
}

impl TrustRecord {
    pub(crate) fn new(e: &Eff, b: &TrustFile, filed_by: Uscc) -> TrustRecord {
        TrustRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            filed_by,
            filing: b.clone(),
            balance: Money(b.property.decimal()),
            disbursements: Vec::new(),
            reports: BTreeMap::new(),
            receipts: Vec::new(),
            fees: Vec::new(),
            terminated: None,
        }
    }

    /// Disbursed in `year` (by date paid).
    pub fn disbursed_in(&self, year: i32) -> Decimal {
        self.disbursements
            .iter()
            .filter(|d| d.paid_on.year() == year)
            .map(|d| d.amount.0)
            .sum()
    }
}

impl Books {
    pub(crate) fn trust_file(&mut self, e: &Eff, b: &TrustFile) -> Result<(), MoneyError> {
        let Author::Regulator(reg) = e.author else {
            return Err(MoneyError::refused(
                "author",
                Rule::NotAuthor,
                "a trust is filed by a regulator",
            ));
        };
        let trustee = self.org(&b.trustee, "body.trustee")?;
        if !super::org_time::charity_only::may_be_trustee(trustee.register.org_type) {
            return Err(MoneyError::refused(
                "body.trustee",
                Rule::WrongOrgType,
                format!(
                    "a trustee is a charity or a trust company, not a {} ({})",
                    trustee.register.org_type,
                    super::org_time::rules::cite("charity_only_trustee")
                ),
            ));
        }
        if self.trusts.contains_key(&b.trust_id) {
            return Err(MoneyError::duplicate(
                "body.trust_id",
                Unique::Trust,
                &b.trust_id,
            ));
        }
        for (i, s) in b.settlors.iter().enumerate() {
            if let Some(org) = &s.org {
                self.org(org, &format!("body.settlors[{i}].org"))?;
            }
        }
        self.file_trust(e, b, reg.clone());
        Ok(())
    }

    fn trustee_trust(&self, e: &Eff, id: &super::types::Ident) -> Result<TrustRecord, MoneyError> {
        let t = self
            .trusts
            .get(id)
            .ok_or_else(|| MoneyError::unknown("body.trust_id", Thing::Trust, id))?;
        if e.author.org() != Some(&t.filing.trustee) {
            return Err(MoneyError::refused(
                "body.trust_id",
                Rule::NotOwner,
                "only the trustee speaks for a trust",
            ));
        }
        Ok(t.clone())
    }

    pub(crate) fn trust_disburse(&mut self, e: &Eff, b: &TrustDisburse) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        t.live()?;
        if b.currency != t.filing.currency {
            return Err(MoneyError::refused(
                "body.currency",
                Rule::CurrencyMismatch,
                format!("the trust is held in {}", t.filing.currency),
            ));
        }
        let amount = b.amount.decimal();
        if amount > t.balance.0 {
            return Err(MoneyError::Overdraft {
                field: "body.amount".into(),
                fund: format!("trust {}", b.trust_id),
                currency: b.currency,
                available: t.balance.0,
                requested: amount,
            });
        }
        t.balance = Money(t.balance.0 - amount);
        t.disbursements.push(TrustSpend {
            seq: e.seq,
            recorded_at: e.recorded_at,
            amount: Money(amount),
            paid_on: b.paid_on,
        });
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }

    pub(crate) fn trust_report(&mut self, e: &Eff, b: &TrustReport) -> Result<(), MoneyError> {
        self.author_org(e)?;
        let mut t = self.trustee_trust(e, &b.trust_id)?;
        if b.year.0 < t.filing.filed_on.year() {
            return Err(MoneyError::refused(
                "body.year",
                Rule::BadDates,
                "the trust was filed after that year",
            ));
        }
        t.reportable(b.year.0)?;
        if t.reports.contains_key(&b.year.0) {
            return Err(MoneyError::duplicate(
                "body.year",
                Unique::TrustReport,
                b.year.0,
            ));
        }
        let ledger = t.disbursed_in(b.year.0);
        if b.disbursed.0 != ledger {
            return Err(MoneyError::refused(
                "body.disbursed",
                Rule::FiguresMismatch,
                format!(
                    "the ledger holds {} disbursed in {}",
                    Money(ledger),
                    b.year.0
                ),
            ));
        }
        t.check_statement(b)?;
        t.reports.insert(
            b.year.0,
            TrustReportRecord {
                seq: e.seq,
                recorded_at: e.recorded_at,
                body: b.clone(),
            },
        );
        self.trusts.insert(b.trust_id.clone(), t);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
