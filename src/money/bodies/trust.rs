//! Charitable trusts (慈善信托): filed by a regulator (`trust.file`), then disbursed and reported
//! on by the trustee (`trust.disburse`, `trust.report`). Trust property is held apart from the
//! trustee's own funds, so it never appears in an organisation's balances or figures.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash, Uscc};
use crate::money::types::{
    DonorType, Ident, Label, Money, PayeeType, Prose, Purpose, Title, Year, opt_date,
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
/// ledger too (see [`super::trust_life::TrustStatement`]); `income` and `closing_balance` are
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
    pub statement: Option<super::trust_life::TrustStatement>,
    /// The supervisor's (监察人) opinion on the report; owed with a statement when the trust
    /// has a supervisor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supervisor_opinion: Option<Hash>,
}
