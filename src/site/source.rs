//! Reads what pages need from the store: the one place in `site` with I/O.
//!
//! A [`Snapshot`] is read at the size the cached views reflect, so figures, entries and the
//! checkpoint agree. Key history comes from replaying only the trust-changing entries (genesis,
//! `org.register`, `org.keys`) through [`Authority`], the same code the append path uses.

use std::borrow::Cow;
use std::collections::BTreeMap;

use futures_util::TryStreamExt;
use serde_json::Value;

use super::snapshot::{CheckpointMeta, EntryMeta, KeyRow, RAW_PREFIX, Snapshot, keeps_body};
use crate::ledger::authority::Authority;
use crate::ledger::note::{self, Checkpoint};
use crate::ledger::{SealedEntry, Timestamp};
use crate::money::records::{compose_trace, is_record_key};
use crate::money::views::keys;
use crate::store::{Store, StoreError, StoredEntry};

/// Why the site cannot be read from the store.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored entry {seq} cannot be read: {reason}; run `sunshine audit`")]
    Entry { seq: u64, reason: String },
    #[error("view {0} is not JSON; run `sunshine audit`")]
    View(String),
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

/// Reads a snapshot at the size the cached views reflect.
pub async fn snapshot(store: &Store) -> Result<Snapshot, SourceError> {
    // Size and rows from one read snapshot: another server may replace the views meanwhile.
    let (as_of, rows) = store.views_snapshot().await?;
    let as_of = as_of.ok_or(SourceError::NoViews)?;
    // The views parse on another thread while the entries stream in. Traces stay text (checked
    // to be JSON): only the receipt shards read them, and they copy them out whole.
    let parsing = tokio::task::spawn_blocking(move || {
        let mut views = BTreeMap::new();
        let mut hops: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        let mut donations = Vec::new();
        for (k, text) in rows {
            if keys::HOP.has(&k) {
                // `hop/{org}/{receipt}/...` under the donation's own prefix.
                let owner = keys::HOP
                    .parts(&k)
                    .map(|p| p.take(2).collect::<Vec<_>>().join("/"))
                    .unwrap_or_default();
                hops.entry(owner).or_default().push((k, text));
                continue;
            }
            let v =
                serde_json::from_str::<Value>(&text).map_err(|_| SourceError::View(k.clone()))?;
            // Records are stored as of the whole log; the site shows the log up to `as_of`.
            if is_record_key(&k) && v["seq"].as_u64().is_none_or(|seq| seq >= as_of) {
                continue;
            }
            if keys::DONATION.has(&k) {
                donations.push((k.clone(), text));
            }
            views.insert(k, v);
        }
        // Traces are composed here, once, and kept as text: only the receipt shards read them,
        // and they copy them out whole.
        let mut raw = BTreeMap::new();
        for (k, text) in donations {
            let owner = &k[keys::DONATION.prefix().len()..];
            let own_hops: Vec<(String, String)> = hops
                .remove(owner)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, h)| {
                    serde_json::from_str::<Value>(h)
                        .is_ok_and(|h| h["seq"].as_u64().is_some_and(|seq| seq < as_of))
                })
                .collect();
            let trace =
                compose_trace((&k, &text), &own_hops).map_err(|e| SourceError::View(e.key))?;
            if let Some(trace) = trace {
                let text = serde_json::to_string(&trace)
                    .map_err(|e| SourceError::Parsing(e.to_string()))?;
                raw.insert(format!("{RAW_PREFIX}{owner}"), text);
            }
        }
        Ok::<_, SourceError>((views, raw))
    });
    let mut entries = Vec::with_capacity(usize::try_from(as_of).unwrap_or(0));
    let mut authority = Authority::default();
    let mut stream = store.entries_from(0);
    while let Some(row) = stream.try_next().await? {
        if row.seq >= as_of {
            break;
        }
        let meta = entry_meta(&row)?;
        if matches!(meta.kind, "genesis" | "org.register" | "org.keys") {
            let sealed = SealedEntry::open(row.leaf).map_err(|e| bad(row.seq, e))?;
            let change = authority
                .check(row.seq, &sealed.entry.submission.submission)
                .map_err(|e| bad(row.seq, e))?;
            authority.apply(row.seq, change);
        }
        entries.push(meta);
    }
    drop(stream);
    let (views, raw) = parsing
        .await
        .map_err(|e| SourceError::Parsing(e.to_string()))??;
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
        views,
        raw,
        entries,
        checkpoint,
        vkey,
        keys,
        idx: Default::default(),
        judged_on: Some(crate::ledger::Timestamp::now().china_date()),
    };
    snap.index();
    Ok(snap)
}

fn checkpoint_meta(
    size: u64,
    note: String,
    entries: &[EntryMeta],
) -> Result<CheckpointMeta, SourceError> {
    let text = note.split_once("\n\n").map(|(t, _)| format!("{t}\n"));
    let cp = text
        .as_deref()
        .and_then(|t| Checkpoint::parse(t).ok())
        .ok_or_else(|| bad(size.saturating_sub(1), "its checkpoint note does not parse"))?;
    let recorded_at = size
        .checked_sub(1)
        .and_then(|i| entries.get(usize::try_from(i).ok()?))
        .map_or(0, |e| e.recorded_at);
    Ok(CheckpointMeta {
        size,
        root_hex: cp.root.to_hex(),
        note,
        recorded_at,
    })
}
