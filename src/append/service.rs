//! The append pipeline: the one place where submissions become entries.
//!
//! Check signatures (strictly, in parallel, before any lock); then, holding the database's
//! append lock ([`Store::begin_append`]) — which serialises every process appending to the same
//! database, not just this one — catch up with entries other processes appended, admit every
//! submission into a copy of the state, seal the entries, extend the Merkle tree, sign one
//! checkpoint for the batch, and commit it all in that one transaction. The in-memory state is
//! replaced only after the commit succeeds, so a refused batch changes nothing anywhere.

use std::collections::BTreeMap;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use futures_util::TryStreamExt;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::views::{DeferredViews, ViewRefresher};

use crate::ledger::columns::LookupColumns;
use crate::ledger::entry::EntryError;
use crate::ledger::merkle::Appender;
use crate::ledger::note::Checkpoint;
use crate::ledger::submission::SUBMISSION_SIG_CONTEXT;
use crate::ledger::verify::{SigCheck, check_one};
use crate::ledger::{Entry, Hash, Kind, SealedEntry, SecretKey, SignedSubmission, Timestamp};
use crate::money::records::Records;
use crate::money::views::ViewDelta;
use crate::money::{Body, MoneyError, parse_body};
use crate::replay::bases::Bases;
use crate::replay::snapshot;
use crate::replay::state::{AdmitError, Admitted, State, parse_entry_body};
use crate::replay::store_rebuild::{
    RebuildError, RebuildStart, RebuiltRecords, rebuild_from_store,
};
use crate::store::{
    AppendBatch, AppendTx, NewEntry, RecordRows, Store, StoreError, TreeReadError, ViewWrite,
};

/// Why an append was refused or failed. `index` is the submission's position in the request.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("signature does not verify")]
    Signature { index: usize },
    #[error("{source}")]
    Admit { index: usize, source: AdmitError },
    #[error("{source}")]
    Entry { index: usize, source: EntryError },
    #[error("nonce repeats submission {} of the same request", .first + 1)]
    RepeatedInBatch { index: usize, first: usize },
    #[error("nothing to append")]
    Empty,
    #[error("the ledger has no genesis entry: run `sunshine init`")]
    NoGenesis,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("tree: {0}")]
    Tree(String),
    #[error("cannot sign the checkpoint: {0}")]
    Checkpoint(#[from] crate::ledger::note::NoteError),
    #[error("stored entry {seq} does not replay: {reason}; run `sunshine audit`")]
    Replay { seq: u64, reason: String },
    #[error("append task failed: {0}")]
    Task(String),
}

impl AppendError {
    /// The position in the request of the submission at fault, if one is.
    pub fn index(&self) -> Option<usize> {
        match self {
            AppendError::Signature { index }
            | AppendError::Admit { index, .. }
            | AppendError::Entry { index, .. }
            | AppendError::RepeatedInBatch { index, .. } => Some(*index),
            _ => None,
        }
    }
}

impl From<TreeReadError> for AppendError {
    fn from(e: TreeReadError) -> Self {
        match e {
            TreeReadError::Store(s) => AppendError::Store(s),
            TreeReadError::Tree(t) => AppendError::Tree(t),
        }
    }
}

/// One appended entry, as the caller needs it for a receipt.
#[derive(Debug, Clone)]
pub struct Appended {
    pub seq: u64,
    pub leaf_hash: Hash,
    pub leaf: Vec<u8>,
}

/// How a multi-submission commit treats a refused submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Any refusal refuses the whole request (CLI files, CSV imports, API batches).
    AllOrNone,
    /// Refusals are reported per submission; the rest commit together (group commit).
    EachOnItsOwn,
}

#[derive(Clone)]
struct Head {
    state: State,
    appender: Appender,
}

/// The ledger as a writer sees it.
pub struct LedgerService {
    /// Reads that may lag (a replica): what the read routes serve.
    reads: Store,
    /// The primary: appends, catch-up, receipts.
    store: Store,
    operator: SecretKey,
    head: Mutex<Head>,
    /// The log size this process last cached views at, and those rows, so the next refresh
    /// writes only what changed (see [`Store::replace_views`]); the lock also keeps this
    /// process's refreshes one at a time.
    last_views: Mutex<Option<(u64, BTreeMap<String, String>)>>,
    /// The head's state as of its last change, readable without waiting for the head lock
    /// (which an append holds through its commit).
    published: tokio::sync::watch::Sender<State>,
    /// Set in a server: commits poke it instead of refreshing the views inline.
    refresher: OnceLock<ViewRefresher>,
    /// A bulk load holds the views back until it is done ([`LedgerService::defer_views`]).
    views_deferred: AtomicBool,
    /// The log size of the newest start snapshot this process knows of (0: none).
    snapshot_size: AtomicU64,
    /// Held while a snapshot is encoded and written: a second writer (the refresher and a
    /// closing server race) waits, then finds it no longer due, instead of encoding the same
    /// state again.
    snapshotting: Mutex<()>,
}

/// The fewest entries after the newest snapshot for which a command, or a server stopping,
/// writes a new one: the next start then replays at most this many (a small fraction of a
/// second), while a command that appends one entry to a large ledger does not pay for
/// encoding the whole state.
const SNAPSHOT_GAP: u64 = 1_000;

/// The fewest entries after the newest snapshot for which a view refresh (after appends) writes
/// a new one: ten times [`SNAPSHOT_GAP`], and a twentieth of the log, so that encoding the state
/// (which grows with the log) costs a bounded share of the appends' time. Commands and a
/// server stopped by a signal write one with [`SNAPSHOT_GAP`] on the way out
/// ([`LedgerService::close`]); after a crash, the next start replays at most this many entries.
fn running_snapshot_gap(size: u64) -> u64 {
    (10 * SNAPSHOT_GAP).max(size / 20)
}

impl LedgerService {
    /// Opens the ledger in `store`, replaying the log to rebuild the state.
    pub async fn open(store: Store, operator: SecretKey) -> Result<LedgerService, AppendError> {
        let head = Head {
            state: State::default(),
            appender: Appender::new(),
        };
        let service = LedgerService {
            reads: store.clone(),
            store: store.primary(),
            operator,
            head: Mutex::new(head),
            last_views: Mutex::new(None),
            published: tokio::sync::watch::Sender::new(State::default()),
            refresher: OnceLock::new(),
            views_deferred: AtomicBool::new(false),
            snapshot_size: AtomicU64::new(0),
            snapshotting: Mutex::new(()),
        };
        service.write_missing_records().await?;
        let from_snapshot = service.start_from_snapshot().await?;
        // The views at the size they were cached, taken on the way, let the first refresh
        // write only what changed since, instead of every row.
        let cached = store.view_size().await?;
        let mut head = service.head.lock().await;
        let at_cached = match service.catch_up(&mut head, cached).await {
            // The entries after a snapshot do not follow from it: it is damaged in a way
            // decoding cannot tell (the audit names where). The log decides: replay it all.
            Err(AppendError::Replay { seq, reason }) if from_snapshot => {
                tracing::warn!(seq, %reason, "the log does not follow from the start snapshot; replaying the log");
                let fresh = Head {
                    state: State::default(),
                    appender: Appender::new(),
                };
                service.set_head(&mut head, fresh);
                service.catch_up(&mut head, cached).await?
            }
            other => other?,
        };
        drop(head);
        if let Some(state) = at_cached {
            let summary = state.summary_view_rows();
            service.repair_stale_views(state.size(), &summary).await?;
            *service.last_views.lock().await = Some((state.size(), summary));
        }
        Ok(service)
    }

    /// Views of one log size are the same rows whoever wrote them, as long as the rules are
    /// the same: a build whose figures changed (an upgrade) finds the views an earlier build
    /// cached at `size` and would otherwise carry them on unchanged, since later refreshes
    /// write only what changed since, and `sunshine audit` would then fail on them. The
    /// summary views are a few thousand rows, so they are compared at every start and
    /// rewritten whole if any differs. (The records, which grow with the log, are not.)
    async fn repair_stale_views(
        &self,
        size: u64,
        summary: &BTreeMap<String, String>,
    ) -> Result<(), AppendError> {
        let mut reader = self.store.views_reader().await?;
        if reader.size != Some(size) {
            return Ok(());
        }
        let stored: BTreeMap<String, String> = reader.rows().try_collect().await?;
        drop(reader);
        if &stored == summary {
            return Ok(());
        }
        let changed = ViewDelta::between(&stored, summary.clone());
        tracing::warn!(
            size,
            rows = changed.set.len() + changed.removed.len(),
            "the cached views differ from what this build derives (written by another version?); rewriting them"
        );
        self.store
            .replace_views(size, ViewWrite::Full(summary))
            .await?;
        Ok(())
    }

    /// Starts the head from the newest stored snapshot, if it can be used (answers whether it
    /// was): then only the entries after it are replayed. A snapshot that cannot be read
    /// (another version, damaged) or is not of this log (its last leaf hash differs from the
    /// stored entry's) is passed over with a warning, and the whole log is replayed;
    /// `sunshine audit` reports a damaged one.
    async fn start_from_snapshot(&self) -> Result<bool, AppendError> {
        let Some((size, bytes)) = self.store.newest_snapshot().await? else {
            return Ok(false);
        };
        let older = snapshot::version(&bytes).is_ok_and(|v| v != snapshot::VERSION);
        let decoded = tokio::task::spawn_blocking(move || snapshot::decode(bytes))
            .await
            .map_err(|e| AppendError::Task(e.to_string()))?;
        let state = match decoded {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(size, error = %e, "the start snapshot is not used; replaying the log");
                return Ok(false);
            }
        };
        let stored = match size.checked_sub(1) {
            Some(last) => self.store.entry(last).await?.map(|e| e.leaf_hash),
            None => None,
        };
        if state.size() != size || stored.as_deref() != Some(state.last_hash().as_bytes()) {
            tracing::warn!(
                size,
                "the start snapshot is not of this log (its size or last leaf hash differs); replaying the log"
            );
            return Ok(false);
        }
        let appender = self.store.with_nodes(|r| Appender::load(size, r)).await?;
        let mut head = self.head.lock().await;
        self.set_head(&mut head, Head { state, appender });
        // A snapshot of an older version is replaced at the next chance (the next refresh or
        // the close), as if none were stored.
        self.snapshot_size
            .store(if older { 0 } else { size }, Ordering::SeqCst);
        tracing::info!(size, older, "started from the snapshot");
        Ok(true)
    }

    /// Writes a start snapshot of `state` if it is at least `gap` entries past the newest one.
    /// A snapshot only saves time at the next start, so a failure is logged, not raised: the
    /// append it follows is durable already.
    async fn snapshot_if_due(&self, state: &State, gap: u64) {
        let _writing = self.snapshotting.lock().await;
        let size = state.size();
        if size
            < self
                .snapshot_size
                .load(Ordering::SeqCst)
                .saturating_add(gap)
        {
            return;
        }
        let owned = state.clone();
        let encoded = match tokio::task::spawn_blocking(move || snapshot::encode(&owned)).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "cannot encode the start snapshot");
                return;
            }
        };
        match self.store.put_snapshot(size, &encoded).await {
            Ok(()) => {
                self.snapshot_size.fetch_max(size, Ordering::SeqCst);
                tracing::info!(size, bytes = encoded.len(), "start snapshot written");
            }
            Err(e) => tracing::error!(error = %e, "cannot write the start snapshot"),
        }
    }

    /// What a command or a server does before it exits: a start snapshot, if more than a few
    /// entries came after the newest one, so that the next start is quick.
    /// Writes a start snapshot if the log grew enough since the newest one (as a view refresh
    /// after appends does): for long runs that defer their views (`sunshine demo`), which
    /// would otherwise write one only at their end, so that a run killed halfway leaves the
    /// next start a short replay instead of the whole log.
    pub async fn snapshot_as_it_grows(&self) -> Result<(), AppendError> {
        let state = self.current_state().await?;
        self.snapshot_if_due(&state, running_snapshot_gap(state.size()))
            .await;
        Ok(())
    }

    pub async fn close(&self) -> Result<(), AppendError> {
        let state = self.current_state().await?;
        self.snapshot_if_due(&state, SNAPSHOT_GAP).await;
        Ok(())
    }

    /// Writes every record row afresh if the stored ones are not those of the whole log: a
    /// database from before records were kept, or records an upgrade derives differently
    /// ([`crate::money::records::RECORD_DERIVATION`]). Appends write their records themselves, in
    /// their own transaction, so this finds nothing to do on any later start. It holds the
    /// append lock throughout (no append can slip in between) and writes as it replays, so
    /// memory holds one part of the log's records at a time.
    async fn write_missing_records(&self) -> Result<(), AppendError> {
        let mut tx = self.store.begin_append().await?;
        let size = tx.size();
        if self.store.record_size().await? == Some(size) {
            return Ok(());
        }
        // A new ledger's first open only records that its (no) records follow its log.
        if size > 0 {
            tracing::warn!(
                entries = size,
                "the stored records are not those of the log as this build derives them (missing, \
             or written by another version); writing them afresh"
            );
        }
        let mut state = State::default();
        let mut part = RecordRows {
            reset_from: Some(0),
            rows: Vec::new(),
        };
        let mut entries = self.store.entries_from(0);
        while let Some(row) = entries.try_next().await? {
            if row.seq >= size {
                break;
            }
            let (next, records) = replay_row(
                &self.store,
                state,
                row,
                RebuiltRecords::Write(&mut tx),
                &Bases::NONE,
            )
            .await?;
            state = next;
            // `None`: a correction, whose rebuild wrote every record of the log so far.
            part.follow(records);
            if part.rows.len() >= RECORDS_PER_WRITE {
                tx.put_records(&part).await?;
                part = RecordRows::default();
            }
        }
        drop(entries);
        tx.put_records(&part).await?;
        tx.rewrite_records(size).await?;
        Ok(())
    }

    /// From now on, commits hand view refreshes to a background task (debounced: see
    /// [`super::views`]) instead of doing them before the append returns. For servers, where
    /// many small commits a second would otherwise each pay for a refresh. Answers the task,
    /// which ends once the service is gone; `None` if one was started already.
    pub fn start_view_refresher(self: &Arc<Self>) -> Option<JoinHandle<()>> {
        let (refresher, task) = ViewRefresher::spawn(Arc::downgrade(self));
        match self.refresher.set(refresher) {
            Ok(()) => Some(task),
            Err(_) => {
                task.abort();
                None
            }
        }
    }

    /// Holds view refreshes back until the returned guard's `finish` (bulk loads: one refresh
    /// at the end instead of one per batch).
    pub fn defer_views(&self) -> DeferredViews<'_> {
        self.set_views_deferred(true);
        DeferredViews { service: self }
    }

    pub(super) fn set_views_deferred(&self, on: bool) {
        self.views_deferred.store(on, Ordering::SeqCst);
    }

    /// Called after every commit that appended something: the views follow the log here, so no
    /// caller has to remember to refresh them. A failed refresh does not undo or fail the
    /// append, which is durable already; it is logged, and the views keep the size they
    /// reflect (readers see it) until the next refresh catches them up.
    async fn views_moved(&self) {
        if let Some(refresher) = self.refresher.get() {
            refresher.poke();
        } else if !self.views_deferred.load(Ordering::SeqCst)
            && let Err(e) = self.refresh_views().await
        {
            tracing::error!(error = %e, "the append is committed, but the views could not be refreshed");
        }
    }

    /// The primary store: reads here see every committed append.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The read store (a replica when `DATABASE_READ_URL` names one): for pages, proofs, tiles.
    pub fn reads(&self) -> &Store {
        &self.reads
    }

    /// A copy of the state as this process last saw it (O(1)).
    pub async fn state(&self) -> State {
        self.head.lock().await.state.clone()
    }

    /// Whether `author` used `nonce` in the log as this process last saw it, answered without
    /// waiting for an append in progress. `false` may be out of date (an append in flight, or
    /// another process's); `true` is final, since the log only grows.
    pub fn nonce_seen(&self, author: &str, nonce: &str) -> bool {
        self.published.borrow().nonce_used(author, nonce)
    }

    /// Wakes at every change of this process's head (each commit, each catch-up), holding the
    /// state it moved to: the cosigning collector learns of new checkpoints from it at once,
    /// without polling the database, and times the cosigned checkpoint's lag from the commit.
    pub fn watch_head(&self) -> tokio::sync::watch::Receiver<State> {
        self.published.subscribe()
    }

    /// Replaces the head with `new`, and publishes its state.
    fn set_head(&self, head: &mut Head, new: Head) {
        self.published.send_replace(new.state.clone());
        *head = new;
    }

    /// A copy of the state including every entry committed so far, by any process.
    pub async fn current_state(&self) -> Result<State, AppendError> {
        let mut head = self.head.lock().await;
        self.catch_up(&mut head, None).await?;
        Ok(head.state.clone())
    }

    /// Admits entries other writers committed since this process last looked; answers the state
    /// at log size `capture` if it passed that size (or started there).
    async fn catch_up(
        &self,
        head: &mut Head,
        capture: Option<u64>,
    ) -> Result<Option<State>, AppendError> {
        let from = head.state.size();
        let mut state = head.state.clone();
        let mut captured = (capture == Some(from)).then(|| state.clone());
        let mut entries = self.store.entries_from(from);
        // The state it starts from is a base too: a correction in the tail then rebuilds from
        // it instead of decoding the same start snapshot again.
        let mut bases = Bases::default();
        bases.offer(&state);
        while let Some(row) = entries.try_next().await? {
            // The process that appended these wrote their records.
            state = replay_row(&self.store, state, row, RebuiltRecords::Drop, &bases)
                .await?
                .0;
            bases.offer(&state);
            if capture == Some(state.size()) {
                captured = Some(state.clone());
            }
        }
        drop(entries);
        if state.size() != from {
            let size = state.size();
            let appender = self.store.with_nodes(|r| Appender::load(size, r)).await?;
            self.set_head(head, Head { state, appender });
        }
        Ok(captured)
    }

    /// Brings the cached views up to the current state, recording the log size they reflect
    /// (readers show "as of entry N"; audits re-derive at that size). After the first refresh,
    /// only what changed since the previous one is recomputed and written. Between refreshes
    /// this process keeps the state and the summary rows it cached, never the rows of single
    /// records, which grow with the log.
    pub async fn refresh_views(&self) -> Result<u64, AppendError> {
        let mut last = self.last_views.lock().await;
        let state = self.current_state().await?;
        let summary = state.summary_view_rows();
        let size = state.size();
        // On failure `last` stays empty: an unknown outcome must not be diffed against.
        let written = match last.take() {
            Some((base, prev)) => {
                let delta = ViewDelta::between(&prev, summary.clone());
                self.store
                    .replace_views(
                        size,
                        ViewWrite::Delta {
                            base,
                            delta: &delta,
                        },
                    )
                    .await?
            }
            None => false,
        };
        if !written {
            self.store
                .replace_views(size, ViewWrite::Full(&summary))
                .await?;
        }
        *last = Some((size, summary));
        drop(last);
        self.snapshot_if_due(&state, running_snapshot_gap(size))
            .await;
        Ok(size)
    }

    /// Appends `subs` as consecutive entries, all or none, recorded at the current time.
    pub async fn append(&self, subs: Vec<SignedSubmission>) -> Result<Vec<Appended>, AppendError> {
        let results = self.commit(subs, None, Mode::AllOrNone).await?;
        results.into_iter().collect()
    }

    /// Appends with an explicit recording time (used by `sunshine demo` to lay out a history).
    pub async fn append_at(
        &self,
        subs: Vec<SignedSubmission>,
        recorded_at: Timestamp,
    ) -> Result<Vec<Appended>, AppendError> {
        let results = self
            .commit(subs, Some(recorded_at), Mode::AllOrNone)
            .await?;
        results.into_iter().collect()
    }

    /// Group commit: appends every submission that passes on its own, in order, in one durable
    /// transaction with one checkpoint, and refuses the others individually. This is how
    /// concurrent single submissions (the HTTP API) share one commit without sharing a fate.
    pub async fn append_each(
        &self,
        subs: Vec<SignedSubmission>,
    ) -> Result<Vec<Result<Appended, AppendError>>, AppendError> {
        self.commit(subs, None, Mode::EachOnItsOwn).await
    }

    /// [`LedgerService::append_each`] of submissions whose stateless check was done as each
    /// arrived (the HTTP API's group commit: the requests check their own signatures on every
    /// core, and the one committer only admits and writes).
    pub async fn append_each_prechecked(
        &self,
        pre: Vec<Prechecked>,
    ) -> Result<Vec<Result<Appended, AppendError>>, AppendError> {
        let started = std::time::Instant::now();
        if pre.is_empty() {
            return Err(AppendError::Empty);
        }
        let (subs, parts): (Vec<_>, Vec<_>) =
            pre.into_iter().map(|p| (p.sub, (p.sig, p.body))).unzip();
        let checked = combine(&subs, parts, Mode::EachOnItsOwn)?;
        self.commit_checked(subs, checked, None, Mode::EachOnItsOwn, started)
            .await
    }

    /// Appends `batches` in order, each all or none in a durable commit of its own (bulk loads,
    /// `sunshine bench`), checking and preparing each batch while the one before it is being
    /// written. Stops at the first refused or failed batch; the batches before it stay
    /// committed. Answers how many entries were appended.
    ///
    /// Each batch is prepared against the head the previous batch leads to, before that batch is
    /// durable; it is written only after the previous write succeeded, and the store refuses it
    /// if the log is not exactly the size it was prepared against (another writer process), so
    /// the chain cannot fork. The in-memory head only ever holds committed entries.
    pub async fn append_batches(
        &self,
        batches: impl IntoIterator<Item = Vec<SignedSubmission>>,
    ) -> Result<u64, AppendError> {
        let mut head = self.head.lock().await;
        self.catch_up(&mut head, None).await?;
        let mut base = Head {
            state: head.state.clone(),
            appender: head.appender.clone(),
        };
        let mut writing: Option<(tokio::task::JoinHandle<Result<(), StoreError>>, Head)> = None;
        let mut appended = 0;
        // Three stages at once: while one batch is written, the next is admitted to the state
        // on this thread and the one after it is checked (signatures, bodies: nothing that
        // depends on the state) on blocking threads.
        let check_ahead = |subs: Vec<SignedSubmission>| {
            tokio::task::spawn_blocking(move || {
                let checked = check(&subs, Mode::AllOrNone);
                (subs, checked)
            })
        };
        let mut batches = batches.into_iter();
        let mut checking = batches.next().map(check_ahead);
        while let Some(task) = checking.take() {
            let started = std::time::Instant::now();
            // A check that died fails this batch like a refused one: the batch before it is
            // still awaited and recorded below before the error is returned.
            let (subs, checked) = task
                .await
                .unwrap_or_else(|e| (Vec::new(), Err(AppendError::Task(e.to_string()))));
            let check_ms = started.elapsed().as_millis() as u64;
            checking = batches.next().map(check_ahead);
            let n = subs.len() as u64;
            // A correction's rebuild reads the stored log, so the batch before must be in it,
            // and rewrites the stored records as it goes, so its batch is prepared and written
            // in one transaction of its own rather than beside the next one.
            if subs.iter().any(|s| s.submission.kind == Kind::Correction) {
                if let Some((write, done)) = writing.take() {
                    write
                        .await
                        .map_err(|e| AppendError::Task(e.to_string()))??;
                    self.set_head(&mut head, done);
                }
                let mut tx = self.store.begin_append().await?;
                // Another writer's entries would be fed to the rebuild in place of ours.
                if tx.size() != base.state.size() {
                    return Err(StoreError::Conflict {
                        expected: base.state.size(),
                        found: tx.size(),
                    }
                    .into());
                }
                let checked = checked?;
                let recorded_at = next_recorded_at(&base.state);
                let prepared = self
                    .prepare(
                        &base,
                        Some(&mut tx),
                        subs,
                        checked,
                        recorded_at,
                        Mode::AllOrNone,
                    )
                    .await?;
                tx.commit(&prepared.batch).await?;
                base = prepared.head.clone();
                self.set_head(&mut head, prepared.head);
                appended += n;
                continue;
            }
            let prepared = match checked {
                Ok(checked) => {
                    let recorded_at = next_recorded_at(&base.state);
                    self.prepare(&base, None, subs, checked, recorded_at, Mode::AllOrNone)
                        .await
                }
                Err(e) => Err(e),
            };
            let prepare_ms = started.elapsed().as_millis() as u64;
            if let Some((write, done)) = writing.take() {
                write
                    .await
                    .map_err(|e| AppendError::Task(e.to_string()))??;
                self.set_head(&mut head, done);
            }
            let prepared = prepared?;
            tracing::debug!(
                entries = n,
                check_ms,
                prepare_ms,
                waited_ms = (started.elapsed().as_millis() as u64).saturating_sub(prepare_ms),
                "batch prepared"
            );
            base = prepared.head.clone();
            let store = self.store.clone();
            let batch = prepared.batch;
            let write = tokio::spawn(async move {
                let started = std::time::Instant::now();
                let written = store.append(&batch).await;
                tracing::debug!(
                    entries = batch.entries.len(),
                    write_ms = started.elapsed().as_millis() as u64,
                    "batch written"
                );
                written
            });
            writing = Some((write, prepared.head));
            appended += n;
        }
        if let Some((write, done)) = writing {
            write
                .await
                .map_err(|e| AppendError::Task(e.to_string()))??;
            self.set_head(&mut head, done);
        }
        drop(head);
        if appended > 0 {
            self.views_moved().await;
        }
        Ok(appended)
    }

    /// `recorded_at`: `None` records now — read under the append lock and never earlier than
    /// the previous entry, so servers whose clocks differ slightly still record a forward-moving
    /// log.
    async fn commit(
        &self,
        subs: Vec<SignedSubmission>,
        recorded_at: Option<Timestamp>,
        mode: Mode,
    ) -> Result<Vec<Result<Appended, AppendError>>, AppendError> {
        let started = std::time::Instant::now();
        let checked = check(&subs, mode)?;
        self.commit_checked(subs, checked, recorded_at, mode, started)
            .await
    }

    /// [`LedgerService::commit`] of submissions already checked; `started` is when the check
    /// began (for the log's timings).
    async fn commit_checked(
        &self,
        subs: Vec<SignedSubmission>,
        checked: Checked,
        recorded_at: Option<Timestamp>,
        mode: Mode,
        started: std::time::Instant,
    ) -> Result<Vec<Result<Appended, AppendError>>, AppendError> {
        let verified = started.elapsed();

        let mut head = self.head.lock().await;
        let mut tx = self.store.begin_append().await?;
        self.catch_up(&mut head, None).await?;
        let base_size = head.state.size();
        if base_size != tx.size() {
            return Err(StoreError::Conflict {
                expected: base_size,
                found: tx.size(),
            }
            .into());
        }
        let recorded_at = recorded_at.unwrap_or_else(|| next_recorded_at(&head.state));
        let prepared = self
            .prepare(&head, Some(&mut tx), subs, checked, recorded_at, mode)
            .await?;
        if prepared.batch.entries.is_empty() {
            return Ok(prepared.out);
        }
        let admitted = started.elapsed();
        tx.commit(&prepared.batch).await?;
        tracing::debug!(
            entries = prepared.batch.entries.len(),
            verify_ms = verified.as_millis() as u64,
            admit_ms = (admitted - verified).as_millis() as u64,
            commit_ms = (started.elapsed() - admitted).as_millis() as u64,
            "appended"
        );
        self.set_head(&mut head, prepared.head);
        drop(head);
        self.views_moved().await;
        Ok(prepared.out)
    }

    /// Seals and admits `subs` after `base`, skipping those `checked` refused, extends the tree
    /// and signs the checkpoint: everything an append writes, and the head it leads to. CPU
    /// work, but for a correction, whose rebuild reads the stored log (and must find every
    /// entry before `base` stored) and rewrites the stored records in `tx` (which a batch
    /// holding a correction must therefore be given); `base` is not changed.
    async fn prepare(
        &self,
        base: &Head,
        mut tx: Option<&mut AppendTx>,
        subs: Vec<SignedSubmission>,
        checked: Checked,
        recorded_at: Timestamp,
        mode: Mode,
    ) -> Result<Prepared, AppendError> {
        let mut state = base.state.clone();
        let mut appender = base.appender.clone();
        let mut batch = AppendBatch {
            base_size: state.size(),
            ..AppendBatch::default()
        };
        let Checked {
            mut refused,
            signing,
            bodies,
        } = checked;
        let mut out = Vec::with_capacity(subs.len());
        for (index, (submission, body)) in subs.into_iter().zip(bodies).enumerate() {
            if let Some(err) = refused[index].take() {
                out.push(Err(err));
                continue;
            }
            let columns = LookupColumns::of(&submission);
            let entry = Entry {
                seq: state.size(),
                prev: state.last_hash(),
                recorded_at,
                submission,
            };
            // `admit` changes nothing when it refuses, so a refused submission leaves the
            // state exactly as the previous accepted one left it.
            let submission_jcs = &signing[index][SUBMISSION_SIG_CONTEXT.len()..];
            let sealed = SealedEntry::seal_with(entry, submission_jcs)
                .map_err(|source| AppendError::Entry { index, source });
            let sealed = match (mode, sealed) {
                (Mode::AllOrNone, Ok(sealed)) => {
                    // All or none: a refusal drops the whole state, so it changes in place.
                    let admitted = state.admitted(&sealed, body);
                    let (next, records) = self
                        .settle(admitted, &batch, tx.as_deref_mut(), index)
                        .await?;
                    state = next;
                    batch.records.follow(records);
                    sealed
                }
                (Mode::EachOnItsOwn, Ok(sealed)) => match self
                    .settle(
                        state.clone().admitted(&sealed, body),
                        &batch,
                        tx.as_deref_mut(),
                        index,
                    )
                    .await
                {
                    Ok((next, records)) => {
                        state = next;
                        batch.records.follow(records);
                        sealed
                    }
                    Err(e @ AppendError::Admit { .. }) => {
                        out.push(Err(e));
                        continue;
                    }
                    Err(e) => return Err(e),
                },
                (Mode::AllOrNone, Err(e)) => return Err(e),
                (Mode::EachOnItsOwn, Err(e)) => {
                    out.push(Err(e));
                    continue;
                }
            };
            batch.nodes.extend(appender.push(sealed.hash));
            out.push(Ok(Appended {
                seq: sealed.entry.seq,
                leaf_hash: sealed.hash,
                leaf: sealed.leaf.clone(),
            }));
            batch.entries.push(NewEntry {
                seq: sealed.entry.seq,
                leaf_hash: sealed.hash,
                columns,
                leaf: sealed.leaf,
            });
        }
        if !batch.entries.is_empty() {
            let origin = state
                .authority
                .origin()
                .ok_or(AppendError::NoGenesis)?
                .to_owned();
            let checkpoint = Checkpoint {
                origin,
                size: appender.size(),
                root: appender.root(),
            };
            batch.checkpoint = checkpoint.sign(self.operator.signing_key())?;
        }
        Ok(Prepared {
            batch,
            head: Head { state, appender },
            out,
        })
    }
}

impl LedgerService {
    /// The state an admission leads to, with the records it wrote — `None` for a correction,
    /// whose rebuild (fed from the stored log and then the entries `batch` holds before it)
    /// rewrites every record row in `tx` as it goes, or drops them when the stored records
    /// lag the log anyway ([`AppendTx::records_follow_log`]).
    async fn settle(
        &self,
        admitted: Result<Admitted, AdmitError>,
        batch: &AppendBatch,
        tx: Option<&mut AppendTx>,
        index: usize,
    ) -> Result<(State, Option<Records>), AppendError> {
        match admitted.map_err(|source| AppendError::Admit { index, source })? {
            Admitted::Done(state, records) => Ok((state, Some(records))),
            Admitted::Rebuild(r) => {
                let Some(tx) = tx else {
                    return Err(AppendError::Task(
                        "a correction was prepared without the append transaction".into(),
                    ));
                };
                let pending: Vec<&[u8]> = batch.entries.iter().map(|e| e.leaf.as_slice()).collect();
                let rebuilt = if tx.records_follow_log().await? {
                    RebuiltRecords::Write(tx)
                } else {
                    RebuiltRecords::Drop
                };
                let state = rebuild_from_store(
                    &self.store,
                    r,
                    RebuildStart::Nearest(&Bases::NONE),
                    &pending,
                    rebuilt,
                )
                .await
                .map_err(|e| match e {
                    RebuildError::Admit(source) => AppendError::Admit { index, source },
                    RebuildError::Store(s) => AppendError::Store(s),
                    RebuildError::Stored { seq, reason } => AppendError::Replay { seq, reason },
                })?;
                Ok((state, None))
            }
        }
    }
}

/// An append ready to write: the rows, the head they lead to, and each submission's outcome.
struct Prepared {
    batch: AppendBatch,
    head: Head,
    out: Vec<Result<Appended, AppendError>>,
}

/// Record rows written at a time when all of them are written afresh.
const RECORDS_PER_WRITE: usize = 4096;

/// `state` with the stored entry `row` admitted, and the records it wrote; a correction's
/// rebuild reads the entries before it from `store` and hands the rebuilt log's records to
/// `rebuilt` (then the answer has no records: `None`). A rebuild that writes its records starts
/// from entry 0: the caller writes every record row afresh and has not written those of the
/// entries below a snapshot yet ([`RebuildStart::Genesis`]); one that drops them starts from
/// the nearest of `bases` (the caller's replay) and the store's snapshots.
async fn replay_row(
    store: &Store,
    state: State,
    row: crate::store::StoredEntry,
    rebuilt: RebuiltRecords<'_>,
    bases: &Bases,
) -> Result<(State, Option<Records>), AppendError> {
    let start = match rebuilt {
        RebuiltRecords::Write(_) => RebuildStart::Genesis,
        RebuiltRecords::Drop => RebuildStart::Nearest(bases),
    };
    let seq = row.seq;
    let replay = |reason: String| AppendError::Replay { seq, reason };
    let sealed = SealedEntry::open(row.leaf).map_err(|e| replay(e.to_string()))?;
    let body = parse_entry_body(&sealed);
    match state
        .admitted(&sealed, body)
        .map_err(|e| replay(e.to_string()))?
    {
        Admitted::Done(state, records) => Ok((state, Some(records))),
        Admitted::Rebuild(r) => match rebuild_from_store(store, r, start, &[], rebuilt).await {
            Ok(state) => Ok((state, None)),
            Err(RebuildError::Store(e)) => Err(e.into()),
            Err(e) => Err(replay(e.to_string())),
        },
    }
}

/// Now, but never earlier than the newest entry of `state`.
fn next_recorded_at(state: &State) -> Timestamp {
    let now = Timestamp::now();
    state.last_recorded().map_or(now, |last| last.max(now))
}

/// What the stateless work found for each submission, done on every core before the lock.
struct Checked {
    /// The refusal found already (a bad signature, a nonce repeated in the request).
    refused: Vec<Option<AppendError>>,
    /// `SUBMISSION_SIG_CONTEXT || JCS(submission)`, reused to encode the entry.
    signing: Vec<Vec<u8>>,
    /// The typed body, or why it is refused ([`State::admitted`] reports it in its place).
    bodies: Vec<Result<Body, MoneyError>>,
}

/// A submission with the stateless check of it: its signature, strictly, and its body read.
/// Done where a submission arrives (a request's own task,
/// [`LedgerService::append_each_prechecked`]), so that a group commit spends its serial time
/// admitting and writing only; or for a whole batch on every core ([`check`]). It holds the
/// submission it checked, so a check cannot be handed in beside another submission.
#[derive(Debug, Clone)]
pub struct Prechecked {
    sub: SignedSubmission,
    sig: SigCheck,
    body: Result<Body, MoneyError>,
}

impl Prechecked {
    pub fn new(sub: SignedSubmission) -> Prechecked {
        let (sig, body) = stateless(&sub);
        Prechecked { sub, sig, body }
    }
}

/// What [`Prechecked`] holds of a submission: its signature check and its body.
fn stateless(sub: &SignedSubmission) -> (SigCheck, Result<Body, MoneyError>) {
    (
        check_one(sub),
        parse_body(sub.submission.kind, &sub.submission.body),
    )
}

/// The work that needs no state: signatures (strictly, in parallel), bodies read, and nonces
/// repeated within the request. In [`Mode::AllOrNone`] the first refusal is the error.
fn check(subs: &[SignedSubmission], mode: Mode) -> Result<Checked, AppendError> {
    if subs.is_empty() {
        return Err(AppendError::Empty);
    }
    let parts =
        crate::ledger::parallel::map_parts(subs, |part, _| part.iter().map(stateless).collect());
    combine(subs, parts, mode)
}

/// [`check`] given each submission's stateless check (`parts[i]` of `subs[i]`): the refusals
/// found, and the nonces repeated within the request.
fn combine(
    subs: &[SignedSubmission],
    parts: Vec<(SigCheck, Result<Body, MoneyError>)>,
    mode: Mode,
) -> Result<Checked, AppendError> {
    let mut refused: Vec<Option<AppendError>> = Vec::with_capacity(subs.len());
    let mut signing = Vec::with_capacity(subs.len());
    let mut bodies = Vec::with_capacity(subs.len());
    for (index, (sig, body)) in parts.into_iter().enumerate() {
        refused.push((!sig.ok).then_some(AppendError::Signature { index }));
        signing.push(sig.signing);
        bodies.push(body);
    }
    let mut seen = std::collections::HashMap::new();
    for (index, s) in subs.iter().enumerate() {
        let key = (&s.submission.author, &s.submission.nonce);
        match seen.get(&key) {
            Some(&first) => refused[index] = Some(AppendError::RepeatedInBatch { index, first }),
            None => {
                seen.insert(key, index);
            }
        }
    }
    if mode == Mode::AllOrNone
        && let Some(err) = refused.iter_mut().find_map(Option::take)
    {
        return Err(err);
    }
    Ok(Checked {
        refused,
        signing,
        bodies,
    })
}
