//! Records: the rows an entry writes once, for the store to keep.
//!
//! What the log accumulates without bound — every donation, every disbursement, and every piece
//! of a donation's money that moved (a *hop*) — is not kept in memory. [`Books::step`] hands
//! each entry's records out; the append path writes them in the transaction that writes the
//! entry, and readers find them there. A record row is written once and never changed, except
//! by a correction: its rebuild emits every record of the effective log afresh, a part at a
//! time, and the writer replaces them all (the append path clears the stored rows behind a
//! savepoint and writes each part as it comes). So the rows of any log prefix are a pure function of it, and the
//! audit compares them row for row.
//!
//! A donor's trace is not stored: [`compose_trace`] builds it from the donation's row and its
//! hop rows whenever it is read, by one function for the API, the site and the CLI.
//!
//! | key | value |
//! | --- | --- |
//! | `donation/{org}/{receipt_no}` | the effective donation with `"status":"live"`, or a voided one as it was first recorded with `"status":"voided"` |
//! | `spend/{seq}/{i}` | [`SpendRecord`]: money leaving a fund |
//! | `hop/{org}/{receipt_no}/{seq}/{i}` | [`HopRow`]: part of the donation's money moving at entry `seq` |
//! | `hop/{org}/{receipt_no}/{seq}/g{i}`, `distribution/{seq}` | goods given out ([`super::goods::records`]) |
//!
//! [`Books::step`]: super::Books::step

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ledger::jcs::canonical;
use crate::ledger::{Kind, Timestamp, Uscc};

use super::funds::{FundKey, Hop, ReceiptKey};
use super::goods::records::is_goods_hop_key;
use super::goods::{DistributionRecord, GoodsHopRow};
use super::trace::{Trace, TraceMove, TraceSpend, TraceUnspent};
use super::{DonationBody, DonationRecord, SpendRecord};
use crate::money::bodies::{Body, Donation};
use crate::money::keys::{self, Family};
use crate::money::types::{Ident, Money, SpendCategory};

/// Which derivation of the records a build writes. The store keeps it beside the log size its
/// records reflect, and rows written by a build of another derivation count as missing: the next
/// start writes them all afresh. Without it an upgrade that changed how a record derives kept the
/// old rows forever (only the summary views are compared at each start: they are a few thousand
/// rows, the records grow with the log) and `sunshine audit` failed on them.
///
/// Raise it with any change to the bytes of a record row; `records_of_a_small_demo_are_pinned`
/// (`tests/views_cache.rs`) fails until the pinned digest and this number move together. Stores
/// from before the number was kept hold derivation 1.
pub const RECORD_DERIVATION: i64 = 1;

/// One record an entry produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A live donation.
    Donation(DonationRecord),
    /// A donation a live correction voided (emitted by a correction's rebuild).
    Voided(DonationRecord),
    /// Money leaving a fund, keyed by (seq, index within the entry).
    Spend((u64, u32), SpendRecord),
    /// Part of one donation's money moving.
    Hop(ReceiptKey, HopRow),
    /// Goods given out ([`super::goods`]).
    Distribution(DistributionRecord),
    /// Part of one gift's goods given out.
    GoodsHop(ReceiptKey, GoodsHopRow),
}

/// Part of one donation's money leaving a fund: spent, or carried to another fund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HopRow {
    pub seq: u64,
    /// Its place among the hops of the same donation at the same entry (first in, first out).
    pub index: u32,
    pub kind: Kind,
    pub from: FundKey,
    /// Where it went, for a grant or a closing leftover; absent for money spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<FundKey>,
    pub amount: Money,
    /// The transfers the money had travelled through before this hop.
    pub via: Vec<u64>,
    /// For money spent: the disbursement's category and payment date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<SpendCategory>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::money::types::opt_date"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<time::Date>,
}

impl HopRow {
    /// The row of `hop`, the `index`-th of its donation at this entry; `spent` is the category
    /// and date of the disbursement it is part of, for money spent.
    pub fn new(hop: Hop, index: u32, spent: Option<(SpendCategory, time::Date)>) -> HopRow {
        HopRow {
            seq: hop.seq,
            index,
            kind: hop.kind,
            from: hop.from,
            to: hop.to,
            amount: Money(hop.amount),
            via: hop.via.to_vec(),
            category: spent.map(|(c, _)| c),
            paid_on: spent.map(|(_, d)| d),
        }
    }
}

/// Whether a donation row's donation (or an `entry/` row's entry) is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DonationStatus {
    Live,
    Voided,
}

/// `donation/{org}/{receipt_no}`: the effective donation and whether it is in force (a voided
/// donation keeps its row, marked so).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DonationRow {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub record: DonationRecord,
    pub status: DonationStatus,
}

impl<'de> Deserialize<'de> for DonationRow {
    /// Through [`parse_donation`], the one reader of donation rows (a
    /// donation's body is the entry's, which reads only as a whole).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let (live, record) =
            parse_donation_value("", v).map_err(|e| serde::de::Error::custom(e.reason))?;
        let status = if live {
            DonationStatus::Live
        } else {
            DonationStatus::Voided
        };
        Ok(DonationRow { record, status })
    }
}

/// The families whose rows are records (every other view row is a summary, cached behind the
/// view size and recomputed from the state).
pub const FAMILIES: [Family; 4] = [keys::DONATION, keys::SPEND, keys::HOP, keys::DISTRIBUTION];

/// Whether `key` names a record row.
pub fn is_record_key(key: &str) -> bool {
    FAMILIES.iter().any(|f| f.has(key))
}

fn text(value: &impl Serialize) -> String {
    // Serialising our own records cannot fail; an empty value would still show up in an audit.
    canonical(value)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

impl Record {
    /// The seq of the entry whose step wrote this record.
    pub fn seq(&self) -> u64 {
        match self {
            Record::Donation(d) | Record::Voided(d) => d.seq,
            Record::Spend((seq, _), _) => *seq,
            Record::Hop(_, h) => h.seq,
            Record::Distribution(d) => d.seq,
            Record::GoodsHop(_, h) => h.seq,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Record::Donation(d) | Record::Voided(d) => {
                keys::DONATION.key(&[&d.org, &d.body.receipt_no])
            }
            Record::Spend((seq, i), _) => keys::SPEND.key(&[seq, i]),
            Record::Hop((org, receipt), h) => keys::HOP.key(&[org, receipt, &h.seq, &h.index]),
            Record::Distribution(d) => keys::DISTRIBUTION.key(&[&d.seq]),
            Record::GoodsHop((org, receipt), h) => {
                keys::HOP.key(&[org, receipt, &h.seq, &h.key_index()])
            }
        }
    }

    /// The row's value: RFC 8785 JSON, money as two-decimal strings.
    pub fn value(&self) -> String {
        match self {
            Record::Donation(d) | Record::Voided(d) => text(&DonationRow {
                record: d.clone(),
                status: if matches!(self, Record::Donation(_)) {
                    DonationStatus::Live
                } else {
                    DonationStatus::Voided
                },
            }),
            Record::Spend(_, s) => text(s),
            Record::Hop(_, h) => text(h),
            Record::Distribution(d) => text(d),
            Record::GoodsHop(_, h) => text(h),
        }
    }

    pub fn row(&self) -> (String, String) {
        (self.key(), self.value())
    }

    /// The row as the store keeps it: key, value, and the seq of the entry that wrote it.
    pub fn stored_row(&self) -> (String, String, u64) {
        (self.key(), self.value(), self.seq())
    }
}

/// The records of one or more consecutive entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Records {
    /// `Some(from)`: every record row written by an entry at seq `from` or later is replaced by
    /// `rows` — a correction rebuilt the books from the state at `from` (0: from the start of
    /// the log, then every record row goes) and emitted the effective log's records from there.
    pub reset_from: Option<u64>,
    pub rows: Vec<Record>,
}

impl Records {
    /// These records followed by `later`'s.
    pub fn then(&mut self, later: Records) {
        if let Some(from) = later.reset_from {
            self.rows.retain(|r| r.seq() < from);
            self.reset_from = Some(self.reset_from.map_or(from, |f| f.min(from)));
        }
        self.rows.extend(later.rows);
    }

    /// Writes these records into `rows`, a map holding the record rows of the log before them,
    /// as the store does in its table (for tests and tools that keep rows in memory).
    pub fn apply_to(self, rows: &mut BTreeMap<String, String>) {
        if let Some(from) = self.reset_from {
            rows.retain(|k, v| !is_record_key(k) || row_seq(v).is_some_and(|seq| seq < from));
        }
        rows.extend(self.rows.iter().map(Record::row));
    }
}

/// The seq of the entry that wrote a stored record row: every record's value names it.
pub fn row_seq(value: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct Seq {
        seq: u64,
    }
    serde_json::from_str::<Seq>(value).ok().map(|s| s.seq)
}

/// Why stored record rows do not read back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("record row {key} does not read: {reason}")]
pub struct RecordError {
    pub key: String,
    pub reason: String,
}

/// A stored donation row read back: its status and the record.
pub fn parse_donation(key: &str, value: &str) -> Result<(bool, DonationRecord), RecordError> {
    let v: Value = serde_json::from_str(value).map_err(|e| RecordError {
        key: key.to_owned(),
        reason: e.to_string(),
    })?;
    parse_donation_value(key, v)
}

/// [`parse_donation`] of a row already parsed as JSON (the site parses each row once).
pub fn parse_donation_value(
    key: &str,
    mut v: Value,
) -> Result<(bool, DonationRecord), RecordError> {
    let fail = |reason: String| RecordError {
        key: key.to_owned(),
        reason,
    };
    let obj = v
        .as_object_mut()
        .ok_or_else(|| fail("not an object".into()))?;
    let mut take = |field: &str| {
        obj.remove(field)
            .ok_or_else(|| fail(format!("no `{field}` field")))
    };
    let live = match take("status")?.as_str() {
        Some("live") => true,
        Some("voided") => false,
        _ => return Err(fail("`status` is neither live nor voided".into())),
    };
    let seq: u64 = serde_json::from_value(take("seq")?).map_err(|e| fail(e.to_string()))?;
    let org: Uscc = serde_json::from_value(take("org")?).map_err(|e| fail(e.to_string()))?;
    let recorded_at: Timestamp =
        serde_json::from_value(take("recorded_at")?).map_err(|e| fail(e.to_string()))?;
    let body: Donation = serde_json::from_value(v).map_err(|e| fail(e.to_string()))?;
    let record = DonationRecord {
        seq,
        org,
        recorded_at,
        body: DonationBody::new(Arc::new(Body::Donation(body))),
    };
    Ok((live, record))
}

/// A stored hop row read back.
pub fn parse_hop(key: &str, value: &str) -> Result<HopRow, RecordError> {
    serde_json::from_str(value).map_err(|e| RecordError {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

/// The trace of one donation from its stored row and its hop rows (in any order); `None` for a
/// voided donation.
pub fn compose_trace(
    donation: (&str, &str),
    hops: &[(String, String)],
) -> Result<Option<Trace>, RecordError> {
    let (live, d) = parse_donation(donation.0, donation.1)?;
    if !live {
        return Ok(None);
    }
    compose_trace_of(&d, hops).map(Some)
}

/// The trace of live donation `d`, already read, from its hop rows (in any order).
pub fn compose_trace_of(
    d: &DonationRecord,
    hops: &[(String, String)],
) -> Result<Trace, RecordError> {
    let (goods, cash): (Vec<_>, Vec<_>) = hops.iter().partition(|(k, _)| is_goods_hop_key(k));
    let mut rows = cash
        .into_iter()
        .map(|(k, v)| parse_hop(k, v))
        .collect::<Result<Vec<_>, _>>()?;
    rows.sort_by_key(|h| (h.seq, h.index));
    let goods = goods
        .into_iter()
        .map(|(k, v)| {
            serde_json::from_str::<GoodsHopRow>(v).map_err(|e| RecordError {
                key: k.clone(),
                reason: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut t = trace_of(d, rows);
    t.goods = super::goods::records::trace(d, goods);
    Ok(t)
}

/// Where `d`'s money went, from its hops in log order.
pub fn trace_of(d: &DonationRecord, hops: Vec<HopRow>) -> Trace {
    let mut t = Trace {
        org: d.org.clone(),
        receipt_no: d.body.receipt_no.clone(),
        seq: d.seq,
        project: d.body.project.clone(),
        form: d.body.form,
        amount: d.body.value().map(|(a, _)| Money::from(a)),
        currency: d.body.value().map(|(_, c)| c),
        spent: Vec::new(),
        moved: Vec::new(),
        unspent: Vec::new(),
        spent_total: Money::ZERO,
        unspent_total: Money::ZERO,
        goods: None,
    };
    // Goods in the goods ledger are never traced as money (their own part: `goods`).
    let Some((amount, currency)) = d.body.value().filter(|_| d.body.goods_item().is_none()) else {
        return t;
    };
    let mut sitting: BTreeMap<FundKey, Decimal> = BTreeMap::new();
    sitting.insert(
        FundKey {
            org: d.org.clone(),
            project: d.body.project.clone(),
            currency,
        },
        amount.decimal(),
    );
    for hop in hops {
        *sitting.entry(hop.from.clone()).or_default() -= hop.amount.0;
        match hop.to {
            Some(to) => {
                *sitting.entry(to.clone()).or_default() += hop.amount.0;
                t.moved.push(TraceMove {
                    seq: hop.seq,
                    kind: hop.kind,
                    from: hop.from,
                    to,
                    amount: hop.amount,
                    via: hop.via,
                });
            }
            None => {
                t.spent_total = Money(t.spent_total.0 + hop.amount.0);
                t.spent.push(TraceSpend {
                    seq: hop.seq,
                    fund: hop.from,
                    amount: hop.amount,
                    category: hop.category.unwrap_or(SpendCategory::Programme),
                    paid_on: hop.paid_on.unwrap_or(d.body.received_on),
                    via: hop.via,
                });
            }
        }
    }
    for (fund, v) in sitting {
        if v != Decimal::ZERO {
            t.unspent_total = Money(t.unspent_total.0 + v);
            t.unspent.push(TraceUnspent {
                fund,
                amount: Money(v),
            });
        }
    }
    t
}

/// The key prefix of one donation's hop rows.
pub fn hops_prefix(org: &Uscc, receipt_no: &Ident) -> String {
    keys::HOP.under(&[org, receipt_no])
}
