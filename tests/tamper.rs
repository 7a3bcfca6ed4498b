//! Tampering with any stored row is detected by `sunshine audit` and located precisely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestLedger, tamper};
use indicatif::ProgressBar;
use sunshine_ledger::audit::AuditError;
use sunshine_ledger::cli::audit::{AuditRunError, audit_store};
use sunshine_ledger::store::{Store, database_url};

/// A ledger of 2 + 40 entries in batches of 8, so there are several checkpoints and tree levels.
async fn ledger() -> TestLedger {
    let t = TestLedger::new().await;
    t.fill(40, 8).await;
    t
}

async fn audit(t: &TestLedger) -> Result<sunshine_ledger::audit::AuditReport, AuditRunError> {
    // A fresh connection: the tampering happened behind the service's back.
    let store = Store::open(&database_url(t.db_path().to_str().unwrap()), false)
        .await
        .unwrap();
    audit_store(&store, &ProgressBar::hidden()).await
}

fn failure(r: Result<sunshine_ledger::audit::AuditReport, AuditRunError>) -> AuditError {
    match r {
        Err(AuditRunError::Failed(e)) => e,
        other => panic!("expected an audit failure, got {other:?}"),
    }
}

#[tokio::test]
async fn untouched_ledger_audits_clean() {
    let t = ledger().await;
    let report = audit(&t).await.unwrap();
    assert_eq!(report.size, 42);
    // One checkpoint per append: genesis, registration, five batches of eight.
    assert_eq!(report.checkpoints, 7);
    // Interior nodes of a 42-leaf tree: 21 + 10 + 5 + 2 + 1.
    assert_eq!(report.nodes, 39);
}

#[tokio::test]
async fn changed_body_byte_is_located() {
    let t = ledger().await;
    // Change one byte of entry 17's leaf: the stored leaf hash no longer matches.
    tamper(&t.db_path(), "UPDATE entries SET leaf = CAST(replace(CAST(leaf AS TEXT), '\"kind\":\"org.keys\"', '\"kind\":\"org.keyz\"') AS BLOB) WHERE seq = 17").await;
    let err = failure(audit(&t).await);
    assert!(matches!(err, AuditError::LeafHash { seq: 17 }), "{err}");
}

#[tokio::test]
async fn changed_body_with_recomputed_hash_fails_the_signature() {
    let t = ledger().await;
    // Swap the added key for another valid one and fix up the stored leaf hash too: only the
    // author's signature (and the Merkle tree) can tell.
    let store = t.store();
    let e = store.entry(20).await.unwrap().unwrap();
    let text = String::from_utf8(e.leaf).unwrap();
    let other = sunshine_ledger::ledger::SecretKey::from_seed([77; 32])
        .public()
        .to_hex();
    let start = text.find("\"add\":[\"").unwrap() + 8;
    let forged = format!("{}{}{}", &text[..start], other, &text[start + 64..]);
    let hash = sunshine_ledger::ledger::hash::leaf_hash(forged.as_bytes());
    tamper(
        &t.db_path(),
        &format!(
            "UPDATE entries SET leaf = CAST('{forged}' AS BLOB), leaf_hash = X'{}' WHERE seq = 20",
            hash.to_hex()
        ),
    )
    .await;
    let err = failure(audit(&t).await);
    // Entry 21's prev link also breaks, but the first broken entry is 20.
    assert!(matches!(err, AuditError::Signature { seq: 20 }), "{err}");
}

#[tokio::test]
async fn changed_signature_is_located() {
    let t = ledger().await;
    let e = t.store().entry(9).await.unwrap().unwrap();
    let text = String::from_utf8(e.leaf).unwrap();
    let at = text.find("\"sig\":\"").unwrap() + 7;
    let flipped = if &text[at..at + 1] == "0" { "1" } else { "0" };
    let forged = format!("{}{}{}", &text[..at], flipped, &text[at + 1..]);
    let hash = sunshine_ledger::ledger::hash::leaf_hash(forged.as_bytes());
    tamper(
        &t.db_path(),
        &format!(
            "UPDATE entries SET leaf = CAST('{forged}' AS BLOB), leaf_hash = X'{}' WHERE seq = 9",
            hash.to_hex()
        ),
    )
    .await;
    let err = failure(audit(&t).await);
    assert!(matches!(err, AuditError::Signature { seq: 9 }), "{err}");
}

#[tokio::test]
async fn broken_prev_link_is_located() {
    let t = ledger().await;
    let e = t.store().entry(30).await.unwrap().unwrap();
    let text = String::from_utf8(e.leaf).unwrap();
    let at = text.find("\"prev\":\"").unwrap() + 8;
    let forged = format!("{}{}{}", &text[..at], "f".repeat(64), &text[at + 64..]);
    let hash = sunshine_ledger::ledger::hash::leaf_hash(forged.as_bytes());
    tamper(
        &t.db_path(),
        &format!(
            "UPDATE entries SET leaf = CAST('{forged}' AS BLOB), leaf_hash = X'{}' WHERE seq = 30",
            hash.to_hex()
        ),
    )
    .await;
    let err = failure(audit(&t).await);
    match err {
        AuditError::Entry { seq: 30, reason } => assert!(reason.contains("prev"), "{reason}"),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn deleted_row_is_located() {
    let t = ledger().await;
    tamper(&t.db_path(), "DELETE FROM entries WHERE seq = 11").await;
    let err = failure(audit(&t).await);
    assert_eq!(err, AuditError::Gap { seq: 11, found: 12 });
}

#[tokio::test]
async fn reordered_rows_are_located() {
    let t = ledger().await;
    // Swap rows 5 and 6 (their bytes trade places; seq numbers stay in order).
    tamper(
        &t.db_path(),
        "CREATE TEMP TABLE swap AS SELECT * FROM entries WHERE seq IN (5, 6);
         DELETE FROM entries WHERE seq IN (5, 6);
         INSERT INTO entries SELECT 11 - seq, leaf_hash, author, nonce, kind, leaf FROM swap;",
    )
    .await;
    let err = failure(audit(&t).await);
    match err {
        AuditError::Entry { seq: 5, reason } => assert!(reason.contains("seq 6"), "{reason}"),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn swapped_checkpoint_is_located() {
    let t = ledger().await;
    // The note stored for size 18 replaced by the (validly signed) note for size 26.
    tamper(&t.db_path(), "UPDATE checkpoints SET note = (SELECT note FROM checkpoints WHERE size = 26) WHERE size = 18").await;
    let err = failure(audit(&t).await);
    assert!(
        matches!(err, AuditError::Checkpoint { size: 18, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn forged_checkpoint_signature_is_detected() {
    let t = ledger().await;
    tamper(
        &t.db_path(),
        "UPDATE checkpoints SET note = replace(note, '\n34\n', '\n34\n') || '' WHERE size = 34",
    )
    .await;
    // Re-sign nothing; instead flip a character of the signature line.
    tamper(&t.db_path(), "UPDATE checkpoints SET note = substr(note, 1, length(note) - 3) || 'AA' || char(10) WHERE size = 34").await;
    let err = failure(audit(&t).await);
    assert!(
        matches!(err, AuditError::Checkpoint { size: 34, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn changed_tree_node_is_located() {
    let t = ledger().await;
    tamper(
        &t.db_path(),
        "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 3",
    )
    .await;
    let err = failure(audit(&t).await);
    assert!(
        matches!(
            err,
            AuditError::Node {
                level: 2,
                index: 3,
                first: 12,
                last: 15,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn changed_leaf_hash_column_is_located() {
    let t = ledger().await;
    tamper(
        &t.db_path(),
        "UPDATE entries SET leaf_hash = zeroblob(32) WHERE seq = 40",
    )
    .await;
    let err = failure(audit(&t).await);
    assert!(matches!(err, AuditError::LeafHash { seq: 40 }), "{err}");
}

#[tokio::test]
async fn every_byte_of_an_entry_is_covered() {
    // Flip each byte position of one small entry in turn (on a copy of the database) and check
    // the audit fails pointing at that entry every time.
    let t = TestLedger::new().await;
    t.fill(3, 1).await;
    let e = t.store().entry(3).await.unwrap().unwrap();
    let original = t.db_path();
    let len = e.leaf.len();
    // Every 7th byte keeps the test fast while touching every field of the entry.
    for pos in (0..len).step_by(7) {
        let copy = t.dir.path().join(format!("copy-{pos}.db"));
        // VACUUM INTO makes a consistent standalone copy of the WAL-mode database.
        common::tamper(&original, &format!("VACUUM INTO '{}'", copy.display())).await;
        let mut leaf = e.leaf.clone();
        leaf[pos] ^= 0x01;
        tamper(
            &copy,
            &format!(
                "UPDATE entries SET leaf = X'{}' WHERE seq = 3",
                hex::encode(&leaf)
            ),
        )
        .await;
        let store = Store::open(&database_url(copy.to_str().unwrap()), false)
            .await
            .unwrap();
        let err = failure(audit_store(&store, &ProgressBar::hidden()).await);
        let seq = match &err {
            AuditError::LeafHash { seq }
            | AuditError::Entry { seq, .. }
            | AuditError::Signature { seq } => *seq,
            other => panic!("byte {pos}: {other}"),
        };
        assert_eq!(seq, 3, "byte {pos}: {err}");
        store.close().await;
    }
}
