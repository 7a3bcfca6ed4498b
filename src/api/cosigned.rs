//! Receipts and witnesses: what a receipt says about cosigning, and
//! `GET /api/v1/proof/cosigned?from=SIZE`, which brings a receipt up to the newest cosigned
//! checkpoint.
//!
//! A receipt is answered when its commit is durable, before any witness has seen the commit's
//! checkpoint, so its own checkpoint carries only the operator's signature. Its holder later asks
//! for the consistency proof from that checkpoint to the newest one carrying the witness quorum
//! and gets both, the second with every cosignature: the inclusion proof in the old tree plus
//! this consistency proof show the entry is in the tree the witnesses vouched for, without
//! fetching anything else.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::error::{ApiError, AppJson, AppQuery};
use super::receipt::Receipt;
use crate::ledger::Hash;
use crate::ledger::cosignature::valid_cosigners;
use crate::ledger::note::split_note;

/// Where a receipt stands with the log's witnesses (present only when the log has witnesses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Witnessing {
    /// Whether the receipt's `checkpoint` carries the witness quorum. At commit time it cannot
    /// yet (the witnesses are asked afterwards), so a fresh receipt says `false`.
    pub cosigned: bool,
    /// Cosignatures a checkpoint needs to count as cosigned.
    pub quorum: usize,
    /// The request that brings this receipt up to the newest cosigned checkpoint.
    pub upgrade: String,
}

/// The receipt with what it says about cosigning, when the log has witnesses.
pub fn witnessed(app: &AppState, mut receipt: Receipt) -> Receipt {
    if let Some(c) = &app.cosigning {
        receipt.witnessing = Some(Witnessing {
            cosigned: valid_cosigners(&receipt.checkpoint, c.cosigners()).len() >= c.quorum(),
            quorum: c.quorum(),
            upgrade: format!("/api/v1/proof/cosigned?from={}", receipt.inclusion.size),
        });
    }
    receipt
}

/// The witness policy: which witnesses' cosignatures count and how many a checkpoint needs.
///
/// `quorum K`, then one `witness <cosignature/v1 verifier key>` line per witness; the static
/// export publishes the same text as `log/witnesses`. 404 when the log has no witnesses.
#[utoipa::path(
    get,
    path = "/log/witnesses",
    tag = "log",
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = super::error::ErrorBody))
)]
pub async fn policy(State(app): State<AppState>) -> Result<Response, ApiError> {
    let c = app
        .cosigning
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this log is not configured with witnesses"))?;
    let mut r = c.policy().to_owned().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(r)
}

/// Which receipt to bring up to date.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpgradeParams {
    /// The tree size of the receipt's checkpoint (`inclusion.size`).
    pub from: u64,
}

/// A consistency proof from a receipt's checkpoint to the newest cosigned one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CosignedUpgrade {
    /// The receipt's tree size.
    pub from: u64,
    /// The newest cosigned checkpoint's tree size.
    pub to: u64,
    /// The RFC 9162 consistency proof nodes from `from` to `to`, each 64 lower-case hex digits.
    #[schema(value_type = Vec<String>)]
    pub proof: Vec<Hash>,
    /// The operator-signed checkpoint of size `from`, as in the receipt.
    pub from_checkpoint: String,
    /// The checkpoint of size `to` with the operator's signature and every witness cosignature.
    pub to_checkpoint: String,
    /// The witness policy the log publishes (`log/witnesses`): `quorum K`, then one
    /// `witness VKEY` line per witness.
    pub policy: String,
}

/// Bring a receipt up to the newest witness-cosigned checkpoint.
///
/// 404 when the log has no witnesses, or no cosigned checkpoint covers `from` yet (the answer
/// says which size is cosigned; ask again later). `from` must be a checkpointed size.
#[utoipa::path(
    get,
    path = "/api/v1/proof/cosigned",
    tag = "proofs",
    params(UpgradeParams),
    responses(
        (status = 200, body = CosignedUpgrade, description = "Consistency proof to the newest cosigned checkpoint"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn upgrade(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<UpgradeParams>,
) -> Result<AppJson<CosignedUpgrade>, ApiError> {
    let c = app
        .cosigning
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this log is not configured with witnesses"))?;
    let (to, cosigned) = c
        .published()
        .ok_or_else(|| ApiError::not_found("no checkpoint has reached the witness quorum yet"))?;
    if p.from > to {
        return Err(ApiError::not_found(format!(
            "size {} is not yet covered by a cosigned checkpoint (cosigned size {to}); ask again \
             once the witnesses have caught up",
            p.from
        )));
    }
    let proof = crate::publish::proofs::consistency(app.reads(), p.from, Some(to)).await?;
    // The cosigned note is the stored checkpoint plus cosignature lines; never hand out one
    // whose text is not the log's own checkpoint of that size.
    let same = matches!(
        (split_note(&proof.to_checkpoint), split_note(&cosigned)),
        (Ok((a, _)), Ok((b, _))) if a == b
    );
    if !same {
        return Err(ApiError::internal(format!(
            "the cosigned checkpoint of size {to} is not the stored checkpoint of that size"
        )));
    }
    Ok(AppJson(CosignedUpgrade {
        from: proof.from,
        to,
        proof: proof.proof,
        from_checkpoint: proof.from_checkpoint,
        to_checkpoint: cosigned,
        policy: c.policy().to_owned(),
    }))
}
