//! Charitable trusts as the books hold them: the filing, disbursements within the property,
//! yearly reports, and (issue 14) receipts and fees that change the property, the checked yearly
//! statement, and termination. The steps that change a trust are in [`steps`]; the rules'
//! citations in [`crate::money::rules::trusts_lottery`].
//!
//! The year figures ([`TrustYear`]) are read by the body dates (`received_on`, `paid_on`), as
//! `trust.report`'s `disbursed` always was; the filed property counts from the filing year on.
//! So `opening(Y)` is the filed property plus everything dated before `Y`, and a statement's
//! figures must be exactly the ledger's: a report that states them is a checked report, one
//! that does not (reports before this rule) is shown as declared only.

mod steps;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Timestamp, Uscc};
use crate::money::bodies::trust::ReceiptSource;
use crate::money::bodies::{TrustFile, TrustReport, TrustTerminate};
use crate::money::error::{MoneyError, Rule};
use crate::money::rules::trusts_lottery::citation;
use crate::money::types::Money;
use crate::money::types::signed;

use super::Eff;

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

/// Days the Trust Law gives a trustee to report a public-welfare trust's termination, counted
/// from the cause (see `rules/trusts_lottery.json`, `trust_law_public_trusts`: secondary source).
pub const TERMINATION_REPORT_DAYS: i64 = 15;

/// One `trust.receive` or `trust.fee`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TrustFlow {
    pub seq: u64,
    pub recorded_at: Timestamp,
    /// The receipt's `source` or the fee's `fee_type`.
    pub kind: String,
    pub amount: Money,
    /// `received_on` or `paid_on`.
    #[serde(with = "date_serde")]
    pub on: Date,
}

/// The `trust.terminate` that ended a trust.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TrustEnd {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: TrustTerminate,
    /// Days from `terminated_on` to the China date the ledger recorded the termination on.
    pub days_to_report: i64,
    /// Whether that exceeds [`TERMINATION_REPORT_DAYS`].
    pub reported_late: bool,
}

/// One year of a trust as the ledger holds it (`trust_year/{trust_id}/{year}`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct TrustYear {
    pub trust_id: String,
    pub year: i32,
    #[serde(with = "signed")]
    pub opening_property: Money,
    #[serde(with = "signed")]
    pub contributions: Money,
    #[serde(with = "signed")]
    pub income: Money,
    #[serde(with = "signed")]
    pub fees: Money,
    #[serde(with = "signed")]
    pub disbursed: Money,
    /// The remaining property handed over at termination, in the year it ended.
    #[serde(with = "signed")]
    pub transferred_at_end: Money,
    #[serde(with = "signed")]
    pub closing_property: Money,
    /// The yearly report's entry, if one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_seq: Option<u64>,
    /// Whether that report carried a statement the ledger checked (false: declared only).
    pub report_checked: bool,
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

    /// Refused once the trust has ended.
    pub(crate) fn live(&self) -> Result<(), MoneyError> {
        match &self.terminated {
            None => Ok(()),
            Some(end) => Err(MoneyError::refused(
                "body.trust_id",
                Rule::TrustTerminated,
                format!(
                    "trust {} was terminated at entry {} ({})",
                    self.filing.trust_id,
                    end.seq,
                    citation("trust_terminated")
                ),
            )),
        }
    }

    /// Yearly reports of a terminated trust cover the years before the one it ended in (the
    /// liquidation report covers that one).
    pub(crate) fn reportable(&self, year: i32) -> Result<(), MoneyError> {
        match &self.terminated {
            Some(end) if year >= end.body.terminated_on.year() => Err(MoneyError::refused(
                "body.year",
                Rule::TrustTerminated,
                format!(
                    "the trust ended in {}; its liquidation report covers that year",
                    end.body.terminated_on.year()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The latest date any money of the trust moved on.
    fn last_flow(&self) -> Option<Date> {
        let spends = self.disbursements.iter().map(|d| d.paid_on);
        let flows = self.receipts.iter().chain(&self.fees).map(|f| f.on);
        spends.chain(flows).max()
    }

    /// Net movement of the property dated before `year` (the filed property excluded).
    fn net_before(&self, year: i32) -> Decimal {
        let before = |d: &Date| d.year() < year;
        let inflow: Decimal = self
            .receipts
            .iter()
            .filter(|f| before(&f.on))
            .map(|f| f.amount.0)
            .sum();
        let fees: Decimal = self
            .fees
            .iter()
            .filter(|f| before(&f.on))
            .map(|f| f.amount.0)
            .sum();
        let spent: Decimal = self
            .disbursements
            .iter()
            .filter(|d| before(&d.paid_on))
            .map(|d| d.amount.0)
            .sum();
        inflow - fees - spent
    }

    /// The trust's figures for `year` (by body dates; see the module docs).
    pub fn year(&self, year: i32) -> TrustYear {
        let in_year = |d: &Date| d.year() == year;
        let receipts = |contribution: bool| -> Decimal {
            self.receipts
                .iter()
                .filter(|f| in_year(&f.on))
                .filter(|f| (f.kind == ReceiptSource::Contribution.as_str()) == contribution)
                .map(|f| f.amount.0)
                .sum()
        };
        let filed = self.filing.property.decimal();
        let opening = if year < self.filing.filed_on.year() {
            Decimal::ZERO
        } else {
            filed + self.net_before(year)
        };
        let contributions = receipts(true);
        let income = receipts(false);
        let fees: Decimal = self
            .fees
            .iter()
            .filter(|f| in_year(&f.on))
            .map(|f| f.amount.0)
            .sum();
        let disbursed = self.disbursed_in(year);
        let transferred = match &self.terminated {
            Some(end) if end.body.terminated_on.year() == year => end.body.remaining_property.0,
            _ => Decimal::ZERO,
        };
        let report = self.reports.get(&year);
        TrustYear {
            trust_id: self.filing.trust_id.to_string(),
            year,
            opening_property: Money(opening),
            contributions: Money(contributions),
            income: Money(income),
            fees: Money(fees),
            disbursed: Money(disbursed),
            transferred_at_end: Money(transferred),
            closing_property: Money(
                opening + contributions + income - fees - disbursed - transferred,
            ),
            report_seq: report.map(|r| r.seq),
            report_checked: report.is_some_and(|r| r.body.statement.is_some()),
        }
    }

    /// The years the trust has figures for: from its filing to its end, or to the last year
    /// any entry of it speaks of.
    pub fn years(&self) -> std::ops::RangeInclusive<i32> {
        let first = self.filing.filed_on.year();
        let last = [
            self.last_flow().map(|d| d.year()),
            self.reports.keys().next_back().copied(),
            self.terminated
                .as_ref()
                .map(|t| t.body.terminated_on.year()),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(first)
        .max(first);
        first..=last
    }

    /// A report's statement against the ledger: each figure, then the supervisor's opinion.
    pub(crate) fn check_statement(&self, b: &TrustReport) -> Result<(), MoneyError> {
        let Some(st) = &b.statement else {
            return Ok(());
        };
        let ledger = self.year(b.year.0);
        let rows = [
            (
                "opening_property",
                st.opening_property,
                ledger.opening_property,
            ),
            ("contributions", st.contributions, ledger.contributions),
            ("income", st.income, ledger.income),
            ("fees", st.fees, ledger.fees),
            (
                "closing_property",
                st.closing_property,
                ledger.closing_property,
            ),
        ];
        for (field, stated, held) in rows {
            if stated != held {
                return Err(MoneyError::refused(
                    format!("body.statement.{field}"),
                    Rule::FiguresMismatch,
                    format!(
                        "the ledger holds {held} for {} in {} ({})",
                        field,
                        b.year.0,
                        citation("trust_statement")
                    ),
                ));
            }
        }
        for (field, declared, held) in [
            ("income", b.income, st.income),
            ("closing_balance", b.closing_balance, st.closing_property),
        ] {
            if declared.is_some_and(|d| d != held) {
                return Err(MoneyError::refused(
                    format!("body.{field}"),
                    Rule::FiguresMismatch,
                    format!("the statement beside it says {held}"),
                ));
            }
        }
        self.supervised(b.supervisor_opinion.is_some())
    }

    /// A trust with a supervisor files the supervisor's opinion.
    fn supervised(&self, opinion: bool) -> Result<(), MoneyError> {
        match (&self.filing.supervisor, opinion) {
            (Some(who), false) => Err(MoneyError::refused(
                "body.supervisor_opinion",
                Rule::SupervisorOpinion,
                format!(
                    "the trust's supervisor ({who}) gives an opinion on it ({})",
                    citation("supervisor_opinion")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Refused unless `currency` is the one the trust is held in.
    fn held_in(&self, currency: Currency) -> Result<(), MoneyError> {
        if currency != self.filing.currency {
            return Err(MoneyError::refused(
                "body.currency",
                Rule::CurrencyMismatch,
                format!("the trust is held in {}", self.filing.currency),
            ));
        }
        Ok(())
    }

    /// Pays `amount` out of the trust's property (a disbursement or a fee): in the trust's
    /// currency, and never more than the property holds.
    fn pay_out(&mut self, currency: Currency, amount: Decimal) -> Result<(), MoneyError> {
        self.held_in(currency)?;
        if amount > self.balance.0 {
            return Err(MoneyError::Overdraft {
                field: "body.amount".into(),
                fund: format!("trust {}", self.filing.trust_id),
                currency,
                available: self.balance.0,
                requested: amount,
            });
        }
        self.balance = Money(self.balance.0 - amount);
        Ok(())
    }
}
