//! The log's side of C2SP tlog-witness: collect witness cosignatures on our checkpoints
//! (`sunshine serve --witness VKEY=URL ... --witness-quorum K`).
//!
//! Appends never wait for witnesses. A coordinator task watches the newest signed checkpoint and
//! sets a *target*: the checkpoint every witness is asked to cosign. It moves the target to the
//! newest checkpoint only once the current one reached the quorum or [`ROUND_SECS`] passed, so
//! witnesses answering at different speeds still cosign the same checkpoint instead of chasing
//! each other's sizes under a steady stream of appends. One task per witness keeps at most one
//! request in flight; targets set while it waits are coalesced into the newest.
//!
//! Each witness task remembers the size the witness last cosigned (learnt from a 409 when
//! unknown, starting from 0 as the spec suggests) and sends the RFC 6962 consistency proof from
//! it. A witness that is down, slow or refusing is retried with a growing pause and never holds
//! up the others. `/log/checkpoint` then serves the newest checkpoint that carries at least K
//! valid cosignatures, with all of them ([`Collector::published`]).
//!
//! Each checkpoint that reaches the quorum is saved in the ledger database with the witness
//! policy it met ([`Store::save_cosigned`]), and so is each cosignature a late witness adds to
//! it. A restarted server starts from the newest saved one that still meets its policy, so
//! `/log/checkpoint` never goes back to 404 while the witnesses are asked again.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::{Notify, watch};
use utoipa::ToSchema;

use crate::ledger::cosignature::{Cosigner, add_signature_lines, valid_cosigners};
use crate::ledger::merkle::consistency_proof;
use crate::ledger::note::split_note;
use crate::ledger::witness::{AddCheckpoint, parse_size_body};
use crate::ledger::witness_policy::WitnessPolicy;
use crate::store::{CosignedRow, Store};

/// How long a target may wait for the quorum before the newest checkpoint replaces it.
pub const ROUND_SECS: u64 = 5;
/// How often the coordinator looks for a newer checkpoint when nothing woke it.
const POLL_MS: u64 = 100;
/// Deadline of one request to a witness.
const REQUEST_TIMEOUT_SECS: u64 = 10;
/// Longest pause between retries to a failing witness.
const MAX_BACKOFF_MS: u64 = 10_000;
/// Most checkpoints kept while they gather cosignatures (older ones are dropped).
const MAX_PENDING: usize = 64;

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
    pub witnesses: Vec<WitnessStatus>,
}

#[derive(Default)]
struct Collected {
    /// Checkpoints gathering cosignatures: size -> note with every valid cosignature so far.
    pending: BTreeMap<u64, String>,
    /// The newest checkpoint with at least `quorum` cosignatures.
    published: Option<(u64, String)>,
    newest: u64,
    /// When a checkpoint newer than the published one was first seen.
    behind_since: Option<Instant>,
    witnesses: Vec<WitnessStatus>,
    /// Time from a checkpoint's first sighting to its reaching quorum, for `bench`.
    lags_ms: Vec<u64>,
    first_seen: BTreeMap<u64, Instant>,
}

/// The collector shared by the server's handlers and its background tasks.
pub struct Collector {
    quorum: usize,
    /// The published policy text ([`WitnessPolicy::encode`]), saved with each cosigned checkpoint.
    policy: String,
    /// The witnesses' cosigner identities, in configuration order.
    cosigners: Vec<Cosigner>,
    witnesses: Vec<WitnessEndpoint>,
    state: Mutex<Collected>,
    target: watch::Sender<Option<(u64, Arc<str>)>>,
    progress: Notify,
}

impl Collector {
    /// Start the coordinator and one task per witness; they stop when `stop` fires. The newest
    /// cosigned checkpoint saved by an earlier run is published at once when it still carries
    /// the quorum of these witnesses and is a checkpoint of this log.
    pub async fn spawn(
        store: Store,
        witnesses: Vec<WitnessEndpoint>,
        quorum: usize,
        stop: watch::Receiver<bool>,
    ) -> Arc<Collector> {
        let (target, _) = watch::channel(None);
        let cosigners: Vec<Cosigner> = witnesses.iter().map(|w| w.cosigner.clone()).collect();
        let policy = WitnessPolicy {
            quorum,
            witnesses: cosigners.clone(),
        }
        .encode();
        let restored = restore(&store, quorum, &witnesses).await;
        let c = Arc::new(Collector {
            quorum,
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
        tokio::spawn(coordinator(c.clone(), store, stop));
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

    /// Milliseconds from first sighting to quorum of every checkpoint published so far.
    pub fn lags_ms(&self) -> Vec<u64> {
        self.lock().lags_ms.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Collected> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Merge a witness's answer into the checkpoint of `size`; publish it if it reached quorum.
    /// Returns the row to save when the published checkpoint is new or gained a cosignature.
    fn accept(&self, i: usize, size: u64, lines: &str) -> Result<Option<CosignedRow>, String> {
        let mut s = self.lock();
        let Some(note) = s.pending.get(&size).cloned() else {
            return Ok(None); // Long superseded; nothing to add to.
        };
        let merged = add_signature_lines(&note, lines);
        let w = &self.witnesses[i].cosigner;
        w.verify(&merged)
            .map_err(|e| format!("the witness answered an invalid cosignature: {e}"))?;
        let count = valid_cosigners(&merged, &self.cosigners).len();
        s.pending.insert(size, merged.clone());
        if count >= self.quorum && s.published.as_ref().is_none_or(|p| p.0 <= size) {
            if s.published.as_ref().is_none_or(|p| p.0 < size)
                && let Some(t) = s.first_seen.get(&size)
            {
                let ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
                s.lags_ms.push(ms);
            }
            s.published = Some((size, merged.clone()));
            s.behind_since = (s.newest > size).then(Instant::now);
            return Ok(Some(CosignedRow {
                size,
                note: merged,
                policy: self.policy.clone(),
            }));
        }
        Ok(None)
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
async fn coordinator(c: Arc<Collector>, store: Store, mut stop: watch::Receiver<bool>) {
    let mut target_set: Option<(u64, Instant)> = None;
    loop {
        match store.latest_checkpoint().await {
            Ok(Some((size, note))) => {
                let mut s = c.lock();
                if size > s.newest || s.pending.is_empty() {
                    s.newest = s.newest.max(size);
                    s.first_seen.entry(size).or_insert_with(Instant::now);
                    s.pending.entry(size).or_insert_with(|| note.clone());
                    while s.pending.len() > MAX_PENDING {
                        s.pending.pop_first();
                    }
                    while s.first_seen.len() > MAX_PENDING {
                        s.first_seen.pop_first();
                    }
                    if s.published.as_ref().is_none_or(|p| p.0 < size) && s.behind_since.is_none() {
                        s.behind_since = Some(Instant::now());
                    }
                }
                let published = s.published.as_ref().map(|p| p.0);
                drop(s);
                let advance = match target_set {
                    None => true,
                    Some((t, since)) => {
                        size > t
                            && (published >= Some(t)
                                || since.elapsed() >= Duration::from_secs(ROUND_SECS))
                    }
                };
                if advance {
                    target_set = Some((size, Instant::now()));
                    c.target.send_replace(Some((size, Arc::from(note))));
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "cosigning: cannot read the latest checkpoint"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(POLL_MS)) => {}
            _ = c.progress.notified() => {}
            _ = stop.changed() => return,
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
        let Some((size, note)) = current else {
            tokio::select! {
                r = target.changed() => if r.is_err() { return },
                _ = stop.changed() => return,
            }
            continue;
        };
        if done == Some(size) {
            tokio::select! {
                r = target.changed() => if r.is_err() { return },
                _ = stop.changed() => return,
            }
            continue;
        }
        let outcome = ask(&client, &url, &store, known.min(size), size, &note).await;
        let error = match outcome {
            Ok(Answer::Cosigned(lines)) => match c.accept(i, size, &lines) {
                Ok(save) => {
                    if let Some(row) = save
                        && let Err(e) = store.save_cosigned(&row).await
                    {
                        // Still served from memory; only a restart would miss it.
                        tracing::warn!(error = %e, size, "cosigning: cannot save the cosigned checkpoint");
                    }
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
    store: &Store,
    old: u64,
    size: u64,
    note: &str,
) -> Result<Answer, String> {
    let proof = if old == 0 || old == size {
        Vec::new()
    } else {
        store
            .with_nodes(|r| consistency_proof(old, size, r))
            .await
            .map_err(|e| format!("cannot prove consistency from {old} to {size}: {e}"))?
    };
    let body = AddCheckpoint::encode(old, &proof, note);
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
