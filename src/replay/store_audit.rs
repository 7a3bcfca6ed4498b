//! The database audit: streams the stored log through the pure [`Auditor`], then checks the
//! stored tree nodes and the cached views against what the replay derives. `sunshine audit`,
//! the tests and the benches all call [`audit_store`].

use futures_util::TryStreamExt;
use indicatif::ProgressBar;

use super::audit::{
    AuditError, AuditReport, Auditor, Fed, LevelCheck, PREPARE_ROWS, PreparedRow, RecordCheck, Row,
    SnapshotCheck, ViewCheck, prepare,
};
use super::snapshot;
use super::state::State;
use crate::ledger::Hash;
use crate::money::records::{RECORD_DERIVATION, Records};
use crate::store::{Store, StoreError, ViewsReader};

/// Why an audit could not be completed or failed.
#[derive(Debug, thiserror::Error)]
pub enum AuditRunError {
    // Not `#[from]`: that would make the audit error a "source" too, printed twice.
    #[error("AUDIT FAILED: {0}")]
    Failed(AuditError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("an audit worker thread failed: {0}")]
    Worker(String),
}

impl From<AuditError> for AuditRunError {
    fn from(e: AuditError) -> Self {
        AuditRunError::Failed(e)
    }
}

/// Audits the database behind `store`.
pub async fn audit_store(store: &Store, bar: &ProgressBar) -> Result<AuditReport, AuditRunError> {
    audit_store_with(store, bar, Auditor::new()).await
}

/// Audits the database behind `store` with `auditor` (a fresh one: tests give it books to
/// keep closer together than a real audit does).
pub async fn audit_store_with(
    store: &Store,
    bar: &ProgressBar,
    auditor: Auditor,
) -> Result<AuditReport, AuditRunError> {
    let tree_size = store.size().await?;
    audit_store_begun_at(store, bar, auditor, tree_size).await
}

/// [`audit_store_with`], begun when the log held `tree_size` entries: the stored tree is
/// checked at that size beside the replay, and again at the size the replay reached if the
/// log grew meanwhile (a server appending). Tests give a size below the log's to take the
/// second path without racing a writer.
pub async fn audit_store_begun_at(
    store: &Store,
    bar: &ProgressBar,
    mut auditor: Auditor,
    tree_size: u64,
) -> Result<AuditReport, AuditRunError> {
    // The stored tree is checked against the stored leaf hashes on a task of its own, beside
    // the replay (which checks those hashes against the leaves).
    let mut nodes = AbortOnDrop(tokio::spawn({
        let store = store.clone();
        async move { audit_nodes(&store, tree_size).await }
    }));
    let mut views = store.views_reader().await?;
    let view_size = views.size;
    let mut derived_views = None;
    let mut records = match views.record_size {
        Some(size) => {
            let last = store.last_correction_below(size).await?;
            // Its rebuild emits every record the stored ones are compared with.
            if let Some(seq) = last {
                auditor.rebuild_fully_at(seq);
            }
            Some(RecordCheck::new(last.unwrap_or(0), size))
        }
        None => None,
    };
    // Read before the log, so a snapshot a running server writes meanwhile (always of a size
    // past the log read here) cannot stand in for one. Each is read when the replay reaches
    // its size, one at a time.
    let mut kept: std::collections::VecDeque<u64> = store.snapshot_sizes().await?.into();
    let mut snapshots = Vec::new();
    check_snapshots_at(store, &mut kept, auditor.state(), &mut snapshots).await?;
    let mut checkpoints = store.checkpoints();
    let mut next_checkpoint = checkpoints.try_next().await?;
    // Three stages: while the rows of one chunk are replayed in order here, the next chunks'
    // rows are checked on their own (encoding, signatures) on blocking threads, and the chunk
    // after those is read from the store on a task of its own.
    let mut chunks = prepare_ahead(store.clone());
    while let Some(handle) = chunks.recv().await {
        let prepared = handle?
            .await
            .map_err(|e| AuditRunError::Worker(e.to_string()))?;
        for row in prepared {
            let seq = row.seq();
            let emitted = match auditor.entry_prepared(row)? {
                Fed::Done(records) => records,
                Fed::Rebuild { from, upto } => {
                    // The rebuild re-emits every record of the log from `from` on: compared
                    // (or, with no stored records to compare, dropped) a part at a time as it
                    // goes.
                    let mut first = true;
                    let mut earlier = store.entries_from(from);
                    while let Some(e) = earlier.try_next().await? {
                        if e.seq >= upto {
                            break;
                        }
                        auditor.feed_earlier(e.leaf)?;
                        if auditor.correction_records_held() >= RECORDS_PER_LOOKUP {
                            let rows = auditor.take_correction_records();
                            if let Some(check) = records.as_mut() {
                                check.emitted(
                                    seq,
                                    Records {
                                        reset_from: first.then_some(from),
                                        rows,
                                    },
                                );
                                compare_records(&mut views, check).await?;
                            }
                            first = false;
                        }
                    }
                    drop(earlier);
                    let mut rest = auditor.finish_correction()?;
                    rest.reset_from = first.then_some(from);
                    rest
                }
            };
            if let Some(check) = records.as_mut() {
                check.emitted(seq, emitted);
                if check.pending() >= RECORDS_PER_LOOKUP {
                    compare_records(&mut views, check).await?;
                }
            }
            bar.inc(1);
            // A checkpoint is checked right after the entry that completes its size; one whose
            // size was already passed is out of order, and the auditor reports it.
            while let Some((size, note)) = next_checkpoint.take() {
                if size > auditor.size() {
                    next_checkpoint = Some((size, note));
                    break;
                }
                auditor.checkpoint(size, &note)?;
                next_checkpoint = checkpoints.try_next().await?;
            }
            if view_size == Some(auditor.size()) {
                derived_views = Some(ViewCheck::new(auditor.state()));
            }
            check_snapshots_at(store, &mut kept, auditor.state(), &mut snapshots).await?;
        }
    }
    drop(chunks);
    if let Some((size, _)) = next_checkpoint {
        return Err(AuditError::Checkpoint {
            size,
            reason: format!("beyond the end of the log (size {})", auditor.size()),
        }
        .into());
    }
    if let Some(&size) = kept.front() {
        return Err(AuditError::Snapshot {
            size,
            reason: format!("beyond the end of the log (size {})", auditor.size()),
        }
        .into());
    }
    let (mut report, _state) = auditor.finish()?;
    report.snapshots = snapshots;
    report.nodes = match (&mut nodes.0).await {
        Ok(checked) if tree_size == report.size => checked?,
        // The log grew while it was read (a server appending): the tree again, at the size
        // the replay reached.
        Ok(_) => audit_nodes(store, report.size).await?,
        Err(e) => return Err(AuditRunError::Worker(e.to_string())),
    };
    report.views = audit_views(&mut views, derived_views).await?;
    report.views += audit_records(&mut views, records, report.size).await?;
    Ok(report)
}

/// Checks the kept snapshots of the replayed state's size (the front of `kept`, smallest
/// first), adding what it made of each to `checked`. One a running server dropped since the
/// sizes were read (it keeps the newest few) is passed over.
async fn check_snapshots_at(
    store: &Store,
    kept: &mut std::collections::VecDeque<u64>,
    replayed: &State,
    checked: &mut Vec<SnapshotCheck>,
) -> Result<(), AuditRunError> {
    while kept.front() == Some(&replayed.size()) {
        let size = replayed.size();
        kept.pop_front();
        if let Some(bytes) = store.snapshot_at(size).await? {
            checked.push(check_snapshot(size, bytes, replayed)?);
        }
    }
    Ok(())
}

/// Compares a stored start snapshot with the state the replay reached at its size: the same
/// bytes, or a finding that names where they part.
fn check_snapshot(
    size: u64,
    bytes: Vec<u8>,
    replayed: &State,
) -> Result<SnapshotCheck, AuditError> {
    let fail = |reason: String| AuditError::Snapshot { size, reason };
    match snapshot::version(&bytes) {
        Ok(version) if version != snapshot::VERSION => {
            return Ok(SnapshotCheck::OtherVersion { size, version });
        }
        Ok(_) => {}
        Err(e) => return Err(fail(e.to_string())),
    }
    let derived = snapshot::encode(replayed);
    if derived != bytes {
        return Err(fail(format!(
            "differs from the replayed state at {}",
            snapshot::first_difference(&bytes, &derived)
        )));
    }
    Ok(SnapshotCheck::Matched(size))
}

/// Derived record rows looked up at a time.
const RECORDS_PER_LOOKUP: usize = 4096;

/// Looks up the derived record rows not yet compared and compares them.
async fn compare_records(
    views: &mut ViewsReader,
    check: &mut RecordCheck,
) -> Result<(), AuditRunError> {
    let derived = check.take_pending();
    let keys: Vec<String> = derived.iter().map(|(k, _, _)| k.clone()).collect();
    let stored = views.records_among(&keys).await?;
    check.compare(derived, &stored)?;
    Ok(())
}

/// Finishes the record comparison: the last rows, then the count, naming a stored row the log
/// does not derive if there is one.
async fn audit_records(
    views: &mut ViewsReader,
    check: Option<RecordCheck>,
    log_size: u64,
) -> Result<u64, AuditRunError> {
    let fail = |key: &str, reason: String| -> AuditRunError {
        AuditError::View {
            key: key.to_owned(),
            reason,
        }
        .into()
    };
    // None written yet (a ledger from before records were kept, until the next start writes
    // them): nothing to compare, as for views never cached. Readers find no record meanwhile;
    // none can be false.
    let Some(mut check) = check else {
        return match views.records().try_next().await? {
            Some((key, _)) => Err(fail(&key, "stored without a recorded log size".into())),
            None => Ok(0),
        };
    };
    let size = views.record_size.unwrap_or(0);
    if let Some(stored) = views.record_derivation.filter(|d| *d != RECORD_DERIVATION) {
        return Err(fail(
            "record_size",
            format!(
                "the records were written by a build of record derivation {stored}, this build \
                 derives {RECORD_DERIVATION}; the next start of this build writes them afresh"
            ),
        ));
    }
    if size > log_size {
        return Err(fail(
            "record_size",
            format!("records stored as of size {size}, beyond the end of the log ({log_size})"),
        ));
    }
    compare_records(views, &mut check).await?;
    let stored = views.record_count().await?;
    match check.finish(stored) {
        Ok(checked) => Ok(checked),
        Err(check) => {
            let mut rows = views.records();
            while let Some((key, _)) = rows.try_next().await? {
                if !check.derives(&key) {
                    return Err(RecordCheck::extra(&key).into());
                }
            }
            Err(fail(
                "*",
                format!("{stored} record rows stored, the log derives another number"),
            ))
        }
    }
}

/// A task that stops when the audit does, whichever way it ends.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Chunks read ahead of the replay: at most this many wait, checked or being checked.
const CHUNKS_AHEAD: usize = 2;

/// Reads the stored entries [`PREPARE_ROWS`] at a time on a task of its own, and starts
/// checking each chunk on its own on blocking threads as soon as it is read, so reading,
/// checking and the replay overlap. The chunks come in log order; a read error ends them. The
/// reading stops when the receiver is dropped (an audit that found something).
fn prepare_ahead(
    store: Store,
) -> tokio::sync::mpsc::Receiver<Result<tokio::task::JoinHandle<Vec<PreparedRow>>, StoreError>> {
    let (tx, rx) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
    tokio::spawn(async move {
        let mut entries = std::pin::pin!(store.audit_rows());
        loop {
            let chunk = match read_chunk(&mut entries).await {
                Ok(rows) if rows.is_empty() => return,
                Ok(rows) => Ok(tokio::task::spawn_blocking(move || prepare(rows))),
                Err(e) => Err(e),
            };
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    rx
}

/// The next [`PREPARE_ROWS`] stored entries (fewer at the end of the log, none after it).
async fn read_chunk(
    entries: &mut (impl futures_util::Stream<Item = Result<Row, StoreError>> + Unpin),
) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::with_capacity(PREPARE_ROWS);
    while rows.len() < PREPARE_ROWS {
        match entries.try_next().await? {
            Some(row) => rows.push(row),
            None => break,
        }
    }
    Ok(rows)
}

/// Compares the cached summary views with those the log derives at the size they were cached
/// (`derived`: the check made at that size), streaming the cached rows.
async fn audit_views(
    views: &mut ViewsReader,
    derived: Option<ViewCheck>,
) -> Result<u64, AuditRunError> {
    let Some(mut check) = derived else {
        let size = views.size;
        if let Some((key, _)) = views.rows().try_next().await? {
            let reason = match size {
                Some(size) => format!("cached at size {size}, beyond the end of the log"),
                None => "cached without a recorded log size".to_owned(),
            };
            return Err(AuditError::View { key, reason }.into());
        }
        return Ok(0);
    };
    let mut rows = views.rows();
    while let Some((key, value)) = rows.try_next().await? {
        check.stored(&key, &value)?;
    }
    drop(rows);
    Ok(check.finish()?)
}

/// Verifies every stored interior node, level by level, against the verified level below.
async fn audit_nodes(store: &Store, size: u64) -> Result<u64, AuditRunError> {
    let mut checked = 0;
    let mut level: u8 = 1;
    while level < 64 && (size >> level) > 0 {
        let check = LevelCheck::new(level);
        let mut check = check;
        let mut upper = store.level_nodes(level);
        let mut lower: std::pin::Pin<
            Box<dyn futures_util::Stream<Item = Result<Vec<u8>, StoreError>> + Send + '_>,
        > = if level == 1 {
            Box::pin(store.leaf_hashes())
        } else {
            Box::pin(store.level_nodes(level - 1).map_ok(|(_, h)| h))
        };
        while let Some(bytes) = lower.try_next().await? {
            let h = Hash::from_slice(&bytes).ok_or_else(|| {
                StoreError::Corrupt(format!("a level {} hash is not 32 bytes", level - 1))
            })?;
            if let Some(expected) = check.lower(h) {
                let stored = upper.try_next().await?;
                check.upper(expected, stored.as_ref().map(|(i, b)| (*i, b.as_slice())))?;
                checked += 1;
            }
        }
        if let Some((idx, _)) = upper.try_next().await? {
            return Err(check.extra(idx).into());
        }
        level += 1;
    }
    // Rows at levels the tree does not reach, or anything else not accounted for above.
    let stored = store.node_count().await?;
    if stored != checked {
        return Err(AuditError::Node {
            level,
            index: 0,
            first: 0,
            last: 0,
            reason: format!("{stored} interior nodes stored, the tree has {checked}"),
        }
        .into());
    }
    Ok(checked)
}
