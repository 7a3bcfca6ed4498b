//! Group commit for single submissions.
//!
//! Every `POST /api/v1/submissions` checks its submission's signature and body on its own task,
//! hands it to one committer task through a bounded channel and waits on a oneshot for the
//! outcome. The committer takes whatever is queued (up to `max_group`), appends it with
//! [`LedgerService::append_each_prechecked`] — one durable SQLite transaction and one signed
//! checkpoint for the whole group, each submission refused or accepted on its own — and answers
//! every waiter. So the cost of a durable commit (an fsync) is shared by everyone
//! who arrived while the previous one was running, which is what lets throughput grow with
//! concurrency (Sunlight's sequencer works the same way).
//!
//! The receipts of a group are computed together in a task of their own ([`super::receipt`]), so
//! the committer is already committing the next group while this one's proofs are read.
//!
//! A request whose client goes away does not cancel its commit: the job is already queued, and
//! the committer runs independently of the request. On shutdown the server stops accepting
//! requests, the channel closes when the last request finishes, and the committer drains what
//! was queued before it returns, so every accepted append is on disk.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::error::ApiError;
use super::receipt::{Receipt, receipts};
use crate::append::service::{AppendError, Appended, LedgerService, Prechecked};
use crate::ledger::SignedSubmission;
use crate::store::Store;

/// How often a group that lost a race with another writer process is retried.
const CONFLICT_RETRIES: usize = 3;

type Reply = oneshot::Sender<Result<Receipt, ApiError>>;

struct Job {
    sub: Prechecked,
    reply: Reply,
}

/// The sending side; cheap to clone into every request.
#[derive(Clone)]
pub struct Committer {
    tx: mpsc::Sender<Job>,
}

impl Committer {
    /// Starts the committer task. It ends when every `Committer` clone is dropped and the queue
    /// is drained; await the handle to know that every accepted append is durable.
    pub fn spawn(
        service: Arc<LedgerService>,
        max_group: usize,
        queue_depth: usize,
    ) -> (Committer, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(queue_depth.max(1));
        let handle = tokio::spawn(run(service, rx, max_group.max(1)));
        (Committer { tx }, handle)
    }

    /// Checks `sub`'s signature and body here, on the request's own task (so requests check
    /// theirs side by side on every core, and the one committer only admits and writes), then
    /// queues it and waits until its group is committed (or it was refused); answers the
    /// receipt.
    pub async fn submit(&self, sub: SignedSubmission) -> Result<Receipt, ApiError> {
        let (reply, answer) = oneshot::channel();
        let sub = Prechecked::new(sub);
        self.tx
            .send(Job { sub, reply })
            .await
            .map_err(|_| ApiError::Unavailable)?;
        answer
            .await
            .map_err(|_| ApiError::internal("the committer dropped a queued submission"))?
    }
}

async fn run(service: Arc<LedgerService>, mut rx: mpsc::Receiver<Job>, max_group: usize) {
    let mut jobs = Vec::with_capacity(max_group);
    while rx.recv_many(&mut jobs, max_group).await > 0 {
        let (subs, replies): (Vec<_>, Vec<_>) = jobs.drain(..).map(|j| (j.sub, j.reply)).unzip();
        let outcome = commit_group(&service, subs).await;
        match outcome {
            Ok(results) => {
                tokio::spawn(answer(service.store().clone(), results, replies));
            }
            Err(e) => {
                tracing::error!(error = %e, group = replies.len(), "group commit failed");
                let race = matches!(&e, AppendError::Store(s) if s.is_race());
                for reply in replies {
                    let _ = reply.send(Err(if race {
                        ApiError::concurrent_append()
                    } else {
                        ApiError::Internal
                    }));
                }
            }
        }
    }
    tracing::info!("committer drained and stopped");
}

/// Answers one committed group: refusals as errors, accepted entries with their receipts.
async fn answer(store: Store, results: Vec<Result<Appended, AppendError>>, replies: Vec<Reply>) {
    // One commit, one checkpoint: its size is one past the last accepted seq.
    let size = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|a| a.seq + 1)
        .max()
        .unwrap_or(0);
    let mut accepted = Vec::new();
    let mut waiting = Vec::new();
    for (result, reply) in results.into_iter().zip(replies) {
        match result {
            Ok(a) => {
                accepted.push((a.seq, a.leaf_hash, a.leaf));
                waiting.push(reply);
            }
            // A waiter that went away still had its fate decided; nothing to do.
            Err(e) => {
                let _ = reply.send(Err(ApiError::from(e)));
            }
        }
    }
    if accepted.is_empty() {
        return;
    }
    match receipts(&store, &accepted, size).await {
        Ok(receipts) => {
            for (receipt, reply) in receipts.into_iter().zip(waiting) {
                let _ = reply.send(Ok(receipt));
            }
        }
        Err(_) => {
            // Logged by `receipts`. The entries are committed: a retry answers their receipts.
            for reply in waiting {
                let _ = reply.send(Err(ApiError::Internal));
            }
        }
    }
}

/// [`LedgerService::append_each_prechecked`], retried when another process appended between
/// our read and our commit, or stored one of our keys first (the store refuses such a commit as
/// a race; nothing was written, so trying again is safe, and the retry's catch-up sees what the
/// other writer stored: a submission it already appended is then refused on its own as a reused
/// nonce, which [`super::submissions::submit`] answers with the original receipt).
async fn commit_group(
    service: &LedgerService,
    subs: Vec<Prechecked>,
) -> Result<Vec<Result<Appended, AppendError>>, AppendError> {
    let mut attempt = 0;
    let mut subs = subs;
    loop {
        // The append consumes its input; keep a copy only while a retry is still allowed.
        let backup = (attempt < CONFLICT_RETRIES).then(|| subs.clone());
        match (service.append_each_prechecked(subs).await, backup) {
            (Err(AppendError::Store(e)), Some(backup)) if e.is_race() => {
                attempt += 1;
                tracing::warn!(attempt, cause = %e, "another writer appended first; retrying the group");
                subs = backup;
            }
            (other, _) => return other,
        }
    }
}
