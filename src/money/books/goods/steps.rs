//! The goods rules as the books step them: a gift joining its item's stock, a distribution
//! taking from it, and a project's close while goods remain.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::ledger::{Currency, Kind, Uscc};

use super::super::funds::FundKey;
use super::super::records::Record;
use super::super::{Books, Eff};
use super::{DistributionRecord, GoodsHopRow, GoodsLot, Item, ItemKey, Qty};
use crate::money::bodies::{Donation, GoodsDistribute};
use crate::money::error::{MoneyError, Rule, Thing};
use crate::money::types::{Ident, Money};

impl Books {
    /// A gift naming an item becomes a lot of that item's stock (nothing for other gifts). The
    /// first gift fixes the item's unit and whether, and in which currency, it is valued.
    pub(crate) fn goods_gift(
        &mut self,
        e: &Eff,
        org: &Uscc,
        b: &Donation,
    ) -> Result<(), MoneyError> {
        let (Some(k), Some(item)) = (&b.in_kind, b.goods_item()) else {
            return Ok(());
        };
        let key = ItemKey {
            org: org.clone(),
            project: b.project.clone(),
            item: item.clone(),
        };
        let value = b.value();
        let currency = value.map(|(_, c)| c);
        if let Some(have) = self.goods.item(&key) {
            let mismatch = |field: &str, message: String| {
                MoneyError::refused(field, Rule::GoodsItemMismatch, message)
            };
            if have.unit != k.unit {
                return Err(mismatch(
                    "body.in_kind.unit",
                    format!(
                        "item {} is counted in \"{}\", not \"{}\"; name another item",
                        key.describe(),
                        have.unit.as_str(),
                        k.unit.as_str()
                    ),
                ));
            }
            match (have.currency, currency) {
                (Some(_), None) | (None, Some(_)) => {
                    let valued = |c: Option<Currency>| match c {
                        Some(_) => "valued (with a valuation proof)",
                        None => "unvalued",
                    };
                    return Err(mismatch(
                        "body.in_kind.valuation_proof",
                        format!(
                            "item {} holds {} goods and this gift is {}: one item is all valued or \
                             all unvalued, so that a distribution has one value or none",
                            key.describe(),
                            valued(have.currency),
                            valued(currency)
                        ),
                    ));
                }
                (Some(a), Some(b)) if a != b => {
                    return Err(mismatch(
                        "body.currency",
                        format!("item {} is valued in {a}, not {b}", key.describe()),
                    ));
                }
                _ => {}
            }
        }
        self.goods.receive(
            key,
            Item {
                unit: k.unit.clone(),
                description: Some(k.description.clone()),
                currency,
                received: Decimal::ZERO,
                distributed: Decimal::ZERO,
                value_received: Decimal::ZERO,
                value_distributed: Decimal::ZERO,
                gifts: 0,
                distributions: 0,
                lots: Default::default(),
            },
            GoodsLot {
                receipt_no: b.receipt_no.clone(),
                seq: e.seq,
                quantity: k.quantity.0,
                value: value.map(|(a, _)| a.decimal()),
                taken: Decimal::ZERO,
            },
        );
        Ok(())
    }

    pub(crate) fn goods_distribute(
        &mut self,
        e: &Eff,
        b: &GoodsDistribute,
    ) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        if let Some(p) = &b.project {
            self.project(&org, p, "body.project", true)?;
        }
        let key = ItemKey {
            org: org.clone(),
            project: b.project.clone(),
            item: b.item.clone(),
        };
        let item = self
            .goods
            .item(&key)
            .ok_or_else(|| MoneyError::unknown("body.item", Thing::GoodsItem, key.describe()))?;
        let quantity = b.quantity.0;
        if quantity > item.in_stock() {
            return Err(MoneyError::refused(
                "body.quantity",
                Rule::GoodsShortage,
                format!(
                    "{q} {unit} exceeds the {stock} {unit} of {what} in stock",
                    q = Qty(quantity),
                    unit = item.unit.as_str(),
                    stock = Qty(item.in_stock()),
                    what = key.describe(),
                ),
            ));
        }
        let (unit, currency) = (item.unit.clone(), item.currency);
        let pieces = self.goods.take(&key, quantity);
        let amount = currency.map(|_| pieces.iter().filter_map(|p| p.value).sum::<Decimal>());
        if let (Some(cur), Some(a)) = (currency, amount) {
            self.count_goods_out(&key, cur, a, b.distributed_on.year());
        }
        let mut index: BTreeMap<&Ident, u32> = BTreeMap::new();
        for p in &pieces {
            let i = index.entry(&p.receipt_no).or_default();
            self.emit(Record::GoodsHop(
                (org.clone(), p.receipt_no.clone()),
                GoodsHopRow {
                    seq: e.seq,
                    index: *i,
                    kind: Kind::GoodsDistribute,
                    stock: key.clone(),
                    quantity: Qty(p.quantity),
                    amount: p.value.map(Money),
                    currency: p.value.and(currency),
                    distributed_on: b.distributed_on,
                },
            ));
            *i += 1;
        }
        self.emit(Record::Distribution(DistributionRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            stock: key,
            unit,
            quantity: Qty(quantity),
            amount: amount.map(Money),
            currency,
            distributed_on: b.distributed_on,
            parts: pieces
                .into_iter()
                .map(|p| super::records::DistributionPart {
                    receipt_no: p.receipt_no,
                    quantity: Qty(p.quantity),
                    amount: p.value.map(Money),
                })
                .collect(),
        }));
        Ok(())
    }

    /// A valued distribution is charitable spending of its year and disbursed in the totals
    /// of its stock's fund; unvalued goods count nowhere.
    fn count_goods_out(&mut self, key: &ItemKey, currency: Currency, amount: Decimal, year: i32) {
        self.sums.flows(&key.org, currency, year).charitable += amount;
        let fund = FundKey {
            org: key.org.clone(),
            project: key.project.clone(),
            currency,
        };
        self.count_total(&fund, year, |t| t.disbursed = Money(t.disbursed.0 + amount));
    }

    /// A project closes with its goods given out: its stock has nowhere else to go (the
    /// format has no goods leftover), and a closed project gives nothing.
    pub(crate) fn goods_close_check(&self, org: &Uscc, project: &Ident) -> Result<(), MoneyError> {
        match self.goods.project_stock(org, project) {
            None => Ok(()),
            Some((key, item)) => Err(MoneyError::refused(
                "body.project",
                Rule::GoodsInStock,
                format!(
                    "{} {} of {} are still in stock: distribute them before the close",
                    Qty(item.in_stock()),
                    item.unit.as_str(),
                    key.describe()
                ),
            )),
        }
    }
}
