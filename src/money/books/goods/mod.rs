//! The goods ledger (物资, issue 14): in-kind gifts kept as stock by quantity, apart from money.
//!
//! A gift whose `in_kind` names an `item` becomes a *lot* of that item's stock, in the fund it
//! was given to (a project's, or the organisation's unrestricted stock). `goods.distribute`
//! takes quantities out first in, first out over the item's lots, as cash funds pay out over
//! their donations ([`super::funds`]); each piece taken is a goods hop of the gift it came from,
//! so a donor's trace lists the distributions that used their goods. Goods never enter a cash
//! fund and cash never pays for goods: the two trails never cross.
//!
//! **Value.** An item is valued (every gift with a valuation proof, in one currency) or
//! unvalued (none); a gift that differs is refused (`goods_item_mismatch`), so a distribution
//! is all valued or all unvalued. Unvalued goods move by quantity alone and count in no money
//! figure. A valued gift of `Q` units worth `V` assigns to the units `0..x` the cumulative value
//! `C(x) = V·x/Q` rounded to the cent, half up, and `C(Q) = V` exactly; a piece of units
//! `a..a+q` is worth `C(a+q) − C(a)`. So the pieces of one gift always sum to its value, to the
//! cent, and the last cent falls to whichever piece crosses it: the piece that takes a gift's
//! last unit gets exactly what is left. A distribution's amount is the sum of its pieces.
//! The accounting reading — donated goods are income at fair value when received and a
//! charitable (programme) cost when given out — follows the non-profit accounting system
//! (民间非营利组织会计制度, 2004; article not retrieved, unconfirmed): a valued distribution
//! counts as charitable spending and as disbursed in the totals; the gift itself counts as
//! in-kind income, as every valued in-kind gift always has.

pub mod records;
mod steps;

use std::fmt;

use imbl::{OrdMap, Vector};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ledger::{Currency, Uscc};

use crate::money::types::{Ident, Label, Prose};

pub use records::{DistributionRecord, GoodsHopRow, GoodsTrace, GoodsTraceOut};

/// One stock: an item of an organisation's project, or of its unrestricted goods.
#[derive(
    Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct ItemKey {
    pub org: Uscc,
    /// `None` is the organisation's unrestricted stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    pub item: Ident,
}

impl ItemKey {
    /// How refusals spell the stock: `ORG/project/item` or `ORG/unrestricted/item`.
    pub fn describe(&self) -> String {
        let fund = self.project.as_ref().map_or("unrestricted", Ident::as_str);
        format!("{}/{fund}/{}", self.org, self.item)
    }
}

/// A quantity of goods, spelled without trailing zeros (`"700"`, `"2.5"`) whatever arithmetic
/// produced it, so a view row reads the same from every replay. Zero is allowed (stock left).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub struct Qty(pub Decimal);

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.parse::<Decimal>() {
            Ok(q) if q >= Decimal::ZERO => Ok(Qty(q)),
            _ => Err(serde::de::Error::custom(
                "a quantity is a non-negative decimal string",
            )),
        }
    }
}

/// One gift's goods in a stock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoodsLot {
    pub receipt_no: Ident,
    /// The donation's seq.
    pub seq: u64,
    /// The gift's quantity and value (for a valued gift), as received.
    pub quantity: Decimal,
    pub value: Option<Decimal>,
    /// Units already given out (first in, first out).
    pub taken: Decimal,
}

impl GoodsLot {
    fn remaining(&self) -> Decimal {
        self.quantity - self.taken
    }
}

/// One item's stock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub unit: Label,
    /// The first gift's description of its goods ("大米（5公斤装）"): the item's id is a short
    /// code, and a reader of the stock wants to know what the goods are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Prose>,
    /// The currency of a valued item; `None` for goods moved by quantity alone.
    pub currency: Option<Currency>,
    pub received: Decimal,
    pub distributed: Decimal,
    pub value_received: Decimal,
    pub value_distributed: Decimal,
    pub gifts: u64,
    pub distributions: u64,
    /// Gifts with goods left, oldest first.
    pub lots: Vector<GoodsLot>,
}

impl Item {
    pub fn in_stock(&self) -> Decimal {
        self.received - self.distributed
    }
}

/// A piece of one gift's goods taken by a distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    pub receipt_no: Ident,
    pub quantity: Decimal,
    /// `None` for unvalued goods.
    pub value: Option<Decimal>,
}

/// Every stock. Cloning is O(1) (persistent maps), as the books require.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Goods {
    items: OrdMap<ItemKey, Item>,
}

impl Goods {
    pub fn item(&self, key: &ItemKey) -> Option<&Item> {
        self.items.get(key)
    }

    /// Every stock that ever received goods, in key order.
    pub fn items(&self) -> impl Iterator<Item = (&ItemKey, &Item)> {
        self.items.iter()
    }

    /// Whether any item of `org`'s project `project` still has goods.
    pub fn project_stock(&self, org: &Uscc, project: &Ident) -> Option<(&ItemKey, &Item)> {
        self.items.iter().find(|(k, i)| {
            &k.org == org && k.project.as_ref() == Some(project) && i.in_stock() > Decimal::ZERO
        })
    }

    /// A gift's goods join the back of the item's stock. The caller has checked that the gift
    /// matches the item (unit, valuation, currency).
    pub(crate) fn receive(&mut self, key: ItemKey, new: Item, lot: GoodsLot) {
        let item = self.items.entry(key).or_insert(new);
        item.received += lot.quantity;
        item.value_received += lot.value.unwrap_or_default();
        item.gifts += 1;
        item.lots.push_back(lot);
    }

    /// Takes `quantity` from the front of the item's lots; the caller has checked the stock.
    pub(crate) fn take(&mut self, key: &ItemKey, quantity: Decimal) -> Vec<Piece> {
        let Some(item) = self.items.get_mut(key) else {
            return Vec::new();
        };
        let mut left = quantity;
        let mut pieces = Vec::new();
        while left > Decimal::ZERO {
            let Some(front) = item.lots.front_mut() else {
                break;
            };
            let q = front.remaining().min(left);
            let value = front
                .value
                .map(|v| share(v, front.quantity, front.taken, q));
            pieces.push(Piece {
                receipt_no: front.receipt_no.clone(),
                quantity: q,
                value,
            });
            front.taken += q;
            left -= q;
            if front.remaining().is_zero() {
                item.lots.pop_front();
            }
        }
        item.distributed += quantity;
        item.value_distributed += pieces.iter().filter_map(|p| p.value).sum::<Decimal>();
        item.distributions += 1;
        pieces
    }
}

/// The value of units `from..from + q` of a gift of `quantity` units worth `value`: the
/// difference of the cumulative values (module docs), so a gift's pieces sum to its value.
pub fn share(value: Decimal, quantity: Decimal, from: Decimal, q: Decimal) -> Decimal {
    cumulative(value, quantity, from + q) - cumulative(value, quantity, from)
}

/// `value · upto / quantity` rounded to the cent, half up; `value` itself at the gift's end.
/// Integer arithmetic on cents and ten-thousandths of a unit: amounts are below 10^15 cents and
/// quantities below 10^16 ten-thousandths, so the product stays far inside `i128`, and no
/// decimal division rounds before the one rounding the rule states.
fn cumulative(value: Decimal, quantity: Decimal, upto: Decimal) -> Decimal {
    if upto >= quantity {
        return value;
    }
    let cents = units(value, 2);
    let (whole, part) = (units(quantity, 4), units(upto, 4));
    if whole <= 0 {
        return value;
    }
    let c = (2 * cents * part + whole) / (2 * whole);
    Decimal::from_i128_with_scale(c, 2)
}

/// `d` as an integer count of `10^-scale` (exact for the scales the wire allows).
fn units(d: Decimal, scale: u32) -> i128 {
    let mut d = d;
    d.rescale(scale);
    d.mantissa()
}
