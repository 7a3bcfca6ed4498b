//! Charitable trusts (慈善信托): filed by a regulator (`trust.file`), then disbursed and reported
//! on by the trustee (`trust.disburse`, `trust.report`). Trust property is held apart from the
//! trustee's own funds, so it never appears in an organisation's balances or figures.
//!
//! After filing (issue 14), property comes in (`trust.receive`: a settlor's further
//! contribution, or income earned on the property), fees are paid out of it (`trust.fee`), a
//! `trust.report` may carry the yearly statement, and the trust ends with its liquidation report
//! (`trust.terminate`). All are signed by the trustee. Without them a trust's property was fixed
//! at filing: income could not be recorded, so spending it was refused as an overdraft, and a
//! trust could never end.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash, Uscc};
use crate::money::types::{
    DonorType, Ident, Label, Money, PayeeType, Prose, Purpose, Title, Year, opt_date, wire_enum,
};

/// A settlor (委托人), masked like a donor.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settlor {
    pub settlor_type: DonorType,
    pub display: Label,
    #[serde(default)]
    pub named_with_consent: bool,
    pub commitment: Hash,
    /// A registered organisation that set the trust up (a charity as settlor must publish it
    /// within 30 days, 2025 Disclosure Measures Art. 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uscc>,
}

/// `trust.file`, signed by the filing regulator.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustFile {
    /// Unique across the ledger forever.
    pub trust_id: Ident,
    pub name: Title,
    pub trustee: Uscc,
    pub settlors: Vec<Settlor>,
    /// 监察人, if any: usually an organisation or a law firm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor: Option<Title>,
    pub purpose: Purpose,
    pub property: Amount,
    pub currency: Currency,
    #[serde(with = "date_serde")]
    pub term_start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub term_end: Option<Date>,
    pub filing_no: Ident,
    pub filing_authority: Title,
    #[serde(with = "date_serde")]
    pub signed_on: Date,
    #[serde(with = "date_serde")]
    pub filed_on: Date,
}

/// `trust.disburse`, signed by the trustee.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustDisburse {
    pub trust_id: Ident,
    pub amount: Amount,
    pub currency: Currency,
    pub purpose: Prose,
    pub payee_type: PayeeType,
    pub payee_display: Title,
    pub evidence: Vec<Hash>,
    #[serde(with = "date_serde")]
    pub paid_on: Date,
}

/// `trust.report`: the trustee's yearly report. `disbursed` must equal the ledger's
/// disbursements of the trust dated in `year`; `statement`, when given, is checked against the
/// ledger too (see [`TrustStatement`]); `income` and `closing_balance` are
/// declared as is, but must agree with a statement given beside them.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustReport {
    pub trust_id: Ident,
    pub year: Year,
    pub document: Hash,
    pub disbursed: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub income: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_balance: Option<Money>,
    #[serde(with = "date_serde")]
    pub reported_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<TrustStatement>,
    /// The supervisor's (监察人) opinion on the report; owed with a statement when the trust
    /// has a supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_opinion: Option<Hash>,
}

wire_enum! {
    /// Where property received by a trust comes from.
    ReceiptSource {
        // A settlor adds property (追加委托), as the trust documents allow.
        Contribution = "contribution",
        // Interest, dividends or gains on the trust property (投资收益).
        InvestmentIncome = "investment_income",
        OtherIncome = "other_income",
    }
}

wire_enum! {
    /// What a fee paid from trust property is for.
    FeeType {
        // The trustee's remuneration (信托报酬).
        Trustee = "trustee",
        // The custodian bank's fee (保管费).
        Custody = "custody",
        // The supervisor's fee (监察人报酬).
        Supervisor = "supervisor",
        // Audit, legal and other costs of administering the trust.
        Other = "other",
    }
}

/// `trust.receive`: property coming into a trust after its filing.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustReceive {
    pub trust_id: Ident,
    pub source: ReceiptSource,
    pub amount: Amount,
    pub currency: Currency,
    /// Who contributed: required for a `contribution`, absent for income. Masked like a donor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlor: Option<Settlor>,
    pub description: Prose,
    pub document: Hash,
    #[serde(with = "date_serde")]
    pub received_on: Date,
}

/// `trust.fee`: a cost of the trust paid from its property.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustFee {
    pub trust_id: Ident,
    pub fee_type: FeeType,
    pub amount: Amount,
    pub currency: Currency,
    pub payee_display: Title,
    pub evidence: Vec<Hash>,
    #[serde(with = "date_serde")]
    pub paid_on: Date,
}

/// The figures of a yearly `trust.report` that the ledger checks: property at the start and end
/// of the year and what moved it (disbursements are the report's own `disbursed`).
/// `opening_property + contributions + income − fees − disbursed = closing_property`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustStatement {
    pub opening_property: Money,
    pub contributions: Money,
    pub income: Money,
    pub fees: Money,
    pub closing_property: Money,
}

/// `trust.terminate`: the trust ends, with its liquidation report (清算报告). What property is
/// left goes to `remaining_to` (under the Charity Law's near-purpose rule, a charity or another
/// charitable trust); the trust then takes no further entries but yearly reports of years up
/// to its end.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrustTerminate {
    pub trust_id: Ident,
    pub reason: Prose,
    /// When the cause of termination arose (the term ended, the purpose was met, ...).
    #[serde(with = "date_serde")]
    pub terminated_on: Date,
    /// The liquidation report.
    pub liquidation_report: Hash,
    /// The supervisor's opinion on the liquidation report; owed when the trust has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_opinion: Option<Hash>,
    /// Must equal the trust's property left in the ledger.
    pub remaining_property: Money,
    /// Who receives what is left; required when something is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_to: Option<Title>,
    /// The receiving organisation when it is registered in the ledger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_to_org: Option<Uscc>,
    #[serde(with = "date_serde")]
    pub reported_on: Date,
}
