//! Group commit: submissions that arrive together share one durable commit and one checkpoint,
//! but a refused one never takes the others down with it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::spawn_app;
use common::{TestLedger, dump, tamper};
use indicatif::ProgressBar;
use sunshine_ledger::append::service::{AppendError, Prechecked};
use sunshine_ledger::replay::store_audit::audit_store;
use sunshine_ledger::store::StoreError;

async fn refused_submissions_are_reported_and_the_rest_commit_together() {
    group_of_four_with_two_refused(false).await;
}

/// The HTTP API's path: each submission checked where it arrived, then committed as a group,
/// decides every one as `append_each` does.
async fn submissions_checked_as_they_arrive_commit_as_the_group_would() {
    group_of_four_with_two_refused(true).await;
}

async fn group_of_four_with_two_refused(prechecked: bool) {
    let t = TestLedger::new().await;
    let good_a = t.filler(1);
    let mut bad_sig = t.filler(2);
    bad_sig.sig = good_a.sig;
    let good_b = t.filler(3);
    let replay = good_a.clone();
    let group = vec![good_a, bad_sig, good_b, replay];
    let results = if prechecked {
        let checked = group.into_iter().map(Prechecked::new).collect();
        t.service.append_each_prechecked(checked).await.unwrap()
    } else {
        t.service.append_each(group).await.unwrap()
    };
    assert_eq!(results[0].as_ref().unwrap().seq, 2);
    assert!(matches!(
        results[1],
        Err(AppendError::Signature { index: 1 })
    ));
    assert_eq!(results[2].as_ref().unwrap().seq, 3);
    assert!(matches!(
        results[3],
        Err(AppendError::RepeatedInBatch { index: 3, first: 0 })
    ));
    // Two entries, one commit: exactly one new checkpoint, at size 4.
    let (size, _) = t.store().latest_checkpoint().await.unwrap().unwrap();
    assert_eq!(size, 4);
    assert!(t.store().checkpoint_at(3).await.unwrap().is_none());
    let report = audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(report.size, 4);
}

async fn all_or_none_refuses_the_whole_request() {
    let t = TestLedger::new().await;
    let good = t.filler(1);
    let mut bad = t.filler(2);
    bad.sig = good.sig;
    let err = t.service.append(vec![good, bad]).await.unwrap_err();
    assert!(matches!(err, AppendError::Signature { index: 1 }));
    assert_eq!(t.store().size().await.unwrap(), 2);
}

/// A key that another writer stored behind the append lock's back (here a checkpoint at the
/// size the next commit will reach) fails the commit's insert as a unique violation: the API
/// answers a specific 409 for single and batch submissions, never a 500, and nothing is written.
async fn a_unique_violation_inside_the_append_is_a_409_and_writes_nothing() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let (_, note) = t.store().latest_checkpoint().await.unwrap().unwrap();
    tamper(
        &t.url,
        &format!("INSERT INTO checkpoints (size, note) VALUES (3, '{note}')"),
    )
    .await;
    app.views_settled().await;
    let before = dump(&t.url).await;
    let (status, body) = app.submit(&t.filler(1)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "concurrent_append", "{body}");
    let line = serde_json::to_vec(&t.filler(2)).unwrap();
    let (status, body) = app.post_raw("/api/v1/submissions:batch", line).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "concurrent_append", "{body}");
    let err = t.service.append(vec![t.filler(3)]).await.unwrap_err();
    assert!(
        matches!(&err, AppendError::Store(e @ StoreError::Duplicate(_)) if e.is_race()),
        "{err}"
    );
    assert_eq!(dump(&t.url).await, before);
}

on_both_backends!(
    refused_submissions_are_reported_and_the_rest_commit_together,
    submissions_checked_as_they_arrive_commit_as_the_group_would,
    all_or_none_refuses_the_whole_request,
    a_unique_violation_inside_the_append_is_a_409_and_writes_nothing,
);
