//! Finding an entry by leaf hash and by (author, nonce) across the lookup indexes' buckets of
//! 4,096 entries (migration 0002): the first and last entry of every bucket, on both backends.
//! The rows are written straight through the store, which stores what it is given, so the test
//! can fill three buckets in a moment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use sunshine_ledger::ledger::Hash;
use sunshine_ledger::ledger::columns::LookupColumns;
use sunshine_ledger::store::{AppendBatch, NewEntry, Store};

/// Entries written: buckets 0 and 1 full, bucket 2 partly.
const ROWS: u64 = 9_000;

fn hash_of(seq: u64) -> Hash {
    Hash::sha256(&seq.to_be_bytes())
}

/// Two authors share every nonce, so a lookup must match the author as well as the nonce.
fn row(seq: u64) -> NewEntry {
    NewEntry {
        seq,
        leaf_hash: hash_of(seq),
        columns: LookupColumns {
            author: format!("author-{}", seq % 2),
            nonce: format!("nonce-{}", seq / 2),
            kind: "donation".to_owned(),
        },
        leaf: seq.to_be_bytes().to_vec(),
    }
}

async fn filled() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&common::fresh_url(dir.path()).await, true)
        .await
        .unwrap();
    for start in (0..ROWS).step_by(1_000) {
        let end = (start + 1_000).min(ROWS);
        let batch = AppendBatch {
            base_size: start,
            entries: (start..end).map(row).collect(),
            checkpoint: format!("checkpoint {end}"),
            ..AppendBatch::default()
        };
        store.append(&batch).await.unwrap();
    }
    (dir, store)
}

async fn every_bucket_is_searched() {
    let (_dir, store) = filled().await;
    for seq in [0, 1, 4_095, 4_096, 4_097, 8_191, 8_192, ROWS - 1] {
        assert_eq!(
            store.seq_by_hash(&hash_of(seq)).await.unwrap(),
            Some(seq),
            "by hash, seq {seq}"
        );
        let r = row(seq);
        let found = store
            .entry_by_nonce(&r.columns.author, &r.columns.nonce)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("by nonce, seq {seq}"));
        assert_eq!(
            (found.seq, found.leaf_hash, found.leaf),
            (seq, hash_of(seq).as_bytes().to_vec(), r.leaf),
            "by nonce, seq {seq}"
        );
    }
    // Past the last entry, and keys that were never stored.
    assert_eq!(store.seq_by_hash(&hash_of(ROWS)).await.unwrap(), None);
    let none = store
        .entry_by_nonce("author-0", &format!("nonce-{}", ROWS))
        .await
        .unwrap();
    assert!(none.is_none());
    // nonce-0 was used by author-0 (seq 0) and author-1 (seq 1), by no one else.
    assert!(
        store
            .entry_by_nonce("author-2", "nonce-0")
            .await
            .unwrap()
            .is_none()
    );
}

async fn an_empty_log_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&common::fresh_url(dir.path()).await, true)
        .await
        .unwrap();
    assert_eq!(store.seq_by_hash(&hash_of(0)).await.unwrap(), None);
    assert!(store.entry_by_nonce("a", "n").await.unwrap().is_none());
}

on_both_backends!(every_bucket_is_searched, an_empty_log_finds_nothing);
