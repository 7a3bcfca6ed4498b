//! `goods.distribute`: goods leaving an organisation's stock by quantity (issue 14), signed by
//! the distributing organisation; and the body-only rule of a gift that joins the goods ledger.
//!
//! A distribution states what left and how many, never an amount: the value of valued goods is
//! derived from the quantity ([`crate::money::books::goods`]), so it cannot disagree with the gifts.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::Hash;
use crate::ledger::time::date_serde;
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Ident, PayeeType, Prose, Quantity, Title};

use super::Donation;

/// `goods.distribute`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GoodsDistribute {
    /// The project whose stock gives; absent means the unrestricted stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    /// The item, as the gifts named it (`in_kind.item`).
    pub item: Ident,
    /// In the item's unit; at most the stock (`goods_shortage`).
    pub quantity: Quantity,
    pub purpose: Prose,
    pub recipient_type: PayeeType,
    /// Masked for individuals ("李*", or a generic label), as a disbursement's payee.
    pub recipient_display: Title,
    /// SHA-256 of each receipt of handover or document: at least one.
    pub evidence: Vec<Hash>,
    #[serde(with = "date_serde")]
    pub distributed_on: Date,
}

/// A gift naming an item joins the goods ledger, which does not keep time restrictions: such a
/// gift restricted until a later year is refused rather than given out early unnoticed.
pub fn check_gift(b: &Donation, prefix: &str) -> Result<(), MoneyError> {
    if b.goods_item().is_some() && b.restricted_until_year.is_some() {
        return Err(MoneyError::refused(
            format!("{prefix}.restricted_until_year"),
            Rule::DonationForm,
            "goods in the goods ledger (in_kind.item) carry no time restriction; record such a \
             gift without `item`",
        ));
    }
    Ok(())
}
