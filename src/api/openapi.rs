//! `GET /api/v1/openapi.json`: the OpenAPI 3 document, generated from the handlers'
//! `#[utoipa::path]` annotations and doc comments, so it cannot drift from the code (a test
//! checks that every route the router serves is in it).

use utoipa::OpenApi;

use super::error::AppJson;

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sunshine Ledger API",
        description = "A verifiable, append-only ledger of charity money. Writes are signed \
            submissions; every answer that matters can be verified offline with the operator's \
            verifier key (`/log/operator.vkey`). Wire format: ledger v1 (RFC 8785 JSON, \
            RFC 9162 Merkle tree, C2SP checkpoints and tiles)."
    ),
    paths(
        super::submissions::submit,
        super::submissions::submit_batch,
        super::import::check,
        super::log::checkpoint_json,
        super::log::checkpoint_note,
        super::log::cosigning,
        super::log::operator_vkey,
        super::cosigned::policy,
        super::log::tile,
        super::entries::list,
        super::entries::by_seq,
        super::entries::by_hash,
        super::proofs::inclusion,
        super::proofs::consistency,
        super::cosigned::upgrade,
        super::money::orgs,
        super::money::org,
        super::money::projects,
        super::money::project,
        super::money::trusts,
        super::money::trust,
        super::money::grants,
        super::money::grant,
        super::money::receipt,
        super::tlog_proof::proof,
        super::money::compliance,
        super::obligations::obligations,
        super::health::healthz,
        document,
    ),
    components(schemas(
        super::error::ErrorBody,
        super::error::ErrorDetail,
        super::receipt::Receipt,
        crate::publish::proofs::InclusionProof,
        crate::publish::proofs::ConsistencyProof,
        super::submissions::BatchReceipt,
        super::log::CheckpointView,
        super::cosigning::CosigningStatus,
        super::cosigning::WitnessStatus,
        super::cosigned::Witnessing,
        super::cosigned::CosignedUpgrade,
        super::entries::EntryView,
        super::entries::EntryPage,
        super::health::Health,
    ))
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, body = Object, description = "OpenAPI 3 document"))
)]
pub async fn document() -> AppJson<utoipa::openapi::OpenApi> {
    AppJson(ApiDoc::openapi())
}
