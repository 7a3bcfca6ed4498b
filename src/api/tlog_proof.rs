//! `GET /api/v1/receipts/{receipt_no}/proof?org=USCC`: the donation's entry as a C2SP
//! tlog-proof file (`ledger::tlog_proof`) a donor keeps and checks offline with
//! `sunshine verify-proof`.
//!
//! The proof is against the checkpoint `/log/checkpoint` serves: with witnesses configured, the
//! newest one carrying the quorum of cosignatures (so a donation newer than it is 404 until the
//! witnesses catch up, and the answer says so); without, the newest signed one.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, AppPath, AppQuery};
use super::money::{ReceiptParams, ident, typed, uscc};
use crate::ledger::tlog_proof::TlogProof;
use crate::money::views::keys;
use crate::money::views::rows::DonationRow;

/// A receipt's entry as a `.tlog-proof` file.
#[utoipa::path(
    get,
    path = "/api/v1/receipts/{receipt_no}/proof",
    tag = "money",
    params(
        ("receipt_no" = String, Path, description = "Receipt number"),
        ReceiptParams,
    ),
    responses(
        (status = 200, content_type = "text/plain", body = String, description = "C2SP tlog-proof"),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn proof(
    State(app): State<AppState>,
    AppPath(receipt_no): AppPath<String>,
    AppQuery(p): AppQuery<ReceiptParams>,
) -> Result<Response, ApiError> {
    let receipt_no = ident("receipt_no", &receipt_no)?;
    let org = uscc(
        "org",
        p.org.as_deref().ok_or_else(|| {
            ApiError::malformed("org", "org: the issuing organisation is required")
        })?,
    )?;
    let donation: DonationRow = typed(&app, &keys::DONATION.key(&[&org, &receipt_no]))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no receipt {receipt_no} of {org}")))?;
    let seq = donation.record.seq;
    // One snapshot of the published checkpoint: the proof and the note must be of one size.
    let published = match &app.cosigning {
        Some(c) => Some(c.published().ok_or_else(|| {
            ApiError::not_found("no checkpoint has reached the witness quorum yet")
        })?),
        None => None,
    };
    if let Some((size, _)) = &published
        && seq >= *size
    {
        return Err(ApiError::not_found(format!(
            "entry {seq} is not yet covered by a cosigned checkpoint (cosigned size {size})"
        )));
    }
    let inc = crate::publish::proofs::inclusion(app.reads(), seq, published.as_ref().map(|p| p.0))
        .await?;
    let checkpoint = published.map(|p| p.1).unwrap_or(inc.checkpoint);
    let file = TlogProof {
        extra: Some(inc.leaf.into_bytes()),
        index: inc.seq,
        proof: inc.proof,
        checkpoint,
    };
    let mut r = file.encode().into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{org}-{receipt_no}.tlog-proof\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
