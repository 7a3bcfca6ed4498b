//! `disbursement` and `grant.transfer`: money leaving a fund, signed by the paying organisation.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash, Uscc};
use crate::money::types::{Ident, PayeeType, Prose, SpendCategory, Title};

/// `disbursement`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Disbursement {
    /// The project whose restricted funds pay; absent means unrestricted funds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    pub amount: Amount,
    pub currency: Currency,
    pub category: SpendCategory,
    pub purpose: Prose,
    pub payee_type: PayeeType,
    /// Masked for individuals ("李*", or a generic label); never a beneficiary's name.
    pub payee_display: Title,
    /// SHA-256 of each invoice or document: at least one.
    pub evidence: Vec<Hash>,
    #[serde(with = "date_serde")]
    pub paid_on: Date,
    /// Paid to a related party (关联方); to be disclosed within 30 days.
    #[serde(default)]
    pub related_party: bool,
}

/// `grant.transfer`: an expense for the giver and restricted income of the receiving project.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantTransfer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_project: Option<Ident>,
    pub to_org: Uscc,
    pub to_project: Ident,
    pub amount: Amount,
    pub currency: Currency,
    pub purpose: Prose,
    #[serde(with = "date_serde")]
    pub paid_on: Date,
    pub evidence: Vec<Hash>,
    #[serde(default)]
    pub related_party: bool,
}

/// Limits on evidence lists: at least one document, at most 100 (entry size).
pub const MAX_EVIDENCE: usize = 100;
