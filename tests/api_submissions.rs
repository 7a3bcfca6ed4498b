//! The write side of the HTTP API against the real server on loopback: receipts that verify
//! offline, idempotent retries, every refusal status, body limits, group commit under 50
//! concurrent writers, rate limiting and graceful shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::{spawn_app, spawn_app_with, test_config};
use common::offline::verify_receipt;
use common::sub;
use indicatif::ProgressBar;
use serde_json::{Value, json};
use sunshine_ledger::api::ApiConfig;
use sunshine_ledger::ledger::{Author, Kind, SecretKey, Submission, Timestamp, Uscc};
use sunshine_ledger::replay::store_audit::audit_store;

fn error_of(body: &Value) -> (&str, Option<&str>) {
    (
        body["error"]["code"].as_str().expect("error code"),
        body["error"]["field"].as_str(),
    )
}

async fn a_submission_answers_a_receipt_verifiable_offline_with_only_the_vkey() {
    let app = spawn_app().await;
    let s = app.ledger.filler(1);
    let (status, receipt) = app.submit(&s).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["seq"], 2);
    let vkey = app.vkey().await;
    let leaf = verify_receipt(&receipt, &vkey);
    // The leaf carries exactly the submission we signed.
    let entry: Value = serde_json::from_str(&leaf).unwrap();
    assert_eq!(entry["submission"], serde_json::to_value(&s).unwrap());
    // And the crate's own verifier agrees.
    let doc: sunshine_ledger::publish::proofs::InclusionProof =
        serde_json::from_value(receipt["inclusion"].clone()).unwrap();
    doc.verify(&vkey).unwrap();
    // Every 200 is on disk: the store has it.
    assert_eq!(app.ledger.store().size().await.unwrap(), 3);
}

async fn resending_the_same_submission_returns_the_original_receipt_and_writes_nothing() {
    let app = spawn_app().await;
    let s = app.ledger.filler(1);
    let (status, first) = app.submit(&s).await;
    assert_eq!(status, 200);
    // The log moves on; the retry still gets the receipt of the commit that included it.
    let more = (10..13).map(|i| app.ledger.filler(i)).collect();
    app.ledger.service.append(more).await.unwrap();
    let (status, again) = app.submit(&s).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(first, again);
    assert_eq!(app.ledger.store().size().await.unwrap(), 6);
}

async fn a_used_nonce_with_a_freshly_signed_different_submission_is_a_409() {
    let app = spawn_app().await;
    let s = app.ledger.filler(1);
    assert_eq!(app.submit(&s).await.0, 200);
    let mut other = app.ledger.filler(2).submission;
    other.nonce = s.submission.nonce.clone();
    let resigned = other.sign(&app.ledger.regulator);
    let (status, body) = app.submit(&resigned).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_of(&body), ("nonce_reused", Some("nonce")));
    assert_eq!(app.ledger.store().size().await.unwrap(), 3);
}

async fn refusals_have_their_status_code_and_field() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let before = t.store().size().await.unwrap();

    // 400: not JSON, and JSON that is not a submission.
    let (status, body) = app
        .post_raw("/api/v1/submissions", b"{not json".to_vec())
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_of(&body).0, "malformed");
    // A correctly signed submission whose text names a member twice: serde alone would keep
    // the second (signed) value, so without the I-JSON check this would be appended.
    let good = serde_json::to_string(&t.filler(1)).unwrap();
    let twice = format!("{{\"kind\":\"fund.transfer\",{}", &good[1..]);
    let (status, body) = app
        .post_raw("/api/v1/submissions", twice.into_bytes())
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate member name \"kind\""),
        "{body}"
    );
    let mut v = serde_json::to_value(t.filler(1)).unwrap();
    v["nonce"] = json!("bad");
    let (status, body) = app
        .post_raw("/api/v1/submissions", v.to_string().into_bytes())
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (400, ("malformed", Some("nonce")))
    );

    // 401: the signature does not verify.
    let mut forged = t.filler(2);
    forged.sig = t.filler(3).sig;
    let (status, body) = app.submit(&forged).await;
    assert_eq!(
        (status, error_of(&body)),
        (401, ("bad_signature", Some("sig")))
    );

    // 403: a key that is not registered to the author, and a role that may not sign the kind.
    let stranger = SecretKey::from_seed([77; 32]);
    let unknown = sub(
        Kind::OrgKeys,
        Author::Regulator(t.regulator_id.clone()),
        &stranger,
        json!({"org": t.org_id, "add": [SecretKey::from_seed([78; 32]).public()]}),
    );
    let (status, body) = app.submit(&unknown).await;
    assert_eq!(
        (status, error_of(&body)),
        (403, ("unknown_key", Some("key")))
    );
    let org_signs_keys = sub(
        Kind::OrgKeys,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"org": t.org_id, "add": [SecretKey::from_seed([79; 32]).public()]}),
    );
    let (status, body) = app.submit(&org_signs_keys).await;
    assert_eq!(
        (status, error_of(&body)),
        (403, ("kind_not_allowed", Some("kind")))
    );

    // 409: registering the same organisation again.
    let (status, body) = app.submit(&t.register_org()).await;
    assert_eq!((status, error_of(&body).0), (409, "duplicate_org"));

    // 422: a rule — keys for an organisation that is not registered; and a stale `time`.
    let nobody = Uscc::with_check("53440000MJ0000002").unwrap();
    let unregistered = sub(
        Kind::OrgKeys,
        Author::Regulator(t.regulator_id.clone()),
        &t.regulator,
        json!({"org": nobody, "add": [SecretKey::from_seed([80; 32]).public()]}),
    );
    let (status, body) = app.submit(&unregistered).await;
    assert_eq!(
        (status, error_of(&body)),
        (422, ("unknown_org", Some("body.org")))
    );
    let mut old: Submission = t.filler(4).submission;
    old.time = Timestamp::from_unix(Timestamp::now().unix() - 3600).unwrap();
    let (status, body) = app.submit(&old.sign(&t.regulator)).await;
    assert_eq!(
        (status, error_of(&body)),
        (422, ("stale_time", Some("time")))
    );

    // Nothing of the above was written.
    assert_eq!(t.store().size().await.unwrap(), before);
}

async fn a_body_one_byte_over_the_limit_is_413_and_at_the_limit_is_read() {
    let limit = 4096;
    let app = spawn_app_with(ApiConfig {
        max_submission_bytes: limit,
        ..test_config()
    })
    .await;
    let body = serde_json::to_vec(&app.ledger.filler(1)).unwrap();
    let pad = |n: usize| {
        let mut b = body.clone();
        b.resize(n, b' ');
        b
    };
    let (status, err) = app.post_raw("/api/v1/submissions", pad(limit + 1)).await;
    assert_eq!((status, error_of(&err).0), (413, "too_large"));
    let (status, receipt) = app.post_raw("/api/v1/submissions", pad(limit)).await;
    assert_eq!(status, 200, "{receipt}");
}

fn jsonl(subs: &[sunshine_ledger::ledger::SignedSubmission]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in subs {
        out.extend(serde_json::to_vec(s).unwrap());
        out.push(b'\n');
    }
    out
}

async fn a_batch_is_all_or_none_and_its_errors_name_the_line() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let vkey = app.vkey().await;
    let mut bad = t.filler(3);
    bad.sig = t.filler(4).sig;
    let (status, body) = app
        .post_raw(
            "/api/v1/submissions:batch",
            jsonl(&[t.filler(1), t.filler(2), bad]),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["line"], 3);
    assert_eq!(t.store().size().await.unwrap(), 2);

    let good = [t.filler(1), t.filler(2), t.filler(5)];
    let (status, body) = app
        .post_raw("/api/v1/submissions:batch", jsonl(&good))
        .await;
    assert_eq!(status, 200, "{body}");
    let receipts = body["receipts"].as_array().unwrap();
    assert_eq!(receipts.len(), 3);
    for (i, r) in receipts.iter().enumerate() {
        assert_eq!(r["seq"], 2 + i as u64);
        verify_receipt(r, &vkey);
    }
    // One commit: one checkpoint at size 5.
    assert!(t.store().checkpoint_at(3).await.unwrap().is_none());
    // Re-sending the whole batch is a retry.
    let (status, again) = app
        .post_raw("/api/v1/submissions:batch", jsonl(&good))
        .await;
    assert_eq!((status, &again), (200, &body));
    // Over the line limit is refused whole.
    let many: Vec<_> = (100..1101).map(|i| t.filler(i)).collect();
    let (status, body) = app
        .post_raw("/api/v1/submissions:batch", jsonl(&many))
        .await;
    assert_eq!((status, error_of(&body).0), (413, "too_many_lines"));
    assert_eq!(t.store().size().await.unwrap(), 5);
}

async fn fifty_concurrent_writers_get_gap_free_seqs_and_a_clean_audit() {
    let app = std::sync::Arc::new(spawn_app().await);
    const WRITERS: u64 = 50;
    const EACH: u64 = 40;
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..EACH {
                let (status, r) = app.submit(&app.ledger.filler(w * EACH + i)).await;
                assert_eq!(status, 200, "{r}");
                seqs.push(r["seq"].as_u64().unwrap());
            }
            (seqs, app.submit(&app.ledger.filler(w * EACH)).await.1)
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        let (s, _) = task.await.unwrap();
        seqs.extend(s);
    }
    seqs.sort_unstable();
    let expected: Vec<u64> = (2..2 + WRITERS * EACH).collect();
    assert_eq!(seqs, expected, "every seq once, no gaps");
    let store = app.ledger.store();
    let rows = store.entries_range(0, 10_000).await.unwrap();
    assert!(rows.iter().enumerate().all(|(i, r)| r.seq == i as u64));
    let report = audit_store(store, &ProgressBar::hidden()).await.unwrap();
    assert_eq!(report.size, 2 + WRITERS * EACH);
    // Group commit: far fewer checkpoints than entries.
    let checkpoints = sunshine_ledger::store::Store::collect(store.checkpoints())
        .await
        .unwrap();
    eprintln!(
        "{} entries in {} commits",
        WRITERS * EACH,
        checkpoints.len() - 2
    );
}

async fn a_client_over_its_write_rate_gets_429_with_retry_after() {
    let app = spawn_app_with(ApiConfig {
        write_rate_per_sec: 1,
        write_burst: 2,
        ..test_config()
    })
    .await;
    for i in 0..2 {
        assert_eq!(app.submit(&app.ledger.filler(i)).await.0, 200);
    }
    let r = app
        .client
        .post(app.url("/api/v1/submissions"))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&app.ledger.filler(3)).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let body: Value = r.json().await.unwrap();
    assert_eq!(error_of(&body).0, "rate_limited");
    // Reads are not limited.
    assert_eq!(app.get("/api/v1/checkpoint").await.status(), 200);
}

async fn shutdown_finishes_in_flight_appends() {
    let mut app = spawn_app().await;
    let url = app.url("/api/v1/submissions");
    let mut posts = Vec::new();
    for i in 0..20 {
        let (client, url) = (app.client.clone(), url.clone());
        let body = serde_json::to_vec(&app.ledger.filler(i)).unwrap();
        posts.push(tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.shutdown().await;
    let mut accepted = 0;
    for p in posts {
        // A request that had not reached the server before it stopped listening fails to
        // connect; one that did is answered, and a 200 is durable.
        if let Ok(Ok(200)) = p.await {
            accepted += 1;
        }
    }
    let size = app.ledger.store().size().await.unwrap();
    assert!(
        size >= 2 + accepted,
        "{accepted} answered 200 but the log has {size}"
    );
    audit_store(app.ledger.store(), &ProgressBar::hidden())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_client_trickling_its_request_head_is_disconnected() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut app = spawn_app_with(ApiConfig {
        header_timeout: std::time::Duration::from_secs(1),
        ..test_config()
    })
    .await;
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    // A request line and one header, then nothing: the head is never finished.
    slow.write_all(b"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        slow.read_to_end(&mut answer),
    )
    .await;
    assert!(
        closed.is_ok(),
        "the server still holds a connection whose head never finished"
    );
    // Others are served meanwhile and afterwards.
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // A stop does not wait on the half-open connection either.
    app.shutdown().await;
}

on_both_backends!(
    a_submission_answers_a_receipt_verifiable_offline_with_only_the_vkey,
    resending_the_same_submission_returns_the_original_receipt_and_writes_nothing,
    a_used_nonce_with_a_freshly_signed_different_submission_is_a_409,
    refusals_have_their_status_code_and_field,
    a_body_one_byte_over_the_limit_is_413_and_at_the_limit_is_read,
    a_batch_is_all_or_none_and_its_errors_name_the_line,
    fifty_concurrent_writers_get_gap_free_seqs_and_a_clean_audit,
    a_client_over_its_write_rate_gets_429_with_retry_after,
    shutdown_finishes_in_flight_appends,
);
