//! The one error type of the HTTP API, and the extractors whose rejections become it.
//!
//! Every refusal is `{"error": {"code", "message", "field"?, "line"?}}` with the status its class
//! fixes: 400 malformed, 401 bad signature, 403 key not allowed, 404 not found, 409 conflict
//! with the log, 413 too large, 422 rule violated, 429 rate limited. Handlers return
//! `Result<_, ApiError>` and use `?`; the mapping from the layers' errors lives here and nowhere
//! else. A 5xx body never carries internal error text: [`ApiError::internal`] logs the cause
//! (with the request's span, hence its request id) and answers a fixed message.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::append::service::AppendError;
use crate::ledger::SubmissionError;
use crate::ledger::authority::AuthorityError;
use crate::ledger::entry::EntryError;
use crate::publish::proofs::ProofRequestError;
use crate::replay::state::AdmitError;

/// What a refusal says, whatever its class.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code a client can branch on (`bad_signature`, `overdraft`, ...).
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// The JSON path at fault (`time`, `body.amount`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For JSON Lines batches: the 1-based line at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

impl ErrorDetail {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorDetail {
            code: code.into(),
            message: message.into(),
            field: None,
            line: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }
}

/// Every way a request can fail. The variant fixes the HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is not well-formed (JSON, fields, parameters).
    #[error("{}", .0.message)]
    Malformed(ErrorDetail),
    /// 401: the signature does not verify; the signature is the only authentication.
    #[error("{}", .0.message)]
    BadSignature(ErrorDetail),
    /// 403: the key is unknown, revoked, or its role may not sign this kind.
    #[error("{}", .0.message)]
    Forbidden(ErrorDetail),
    /// 404: no such entry, tile, checkpoint or record.
    #[error("{}", .0.message)]
    NotFound(ErrorDetail),
    /// 409: conflicts with the log (a nonce reused for another submission, a duplicate id).
    #[error("{}", .0.message)]
    Conflict(ErrorDetail),
    /// 413: the body is over the limit.
    #[error("{}", .0.message)]
    TooLarge(ErrorDetail),
    /// 422: well-formed, but it breaks a rule.
    #[error("{}", .0.message)]
    Rule(ErrorDetail),
    /// 429: this client is over its write rate.
    #[error("too many requests; retry after {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// 503: shutting down, not taking writes.
    #[error("the server is shutting down")]
    Unavailable,
    /// 500: the cause was logged where the operator can read it.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    pub fn malformed(field: &str, message: impl Into<String>) -> Self {
        ApiError::Malformed(ErrorDetail::new("malformed", message).field(field))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::NotFound(ErrorDetail::new("not_found", message))
    }

    /// 409: the append lost a race with another writer and wrote nothing.
    pub fn concurrent_append() -> Self {
        ApiError::Conflict(ErrorDetail::new(
            "concurrent_append",
            "another server appended at the same moment and nothing of this request was \
             written; send it again (resending the same signed submission is safe)",
        ))
    }

    /// Logs `cause` and answers a 500 that does not repeat it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "request failed");
        ApiError::Internal
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::BadSignature(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The detail, if this error carries one.
    pub fn detail_mut(&mut self) -> Option<&mut ErrorDetail> {
        match self {
            ApiError::Malformed(d)
            | ApiError::BadSignature(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d)
            | ApiError::TooLarge(d)
            | ApiError::Rule(d) => Some(d),
            _ => None,
        }
    }

    /// Points the error at line `line` of a JSON Lines body.
    pub fn at_line(mut self, line: usize) -> Self {
        if let Some(d) = self.detail_mut() {
            d.message = format!("line {line}: {}", d.message);
            d.line = Some(line);
        }
        self
    }

    fn detail(&self) -> ErrorDetail {
        match self {
            ApiError::Malformed(d)
            | ApiError::BadSignature(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d)
            | ApiError::TooLarge(d)
            | ApiError::Rule(d) => d.clone(),
            ApiError::RateLimited { .. } => ErrorDetail::new("rate_limited", self.to_string()),
            ApiError::Unavailable => ErrorDetail::new("unavailable", self.to_string()),
            ApiError::Internal => ErrorDetail::new(
                "internal",
                "internal error; the operator's log has the details",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            error: self.detail(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

impl From<SubmissionError> for ApiError {
    fn from(e: SubmissionError) -> Self {
        ApiError::malformed(&e.field, e.message)
    }
}

impl From<AuthorityError> for ApiError {
    fn from(e: AuthorityError) -> Self {
        let field = e.field().to_owned();
        let message = e.to_string();
        let (class, code): (fn(ErrorDetail) -> ApiError, &str) = match &e {
            AuthorityError::UnknownKey { .. } => (ApiError::Forbidden, "unknown_key"),
            AuthorityError::RevokedKey { .. } => (ApiError::Forbidden, "revoked_key"),
            AuthorityError::KindNotAllowed { .. } => (ApiError::Forbidden, "kind_not_allowed"),
            AuthorityError::GenesisKey => (ApiError::Forbidden, "not_operator_key"),
            AuthorityError::GenesisFirst | AuthorityError::GenesisAgain => {
                (ApiError::Rule, "genesis")
            }
            AuthorityError::OrgExists(_) => (ApiError::Conflict, "duplicate_org"),
            AuthorityError::KeyInUse(_) => (ApiError::Conflict, "duplicate_key"),
            AuthorityError::UnknownOrg(_) => (ApiError::Rule, "unknown_org"),
            AuthorityError::NotActive(_) => (ApiError::Rule, "key_not_active"),
            AuthorityError::Body(_) => (ApiError::Malformed, "malformed"),
        };
        class(ErrorDetail::new(code, message).field(field))
    }
}

impl From<AdmitError> for ApiError {
    fn from(e: AdmitError) -> Self {
        let field = e.field().to_owned();
        match e {
            AdmitError::Authority(a) => a.into(),
            AdmitError::Money(m) => {
                let detail = ErrorDetail::new(m.code(), m.to_string()).field(field);
                if m.is_malformed() {
                    ApiError::Malformed(detail)
                } else if m.is_conflict() {
                    ApiError::Conflict(detail)
                } else {
                    ApiError::Rule(detail)
                }
            }
            AdmitError::DuplicateNonce { .. } => {
                ApiError::Conflict(ErrorDetail::new("nonce_reused", e.to_string()).field(field))
            }
            AdmitError::FutureTime { .. } => {
                ApiError::Rule(ErrorDetail::new("future_time", e.to_string()).field(field))
            }
            // Seq, prev and recording time are set by the server, never by the client: if they
            // are wrong, the server is.
            AdmitError::Seq { .. }
            | AdmitError::Prev { .. }
            | AdmitError::RecordedBackwards { .. } => ApiError::internal(e),
        }
    }
}

impl From<AppendError> for ApiError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Signature { .. } => ApiError::BadSignature(
                ErrorDetail::new(
                    "bad_signature",
                    "the signature does not verify under the submission's key",
                )
                .field("sig"),
            ),
            AppendError::Admit { source, .. } => source.into(),
            AppendError::Entry {
                source: EntryError::TooLarge(n),
                ..
            } => ApiError::TooLarge(
                ErrorDetail::new(
                    "entry_too_large",
                    format!("the entry would be {n} bytes; an entry is at most 65535"),
                )
                .field("body"),
            ),
            AppendError::Entry { source, .. } => {
                ApiError::Malformed(ErrorDetail::new("malformed", source.to_string()))
            }
            AppendError::RepeatedInBatch { first, .. } => ApiError::Conflict(
                ErrorDetail::new(
                    "nonce_reused",
                    format!(
                        "the nonce repeats submission {} of the same request",
                        first + 1
                    ),
                )
                .field("nonce"),
            ),
            AppendError::Empty => ApiError::malformed("", "nothing to append"),
            AppendError::Store(e) => e.into(),
            other => ApiError::internal(other),
        }
    }
}

impl From<ProofRequestError> for ApiError {
    fn from(e: ProofRequestError) -> Self {
        match e {
            ProofRequestError::NoEntry { .. }
            | ProofRequestError::NoCheckpoint(..)
            | ProofRequestError::Empty => ApiError::not_found(e.to_string()),
            ProofRequestError::Order { .. } => ApiError::malformed("from", e.to_string()),
            other => ApiError::internal(other),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    /// A lost race with another writer is the client's to retry (resending the same signed
    /// submission is always safe), never a 500; anything else is the operator's to look at.
    fn from(e: crate::store::StoreError) -> Self {
        if e.is_race() {
            tracing::warn!(cause = %e, "append lost a race with another writer");
            ApiError::concurrent_append()
        } else {
            ApiError::internal(e)
        }
    }
}

/// A body that could not be read: over the limit (413), or not what was declared (400).
fn body_error(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(ErrorDetail::new(
            "too_large",
            "the request body is over the limit",
        ))
    } else {
        ApiError::malformed("", text)
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        body_error(r.status(), r.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        body_error(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::malformed("", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::malformed("", r.body_text())
    }
}

/// `Json` whose rejection is our 400/413 JSON body instead of axum's plain text.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `Query` with our 400 body.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

/// `Path` with our 400 body.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);
