//! Donor trace: where one donation's money went.
//!
//! Funds pay out first-in-first-out over their lots (see [`super::funds`]), so each disbursement
//! is split over the donations that were oldest in the fund when it was paid. A grant or a
//! closing leftover carries the pieces into the receiving project, where they queue behind the
//! money already there, and the trace follows them across organisations.
//!
//! A trace is composed when it is read, from the donation's record and its hop records
//! ([`super::records::compose_trace`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Kind, Uscc};

use super::funds::FundKey;
use crate::money::types::{DonationForm, Ident, Money, SpendCategory, signed};

/// The trace of one receipt. Never stored: the API and the site serve it composed, and read
/// back as this type (the totals with any sign).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Trace {
    pub org: Uscc,
    pub receipt_no: Ident,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    pub form: DonationForm,
    /// `None` for goods without a valuation: recorded by quantity, never traced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The parts of disbursements this donation paid for.
    pub spent: Vec<TraceSpend>,
    /// The parts of grants and closing leftovers that carried it to another project.
    pub moved: Vec<TraceMove>,
    /// What is still unspent, and where it sits.
    pub unspent: Vec<TraceUnspent>,
    #[serde(with = "signed")]
    pub spent_total: Money,
    #[serde(with = "signed")]
    pub unspent_total: Money,
    /// For a gift in the goods ledger: where its goods went, by quantity. Its money fields
    /// then stay empty: goods are never traced as money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods: Option<super::goods::GoodsTrace>,
}

/// A part of a disbursement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TraceSpend {
    pub seq: u64,
    pub fund: FundKey,
    pub amount: Money,
    pub category: SpendCategory,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub paid_on: time::Date,
    /// The transfers the money travelled through before it was spent.
    pub via: Vec<u64>,
}

/// A part of a grant or a closing leftover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TraceMove {
    pub seq: u64,
    pub kind: Kind,
    pub from: FundKey,
    pub to: FundKey,
    pub amount: Money,
    pub via: Vec<u64>,
}

/// Unspent money of the donation in one fund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TraceUnspent {
    pub fund: FundKey,
    #[serde(with = "signed")]
    pub amount: Money,
}
