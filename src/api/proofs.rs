//! Inclusion and consistency proof documents, each with the signed checkpoint(s) it is relative
//! to, so a client verifies them offline with the operator's verifier key
//! ([`crate::publish::proofs::InclusionProof::verify`], or by hand following the spec).

use crate::publish::proofs::{ConsistencyProof, InclusionProof};
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::error::{ApiError, AppJson, AppQuery};

/// Which inclusion proof.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionParams {
    /// The entry.
    pub seq: u64,
    /// A checkpointed tree size (default: the latest checkpoint).
    pub size: Option<u64>,
}

/// Which consistency proof.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyParams {
    /// The older checkpointed tree size.
    pub from: u64,
    /// The newer checkpointed tree size (default: the latest checkpoint).
    pub to: Option<u64>,
}

/// RFC 9162 inclusion proof of entry `seq` in the checkpoint of `size`.
///
/// The document: `{seq, size, leaf_hash, leaf, proof: [hex], checkpoint}`. Sizes are those of
/// signed checkpoints (one per commit); any other size is 404.
#[utoipa::path(
    get,
    path = "/api/v1/proof/inclusion",
    tag = "proofs",
    params(InclusionParams),
    responses(
        (status = 200, body = InclusionProof, description = "Inclusion proof document"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn inclusion(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<InclusionParams>,
) -> Result<AppJson<InclusionProof>, ApiError> {
    Ok(AppJson(
        crate::publish::proofs::inclusion(app.reads(), p.seq, p.size).await?,
    ))
}

/// RFC 9162 consistency proof between the checkpoints of `from` and `to`.
///
/// The document: `{from, to, proof: [hex], from_checkpoint, to_checkpoint}`.
#[utoipa::path(
    get,
    path = "/api/v1/proof/consistency",
    tag = "proofs",
    params(ConsistencyParams),
    responses(
        (status = 200, body = ConsistencyProof, description = "Consistency proof document"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn consistency(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<ConsistencyParams>,
) -> Result<AppJson<ConsistencyProof>, ApiError> {
    Ok(AppJson(
        crate::publish::proofs::consistency(app.reads(), p.from, p.to).await?,
    ))
}
