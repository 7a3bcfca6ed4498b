//! A charitable trust's life after filing (issue 14): property coming in (`trust.receive`: a
//! settlor's further contribution, or income earned on the property), fees paid out of it
//! (`trust.fee`), the yearly statement a `trust.report` may carry, and the end of the trust with
//! its liquidation report (`trust.terminate`). All are signed by the trustee.
//!
//! Without them a trust's property was fixed at filing: income could not be recorded, so
//! spending it was refused as an overdraft, and a trust could never end.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash, Uscc};
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Ident, Money, Prose, Title, wire_enum};

use super::trust::Settlor;

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

/// The body-only rules of the three kinds: a contribution names its settlor (masked) and income
/// names none, a fee has evidence and a masked payee, a termination names who receives what is
/// left exactly when something is, and is reported on or after the day it happened.
pub fn check_static(body: &super::Body, prefix: &str) -> Result<(), MoneyError> {
    use super::Body;
    use super::checks::{evidence, settlor_masked};
    let at = |f: &str| format!("{prefix}.{f}");
    match body {
        Body::TrustReceive(b) => match (b.source, &b.settlor) {
            (ReceiptSource::Contribution, None) => Err(MoneyError::malformed(
                at("settlor"),
                "a contribution names its settlor",
            )),
            (ReceiptSource::Contribution, Some(s)) => settlor_masked(at("settlor.display"), s),
            (_, Some(_)) => Err(MoneyError::malformed(
                at("settlor"),
                "income comes from the property, not from a settlor",
            )),
            (_, None) => Ok(()),
        },
        Body::TrustFee(b) => evidence(prefix, "evidence", b.evidence.len()),
        Body::TrustTerminate(b) => {
            if b.reported_on < b.terminated_on {
                return Err(MoneyError::refused(
                    at("reported_on"),
                    Rule::BadDates,
                    "a termination is reported once it has happened",
                ));
            }
            let left = b.remaining_property != Money::ZERO;
            if left != b.remaining_to.is_some() {
                return Err(MoneyError::malformed(
                    at("remaining_to"),
                    if left {
                        "name who receives the remaining property"
                    } else {
                        "nothing remains, so nothing goes anywhere"
                    },
                ));
            }
            if b.remaining_to_org.is_some() && !left {
                return Err(MoneyError::malformed(
                    at("remaining_to_org"),
                    "nothing remains, so nothing goes anywhere",
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
