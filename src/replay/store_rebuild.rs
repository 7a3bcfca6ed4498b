//! Feeds a correction's rebuild the entries before it from the database: the adapter half of
//! [`Rebuilding`], shared by the append path and the database audit.
//!
//! The rebuild starts from the newest kept start snapshot it may start from (below the
//! correction's target, and below no later correction's target: [`Rebuilding::can_start_at`]),
//! and rewrites only the records of the entries from there on; from entry 0 when there is none.
//! A correction at ten million entries used to replay and rewrite all of them (14 to 22 minutes
//! in which no other entry could be appended); from a snapshot it replays the entries since.

use futures_util::TryStreamExt;

use super::bases::Bases;
use super::snapshot;
use super::state::{AdmitError, Rebuilding, State};
use crate::ledger::SealedEntry;
use crate::money::records::Record;
use crate::store::{AppendTx, Store, StoreError};

/// Why a correction's rebuild could not be finished.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    /// The correction is refused (or an earlier entry no longer replays with it).
    #[error(transparent)]
    Admit(#[from] AdmitError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored entry {seq} cannot be read: {reason}; run `sunshine audit`")]
    Stored { seq: u64, reason: String },
}

/// What the caller of [`rebuild_from_store`] does with the rebuilt log's records.
pub enum RebuiltRecords<'a> {
    /// Write them into this append transaction as they come, after clearing the stored ones
    /// (the append path, when the stored records follow the log: see
    /// [`AppendTx::records_follow_log`]). A rebuild that fails part way puts the stored ones
    /// back; memory holds a part of them at a time.
    Write(&'a mut AppendTx),
    /// Drop them as they come (a process catching up with entries another one wrote, records
    /// included, or an append whose stored records lag the log): memory holds a part of them
    /// at a time.
    Drop,
}

/// Where a rebuild may start.
#[derive(Debug, Clone, Copy)]
pub enum RebuildStart<'a> {
    /// From the newest it may start from of the books `bases` kept in memory (a replay's) and
    /// the store's kept snapshots, or from entry 0.
    Nearest(&'a Bases),
    /// From entry 0: for a caller that writes the records of the entries before the
    /// correction itself and has not written them all yet (a store writing every record row
    /// afresh), where rows below a snapshot would be missing.
    Genesis,
}

/// Records a rebuild holds before it writes or drops them.
const RECORDS_HELD: usize = 4096;

/// Feeds `rebuild` the stored entries before it, then `pending` (the leaves of entries that
/// come after the stored log and before the correction: the same batch's, not yet written),
/// and finishes it. Memory holds one entry at a time, and at most [`RECORDS_HELD`] records
/// (with a few more from the last entry fed): none of them come back to the caller.
pub async fn rebuild_from_store(
    store: &Store,
    mut rebuild: Box<Rebuilding>,
    start: RebuildStart<'_>,
    pending: &[&[u8]],
    mut records: RebuiltRecords<'_>,
) -> Result<State, RebuildError> {
    let base = match start {
        RebuildStart::Nearest(bases) => {
            let in_memory = bases.newest_start(&rebuild).map(|(s, b)| (s, b.clone()));
            let above = in_memory.as_ref().map_or(0, |(size, _)| *size);
            match (
                start_from_snapshot(store, &mut rebuild, above).await?,
                in_memory,
            ) {
                (Some(size), _) => size,
                (None, Some((size, books))) => {
                    rebuild.start_at(size, books)?;
                    size
                }
                (None, None) => 0,
            }
        }
        RebuildStart::Genesis => 0,
    };
    if let RebuiltRecords::Write(tx) = &mut records {
        tx.begin_records_rewrite(base).await?;
    }
    let done = feed_and_finish(store, rebuild, base, pending, &mut records).await;
    if let RebuiltRecords::Write(tx) = &mut records {
        let ended = tx.end_records_rewrite(done.is_ok()).await;
        match (&done, ended) {
            (Ok(_), Err(e)) => return Err(e.into()),
            // The failed rebuild's own error says why; a savepoint the database already
            // dropped with the whole transaction (a full disk) would only hide it.
            (Err(_), Err(e)) => {
                tracing::error!(error = %e, "undoing a refused correction's records failed")
            }
            _ => {}
        }
    }
    done
}

/// Starts `rebuild` from the newest kept snapshot above size `above` it may start from, and
/// answers its size; `None` if there is none. A snapshot that does not decode or is not of
/// this log (its last leaf hash differs from the stored entry's) is passed over with a
/// warning, as at start.
async fn start_from_snapshot(
    store: &Store,
    rebuild: &mut Rebuilding,
    above: u64,
) -> Result<Option<u64>, RebuildError> {
    let sizes = store.snapshot_sizes().await?;
    for size in sizes.into_iter().rev() {
        if size <= above || !rebuild.can_start_at(size) {
            continue;
        }
        let Some(bytes) = store.snapshot_at(size).await? else {
            continue;
        };
        // A decoder that failed in any way passes the snapshot over, like one that refused it.
        let decoded = match tokio::task::spawn_blocking(move || snapshot::decode(bytes)).await {
            Ok(decoded) => decoded.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let stored = store.entry(size - 1).await?.map(|e| e.leaf_hash);
        match decoded {
            Ok(state)
                if state.size() == size
                    && stored.as_deref() == Some(state.last_hash().as_bytes()) =>
            {
                rebuild.start_at(size, state.money.books)?;
                tracing::info!(
                    from = size,
                    upto = rebuild.upto(),
                    "a correction's rebuild starts from a snapshot"
                );
                return Ok(Some(size));
            }
            Ok(_) => tracing::warn!(size, "a kept snapshot is not of this log; passed over"),
            Err(e) => {
                tracing::warn!(size, error = %e, "a kept snapshot does not decode; passed over")
            }
        }
    }
    Ok(None)
}

async fn feed_and_finish(
    store: &Store,
    mut rebuild: Box<Rebuilding>,
    base: u64,
    pending: &[&[u8]],
    records: &mut RebuiltRecords<'_>,
) -> Result<State, RebuildError> {
    let upto = rebuild.upto();
    let mut entries = store.entries_from(base);
    let mut fed = base;
    while fed < upto {
        let Some(row) = entries.try_next().await? else {
            break;
        };
        let sealed = SealedEntry::open(row.leaf).map_err(|e| RebuildError::Stored {
            seq: row.seq,
            reason: e.to_string(),
        })?;
        rebuild.feed(&sealed)?;
        fed += 1;
        if rebuild.records_held() >= RECORDS_HELD {
            let part = rebuild.take_records();
            pass_on(records, part).await?;
        }
    }
    drop(entries);
    for leaf in pending.iter().take((upto - fed) as usize) {
        let sealed = SealedEntry::open(leaf.to_vec()).map_err(|e| RebuildError::Stored {
            seq: fed,
            reason: e.to_string(),
        })?;
        rebuild.feed(&sealed)?;
        fed += 1;
    }
    let part = rebuild.take_records();
    pass_on(records, part).await?;
    let (state, rest) = rebuild.finish()?;
    pass_on(records, rest.rows).await?;
    Ok(state)
}

/// Writes `part` of the rebuilt records, or lets it go.
async fn pass_on(records: &mut RebuiltRecords<'_>, part: Vec<Record>) -> Result<(), RebuildError> {
    if let RebuiltRecords::Write(tx) = records {
        let rows: Vec<(String, String, u64)> = part.iter().map(Record::stored_row).collect();
        tx.put_record_rows(&rows).await?;
    }
    Ok(())
}
