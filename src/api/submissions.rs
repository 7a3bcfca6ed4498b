//! `POST /api/v1/submissions` and `POST /api/v1/submissions:batch`: the write side.
//!
//! The signature is the authentication: there are no accounts and no tokens, a submission is
//! accepted because its author's key signed it and the log says that key may sign that kind at
//! this seq. What the server adds is freshness and idempotency:
//!
//! - **Freshness.** `time` must be within the configured window of the server clock, so a
//!   signed submission captured today cannot be appended next year.
//! - **Idempotency.** `(author, nonce)` is unique in the log. Re-sending the exact same signed
//!   submission is a retry: it answers the original receipt (200) and writes nothing. A different
//!   submission under a used nonce is a conflict (409).
//!
//! The answer is a [`Receipt`]: the entry's seq and leaf hash with an RFC 9162 inclusion proof
//! in the checkpoint signed for the commit that included it. With only the operator's verifier
//! key, the client can check offline that its entry is in the log the operator signed.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::cosigned::witnessed;
use super::error::{ApiError, AppJson, ErrorDetail};
use super::receipt::{Receipt, receipts};
use crate::ledger::jcs::{self, UniqueKeys};
use crate::ledger::{Hash, SealedEntry, SignedSubmission, Timestamp};
use crate::store::Store;

/// The answer to a batch: one receipt per line, in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchReceipt {
    pub receipts: Vec<Receipt>,
}

/// Append one signed submission.
///
/// The body is one signed submission (spec: "Submission"). Concurrent requests share durable
/// commits (group commit); a 200 means the entry is on disk. Re-sending the same signed
/// submission answers the original receipt with 200 and appends nothing.
#[utoipa::path(
    post,
    path = "/api/v1/submissions",
    tag = "submissions",
    request_body(content = Object, description = "A signed submission", content_type = "application/json"),
    responses(
        (status = 200, description = "Appended (or already appended: the original receipt)", body = Receipt),
        (status = 400, description = "Malformed submission", body = super::error::ErrorBody),
        (status = 401, description = "Signature does not verify", body = super::error::ErrorBody),
        (status = 403, description = "Key unknown, revoked, or not allowed to sign this kind", body = super::error::ErrorBody),
        (status = 409, description = "Nonce already used for a different submission, or a duplicate identifier", body = super::error::ErrorBody),
        (status = 413, description = "Body over the limit", body = super::error::ErrorBody),
        (status = 422, description = "A rule is violated (including `time` outside the freshness window)", body = super::error::ErrorBody),
        (status = 429, description = "Write rate limit", body = super::error::ErrorBody),
    )
)]
pub async fn submit(
    State(app): State<AppState>,
    AppJson(UniqueKeys(body)): AppJson<UniqueKeys>,
) -> Result<AppJson<Receipt>, ApiError> {
    let AppJson(receipt) = submit_one(&app, body).await?;
    Ok(AppJson(witnessed(&app, receipt)))
}

async fn submit_one(app: &AppState, body: serde_json::Value) -> Result<AppJson<Receipt>, ApiError> {
    let sub = SignedSubmission::from_value(body)?;
    // Most submissions are new: skip the database lookup for a nonce this process has not
    // seen. One it has not seen but the log holds (appended a moment ago, or by another
    // server) is refused by the append as a reused nonce, and answered below all the same.
    let seen = app.service.nonce_seen(
        &sub.submission.author.to_string(),
        sub.submission.nonce.as_str(),
    );
    if seen && let Some(receipt) = replay(app.store(), &sub).await? {
        return Ok(AppJson(receipt));
    }
    if let Err(stale) = check_fresh(&sub, app.config.nonce_window_secs, Timestamp::now()) {
        // An old submission may still be the retry of one another server appended.
        if !seen && let Some(receipt) = replay(app.store(), &sub).await? {
            return Ok(AppJson(receipt));
        }
        return Err(stale);
    }
    match app.committer.submit(sub.clone()).await {
        Ok(receipt) => Ok(AppJson(receipt)),
        // The same submission raced itself (two retries in flight at once): the one that won
        // is this request's entry too.
        Err(e @ ApiError::Conflict(_)) => match replay(app.store(), &sub).await? {
            Some(receipt) => Ok(AppJson(receipt)),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// Append up to 1,000 signed submissions, all or none.
///
/// The body is JSON Lines: one signed submission per line (blank lines are skipped). Either
/// every line is appended, as consecutive entries in one commit, or none is and the error names
/// the line (`error.line`). Re-sending a batch that was appended answers its original receipts;
/// a line whose nonce the log holds for a different submission is a 409.
#[utoipa::path(
    post,
    path = "/api/v1/submissions:batch",
    tag = "submissions",
    request_body(content = String, description = "JSON Lines of signed submissions", content_type = "application/x-ndjson"),
    responses(
        (status = 200, description = "All appended", body = BatchReceipt),
        (status = 400, description = "A malformed line", body = super::error::ErrorBody),
        (status = 401, description = "A signature does not verify", body = super::error::ErrorBody),
        (status = 403, description = "A key is not allowed", body = super::error::ErrorBody),
        (status = 409, description = "A nonce is already used", body = super::error::ErrorBody),
        (status = 413, description = "Body or line count over the limit", body = super::error::ErrorBody),
        (status = 422, description = "A rule is violated", body = super::error::ErrorBody),
        (status = 429, description = "Write rate limit", body = super::error::ErrorBody),
    )
)]
pub async fn submit_batch(
    State(app): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<AppJson<BatchReceipt>, ApiError> {
    let AppJson(batch) = submit_all(&app, body?).await?;
    let receipts = batch
        .receipts
        .into_iter()
        .map(|r| witnessed(&app, r))
        .collect();
    Ok(AppJson(BatchReceipt { receipts }))
}

async fn submit_all(app: &AppState, body: Bytes) -> Result<AppJson<BatchReceipt>, ApiError> {
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::malformed("", format!("the body is not UTF-8: {e}")))?;
    let now = Timestamp::now();
    let mut subs = Vec::new();
    let mut lines = Vec::new();
    let mut replayed = Vec::new();
    // Every line, in order, for a second look when the first one saw part of the batch.
    let mut all = Vec::new();
    let mut all_lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let number = i + 1;
        if subs.len() + replayed.len() == app.config.max_batch_lines {
            return Err(ApiError::TooLarge(ErrorDetail::new(
                "too_many_lines",
                format!(
                    "a batch holds at most {} submissions",
                    app.config.max_batch_lines
                ),
            )));
        }
        let sub = SignedSubmission::from_json(line.as_bytes())
            .map_err(|e| ApiError::from(e).at_line(number))?;
        all.push(sub.clone());
        all_lines.push(number);
        match replay(app.store(), &sub)
            .await
            .map_err(|e| e.at_line(number))?
        {
            Some(receipt) => replayed.push(receipt),
            None => {
                check_fresh(&sub, app.config.nonce_window_secs, now)
                    .map_err(|e| e.at_line(number))?;
                subs.push(sub);
                lines.push(number);
            }
        }
    }
    match (subs.is_empty(), replayed.is_empty()) {
        (true, true) => return Err(ApiError::malformed("", "the batch is empty")),
        // A retry of a batch that was committed: all or none means all of it is in the log.
        (true, false) => return Ok(AppJson(BatchReceipt { receipts: replayed })),
        (false, false) => {
            // The lines are looked up one by one, so another server's commit of this very batch
            // may land between two lookups; that commit is all or none, so a second look that
            // starts after the first ended sees all of it.
            if let Some(receipts) = replay_all(app.store(), &all, &all_lines).await? {
                return Ok(AppJson(BatchReceipt { receipts }));
            }
            return Err(ApiError::Conflict(
                ErrorDetail::new(
                    "partial_replay",
                    format!(
                        "{} of the batch's submissions are already in the log and {} are not; \
                         a batch is appended all or none, so resend only the new ones",
                        replayed.len(),
                        subs.len()
                    ),
                )
                .field("nonce"),
            )
            .at_line(lines[0]));
        }
        (false, true) => {}
    }
    let appended = match app.service.append(subs.clone()).await {
        Ok(appended) => appended,
        Err(e) => {
            let line = e.index().and_then(|i| lines.get(i).copied());
            let err = ApiError::from(e);
            // The same batch raced itself (a retry in flight on another server): if the winner
            // appended every line, its receipts are this request's too.
            if matches!(err, ApiError::Conflict(_))
                && let Some(receipts) = replay_all(app.store(), &subs, &lines).await?
            {
                return Ok(AppJson(BatchReceipt { receipts }));
            }
            return Err(match line {
                Some(line) => err.at_line(line),
                None => err,
            });
        }
    };
    let size = appended.last().map(|a| a.seq + 1).unwrap_or(0);
    let rows: Vec<_> = appended
        .into_iter()
        .map(|a| (a.seq, a.leaf_hash, a.leaf))
        .collect();
    let receipts = receipts(app.store(), &rows, size).await?;
    Ok(AppJson(BatchReceipt { receipts }))
}

/// Refuses a submission whose `time` is outside `window_secs` of `now`.
fn check_fresh(sub: &SignedSubmission, window_secs: u64, now: Timestamp) -> Result<(), ApiError> {
    let skew = sub.submission.time.unix().abs_diff(now.unix());
    if skew > window_secs {
        return Err(ApiError::Rule(
            ErrorDetail::new(
                "stale_time",
                format!(
                    "time {} is {skew} s from the server clock ({now}); sign submissions within {window_secs} s of sending them",
                    sub.submission.time
                ),
            )
            .field("time"),
        ));
    }
    Ok(())
}

fn nonce_used(sub: &SignedSubmission, seq: u64) -> ApiError {
    ApiError::Conflict(
        ErrorDetail::new(
            "nonce_reused",
            format!(
                "nonce {} was already used by {} for a different submission (entry {seq})",
                sub.submission.nonce, sub.submission.author
            ),
        )
        .field("nonce"),
    )
}

/// If `(author, nonce)` is already in the log: the original receipt when the stored submission
/// is exactly `sub` (a retry), a 409 otherwise. `None` if the nonce is unused.
async fn replay(store: &Store, sub: &SignedSubmission) -> Result<Option<Receipt>, ApiError> {
    let Some(row) = store
        .entry_by_nonce(
            &sub.submission.author.to_string(),
            sub.submission.nonce.as_str(),
        )
        .await?
    else {
        return Ok(None);
    };
    let stored = SealedEntry::open(row.leaf.clone()).map_err(ApiError::internal)?;
    // Compare canonical bytes: the same signed submission, whatever the sender's key order.
    let same = jcs::canonical(&stored.entry.submission).map_err(ApiError::internal)?
        == jcs::canonical(sub).map_err(ApiError::internal)?;
    if !same {
        return Err(nonce_used(sub, row.seq));
    }
    // One checkpoint per commit: the smallest one covering the entry is its commit's, which is
    // the one the original receipt used.
    let (size, _) = store
        .checkpoint_covering(row.seq + 1)
        .await?
        .ok_or_else(|| ApiError::internal(format!("no checkpoint covers entry {}", row.seq)))?;
    let hash = Hash::from_slice(&row.leaf_hash)
        .ok_or_else(|| ApiError::internal(format!("entry {} leaf hash", row.seq)))?;
    let mut receipts = receipts(store, &[(row.seq, hash, row.leaf)], size).await?;
    Ok(receipts.pop())
}

/// The original receipts of `subs` (at `lines` of the request) if every one of them is in the
/// log; `None` if any is not.
async fn replay_all(
    store: &Store,
    subs: &[SignedSubmission],
    lines: &[usize],
) -> Result<Option<Vec<Receipt>>, ApiError> {
    let mut receipts = Vec::with_capacity(subs.len());
    for (sub, &line) in subs.iter().zip(lines) {
        match replay(store, sub).await.map_err(|e| e.at_line(line))? {
            Some(receipt) => receipts.push(receipt),
            None => return Ok(None),
        }
    }
    Ok(Some(receipts))
}
