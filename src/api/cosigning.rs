//! The log's side of C2SP tlog-witness: collect witness cosignatures on our checkpoints
//! (`sunshine serve --witness VKEY=URL ... --witness-quorum K`).
//!
//! Appends never wait for witnesses. A coordinator task learns of every commit from the
//! service's head ([`LedgerService::watch_head`]) and sets a *target*: the checkpoint every
//! witness is asked to cosign. It moves the target to the newest checkpoint only once the
//! current one reached the quorum or [`ROUND_SECS`] passed, so witnesses answering at different
//! speeds still cosign the same checkpoint instead of chasing each other's sizes under a steady
//! stream of appends; and never sooner than the *round interval* after the last move
//! ([`DEFAULT_ROUND_INTERVAL`], `--witness-interval-ms`), because every round costs the log
//! and each witness a request, a consistency proof, signature checks and a durable write, while
//! a round more often than that would only shorten a lag already far below what a donor or a
//! monitor can notice. One task per witness keeps at most one request in flight; targets set
//! while it waits are coalesced into the newest.
//!
//! Each witness task remembers the size the witness last cosigned for us (learnt from a 409
//! when unknown, starting from 0 as the spec suggests) and sends the RFC 6962 consistency proof
//! from it; witnesses at the same size share one proof per round. A witness that is down, slow
//! or refusing is retried with a growing pause and never holds up the others.
//! `/log/checkpoint` then serves the newest checkpoint that carries at least K valid
//! cosignatures, with all of them ([`Collector::published`]). Only the asked witness's own
//! lines are taken from its answer, each checked once, so counting the quorum needs no
//! signature check of the others again.
//!
//! The published checkpoint is saved in the ledger database with the witness policy it met
//! ([`Store::save_cosigned`]) by a background task, at most once per [`SAVE_INTERVAL_MS`] and
//! always the newest (with every cosignature it gathered), and once more when the server
//! stops; so the cosigning never takes the ledger's write lock more than that from the
//! appends. A restarted server starts from the newest saved one that still meets its policy, so
//! `/log/checkpoint` never goes back to 404 while the witnesses are asked again.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Notify, watch};
use utoipa::ToSchema;

use crate::ledger::Hash;
use crate::ledger::cosignature::{Cosigner, add_signature_lines, valid_cosigners};
use crate::ledger::merkle::consistency_proof;
use crate::ledger::note::split_note;
use crate::ledger::witness::{AddCheckpoint, parse_size_body};
use crate::ledger::witness_policy::WitnessPolicy;
use crate::replay::state::State;
use crate::store::{CosignedRow, Store};

/// How long a target may wait for the quorum before the newest checkpoint replaces it.
pub const ROUND_SECS: u64 = 5;
/// The least time between two targets unless configured otherwise. A tenth of a second keeps
/// the cosigned checkpoint's lag (commit to a cosigned checkpoint covering it) near that, while
/// a busy log, which signs a checkpoint per group commit (hundreds a second), asks each witness
/// at most ten times a second instead of once per commit.
pub const DEFAULT_ROUND_INTERVAL: Duration = Duration::from_millis(100);
/// How often the coordinator reads the newest checkpoint from the database when no commit of
/// this process woke it (another process's commits, on a shared database).
const POLL_MS: u64 = 100;
/// Deadline of one request to a witness.
const REQUEST_TIMEOUT_SECS: u64 = 10;
/// Longest pause between retries to a failing witness.
const MAX_BACKOFF_MS: u64 = 10_000;
/// Most checkpoints kept while they gather cosignatures (older ones are dropped).
const MAX_PENDING: usize = 64;
/// The least time between two saves of the published checkpoint; the newest is saved.
pub const SAVE_INTERVAL_MS: u64 = 1_000;
/// Commits remembered while no cosigned checkpoint covers them, and lag samples kept.
const MAX_LAG_SAMPLES: usize = 100_000;

/// One witness the log asks: its verifier key and its submission prefix.
#[derive(Debug, Clone)]
pub struct WitnessEndpoint {
    pub cosigner: Cosigner,
    /// The submission prefix; requests go to `<url>/add-checkpoint`.
    pub url: String,
}

impl std::str::FromStr for WitnessEndpoint {
    type Err = String;
    /// `VKEY=URL`: a `cosignature/v1` verifier key and an `http://` URL (no TLS client is
    /// built in).
    fn from_str(s: &str) -> Result<Self, String> {
        // Split where the URL starts, not at the first '=': a key name may contain one.
        if s.contains("=https://") {
            return Err(format!(
                "{s:?}: this build talks to witnesses over plain http://; reach an https \
                 witness through a local TLS proxy"
            ));
        }
        let at = s
            .find("=http://")
            .ok_or_else(|| format!("{s:?}: expected VKEY=http://HOST:PORT[/PREFIX]"))?;
        let (vkey, url) = (&s[..at], &s[at + 1..]);
        let cosigner: Cosigner = vkey.parse().map_err(|e| format!("{vkey:?}: {e}"))?;
        Ok(WitnessEndpoint {
            cosigner,
            url: url.trim_end_matches('/').to_owned(),
        })
    }
}

/// A witness's state as `/api/v1/cosigning` shows it.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct WitnessStatus {
    /// The witness's cosigner name.
    pub name: String,
    pub url: String,
    /// The size this witness last cosigned for us, as far as we know.
    pub cosigned_size: Option<u64>,
    /// The last failure, if the last request failed.
    pub last_error: Option<String>,
}

/// How far behind the published (cosigned) checkpoint is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CosigningStatus {
    /// Cosignatures a checkpoint needs before `/log/checkpoint` serves it.
    pub quorum: usize,
    /// The newest signed checkpoint's size.
    pub newest_size: u64,
    /// The size of the checkpoint `/log/checkpoint` serves; `null` before any reached quorum.
    pub cosigned_size: Option<u64>,
    /// Entries not yet covered by a cosigned checkpoint.
    pub entries_behind: u64,
    /// Milliseconds since the newest checkpoint was first seen without being cosigned
    /// (0 when the newest is cosigned).
    pub lag_ms: u64,
    /// Checkpoints sent to the witnesses since the server started (one round each).
    pub rounds: u64,
    /// The least time between two rounds, in milliseconds.
    pub interval_ms: u64,
    pub witnesses: Vec<WitnessStatus>,
}

/// What the collector did so far, for `bench` (the work cosigning costs the log).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CosigningCounts {
    /// Targets set: checkpoints the witnesses were asked to cosign.
    pub rounds: u64,
    /// `add-checkpoint` requests sent, over all witnesses.
    pub requests: u64,
    /// Consistency proofs computed from the stored tree (others were shared in a round).
    pub proofs: u64,
    /// Cosignatures accepted.
    pub cosignatures: u64,
    /// Writes of the published checkpoint to the ledger database.
    pub saves: u64,
}

#[derive(Default)]
struct Counters {
    rounds: AtomicU64,
    requests: AtomicU64,
    proofs: AtomicU64,
    cosignatures: AtomicU64,
    saves: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// A checkpoint gathering cosignatures.
struct Pending {
    /// The note with every valid cosignature so far.
    note: String,
    /// Which configured witnesses' cosignatures it carries (each checked once, on arrival).
    signed: Vec<bool>,
}

#[derive(Default)]
struct Collected {
    /// Checkpoints gathering cosignatures, by size.
    pending: BTreeMap<u64, Pending>,
    /// The newest checkpoint with at least `quorum` cosignatures.
    published: Option<(u64, String)>,
    newest: u64,
    /// When a checkpoint newer than the published one was first seen.
    behind_since: Option<Instant>,
    witnesses: Vec<WitnessStatus>,
    /// Commits no published checkpoint covers yet: (size, when first seen).
    uncovered: VecDeque<(u64, Instant)>,
    /// For each commit seen, the time from its first sighting to the publication of a cosigned
    /// checkpoint covering it, for `bench`.
    lags_ms: VecDeque<u64>,
}

impl Collected {
    /// Note that the log has reached `size` (a commit, or a checkpoint read from the store).
    fn sighted(&mut self, size: u64) {
        if size <= self.newest {
            return;
        }
        let now = Instant::now();
        self.newest = size;
        if self.published.as_ref().is_none_or(|p| p.0 < size) {
            self.behind_since.get_or_insert(now);
            if self.uncovered.len() >= MAX_LAG_SAMPLES {
                self.uncovered.pop_front();
            }
            self.uncovered.push_back((size, now));
        }
    }

    /// `size` was published: every commit up to it is covered now.
    fn covered(&mut self, size: u64) {
        while let Some(&(s, seen)) = self.uncovered.front()
            && s <= size
        {
            self.uncovered.pop_front();
            if self.lags_ms.len() >= MAX_LAG_SAMPLES {
                self.lags_ms.pop_front();
            }
            self.lags_ms
                .push_back(u64::try_from(seen.elapsed().as_millis()).unwrap_or(u64::MAX));
        }
        self.behind_since = self.uncovered.front().map(|u| u.1);
        if self.behind_since.is_none() && self.newest > size {
            self.behind_since = Some(Instant::now());
        }
    }
}

/// The consistency proof of one round, shared by the witnesses that stand at the same size.
type SharedProof = Option<((u64, u64), Arc<Vec<Hash>>)>;

/// The collector shared by the server's handlers and its background tasks.
pub struct Collector {
    quorum: usize,
    interval: Duration,
    /// The published policy text ([`WitnessPolicy::encode`]), saved with each cosigned checkpoint.
    policy: String,
    /// The witnesses' cosigner identities, in configuration order.
    cosigners: Vec<Cosigner>,
    witnesses: Vec<WitnessEndpoint>,
    state: Mutex<Collected>,
    target: watch::Sender<Option<(u64, Arc<str>)>>,
    progress: Notify,
    /// The newest published row not saved yet, for the saver task.
    unsaved: watch::Sender<Option<CosignedRow>>,
    /// The saver task; awaited by [`Collector::saved`] on the way out.
    saver: Mutex<Option<tokio::task::JoinHandle<()>>>,
    proof: tokio::sync::Mutex<SharedProof>,
    counters: Counters,
}

impl Collector {
    /// Start the coordinator, one task per witness and the saver; they stop when `stop` fires.
    /// `head` wakes the coordinator at every commit (see [`LedgerService::watch_head`]); the
    /// target moves at most once per `interval`. The newest cosigned checkpoint saved by an
    /// earlier run is published at once when it still carries the quorum of these witnesses
    /// and is a checkpoint of this log.
    ///
    /// [`LedgerService::watch_head`]: crate::append::service::LedgerService::watch_head
    pub async fn spawn(
        store: Store,
        head: watch::Receiver<State>,
        witnesses: Vec<WitnessEndpoint>,
        quorum: usize,
        interval: Duration,
        stop: watch::Receiver<bool>,
    ) -> Arc<Collector> {
        let (target, _) = watch::channel(None);
        let (unsaved, _) = watch::channel(None);
        let cosigners: Vec<Cosigner> = witnesses.iter().map(|w| w.cosigner.clone()).collect();
        let policy = WitnessPolicy {
            quorum,
            witnesses: cosigners.clone(),
        }
        .encode();
        let restored = restore(&store, quorum, &witnesses).await;
        let c = Arc::new(Collector {
            quorum,
            interval,
            policy,
            cosigners,
            state: Mutex::new(Collected {
                witnesses: witnesses
                    .iter()
                    .map(|w| WitnessStatus {
                        name: w.cosigner.name().to_owned(),
                        url: w.url.clone(),
                        ..WitnessStatus::default()
                    })
                    .collect(),
                published: restored,
                ..Collected::default()
            }),
            witnesses,
            target,
            progress: Notify::new(),
            unsaved,
            saver: Mutex::new(None),
            proof: tokio::sync::Mutex::new(None),
            counters: Counters::default(),
        });
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(REQUEST_TIMEOUT_SECS))
            .build()
            .unwrap_or_default();
        for i in 0..c.witnesses.len() {
            tokio::spawn(witness_task(
                c.clone(),
                i,
                store.clone(),
                client.clone(),
                stop.clone(),
            ));
        }
        let saver = tokio::spawn(saver(c.clone(), store.clone(), stop.clone()));
        *c.saver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(saver);
        tokio::spawn(coordinator(c.clone(), store, head, interval, stop));
        c
    }

    /// The newest checkpoint carrying at least the quorum of cosignatures, with all of them.
    pub fn published(&self) -> Option<(u64, String)> {
        self.lock().published.clone()
    }

    pub fn status(&self) -> CosigningStatus {
        let s = self.lock();
        let cosigned = s.published.as_ref().map(|p| p.0);
        CosigningStatus {
            quorum: self.quorum,
            newest_size: s.newest,
            cosigned_size: cosigned,
            entries_behind: s.newest.saturating_sub(cosigned.unwrap_or(0)),
            lag_ms: s
                .behind_since
                .map(|t| u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX))
                .unwrap_or(0),
            rounds: self.counters.rounds.load(Ordering::Relaxed),
            interval_ms: u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX),
            witnesses: s.witnesses.clone(),
        }
    }

    pub fn quorum(&self) -> usize {
        self.quorum
    }

    pub fn cosigners(&self) -> &[Cosigner] {
        &self.cosigners
    }

    /// The witness policy text (`log/witnesses`).
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// For each commit seen (the last [`MAX_LAG_SAMPLES`]), the milliseconds from its first
    /// sighting to the publication of a cosigned checkpoint covering it.
    pub fn lags_ms(&self) -> Vec<u64> {
        self.lock().lags_ms.iter().copied().collect()
    }

    pub fn counts(&self) -> CosigningCounts {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CosigningCounts {
            rounds: get(&c.rounds),
            requests: get(&c.requests),
            proofs: get(&c.proofs),
            cosignatures: get(&c.cosignatures),
            saves: get(&c.saves),
        }
    }

    /// Resolves once the saver has written the last published checkpoint, after the stop
    /// signal (the server awaits it on its way out, so a restart finds what was served).
    pub async fn saved(&self) {
        let saver = self
            .saver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(t) = saver
            && let Err(e) = t.await
        {
            tracing::error!(error = %e, "cosigning: the saver task failed");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Collected> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Merge witness `i`'s answer into the checkpoint of `size`; publish it if it reached
    /// quorum, and hand it to the saver when the published checkpoint is new or gained a
    /// cosignature.
    fn accept(&self, i: usize, size: u64, lines: &str) -> Result<(), String> {
        let w = &self.witnesses[i].cosigner;
        let mut s = self.lock();
        let Some(p) = s.pending.get_mut(&size) else {
            return Ok(()); // Long superseded; nothing to add to.
        };
        let merged = add_signature_lines(&p.note, &w.own_lines(lines));
        w.verify(&merged)
            .map_err(|e| format!("the witness answered an invalid cosignature: {e}"))?;
        bump(&self.counters.cosignatures);
        // The same cosigner configured twice counts once, as in `valid_cosigners`.
        for (j, c) in self.cosigners.iter().enumerate() {
            if c == w {
                p.signed[j] = true;
            }
        }
        let count = self
            .cosigners
            .iter()
            .enumerate()
            .filter(|&(j, c)| p.signed[j] && !self.cosigners[..j].contains(c))
            .count();
        p.note = merged.clone();
        if count >= self.quorum && s.published.as_ref().is_none_or(|p| p.0 <= size) {
            s.published = Some((size, merged.clone()));
            s.covered(size);
            drop(s);
            self.unsaved.send_replace(Some(CosignedRow {
                size,
                note: merged,
                policy: self.policy.clone(),
            }));
        }
        Ok(())
    }

    /// The consistency proof from `old` to `size`, computed from the stored tree once per
    /// round: the witnesses standing at the same size get the same one.
    async fn proof(&self, store: &Store, old: u64, size: u64) -> Result<Arc<Vec<Hash>>, String> {
        if old == 0 || old == size {
            return Ok(Arc::new(Vec::new()));
        }
        let mut shared = self.proof.lock().await;
        if let Some((key, p)) = shared.as_ref()
            && *key == (old, size)
        {
            return Ok(p.clone());
        }
        let p = store
            .with_nodes(|r| consistency_proof(old, size, r))
            .await
            .map_err(|e| format!("cannot prove consistency from {old} to {size}: {e}"))?;
        bump(&self.counters.proofs);
        let p = Arc::new(p);
        *shared = Some(((old, size), p.clone()));
        Ok(p)
    }
}

/// The newest saved cosigned checkpoint, if it is one of this log's checkpoints (its text is the
/// text of the operator checkpoint stored for its size) and `witnesses` still make the quorum on
/// it; a witness set changed since is not trusted with the old cosignatures.
async fn restore(
    store: &Store,
    quorum: usize,
    witnesses: &[WitnessEndpoint],
) -> Option<(u64, String)> {
    let row = match store.latest_cosigned().await {
        Ok(row) => row?,
        Err(e) => {
            tracing::warn!(error = %e, "cosigning: cannot read the saved cosigned checkpoint");
            return None;
        }
    };
    let same_text = match store.checkpoint_at(row.size).await {
        Ok(Some(ours)) => matches!(
            (split_note(&ours), split_note(&row.note)),
            (Ok((a, _)), Ok((b, _))) if a == b
        ),
        _ => false,
    };
    if !same_text {
        tracing::warn!(
            size = row.size,
            "cosigning: the saved cosigned checkpoint is not this log's checkpoint; not served"
        );
        return None;
    }
    let trusted: Vec<_> = witnesses.iter().map(|w| w.cosigner.clone()).collect();
    let found = valid_cosigners(&row.note, &trusted).len();
    if found < quorum {
        tracing::info!(
            size = row.size,
            found,
            quorum,
            "cosigning: the saved cosigned checkpoint lacks the quorum of today's witnesses"
        );
        return None;
    }
    Some((row.size, row.note))
}

/// Watches for new checkpoints and moves the target.
async fn coordinator(
    c: Arc<Collector>,
    store: Store,
    mut head: watch::Receiver<State>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut target_set: Option<(u64, Instant)> = None;
    let mut last_read: Option<Instant> = None;
    let mut head_open = true;
    let poll = Duration::from_millis(POLL_MS);
    loop {
        let committed = head.borrow_and_update().size();
        let (newest, published) = {
            let mut s = c.lock();
            s.sighted(committed);
            (s.newest, s.published.as_ref().map(|p| p.0))
        };
        // Whether a checkpoint of `size` may replace the target now.
        let may_move = |size: u64| match target_set {
            None => true,
            Some((t, since)) => {
                size > t
                    && since.elapsed() >= interval
                    && (published >= Some(t) || since.elapsed() >= Duration::from_secs(ROUND_SECS))
            }
        };
        if may_move(newest) || last_read.is_none_or(|t| t.elapsed() >= poll) {
            last_read = Some(Instant::now());
            match store.latest_checkpoint().await {
                Ok(Some((size, note))) => {
                    let mut s = c.lock();
                    s.sighted(size);
                    if may_move(size) {
                        s.pending.entry(size).or_insert_with(|| Pending {
                            note: note.clone(),
                            signed: vec![false; c.cosigners.len()],
                        });
                        while s.pending.len() > MAX_PENDING {
                            s.pending.pop_first();
                        }
                        drop(s);
                        target_set = Some((size, Instant::now()));
                        bump(&c.counters.rounds);
                        c.target.send_replace(Some((size, Arc::from(note))));
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cosigning: cannot read the latest checkpoint")
                }
            }
        }
        // A newer checkpoint waiting only for the interval: sleep until it ends. Otherwise a
        // commit, a witness's answer or the poll wakes us.
        let wait = match target_set {
            Some((t, since)) if c.lock().newest > t && since.elapsed() < interval => {
                (interval - since.elapsed()).min(poll)
            }
            _ => poll,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = c.progress.notified() => {}
            // The service gone, only the database tells of new checkpoints.
            r = head.changed(), if head_open => head_open = r.is_ok(),
            _ = stop.changed() => return,
        }
    }
}

/// Saves the newest published checkpoint, at most once per [`SAVE_INTERVAL_MS`], and the last
/// one when the collector stops.
async fn saver(c: Arc<Collector>, store: Store, mut stop: watch::Receiver<bool>) {
    let mut unsaved = c.unsaved.subscribe();
    let save = |row: CosignedRow| {
        let (store, c) = (store.clone(), c.clone());
        async move {
            bump(&c.counters.saves);
            if let Err(e) = store.save_cosigned(&row).await {
                // Still served from memory; only a restart would miss it.
                tracing::warn!(error = %e, size = row.size, "cosigning: cannot save the cosigned checkpoint");
            }
        }
    };
    loop {
        tokio::select! {
            r = unsaved.changed() => if r.is_err() { return },
            _ = stop.changed() => break,
        }
        let row = unsaved.borrow_and_update().clone();
        if let Some(row) = row {
            save(row).await;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(SAVE_INTERVAL_MS)) => {}
            _ = stop.changed() => break,
        }
    }
    if unsaved.has_changed().unwrap_or(false) {
        let row = unsaved.borrow_and_update().clone();
        if let Some(row) = row {
            save(row).await;
        }
    }
}

/// One witness: at most one request in flight, always for the newest target.
async fn witness_task(
    c: Arc<Collector>,
    i: usize,
    store: Store,
    client: reqwest::Client,
    mut stop: watch::Receiver<bool>,
) {
    let endpoint = c.witnesses[i].clone();
    let url = format!("{}/add-checkpoint", endpoint.url);
    let mut target = c.target.subscribe();
    // The size the witness last cosigned for us; 0 until it tells us otherwise (a 409).
    let mut known: u64 = 0;
    let mut done: Option<u64> = None;
    let mut backoff_ms = 100u64;
    loop {
        let current = target.borrow_and_update().clone();
        let Some((size, note)) = current.filter(|t| done != Some(t.0)) else {
            tokio::select! {
                r = target.changed() => if r.is_err() { return },
                _ = stop.changed() => return,
            }
            continue;
        };
        let outcome = match c.proof(&store, known.min(size), size).await {
            Ok(proof) => {
                bump(&c.counters.requests);
                ask(&client, &url, known.min(size), &proof, &note).await
            }
            Err(e) => Err(e),
        };
        let error = match outcome {
            Ok(Answer::Cosigned(lines)) => match c.accept(i, size, &lines) {
                Ok(()) => {
                    known = size;
                    done = Some(size);
                    backoff_ms = 100;
                    None
                }
                Err(e) => Some(e),
            },
            Ok(Answer::Conflict(latest)) if latest != known && latest <= size => {
                // Learnt the witness's size: try again at once with the right proof.
                known = latest;
                continue;
            }
            Ok(Answer::Conflict(latest)) => Some(format!(
                "the witness holds size {latest}, which is not a size of this log's tree of {size}"
            )),
            Ok(Answer::Refused(status, body)) => Some(format!(
                "the witness refused with {status}: {}",
                body.trim()
            )),
            Err(e) => Some(e),
        };
        {
            let mut s = c.lock();
            let st = &mut s.witnesses[i];
            if error.is_none() {
                st.cosigned_size = Some(size);
            }
            st.last_error = error.clone();
        }
        c.progress.notify_one();
        if let Some(e) = error {
            tracing::warn!(witness = %endpoint.cosigner.name(), error = %e, "cosigning failed");
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(backoff_ms)) => {}
                _ = stop.changed() => return,
            }
            backoff_ms = (backoff_ms * 2).min(MAX_BACKOFF_MS);
        }
    }
}

enum Answer {
    Cosigned(String),
    Conflict(u64),
    Refused(u16, String),
}

async fn ask(
    client: &reqwest::Client,
    url: &str,
    old: u64,
    proof: &[Hash],
    note: &str,
) -> Result<Answer, String> {
    let body = AddCheckpoint::encode(old, proof, note);
    let r = client
        .post(url)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    let status = r.status().as_u16();
    let text = r
        .text()
        .await
        .map_err(|e| format!("reading the answer failed: {e}"))?;
    Ok(match status {
        200 => Answer::Cosigned(text),
        409 => Answer::Conflict(
            parse_size_body(&text).ok_or_else(|| format!("409 with a malformed size {text:?}"))?,
        ),
        s => Answer::Refused(s, text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::cosignature::CosigningKey;

    #[test]
    fn witness_flag_splits_where_the_url_starts() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]);
        let c = CosigningKey::new("w.example/?a=1", key).unwrap();
        let vkey = c.cosigner().vkey();
        let e: WitnessEndpoint = format!("{vkey}=http://127.0.0.1:9/w/").parse().unwrap();
        assert_eq!(&e.cosigner, c.cosigner());
        assert_eq!(e.url, "http://127.0.0.1:9/w");
        assert!(vkey.parse::<WitnessEndpoint>().is_err());
        assert!(
            format!("{vkey}=ftp://x")
                .parse::<WitnessEndpoint>()
                .is_err()
        );
        assert!("bad+key=http://x".parse::<WitnessEndpoint>().is_err());
    }
}
