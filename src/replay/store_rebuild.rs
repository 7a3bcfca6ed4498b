//! Feeds a correction's rebuild the entries before it from the database: the adapter half of
//! [`Rebuilding`], shared by the append path and the database audit.

use futures_util::TryStreamExt;

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

/// Records a rebuild holds before it writes or drops them.
const RECORDS_HELD: usize = 4096;

/// Feeds `rebuild` the stored entries before it, then `pending` (the leaves of entries that
/// come after the stored log and before the correction: the same batch's, not yet written),
/// and finishes it. Memory holds one entry at a time, and at most [`RECORDS_HELD`] records
/// (with a few more from the last entry fed): none of them come back to the caller.
pub async fn rebuild_from_store(
    store: &Store,
    rebuild: Box<Rebuilding>,
    pending: &[&[u8]],
    mut records: RebuiltRecords<'_>,
) -> Result<State, RebuildError> {
    if let RebuiltRecords::Write(tx) = &mut records {
        tx.begin_records_rewrite().await?;
    }
    let done = feed_and_finish(store, rebuild, pending, &mut records).await;
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

async fn feed_and_finish(
    store: &Store,
    mut rebuild: Box<Rebuilding>,
    pending: &[&[u8]],
    records: &mut RebuiltRecords<'_>,
) -> Result<State, RebuildError> {
    let upto = rebuild.upto();
    let mut entries = store.entries_from(0);
    let mut fed = 0;
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
        let rows: Vec<(String, String)> = part.iter().map(Record::row).collect();
        tx.put_record_rows(&rows).await?;
    }
    Ok(())
}
