//! What pages are rendered from: one consistent read of the ledger — the cached derived views
//! (docs/FORMAT.md §7, parsed once), a summary of every entry, the latest signed checkpoint and
//! every key's history. [`super::source`] fills it from the store; tests can build one by hand.

use std::collections::BTreeMap;

use crate::money::views::keys;
use rust_decimal::Decimal;
use serde_json::Value;

/// One entry as lists and feeds show it.
#[derive(Debug, Clone)]
pub struct EntryMeta {
    pub seq: u64,
    /// The RFC 9162 leaf hash (kept as bytes: a full build holds one per entry).
    pub leaf_hash: crate::ledger::Hash,
    /// `operator`, `regulator:{uscc}` or `org:{uscc}`.
    pub author: String,
    /// The wire name of its kind.
    pub kind: &'static str,
    /// Unix seconds.
    pub recorded_at: i64,
    /// The submission body, kept only for kinds whose details pages show beyond the views
    /// (disbursements' purpose and evidence, corrections, reports): see [`keeps_body`].
    pub body: Option<Value>,
}

/// Whether pages need this kind's body from the entry itself.
pub fn keeps_body(kind: &str) -> bool {
    matches!(
        kind,
        "disbursement" | "grant.transfer" | "trust.disburse" | "trust.report" | "correction"
    )
}

impl EntryMeta {
    /// The organisation that signed it, if an organisation did.
    pub fn org(&self) -> Option<&str> {
        self.author.strip_prefix("org:")
    }

    pub fn date(&self) -> Option<time::Date> {
        crate::ledger::Timestamp::from_unix(self.recorded_at).map(|t| t.date())
    }
}

/// A signed checkpoint as the home page shows it.
#[derive(Debug, Clone)]
pub struct CheckpointMeta {
    pub size: u64,
    pub root_hex: String,
    pub note: String,
    /// When its newest entry was recorded (unix seconds); checkpoints carry no time of their own.
    pub recorded_at: i64,
}

/// A key and its history, as the authority replay knows it.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub holder: String,
    pub key: String,
    pub added_at: u64,
    pub revoked_at: Option<u64>,
}

/// The views kept as text in [`Snapshot::raw`]: traces.
pub const RAW_PREFIX: &str = keys::TRACE.prefix();

/// One consistent read of the ledger for rendering.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The log size the views reflect.
    pub as_of: u64,
    pub views: BTreeMap<String, Value>,
    /// The views under [`RAW_PREFIX`], as their JSON text: the receipt shards copy them out
    /// whole and no page reads inside them, so parsing them would only cost memory (a parsed
    /// trace takes several times its text).
    pub raw: BTreeMap<String, String>,
    /// Every entry up to `as_of`, indexed by seq.
    pub entries: Vec<EntryMeta>,
    pub checkpoint: Option<CheckpointMeta>,
    /// The operator's note verifier key, as in `log/operator.vkey`.
    pub vkey: String,
    pub keys: Vec<KeyRow>,
    /// Lookups pages need many times, built once by [`Snapshot::index`].
    pub idx: Index,
    /// The day disclosure obligations are judged on: the build date (or `site build --as-of`),
    /// today for the live server. `None` (a snapshot built by hand) shows no obligations.
    pub judged_on: Option<time::Date>,
}

/// View keys grouped the way pages look them up.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// (org, project id) -> `donation/...` keys of donations restricted to it.
    pub donations: BTreeMap<(String, String), Vec<String>>,
    /// (org, project id or "") -> `spend/...` keys of money leaving that fund, in
    /// [`spend_order`].
    pub spends: BTreeMap<(String, String), Vec<String>>,
}

impl Snapshot {
    /// Builds [`Snapshot::idx`] from the views.
    pub fn index(&mut self) {
        let mut idx = Index::default();
        for (k, v) in self.prefixed(keys::DONATION.prefix()) {
            let d = donation_fields(v);
            if let Some(p) = d["project"].as_str() {
                idx.donations
                    .entry((s(d, "org").to_owned(), p.to_owned()))
                    .or_default()
                    .push(k.to_owned());
            }
        }
        for (k, v) in self.prefixed(keys::SPEND.prefix()) {
            let from = &v["from"];
            idx.spends
                .entry((s(from, "org").to_owned(), s(from, "project").to_owned()))
                .or_default()
                .push(k.to_owned());
        }
        for list in idx.spends.values_mut() {
            list.sort_by_cached_key(|k| spend_order(k, self.view(k).unwrap_or(&Value::Null)));
        }
        self.idx = idx;
    }

    /// Disclosure obligations judged on [`Snapshot::judged_on`], of one organisation or all,
    /// from the cached `duties/` rows (a row that does not read is left out: the audit names it).
    pub fn obligations(&self, org: Option<&str>) -> Vec<crate::money::obligations::OrgObligation> {
        use crate::money::obligations::{Query, judge};
        let Some(as_of) = self.judged_on else {
            return Vec::new();
        };
        let prefix = match org {
            Some(o) => keys::DUTIES.key(&[&o]),
            None => keys::DUTIES.prefix().to_owned(),
        };
        let duties: Vec<crate::money::duties::OrgDuties> = self
            .prefixed(&prefix)
            .filter(|(k, _)| org.is_none() || *k == prefix)
            .filter_map(|(_, v)| serde_json::from_value(v.clone()).ok())
            .collect();
        judge(
            &duties,
            &Query {
                as_of,
                org: None,
                status: None,
            },
        )
    }

    pub fn view(&self, key: &str) -> Option<&Value> {
        self.views.get(key)
    }

    /// A view under [`RAW_PREFIX`], as JSON text.
    pub fn raw_view(&self, key: &str) -> Option<&str> {
        self.raw.get(key).map(String::as_str)
    }

    /// Rows whose key starts with `prefix`, with their keys, in key order.
    pub fn prefixed<'a>(
        &'a self,
        prefix: &str,
    ) -> impl Iterator<Item = (&'a str, &'a Value)> + use<'a> {
        let owned = prefix.to_owned();
        self.views
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(k, _)| k.starts_with(owned.as_str()))
            .map(|(k, v)| (k.as_str(), v))
    }

    pub fn rows<'a>(&'a self, prefix: &str) -> impl Iterator<Item = &'a Value> + use<'a> {
        self.prefixed(prefix).map(|(_, v)| v)
    }

    pub fn entry(&self, seq: u64) -> Option<&EntryMeta> {
        usize::try_from(seq).ok().and_then(|i| self.entries.get(i))
    }

    /// The name of organisation `uscc`, or the code itself.
    pub fn org_name<'a>(&'a self, uscc: &'a str) -> &'a str {
        self.view(&keys::ORG.key(&[&uscc]))
            .and_then(|o| o["name"].as_str())
            .unwrap_or(uscc)
    }
}

/// Where spend row `v` (key `spend/{seq}/{part}`) sorts in a list of disbursements: by the
/// date paid, then entry number as a number, then part (issue 16: the key's text order put
/// entry 10111 before 1038, and dates all over).
pub fn spend_order(key: &str, v: &Value) -> (String, u64, u64) {
    let mut parts = keys::SPEND
        .parts(key)
        .into_iter()
        .flatten()
        .map(|p| p.parse::<u64>().unwrap_or(u64::MAX));
    let seq = parts.next().unwrap_or(u64::MAX);
    let part = parts.next().unwrap_or(u64::MAX);
    (s(v, "paid_on").to_owned(), seq, part)
}

/// The fields of a `donation/` row. A voided donation's row carries them beside its status
/// (`crate::money::views`); a row nesting them under `original` is read from there.
pub fn donation_fields(row: &Value) -> &Value {
    match row.get("original") {
        Some(o) if row["status"] == "voided" && o.is_object() => o,
        _ => row,
    }
}

/// A view's string field.
pub fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or("")
}

/// A view's money field as a decimal (zero when absent).
pub fn dec(v: &Value) -> Decimal {
    v.as_str().and_then(|t| t.parse().ok()).unwrap_or_default()
}
