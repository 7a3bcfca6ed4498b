//! The cached derived views are refreshed by writing only the rows that changed since this
//! process's last refresh — and in full whenever the table may hold something else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::TestLedger;
use indicatif::ProgressBar;
use sunshine_ledger::cli::audit::audit_store;
use sunshine_ledger::money::views::ViewDelta;
use sunshine_ledger::store::Store;

fn rows(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn delta(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> ViewDelta {
    let delta = ViewDelta::between(old, new.clone(), BTreeMap::new());
    let mut applied = old.clone();
    delta.apply(&mut applied);
    assert_eq!(&applied, new);
    delta
}

async fn table(store: &Store) -> (Option<u64>, BTreeMap<String, String>) {
    let all = store.views_with_prefix("").await.unwrap();
    (store.view_size().await.unwrap(), all.into_iter().collect())
}

async fn a_delta_refresh_leaves_exactly_the_new_rows_and_falls_back_when_another_wrote() {
    let t = TestLedger::new().await;
    let store = t.store();
    let a = rows(&[("a", "1"), ("b", "2"), ("c", "3")]);
    store.replace_views(10, &a, None).await.unwrap();
    assert_eq!(table(store).await, (Some(10), a.clone()));

    // Changed, kept, removed and new keys, written as a delta against `a`.
    let b = rows(&[("a", "1"), ("b", "9"), ("d", "4")]);
    store
        .replace_views(11, &b, Some((10, &delta(&a, &b))))
        .await
        .unwrap();
    assert_eq!(table(store).await, (Some(11), b.clone()));

    // Another process cached size 15 with a key ours never had: our next refresh cannot be a
    // delta against `b`, and must not leave "z" behind.
    let theirs = rows(&[("a", "1"), ("z", "0")]);
    store.replace_views(15, &theirs, None).await.unwrap();
    let d = rows(&[("a", "2"), ("e", "5")]);
    store
        .replace_views(16, &d, Some((11, &delta(&b, &d))))
        .await
        .unwrap();
    assert_eq!(table(store).await, (Some(16), d.clone()));

    // Views never go back to a shorter log.
    store
        .replace_views(12, &b, Some((16, &delta(&d, &b))))
        .await
        .unwrap();
    assert_eq!(table(store).await, (Some(16), d));
}

async fn refreshes_after_new_entries_match_the_views_the_audit_derives() {
    let t = TestLedger::new().await;
    t.fill(20, 10).await;
    assert_eq!(t.service.refresh_views().await.unwrap(), 22);
    let before = table(t.store()).await.1;
    // Donations: new receipt rows, and the organisation's figures change.
    t.service
        .append(
            (0..15)
                .map(|i| t.donation(&format!("R2025-{i:04}"), "100.00", "2025-03-01"))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(t.service.refresh_views().await.unwrap(), 37);
    // The audit re-derives every view at the cached size and compares row by row.
    let report = audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(report.size, 37);
    assert!(report.views > 0);
    let after = table(t.store()).await;
    assert_eq!(after.0, Some(37));
    assert_ne!(after.1, before);
}

on_both_backends!(
    a_delta_refresh_leaves_exactly_the_new_rows_and_falls_back_when_another_wrote,
    refreshes_after_new_entries_match_the_views_the_audit_derives,
);
