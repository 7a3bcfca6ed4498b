//! What the goods ledger writes and how readers see it.
//!
//! | key | value |
//! | --- | --- |
//! | `distribution/{seq}` (record) | [`DistributionRecord`]: goods given out, with the gifts they came from |
//! | `hop/{org}/{receipt_no}/{seq}/g{i}` (record) | [`GoodsHopRow`]: part of a gift's goods given out at entry `seq`; the `g` tells it from a cash hop, so a trace reads both from one prefix |
//! | `goods/{org}/unrestricted/{item}`, `goods/{org}/project/{id}/{item}` (summary) | [`StockRow`]: the stock of one item |
//!
//! A donor's trace carries the goods part ([`GoodsTrace`]) composed from the donation's row and
//! its goods hops, beside (never mixed with) the money part.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Kind, Timestamp};

use super::super::DonationRecord;
use super::{Goods, GoodsLot, Item, ItemKey, Qty};
use crate::money::keys::{self, row};
use crate::money::types::{Ident, Label, Money, Prose, opt_signed};

/// Goods given out by one `goods.distribute`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub stock: ItemKey,
    pub unit: Label,
    pub quantity: Qty,
    /// Derived from the quantity, for valued goods (the sum of `parts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    #[serde(with = "date_serde")]
    pub distributed_on: time::Date,
    /// The gifts it took from, first in, first out.
    pub parts: Vec<DistributionPart>,
}

/// The part of one gift's goods in a distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionPart {
    pub receipt_no: Ident,
    pub quantity: Qty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
}

/// Part of one gift's goods given out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GoodsHopRow {
    pub seq: u64,
    /// Its place among the pieces of the same gift at the same entry.
    pub index: u32,
    pub kind: Kind,
    pub stock: ItemKey,
    pub quantity: Qty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub distributed_on: time::Date,
}

impl GoodsHopRow {
    /// The last part of its key: `g` and its index.
    pub fn key_index(&self) -> String {
        format!("g{}", self.index)
    }
}

/// Whether a `hop/` row's key is a goods hop's (its last part `g{i}`).
pub fn is_goods_hop_key(key: &str) -> bool {
    key.rsplit('/')
        .next()
        .is_some_and(|last| last.starts_with('g'))
}

/// Where a gift's goods went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GoodsTrace {
    pub item: Ident,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Ident>,
    pub unit: Label,
    pub quantity: Qty,
    /// The gift's value, for valued goods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Money>,
    pub distributed: Vec<GoodsTraceOut>,
    pub distributed_quantity: Qty,
    pub in_stock_quantity: Qty,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_signed")]
    pub distributed_value: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_signed")]
    pub in_stock_value: Option<Money>,
}

/// A distribution that used some of the gift's goods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GoodsTraceOut {
    pub seq: u64,
    pub quantity: Qty,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    #[serde(with = "date_serde")]
    #[schema(value_type = String, format = Date)]
    pub distributed_on: time::Date,
}

/// The goods part of `d`'s trace from its goods hops (any order); `None` unless `d` joined
/// the goods ledger.
pub fn trace(d: &DonationRecord, mut hops: Vec<GoodsHopRow>) -> Option<GoodsTrace> {
    let k = d.body.in_kind.as_ref()?;
    let item = k.item.clone()?;
    let value = d.body.value().map(|(a, _)| Money::from(a));
    hops.sort_by_key(|h| (h.seq, h.index));
    let out: Decimal = hops.iter().map(|h| h.quantity.0).sum();
    let out_value: Decimal = hops.iter().filter_map(|h| h.amount).map(|m| m.0).sum();
    Some(GoodsTrace {
        item,
        project: d.body.project.clone(),
        unit: k.unit.clone(),
        quantity: Qty(k.quantity.0),
        value,
        distributed_quantity: Qty(out),
        in_stock_quantity: Qty(k.quantity.0 - out),
        distributed_value: value.map(|_| Money(out_value)),
        in_stock_value: value.map(|v| Money(v.0 - out_value)),
        distributed: hops
            .into_iter()
            .map(|h| GoodsTraceOut {
                seq: h.seq,
                quantity: h.quantity,
                amount: h.amount,
                distributed_on: h.distributed_on,
            })
            .collect(),
    })
}

/// One item's stock as its summary row shows it: the `goods/` row, written and read as this
/// type. Its values are sums, read back with any sign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockRow {
    #[serde(flatten)]
    pub stock: ItemKey,
    pub unit: Label,
    /// What the goods are, in the words of the item's first gift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Prose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    pub received: Qty,
    pub distributed: Qty,
    pub in_stock: Qty,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_signed")]
    pub value_received: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_signed")]
    pub value_distributed: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_signed")]
    pub value_in_stock: Option<Money>,
    pub gifts: u64,
    pub distributions: u64,
    /// The gifts with goods left, oldest (next to go) first.
    pub lots: Vec<StockLot>,
}

/// A gift with goods left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StockLot {
    pub receipt_no: Ident,
    pub seq: u64,
    pub remaining: Qty,
}

impl StockRow {
    pub fn new(stock: &ItemKey, i: &Item) -> StockRow {
        let money = |d: Decimal| i.currency.map(|_| Money(d));
        StockRow {
            stock: stock.clone(),
            unit: i.unit.clone(),
            description: i.description.clone(),
            currency: i.currency,
            received: Qty(i.received),
            distributed: Qty(i.distributed),
            in_stock: Qty(i.in_stock()),
            value_received: money(i.value_received),
            value_distributed: money(i.value_distributed),
            value_in_stock: money(i.value_received - i.value_distributed),
            gifts: i.gifts,
            distributions: i.distributions,
            lots: i
                .lots
                .iter()
                .map(|l: &GoodsLot| StockLot {
                    receipt_no: l.receipt_no.clone(),
                    seq: l.seq,
                    remaining: Qty(l.quantity - l.taken),
                })
                .collect(),
        }
    }

    /// The row's key.
    pub fn key(&self) -> String {
        let k = &self.stock;
        match &k.project {
            Some(p) => keys::GOODS.key(&[&k.org, &"project", p, &k.item]),
            None => keys::GOODS.key(&[&k.org, &"unrestricted", &k.item]),
        }
    }
}

impl Goods {
    /// The `goods/` summary rows: one per item stock that ever received goods.
    pub fn rows(&self, rows: &mut BTreeMap<String, String>) {
        for (k, i) in self.items() {
            let r = StockRow::new(k, i);
            row(rows, r.key(), &r);
        }
    }
}
