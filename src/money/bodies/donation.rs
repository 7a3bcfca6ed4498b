//! `donation`: money or goods received, signed by the receiving organisation. No personal data:
//! the donor appears only as a type, a masked display name and a commitment.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash};
use crate::money::types::{
    DonationForm, DonorType, Ident, Label, Prose, Quantity, ReceiptStatus, Year,
};

/// The goods of an in-kind donation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InKind {
    pub description: Prose,
    pub quantity: Quantity,
    pub unit: Label,
    /// SHA-256 of the valuation proof (invoice, appraisal). Only with it may the donation carry
    /// an amount (its fair value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valuation_proof: Option<Hash>,
    /// The goods-ledger item the gift joins (issue 14): with it the goods are stock of the
    /// receiving fund's project (or unrestricted stock), distributed by quantity, and a valued
    /// gift's value stays with the goods instead of entering the cash fund
    /// ([`crate::money::books::goods`]). Without it the gift means what it meant before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Ident>,
}

/// `donation`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Donation {
    /// The organisation's receipt number, unique within it forever.
    pub receipt_no: Ident,
    /// The project it is restricted to; absent means unrestricted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    #[serde(with = "date_serde")]
    pub received_on: Date,
    pub form: DonationForm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_kind: Option<InKind>,
    pub donor_type: DonorType,
    /// "张*" for an individual, "爱心人士" for the anonymous, an organisation's name as is.
    pub donor_display: Label,
    /// The individual agreed to be shown by name.
    #[serde(default)]
    pub named_with_consent: bool,
    pub receipt: ReceiptStatus,
    /// SHA-256 of the random receipt secret handed to the donor, who can later prove the gift.
    pub commitment: Hash,
    /// Revenue restricted to a later year (限定性收入 with a time restriction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_until_year: Option<Year>,
    /// Received from an important related party (接受重要关联方捐赠): disclosed within 30 days
    /// (2025 Disclosure Measures, Art. 14).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub related_party: bool,
}

impl Donation {
    /// The goods-ledger item of an in-kind gift that names one.
    pub fn goods_item(&self) -> Option<&Ident> {
        self.in_kind.as_ref().and_then(|k| k.item.as_ref())
    }

    /// The value the donation adds to a fund: cash, or goods with a valuation.
    pub fn value(&self) -> Option<(Amount, Currency)> {
        self.amount.zip(self.currency)
    }
}
