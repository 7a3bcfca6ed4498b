//! Tampering with any stored row is detected by `sunshine audit` and located precisely, on
//! SQLite and on PostgreSQL (where the attacker disables the append-only triggers, as a database
//! superuser can).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{TestLedger, bin, tamper, tamper_bytes};
use indicatif::ProgressBar;
use sunshine_ledger::ledger::hash::leaf_hash;
use sunshine_ledger::replay::audit::AuditError;
use sunshine_ledger::replay::audit::Auditor;
use sunshine_ledger::replay::store_audit::{AuditRunError, audit_store, audit_store_begun_at};
use sunshine_ledger::store::{Store, database_url};

/// A ledger of 2 + 40 entries in batches of 8, so there are several checkpoints and tree levels.
async fn ledger() -> TestLedger {
    let t = TestLedger::new().await;
    t.fill(40, 8).await;
    t
}

async fn audit(
    t: &TestLedger,
) -> Result<sunshine_ledger::replay::audit::AuditReport, AuditRunError> {
    // A fresh connection: the tampering happened behind the service's back.
    let store = Store::open(&t.url, false).await.unwrap();
    audit_store(&store, &ProgressBar::hidden()).await
}

fn failure(r: Result<sunshine_ledger::replay::audit::AuditReport, AuditRunError>) -> AuditError {
    match r {
        Err(AuditRunError::Failed(e)) => e,
        other => panic!("expected an audit failure, got {other:?}"),
    }
}

/// The audit's failure, which `sunshine audit --db URL` must report too (exit status and the
/// same words), as an operator would run it.
async fn audit_fails(t: &TestLedger) -> AuditError {
    let err = failure(audit(t).await);
    let out = Command::new(bin())
        .args(["--db", &t.url, "audit"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "sunshine audit passed: {stderr}");
    assert!(
        stderr.contains(&format!("AUDIT FAILED: {err}")),
        "sunshine audit said {stderr:?}, the library {err}"
    );
    err
}

/// Replaces entry `seq`'s leaf by `forged` and stores its recomputed leaf hash too, so only the
/// signature, the chain or the tree can tell.
async fn forge_entry(t: &TestLedger, seq: u64, forged: &str) {
    let hash = leaf_hash(forged.as_bytes());
    tamper_bytes(
        &t.url,
        &format!("UPDATE entries SET leaf = $1, leaf_hash = $2 WHERE seq = {seq}"),
        &[forged.as_bytes(), hash.as_bytes()],
    )
    .await;
}

async fn leaf_text(t: &TestLedger, seq: u64) -> String {
    String::from_utf8(t.store().entry(seq).await.unwrap().unwrap().leaf).unwrap()
}

async fn untouched_ledger_audits_clean() {
    let t = ledger().await;
    let report = audit(&t).await.unwrap();
    assert_eq!(report.size, 42);
    // One checkpoint per append: genesis, registration, five batches of eight.
    assert_eq!(report.checkpoints, 7);
    // Interior nodes of a 42-leaf tree: 21 + 10 + 5 + 2 + 1.
    assert_eq!(report.nodes, 39);
}

async fn changed_body_byte_is_located() {
    let t = ledger().await;
    // Change one byte of entry 17's leaf: the stored leaf hash no longer matches.
    let forged = leaf_text(&t, 17)
        .await
        .replace("\"kind\":\"org.keys\"", "\"kind\":\"org.keyz\"");
    tamper_bytes(
        &t.url,
        "UPDATE entries SET leaf = $1 WHERE seq = 17",
        &[forged.as_bytes()],
    )
    .await;
    let err = audit_fails(&t).await;
    assert!(matches!(err, AuditError::LeafHash { seq: 17 }), "{err}");
}

#[tokio::test]
async fn changed_body_with_recomputed_hash_fails_the_signature() {
    let t = ledger().await;
    // Swap the added key for another valid one and fix up the stored leaf hash too: only the
    // author's signature (and the Merkle tree) can tell.
    let text = leaf_text(&t, 20).await;
    let other = sunshine_ledger::ledger::SecretKey::from_seed([77; 32])
        .public()
        .to_hex();
    let start = text.find("\"add\":[\"").unwrap() + 8;
    let forged = format!("{}{}{}", &text[..start], other, &text[start + 64..]);
    forge_entry(&t, 20, &forged).await;
    let err = failure(audit(&t).await);
    // Entry 21's prev link also breaks, but the first broken entry is 20.
    assert!(matches!(err, AuditError::Signature { seq: 20 }), "{err}");
}

async fn changed_signature_is_located() {
    let t = ledger().await;
    let text = leaf_text(&t, 9).await;
    let at = text.find("\"sig\":\"").unwrap() + 7;
    let flipped = if &text[at..at + 1] == "0" { "1" } else { "0" };
    forge_entry(
        &t,
        9,
        &format!("{}{}{}", &text[..at], flipped, &text[at + 1..]),
    )
    .await;
    let err = audit_fails(&t).await;
    assert!(matches!(err, AuditError::Signature { seq: 9 }), "{err}");
}

#[tokio::test]
async fn broken_prev_link_is_located() {
    let t = ledger().await;
    let text = leaf_text(&t, 30).await;
    let at = text.find("\"prev\":\"").unwrap() + 8;
    let forged = format!("{}{}{}", &text[..at], "f".repeat(64), &text[at + 64..]);
    forge_entry(&t, 30, &forged).await;
    let err = failure(audit(&t).await);
    match err {
        AuditError::Entry { seq: 30, reason } => assert!(reason.contains("prev"), "{reason}"),
        other => panic!("{other}"),
    }
}

async fn deleted_row_is_located() {
    let t = ledger().await;
    tamper(&t.url, "DELETE FROM entries WHERE seq = 11").await;
    let err = audit_fails(&t).await;
    assert_eq!(err, AuditError::Gap { seq: 11, found: 12 });
}

#[tokio::test]
async fn reordered_rows_are_located() {
    let t = ledger().await;
    // Swap rows 5 and 6 (their bytes trade places; seq numbers stay in order).
    tamper(
        &t.url,
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

async fn swapped_checkpoint_is_located() {
    let t = ledger().await;
    // The note stored for size 18 replaced by the (validly signed) note for size 26.
    tamper(&t.url, "UPDATE checkpoints SET note = (SELECT note FROM checkpoints WHERE size = 26) WHERE size = 18").await;
    let err = audit_fails(&t).await;
    assert!(
        matches!(err, AuditError::Checkpoint { size: 18, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn forged_checkpoint_signature_is_detected() {
    let t = ledger().await;
    tamper(
        &t.url,
        "UPDATE checkpoints SET note = replace(note, '\n34\n', '\n34\n') || '' WHERE size = 34",
    )
    .await;
    // Re-sign nothing; instead flip a character of the signature line.
    tamper(&t.url, "UPDATE checkpoints SET note = substr(note, 1, length(note) - 3) || 'AA' || char(10) WHERE size = 34").await;
    let err = failure(audit(&t).await);
    assert!(
        matches!(err, AuditError::Checkpoint { size: 34, .. }),
        "{err}"
    );
}

async fn changed_tree_node_is_located() {
    let t = ledger().await;
    tamper_bytes(
        &t.url,
        "UPDATE tree_nodes SET hash = $1 WHERE level = 2 AND idx = 3",
        &[&[0; 32]],
    )
    .await;
    let err = audit_fails(&t).await;
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

/// An audit begun when the log held fewer entries (a server appended while it read) checks
/// the tree again at the size its replay reached. Begun at 31 entries, the node check beside
/// the replay sees the 42-entry tree's level-5 node as one too many and fails; the audit
/// passes only by checking the tree again at 42, and that check still finds a changed node.
async fn a_log_that_grew_while_read_has_its_tree_checked_at_the_replayed_size() {
    let t = ledger().await;
    let store = Store::open(&t.url, false).await.unwrap();
    let hidden = ProgressBar::hidden();
    let report = audit_store_begun_at(&store, &hidden, Auditor::new(), 31)
        .await
        .unwrap();
    assert_eq!((report.size, report.nodes), (42, 39));
    tamper_bytes(
        &t.url,
        "UPDATE tree_nodes SET hash = $1 WHERE level = 5 AND idx = 0",
        &[&[0; 32]],
    )
    .await;
    let err = failure(audit_store_begun_at(&store, &hidden, Auditor::new(), 31).await);
    assert!(
        matches!(
            err,
            AuditError::Node {
                level: 5,
                index: 0,
                first: 0,
                last: 31,
                ..
            }
        ),
        "{err}"
    );
    store.close().await;
}

/// The author, nonce and kind columns are copies of the leaf's fields kept for lookups; each
/// edited on its own fails the audit at that entry, naming the column.
async fn changed_lookup_column_is_located() {
    for column in ["author", "nonce", "kind"] {
        let t = ledger().await;
        tamper(
            &t.url,
            &format!("UPDATE entries SET {column} = {column} || 'x' WHERE seq = 40"),
        )
        .await;
        let err = audit_fails(&t).await;
        assert!(
            matches!(err, AuditError::Column { seq: 40, column: c } if c == column),
            "{column}: {err}"
        );
    }
}

#[tokio::test]
async fn changed_leaf_hash_column_is_located() {
    let t = ledger().await;
    tamper_bytes(
        &t.url,
        "UPDATE entries SET leaf_hash = $1 WHERE seq = 40",
        &[&[0; 32]],
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
    let len = e.leaf.len();
    // Every 7th byte keeps the test fast while touching every field of the entry.
    for pos in (0..len).step_by(7) {
        let copy = t.dir.path().join(format!("copy-{pos}.db"));
        // VACUUM INTO makes a consistent standalone copy of the WAL-mode database.
        tamper(&t.url, &format!("VACUUM INTO '{}'", copy.display())).await;
        let mut leaf = e.leaf.clone();
        leaf[pos] ^= 0x01;
        let copy = database_url(copy.to_str().unwrap());
        tamper_bytes(
            &copy,
            "UPDATE entries SET leaf = $1 WHERE seq = 3",
            &[&leaf],
        )
        .await;
        let store = Store::open(&copy, false).await.unwrap();
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

// A representative subset on both databases (a body byte, a signature, a checkpoint, a tree
// node, a deleted row); the rest use SQLite's dialect or file copies and run on SQLite only.
on_both_backends!(
    untouched_ledger_audits_clean,
    changed_body_byte_is_located,
    changed_signature_is_located,
    swapped_checkpoint_is_located,
    changed_tree_node_is_located,
    a_log_that_grew_while_read_has_its_tree_checked_at_the_replayed_size,
    deleted_row_is_located,
    changed_lookup_column_is_located,
);
