//! What pages are rendered from: one consistent read of the ledger — the cached derived views
//! (docs/FORMAT.md §7, parsed once), entry summaries, the latest signed checkpoint and every
//! key's history. [`super::source`] fills it from the store; tests can build one by hand.
//!
//! What grows with the log stays out of memory (issue 13, part 5): [`super::source`] reads the
//! *summaries* (the views other than records, the payments, the entries whose bodies pages show
//! and the newest ones), and then, one organisation at a time, a *unit*: the summaries plus that
//! organisation's donations, their traces and every entry it signed. Every page, shard and
//! download about one organisation renders from its unit ([`super::Page::org`]); the rest from
//! the summaries. So a build holds the summaries and one organisation, never the whole log.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::money::views::keys;
use crate::money::views::rows::{DonationRow, SpendRow};
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
    /// (disbursements' and goods distributions' purpose and evidence, corrections, reports):
    /// see [`keeps_body`].
    pub body: Option<Value>,
}

/// Whether pages need this kind's body from the entry itself.
pub fn keeps_body(kind: &str) -> bool {
    BODY_KINDS.contains(&kind)
}

/// The kinds whose bodies [`keeps_body`].
pub const BODY_KINDS: &[&str] = &[
    "disbursement",
    "grant.transfer",
    "goods.distribute",
    "trust.disburse",
    "trust.report",
    "correction",
];

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

/// How many of the newest entries the summaries keep: the most any list of the newest shows
/// (the feed's).
pub const NEWEST_ENTRIES: usize = 50;

/// The views kept as text in [`Snapshot::raw`]: traces.
pub const RAW_PREFIX: &str = keys::TRACE.prefix();

/// One consistent read of the ledger for rendering.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The log size the views reflect.
    pub as_of: u64,
    /// The views but donations: shared, not copied, by every unit of a build.
    pub views: Arc<BTreeMap<String, Value>>,
    /// Donation rows: a unit's organisation's, or the summaries' one example.
    pub donations: BTreeMap<String, Value>,
    /// The views under [`RAW_PREFIX`], as their JSON text: the receipt shards copy them out
    /// whole and no page reads inside them, so parsing them would only cost memory (a parsed
    /// trace takes several times its text).
    pub raw: BTreeMap<String, String>,
    /// Entries by seq: in the summaries, the newest [`NEWEST_ENTRIES`] and those whose bodies
    /// pages show ([`keeps_body`]); a unit adds every entry its organisation signed. A snapshot
    /// built by hand may hold them all.
    pub entries: Arc<BTreeMap<u64, EntryMeta>>,
    /// In a unit, every entry its organisation signed.
    pub signed: BTreeMap<u64, EntryMeta>,
    /// The organisation a unit is of (`None`: the summaries, or a snapshot built by hand).
    pub unit: Option<String>,
    /// Money raised by (org, project, currency) over live donations of the whole ledger: the
    /// project list shows it for every project while holding no donation.
    pub raised: BTreeMap<(String, String, String), Decimal>,
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

/// (org, project id) -> `donation/...` keys of the donations restricted to it, in key order.
pub type ByFund = BTreeMap<(String, String), Vec<String>>;

/// Adds donation row `key`, read as `d`, to `by_fund` when it is restricted to a project.
pub fn add_to_fund(by_fund: &mut ByFund, key: &str, d: &DonationRow) {
    if let Some(p) = &d.record.body.project {
        by_fund
            .entry((d.record.org.as_str().to_owned(), p.as_str().to_owned()))
            .or_default()
            .push(key.to_owned());
    }
}

/// View keys grouped the way pages look them up.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub donations: ByFund,
    /// (org, project id or "") -> `spend/...` keys of money leaving that fund, in
    /// [`spend_order`].
    pub spends: BTreeMap<(String, String), Vec<String>>,
}

impl Snapshot {
    /// Builds [`Snapshot::idx`] from the views.
    pub fn index(&mut self) {
        self.index_donations();
        let mut spends: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        let mut paid_on = BTreeMap::new();
        for (k, x) in self.typed_rows::<SpendRow>(keys::SPEND.prefix()) {
            let from = x.from;
            let project = from.project.as_ref().map_or("", |p| p.as_str());
            spends
                .entry((from.org.as_str().to_owned(), project.to_owned()))
                .or_default()
                .push(k.to_owned());
            paid_on.insert(k, x.paid_on);
        }
        for list in spends.values_mut() {
            list.sort_by_cached_key(|k| spend_order(k, paid_on.get(k.as_str()).copied()));
        }
        self.idx.spends = spends;
    }

    /// Builds the donations part of [`Snapshot::idx`] from the summaries' donation rows (a
    /// unit's come with them: [`Snapshot::with_unit`]).
    fn index_donations(&mut self) {
        let mut donations = ByFund::new();
        for (k, d) in self.typed_rows::<DonationRow>(keys::DONATION.prefix()) {
            add_to_fund(&mut donations, k, &d);
        }
        self.idx.donations = donations;
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
        if keys::DONATION.has(key) {
            self.donations.get(key)
        } else {
            self.views.get(key)
        }
    }

    /// Adds a view row (where [`Snapshot::view`] finds it): for snapshots built by hand.
    pub fn insert_view(&mut self, key: String, value: Value) {
        if keys::DONATION.has(&key) {
            self.donations.insert(key, value);
        } else {
            Arc::make_mut(&mut self.views).insert(key, value);
        }
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
        let rows = if prefix.starts_with(keys::DONATION.prefix()) {
            &self.donations
        } else {
            &*self.views
        };
        rows.range::<str, _>((
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
        self.signed.get(&seq).or_else(|| self.entries.get(&seq))
    }

    /// The newest entries, newest first (at most [`NEWEST_ENTRIES`] from the summaries).
    pub fn newest(&self) -> impl Iterator<Item = &EntryMeta> {
        self.entries.values().rev()
    }

    /// The entries `author` signed, oldest first: all of them in `author`'s unit.
    pub fn signed_by<'a>(&'a self, author: &'a str) -> impl Iterator<Item = &'a EntryMeta> {
        let pool = if self.unit.is_some() {
            &self.signed
        } else {
            &*self.entries
        };
        pool.values().filter(move |e| e.author == author)
    }

    /// The unit of organisation `org`: these summaries with its donation rows, those of them
    /// restricted to a project by project (`by_fund`: the loader reads each row as its type
    /// once, for its trace, and indexes it then, instead of a second parse of every donation
    /// here), their traces and the entries it signed.
    pub fn with_unit(
        &self,
        org: &str,
        donations: impl IntoIterator<Item = (String, Value)>,
        by_fund: ByFund,
        traces: BTreeMap<String, String>,
        signed: impl IntoIterator<Item = EntryMeta>,
    ) -> Snapshot {
        // The summaries' shared maps are not copied; the example donation is replaced.
        let mut unit = self.clone();
        unit.donations = donations.into_iter().collect();
        unit.idx.donations = by_fund;
        unit.raw = traces;
        unit.signed = signed.into_iter().map(|e| (e.seq, e)).collect();
        unit.unit = Some(org.to_owned());
        unit
    }

    /// The name of organisation `uscc`, or the code itself.
    pub fn org_name(&self, uscc: &str) -> String {
        self.org(uscc)
            .map_or_else(|| uscc.to_owned(), |o| o.register.name.to_string())
    }
}

/// Where the spend row at `key` (`spend/{seq}/{part}`), paid on `paid_on`, sorts in a list of
/// disbursements: by the date paid, then entry number as a number, then part (issue 16: the
/// key's text order put entry 10111 before 1038, and dates all over).
pub fn spend_order(key: &str, paid_on: Option<time::Date>) -> (Option<time::Date>, u64, u64) {
    let mut parts = keys::SPEND
        .parts(key)
        .into_iter()
        .flatten()
        .map(|p| p.parse::<u64>().unwrap_or(u64::MAX));
    let seq = parts.next().unwrap_or(u64::MAX);
    let part = parts.next().unwrap_or(u64::MAX);
    (paid_on, seq, part)
}
