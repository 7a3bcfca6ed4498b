//! The witness server (`sunshine witness serve`): C2SP tlog-witness over HTTP.
//!
//! - `POST /add-checkpoint`: parse, check the log signature, decide (all pure, in
//!   [`crate::ledger::witness`]), then persist with a compare-and-swap and answer the
//!   `cosignature/v1` line. A request that loses the swap to a concurrent one is decided again
//!   against the new state, so it gets the 409 it would have got had it come second.
//! - `GET /<hex SHA-256 of origin>/checkpoint`: the latest checkpoint this witness cosigned for
//!   that log, with the log's signature and our cosignature (the spec's monitoring API).
//!
//! Refusals that came with a valid log signature (a 400 for an old size past the checkpoint,
//! 409, 422) are kept in the state database and logged with the request body: a log that
//! shows a witness two different trees has signed its own confession.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sha2::{Digest, Sha256};

use crate::ledger::cosignature::{CosigningKey, add_signature_lines};
use crate::ledger::note::{MAX_NOTE_SIZE, NoteError};
use crate::ledger::witness::{
    Cosigned, MAX_PROOF_LINES, Refusal, TrustedLog, check_signed, decide, parse_add_checkpoint,
};
use crate::store::StoreError;
use crate::store::witness::{Refused, WitnessStore};

/// The largest request body: a checkpoint note plus a full proof and the `old` line.
pub const MAX_ADD_CHECKPOINT_BYTES: usize = MAX_NOTE_SIZE + (MAX_PROOF_LINES + 2) * 64;
/// How many times a request is decided again after losing the swap before giving up with 503.
/// Each loss means another request moved the log, so more than a few means a storm.
const MAX_SWAP_ATTEMPTS: usize = 16;
/// The media type tlog-witness prescribes for a 409's body.
pub const SIZE_MEDIA_TYPE: &str = "text/x.tlog.size";

/// Why an `add-checkpoint` got no cosignature.
#[derive(Debug, thiserror::Error)]
pub enum WitnessError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("the state database failed: {0}")]
    Store(#[from] StoreError),
    #[error("cannot cosign: {0}")]
    Sign(#[from] NoteError),
    #[error("too many concurrent requests moved this log; try again")]
    Busy,
}

/// One witness: its key, the logs it follows and its state.
pub struct Witness {
    pub key: CosigningKey,
    pub logs: Vec<TrustedLog>,
    pub store: WitnessStore,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Witness {
    /// Handle one `add-checkpoint` body: the cosignature line on success.
    pub async fn add_checkpoint(&self, body: &str) -> Result<String, WitnessError> {
        let req = parse_add_checkpoint(body)?;
        let signed = check_signed(&req, &self.logs)?;
        let cp = &signed.checkpoint;
        let origin = signed.log.origin.as_str();
        if i64::try_from(cp.size).is_err() {
            return Err(Refusal::BadRequest("tree sizes above 2^63-1 are not supported").into());
        }
        for _ in 0..MAX_SWAP_ATTEMPTS {
            let before = self.store.latest(origin).await?.map(|r| r.cosigned);
            let latest = before.unwrap_or_else(Cosigned::never);
            if let Err(refusal) = decide(&latest, req.old_size, &req.proof, cp) {
                self.keep_evidence(origin, &refusal, body).await;
                return Err(refusal.into());
            }
            // A clock before 1970 would give 0, which the spec forbids: sign() refuses it.
            let now = now_secs();
            let line = self.key.sign(signed.text, now)?;
            let stored = add_signature_lines(req.checkpoint, &line);
            let to = Cosigned {
                size: cp.size,
                root: cp.root,
            };
            let now_db = i64::try_from(now).unwrap_or(i64::MAX);
            if self
                .store
                .advance(origin, before.as_ref(), &to, &stored, now_db)
                .await?
            {
                tracing::info!(origin, size = cp.size, "cosigned");
                return Ok(line);
            }
        }
        Err(WitnessError::Busy)
    }

    async fn keep_evidence(&self, origin: &str, refusal: &Refusal, body: &str) {
        let r = Refused {
            origin: origin.to_owned(),
            status: refusal.status(),
            reason: refusal.to_string(),
            request: body.to_owned(),
        };
        tracing::warn!(
            origin,
            status = r.status,
            reason = %r.reason,
            request = %body,
            "refused a checkpoint that carries a valid log signature (possible evidence of a fork)"
        );
        let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
        if let Err(e) = self.store.record_refusal(&r, now).await {
            tracing::error!(error = %e, "cannot record the refused request");
        }
    }
}

/// The witness's router.
pub fn app(w: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/{origin_hash}/checkpoint", get(latest_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_ADD_CHECKPOINT_BYTES))
        .with_state(w)
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn add_checkpoint(State(w): State<Arc<Witness>>, body: Bytes) -> Response {
    const PLAIN: &str = "text/plain; charset=utf-8";
    let Ok(body) = std::str::from_utf8(&body) else {
        return text(
            StatusCode::BAD_REQUEST,
            PLAIN,
            "bad request: the body is not UTF-8\n".into(),
        );
    };
    match w.add_checkpoint(body).await {
        Ok(line) => text(StatusCode::OK, PLAIN, line),
        Err(WitnessError::Refused(Refusal::Conflict { latest, .. })) => {
            text(StatusCode::CONFLICT, SIZE_MEDIA_TYPE, format!("{latest}\n"))
        }
        Err(WitnessError::Refused(r)) => {
            let status =
                StatusCode::from_u16(r.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            text(status, PLAIN, format!("{r}\n"))
        }
        Err(WitnessError::Busy) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            PLAIN,
            "busy: try again\n".into(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "add-checkpoint failed");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                PLAIN,
                "internal error\n".into(),
            )
        }
    }
}

/// The hex SHA-256 of a log origin, as the monitoring path names it.
pub fn origin_hash(origin: &str) -> String {
    hex::encode(Sha256::digest(origin.as_bytes()))
}

async fn latest_checkpoint(State(w): State<Arc<Witness>>, Path(hash): Path<String>) -> Response {
    const NOTE: &str = "text/plain; charset=utf-8";
    let Some(log) = w.logs.iter().find(|l| origin_hash(&l.origin) == hash) else {
        return text(StatusCode::NOT_FOUND, NOTE, "unknown log\n".into());
    };
    match w.store.latest(&log.origin).await {
        Ok(Some(r)) => text(StatusCode::OK, NOTE, r.checkpoint),
        Ok(None) => text(
            StatusCode::NOT_FOUND,
            NOTE,
            "never cosigned this log\n".into(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "reading the witness state failed");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                NOTE,
                "internal error\n".into(),
            )
        }
    }
}
