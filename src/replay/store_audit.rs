//! The database audit: streams the stored log through the pure [`Auditor`], then checks the
//! stored tree nodes and the cached views against what the replay derives. `sunshine audit`,
//! the tests and the benches all call [`audit_store`].

use futures_util::TryStreamExt;
use indicatif::ProgressBar;

use super::audit::{
    AuditError, AuditReport, Auditor, LevelCheck, PREPARE_ROWS, PreparedRow, Row, ViewCheck,
    ViewsMissing, prepare,
};
use super::state::State;
use crate::ledger::Hash;
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
    let mut auditor = Auditor::new();
    let mut views = store.views_reader().await?;
    let view_size = views.size;
    let mut derived_views = None;
    let mut checkpoints = store.checkpoints();
    let mut next_checkpoint = checkpoints.try_next().await?;
    let mut entries = store.audit_rows();
    // Two stages on two cores: while the rows of one chunk are replayed in order here, the
    // next chunk's rows are checked on their own (encoding, signatures) on other threads.
    let mut preparing = prepare_next(&mut entries).await?;
    while let Some(handle) = preparing {
        let prepared = handle
            .await
            .map_err(|e| AuditRunError::Worker(e.to_string()))?;
        preparing = prepare_next(&mut entries).await?;
        for row in prepared {
            auditor.entry_prepared(row)?;
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
                derived_views = Some(auditor.state().clone());
            }
        }
    }
    drop(entries);
    if let Some((size, _)) = next_checkpoint {
        return Err(AuditError::Checkpoint {
            size,
            reason: format!("beyond the end of the log (size {})", auditor.size()),
        }
        .into());
    }
    let (mut report, _state) = auditor.finish()?;
    report.nodes = audit_nodes(store, report.size).await?;
    report.views = audit_views(&mut views, derived_views).await?;
    Ok(report)
}

/// Reads the next [`PREPARE_ROWS`] stored entries and starts checking them on their own on
/// blocking threads; `None` at the end of the log.
async fn prepare_next(
    entries: &mut (impl futures_util::Stream<Item = Result<Row, StoreError>> + Unpin),
) -> Result<Option<tokio::task::JoinHandle<Vec<PreparedRow>>>, StoreError> {
    let mut rows = Vec::with_capacity(PREPARE_ROWS);
    while rows.len() < PREPARE_ROWS {
        match entries.try_next().await? {
            Some(row) => rows.push(row),
            None => break,
        }
    }
    Ok((!rows.is_empty()).then(|| tokio::task::spawn_blocking(move || prepare(rows))))
}

/// Compares the cached views with the views the log derives at the size they were cached
/// (`derived`: the replayed state at that size), streaming the cached rows.
async fn audit_views(
    views: &mut ViewsReader,
    derived: Option<State>,
) -> Result<u64, AuditRunError> {
    let Some(derived) = derived else {
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
    let mut check = ViewCheck::new(derived);
    let mut rows = views.rows();
    while let Some((key, value)) = rows.try_next().await? {
        check.stored(&key, &value)?;
    }
    drop(rows);
    match check.finish() {
        Ok(checked) => Ok(checked),
        Err(ViewsMissing::Summary(e)) => Err(e.into()),
        Err(ViewsMissing::Records { missing, check }) => {
            for key in check.record_keys() {
                if !views.contains(&key).await? {
                    return Err(ViewCheck::missing(&key).into());
                }
            }
            Err(AuditError::View {
                key: "*".to_owned(),
                reason: format!("{missing} derived record views are missing from the cache"),
            }
            .into())
        }
    }
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
            Box::pin(store.entries_from(0).map_ok(|e| e.leaf_hash))
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
