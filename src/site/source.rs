//! Reads what pages need from the store: the one place in `site` with I/O.
//!
//! A [`Snapshot`] is read at the size the cached views reflect, so figures, entries and the
//! checkpoint agree. Key history comes from replaying only the trust-changing entries (genesis,
//! `org.register`, `org.keys`) through [`Authority`], the same code the append path uses.

use std::borrow::Cow;
use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use serde_json::Value;

use super::pages::project::add_raised;
use super::snapshot::{
    BODY_KINDS, ByFund, CheckpointMeta, EntryMeta, KeyRow, NEWEST_ENTRIES, RAW_PREFIX, Snapshot,
    add_to_fund, keeps_body,
};
use crate::ledger::authority::Authority;
use crate::ledger::note::{self, Checkpoint};
use crate::ledger::{SealedEntry, Timestamp};
use crate::money::records::compose_trace_of;
use crate::money::views::keys;
use crate::money::views::rows::{self, DonationRow, DonationStatus, RowError};
use crate::store::{Store, StoreError, StoredEntry, ViewsReader};

/// Why the site cannot be read from the store.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored entry {seq} cannot be read: {reason}; run `sunshine audit`")]
    Entry { seq: u64, reason: String },
    #[error("view {0} is not JSON; run `sunshine audit`")]
    View(String),
    /// A row of a typed family ([`crate::money::views::rows`]) that does not read as its type.
    #[error("{0}; run `sunshine audit`")]
    Row(#[from] RowError),
    #[error("parsing the views failed: {0}")]
    Parsing(String),
    #[error("the ledger has no genesis entry: run `sunshine init`")]
    NoGenesis,
    #[error("the cached views are missing: run `sunshine audit` or `sunshine serve` once")]
    NoViews,
}

fn bad(seq: u64, reason: impl ToString) -> SourceError {
    SourceError::Entry {
        seq,
        reason: reason.to_string(),
    }
}

/// The fields of a leaf every entry summary needs, read without building a JSON tree (a full
/// build reads every leaf of the log).
#[derive(serde::Deserialize)]
struct LeafHead<'a> {
    #[serde(borrow)]
    recorded_at: Cow<'a, str>,
    #[serde(borrow)]
    submission: SubmissionHead<'a>,
}

#[derive(serde::Deserialize)]
struct SubmissionHead<'a> {
    #[serde(borrow)]
    author: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
}

/// The summary of one stored entry (its body kept for the kinds pages show in detail).
pub fn entry_meta(row: &StoredEntry) -> Result<EntryMeta, SourceError> {
    let seq = row.seq;
    let head: LeafHead = serde_json::from_slice(&row.leaf).map_err(|e| bad(seq, e))?;
    let body = if keeps_body(&head.submission.kind) {
        let v: Value = serde_json::from_slice(&row.leaf).map_err(|e| bad(seq, e))?;
        Some(v["submission"]["body"].clone())
    } else {
        None
    };
    let kind = head
        .submission
        .kind
        .parse::<crate::ledger::Kind>()
        .map_err(|_| bad(seq, "its kind is not one the ledger knows"))?;
    let recorded_at = head
        .recorded_at
        .parse::<Timestamp>()
        .map_err(|_| bad(seq, "recorded_at is not a timestamp"))?;
    Ok(EntryMeta {
        seq,
        leaf_hash: crate::ledger::Hash::from_slice(&row.leaf_hash)
            .ok_or_else(|| bad(seq, "its leaf hash is not 32 bytes"))?,
        author: head.submission.author.into_owned(),
        kind: kind.as_str(),
        recorded_at: recorded_at.unix(),
        body,
    })
}

/// An open read of the store for one build (or one page of the live server): the summaries
/// and every unit read after them come from the same moment, whatever other processes append
/// meanwhile. Records are stored as of the whole log; rows of entries past the summaries' size
/// are left out.
pub struct Source {
    reader: ViewsReader,
    as_of: u64,
}

/// Money raised by (organisation, project, currency) ([`Snapshot::raised`]).
pub type Raised = BTreeMap<(String, String, String), rust_decimal::Decimal>;

/// Entries per bucket of the store's lookup indexes (`seq >> 12`).
const ENTRY_BUCKET: u64 = 1 << 12;

/// Whether a record row's `seq` is within the log size `as_of` the views reflect.
fn within(v: &Value, as_of: u64) -> bool {
    v["seq"].as_u64().is_some_and(|seq| seq < as_of)
}

/// Reads the summaries at the size the cached views reflect ([`Snapshot`]'s module says what
/// they hold), and keeps the read open for the units.
pub async fn summaries(store: &Store) -> Result<(Snapshot, Source), SourceError> {
    // Size and rows from one read snapshot: another server may replace the views meanwhile.
    let mut reader = store.views_reader().await?;
    let as_of = reader.size.ok_or(SourceError::NoViews)?;
    let mut views = BTreeMap::new();
    {
        let mut rows = reader.rows();
        while let Some((k, text)) = rows.try_next().await? {
            views.insert(k.clone(), parse_view(&k, &text)?);
        }
    }
    // Payments (one row per disbursement part, not per donation) are few enough to keep.
    {
        let mut rows = reader.records_under(keys::SPEND.prefix());
        while let Some((k, text)) = rows.try_next().await? {
            let v = parse_view(&k, &text)?;
            if within(&v, as_of) {
                views.insert(k, v);
            }
        }
    }
    // The first donation, which the lookup page offers as an example.
    let mut donations = BTreeMap::new();
    {
        let mut rows = reader.records_under(keys::DONATION.prefix());
        while let Some((k, text)) = rows.try_next().await? {
            let v = parse_view(&k, &text)?;
            if within(&v, as_of) {
                donations.insert(k, v);
                break;
            }
        }
    }
    // Through the kind index, not a read of the whole log: the entries that change keys (in
    // seq order, for the key history), those whose bodies pages show, and the newest others.
    let mut authority = Authority::default();
    let mut changes_keys = Vec::new();
    for kind in ["genesis", "org.register", "org.keys"] {
        changes_keys.extend(reader.entries_of_kind(kind, as_of).await?);
    }
    changes_keys.sort_unstable_by_key(|row| row.seq);
    for row in changes_keys {
        let seq = row.seq;
        let sealed = SealedEntry::open(row.leaf).map_err(|e| bad(seq, e))?;
        let change = authority
            .check(seq, &sealed.entry.submission.submission)
            .map_err(|e| bad(seq, e))?;
        authority.apply(seq, change);
    }
    let mut entries = BTreeMap::new();
    for kind in BODY_KINDS {
        for row in reader.entries_of_kind(kind, as_of).await? {
            let meta = entry_meta(&row)?;
            entries.insert(meta.seq, meta);
        }
    }
    // The newest few, whatever their kind: `NEWEST_ENTRIES` newest of all are among them.
    let newest = reader
        .newest_entries_except(BODY_KINDS, as_of, NEWEST_ENTRIES as u64)
        .await?;
    for row in newest {
        let meta = entry_meta(&row)?;
        entries.insert(meta.seq, meta);
    }
    let origin = authority.origin().ok_or(SourceError::NoGenesis)?;
    let key = authority.operator_key().ok_or(SourceError::NoGenesis)?;
    let vkey = note::vkey_string(origin, key.verifying_key());
    let checkpoint = match store.checkpoint_covering(as_of).await? {
        Some((size, note)) if size == as_of => Some(checkpoint_meta(size, note, &entries)?),
        _ => None,
    };
    let mut keys: Vec<KeyRow> = authority
        .keys()
        .map(|k| KeyRow {
            holder: k.holder.to_string(),
            key: k.key.to_hex(),
            added_at: k.added_at,
            revoked_at: k.revoked_at,
        })
        .collect();
    keys.sort_by(|a, b| (a.added_at, &a.key).cmp(&(b.added_at, &b.key)));
    let mut snap = Snapshot {
        as_of,
        views: std::sync::Arc::new(views),
        donations,
        entries: std::sync::Arc::new(entries),
        checkpoint,
        vkey,
        keys,
        judged_on: Some(crate::ledger::Timestamp::now().china_date()),
        ..Snapshot::default()
    };
    snap.index();
    Ok((snap, Source { reader, as_of }))
}

/// A read for the units of summaries of size `as_of` (the live server reads its cached
/// summaries' units in later reads: a row of an entry past `as_of` is left out).
pub async fn source_at(store: &Store, as_of: u64) -> Result<Source, SourceError> {
    Ok(Source {
        reader: store.views_reader().await?,
        as_of,
    })
}

/// A unit's donation rows parsed (those within `as_of`), indexed by the project they are
/// restricted to, and their traces composed from `hops`, the rows split among the build's
/// workers.
#[allow(clippy::type_complexity)]
fn compose(
    rows: Vec<(String, String)>,
    hops: &BTreeMap<String, Vec<(String, String)>>,
    as_of: u64,
) -> Result<(Vec<(String, Value)>, ByFund, BTreeMap<String, String>), SourceError> {
    let chunk = rows.len().div_ceil(super::build::workers()).max(1);
    let part = |rows: &[(String, String)]| {
        let mut donations = Vec::with_capacity(rows.len());
        let mut by_fund = ByFund::new();
        let mut traces = Vec::with_capacity(rows.len());
        for (k, text) in rows {
            // Parsed once: pages read the JSON, the trace the typed row read from it.
            let v: Value =
                serde_json::from_str(text).map_err(|_| SourceError::View(k.to_owned()))?;
            let row: DonationRow = rows::read_value(k, &v)?;
            if row.record.seq >= as_of {
                continue;
            }
            add_to_fund(&mut by_fund, k, &row);
            let owner = &k[keys::DONATION.prefix().len()..];
            let own = hops.get(owner).map(Vec::as_slice).unwrap_or_default();
            if row.status == DonationStatus::Live {
                let trace =
                    compose_trace_of(&row.record, own).map_err(|e| SourceError::View(e.key))?;
                let text = serde_json::to_string(&trace)
                    .map_err(|e| SourceError::Parsing(e.to_string()))?;
                traces.push((format!("{RAW_PREFIX}{owner}"), text));
            }
            donations.push((k.clone(), v));
        }
        Ok::<_, SourceError>((donations, by_fund, traces))
    };
    let parts = std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|c| scope.spawn(move || part(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| SourceError::Parsing("a worker panicked".into()))?
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let (mut donations, mut by_fund, mut traces) = (Vec::new(), ByFund::new(), BTreeMap::new());
    for (d, f, t) in parts {
        donations.extend(d);
        for (fund, keys) in f {
            by_fund.entry(fund).or_default().extend(keys);
        }
        traces.extend(t);
    }
    // In key order, as the pages list them, whatever order the store streamed the rows in.
    for list in by_fund.values_mut() {
        list.sort_unstable();
    }
    Ok((donations, by_fund, traces))
}

/// A stored row parsed once as JSON; a row of a typed family must read as its type
/// ([`rows::TYPED`]), checked from the parsed value, or the build stops naming its key.
fn parse_view(key: &str, text: &str) -> Result<Value, SourceError> {
    let v = serde_json::from_str::<Value>(text).map_err(|_| SourceError::View(key.to_owned()))?;
    if let Some(t) = rows::typed_family(key) {
        t.check(key, &v)?;
    }
    Ok(v)
}

impl Source {
    /// The unit of organisation `org` ([`Snapshot::with_unit`]): its donations, their traces
    /// composed from their hops, and every entry it signed.
    pub async fn unit(&mut self, summaries: &Snapshot, org: &str) -> Result<Snapshot, SourceError> {
        let as_of = self.as_of;
        let started = std::time::Instant::now();
        let mut rows: Vec<(String, String)> = Vec::new();
        {
            let mut stream = self.reader.records_under(&keys::DONATION.under(&[&org]));
            while let Some(row) = stream.try_next().await? {
                rows.push(row);
            }
        }
        // `hop/{org}/{receipt}/...`, grouped under the donation they are of.
        let mut hops: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        {
            let mut stream = self.reader.records_under(&keys::HOP.under(&[&org]));
            while let Some((k, text)) = stream.try_next().await? {
                // `hop/{org}/{receipt}/{seq}/{i}`: the seq is in the key.
                let parts: Vec<&str> = keys::HOP
                    .parts(&k)
                    .map(Iterator::collect)
                    .unwrap_or_default();
                let seq = parts.get(2).and_then(|s| s.parse::<u64>().ok());
                if seq.is_none_or(|seq| seq >= as_of) {
                    continue;
                }
                let owner = parts.get(..2).map(|p| p.join("/")).unwrap_or_default();
                hops.entry(owner).or_default().push((k, text));
            }
        }
        // Parsing the rows and composing the traces is the work of a unit: on every core.
        let (donations, by_fund, traces) =
            tokio::task::spawn_blocking(move || compose(rows, &hops, as_of))
                .await
                .map_err(|e| SourceError::Parsing(e.to_string()))??;
        tracing::debug!(elapsed = ?started.elapsed(), "donations and traces read");
        let mut signed = Vec::new();
        let author = format!("org:{org}");
        for bucket in 0..as_of.div_ceil(ENTRY_BUCKET) {
            for row in self
                .reader
                .entries_signed_in_bucket(&author, bucket, as_of)
                .await?
            {
                signed.push(entry_meta(&row)?);
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "signed entries read");
        let unit = summaries.with_unit(org, donations, by_fund, traces, signed);
        tracing::debug!(elapsed = ?started.elapsed(), "unit indexed");
        Ok(unit)
    }

    /// Money raised by project over the whole ledger ([`Snapshot::raised`]), summed as the
    /// donation rows stream by.
    pub async fn raised(&mut self) -> Result<Raised, SourceError> {
        self.raised_under(keys::DONATION.prefix()).await
    }

    /// [`Source::raised`] of organisation `org` alone (an incremental build keeps the other
    /// organisations' sums).
    pub async fn raised_of(&mut self, org: &str) -> Result<Raised, SourceError> {
        self.raised_under(&keys::DONATION.under(&[&org])).await
    }

    async fn raised_under(&mut self, prefix: &str) -> Result<Raised, SourceError> {
        let as_of = self.as_of;
        let mut out = BTreeMap::new();
        let mut rows = self.reader.records_under(prefix);
        while let Some((k, text)) = rows.try_next().await? {
            let d: DonationRow = rows::read(&k, &text)?;
            if d.record.seq < as_of {
                add_raised(&mut out, &d);
            }
        }
        Ok(out)
    }
}

fn checkpoint_meta(
    size: u64,
    note: String,
    entries: &BTreeMap<u64, EntryMeta>,
) -> Result<CheckpointMeta, SourceError> {
    let text = note.split_once("\n\n").map(|(t, _)| format!("{t}\n"));
    let cp = text
        .as_deref()
        .and_then(|t| Checkpoint::parse(t).ok())
        .ok_or_else(|| bad(size.saturating_sub(1), "its checkpoint note does not parse"))?;
    let recorded_at = size
        .checked_sub(1)
        .and_then(|i| entries.get(&i))
        .map_or(0, |e| e.recorded_at);
    Ok(CheckpointMeta {
        size,
        root_hex: cp.root.to_hex(),
        note,
        recorded_at,
    })
}
