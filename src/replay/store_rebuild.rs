//! Feeds a correction's rebuild the entries before it from the database: the adapter half of
//! [`Rebuilding`], shared by the append path and the database audit.

use futures_util::TryStreamExt;

use super::state::{AdmitError, Rebuilding, State};
use crate::ledger::SealedEntry;
use crate::money::records::Records;
use crate::store::{Store, StoreError};

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebuiltRecords {
    /// Answer them all (the append path writes them with the correction).
    Keep,
    /// Drop them as they come (a process catching up with entries another one wrote, records
    /// included): memory holds a part of them at a time.
    Drop,
}

/// Records a dropping rebuild holds before it lets them go.
const RECORDS_HELD: usize = 4096;

/// Feeds `rebuild` the stored entries before it, then `pending` (the leaves of entries that
/// come after the stored log and before the correction: the same batch's, not yet written),
/// and finishes it. Memory holds one entry at a time, and the records as `records` says.
pub async fn rebuild_from_store(
    store: &Store,
    mut rebuild: Box<Rebuilding>,
    pending: &[&[u8]],
    records: RebuiltRecords,
) -> Result<(State, Records), RebuildError> {
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
        if records == RebuiltRecords::Drop && rebuild.records_held() >= RECORDS_HELD {
            rebuild.take_records();
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
    let (state, rest) = rebuild.finish()?;
    Ok(match records {
        RebuiltRecords::Keep => (state, rest),
        RebuiltRecords::Drop => (state, Records::default()),
    })
}
