//! `POST /api/v1/import:check`: a spreadsheet checked exactly as `sunshine import --check`
//! checks it ([`crate::import::check`]), answered as the unsigned submissions the rows become
//! and every problem by row, column and cell.
//!
//! Nothing is signed and nothing is written: the server never sees a private key. The signing
//! page (`/submit/`) signs the answered submissions in the browser and posts them to
//! `/api/v1/submissions:batch`, all or none. The submissions carry the server's clock as
//! `time`, so they must be signed and sent within the freshness window.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::error::{ApiError, AppJson, AppQuery, ErrorDetail};
use crate::import::{self, FileError, Report, SheetKind, Signer};
use crate::ledger::{PublicKey, Timestamp, Uscc};

#[derive(Debug, Deserialize, IntoParams)]
pub struct CheckQuery {
    /// The organisation (unified social credit code) whose rows these are.
    pub org: String,
    /// The public key (64 hex) that will sign them; it must be the organisation's, not revoked.
    pub key: String,
    /// `donation` or `disbursement`; detected from the columns when absent.
    pub kind: Option<String>,
}

/// Check a spreadsheet (xlsx or CSV) before signing it.
///
/// The body is the file's bytes. The answer lists, for every row that can be appended, the
/// unsigned submission it becomes, and every problem (`row`, `column`, `cell`, `code`,
/// `message`); an empty `problems` means every row can be appended. A file that cannot be read
/// at all (not a spreadsheet, an unknown or missing column) is a 400 naming the header cell.
#[utoipa::path(
    post,
    path = "/api/v1/import:check",
    tag = "submissions",
    params(CheckQuery),
    request_body(content = String, description = "The spreadsheet file (.xlsx or .csv)", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The rows as unsigned submissions, and every problem", body = Object),
        (status = 400, description = "Not a readable spreadsheet, or a bad header", body = super::error::ErrorBody),
        (status = 413, description = "Body over the limit", body = super::error::ErrorBody),
        (status = 429, description = "Rate limit", body = super::error::ErrorBody),
    )
)]
pub async fn check(
    State(app): State<AppState>,
    AppQuery(q): AppQuery<CheckQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<AppJson<Report>, ApiError> {
    let body = body?;
    let org: Uscc = q
        .org
        .parse()
        .map_err(|e| ApiError::malformed("org", format!("org: {e}")))?;
    let key: PublicKey = q
        .key
        .parse()
        .map_err(|e| ApiError::malformed("key", format!("key: {e}")))?;
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some("donation" | "donations") => Some(SheetKind::Donation),
        Some("disbursement" | "disbursements") => Some(SheetKind::Disbursement),
        Some(other) => {
            return Err(ApiError::malformed(
                "kind",
                format!("kind must be donation or disbursement (got {other:?})"),
            ));
        }
    };
    let state = app.service.current_state().await?;
    let signer = Signer {
        org: &org,
        key,
        time: Timestamp::now(),
    };
    import::check(&state, &body, kind, &signer)
        .map(AppJson)
        .map_err(file_error)
}

fn file_error(e: FileError) -> ApiError {
    let detail = match &e {
        FileError::Header(p) => {
            let mut d = ErrorDetail::new(p.code.clone(), e.to_string())
                .field(p.column.clone().unwrap_or_default());
            d.line = usize::try_from(p.row).ok();
            d
        }
        FileError::Sheet(_) => ErrorDetail::new("not_a_spreadsheet", e.to_string()),
        FileError::UnknownKind => ErrorDetail::new("unknown_kind", e.to_string()).field("kind"),
        FileError::NoRows => ErrorDetail::new("no_rows", e.to_string()),
    };
    ApiError::Malformed(detail)
}
