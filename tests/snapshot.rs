//! The start snapshot (issue 13, part 3): a process starts from the newest stored snapshot and
//! replays only the entries after it; from there it decides exactly as a process that replayed
//! the whole log; `audit` re-derives the snapshot and names where a damaged one parts from the
//! log; a snapshot that is not of this log, or cannot be read, is passed over.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use std::path::Path;

use common::{TestLedger, succeeded, tamper, tamper_bytes};
use indicatif::ProgressBar;
use serde_json::json;
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::ledger::{Author, Kind, SecretKey, Uscc};
use sunshine_ledger::replay::audit::{AuditError, SnapshotCheck};
use sunshine_ledger::replay::snapshot;
use sunshine_ledger::replay::store_audit::{AuditRunError, audit_store};
use sunshine_ledger::store::{Store, database_url};

/// `bytes` with the top-level field `field` of the encoded state's CBOR changed by `change`.
fn edited(bytes: &[u8], field: &str, change: impl Fn(&mut ciborium::Value)) -> Vec<u8> {
    let parts = snapshot::split(bytes).unwrap();
    let mut value: ciborium::Value = ciborium::from_reader(parts.cbor).unwrap();
    let map = value.as_map_mut().unwrap();
    let (_, v) = map
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some(field))
        .unwrap_or_else(|| panic!("no field {field} in the snapshot"));
    change(v);
    let mut cbor = Vec::new();
    ciborium::into_writer(&value, &mut cbor).unwrap();
    snapshot::Parts {
        cbor: &cbor,
        ..parts
    }
    .join()
}

/// `bytes` as version 2 wrote it: the magic, the version, then one CBOR map that holds the
/// fingerprint sets inline (`nonces` at the top, `ids` in `money.log`) as byte strings.
fn as_version_2(bytes: &[u8]) -> Vec<u8> {
    use ciborium::Value;
    let parts = snapshot::split(bytes).unwrap();
    let mut value: Value = ciborium::from_reader(parts.cbor).unwrap();
    let top = value.as_map_mut().unwrap();
    top.push((
        Value::Text("nonces".into()),
        Value::Bytes(parts.nonces.to_vec()),
    ));
    let money = top
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some("money"))
        .unwrap();
    let log = money
        .1
        .as_map_mut()
        .unwrap()
        .iter_mut()
        .find(|(k, _)| k.as_text() == Some("log"))
        .unwrap();
    log.1
        .as_map_mut()
        .unwrap()
        .push((Value::Text("ids".into()), Value::Bytes(parts.ids.to_vec())));
    let mut out = b"SLSNAP".to_vec();
    out.extend_from_slice(&2u16.to_be_bytes());
    ciborium::into_writer(&value, &mut out).unwrap();
    out
}

/// Two encoded states are the same (on failure, says where they part rather than printing
/// megabytes).
#[track_caller]
fn assert_same(found: &[u8], expected: &[u8]) {
    if found != expected {
        panic!(
            "the states differ at {}",
            snapshot::first_difference(found, expected)
        );
    }
}

/// A second process on the test ledger at `url` (the operator key of [`TestLedger`]).
async fn open_again(url: &str) -> LedgerService {
    LedgerService::open(
        Store::open(url, false).await.unwrap(),
        SecretKey::from_seed([1; 32]),
    )
    .await
    .unwrap()
}

async fn audit(store: &Store) -> Result<SnapshotCheck, AuditRunError> {
    audit_store(store, &ProgressBar::hidden())
        .await
        .map(|r| r.snapshots.last().copied().unwrap_or_default())
}

fn snapshot_finding(result: Result<SnapshotCheck, AuditRunError>) -> (u64, String) {
    match result {
        Err(AuditRunError::Failed(AuditError::Snapshot { size, reason })) => (size, reason),
        other => panic!("expected a snapshot finding, got {other:?}"),
    }
}

async fn a_closing_service_writes_a_snapshot_the_next_start_uses_and_audit_checks() {
    let t = TestLedger::new().await;
    t.fill(1_100, 100).await;
    let store = t.store();
    // Refreshes after appends write one only every 10,000 entries; closing writes one past
    // 1,000.
    assert_eq!(store.snapshot_size().await.unwrap(), None);
    t.service.close().await.unwrap();
    let size = t.service.state().await.size();
    assert_eq!(size, 1_102);
    assert_eq!(store.snapshot_size().await.unwrap(), Some(size));
    let (_, bytes) = store.newest_snapshot().await.unwrap().unwrap();
    assert_same(&bytes, &snapshot::encode(&t.service.state().await));
    assert_eq!(audit(store).await.unwrap(), SnapshotCheck::Matched(size));

    let reopen = || async {
        let s = open_again(&t.url).await;
        snapshot::encode(&s.state().await)
    };

    // A snapshot edited by hand (the newest entry's time moved a second on): the audit names
    // the field, and a process started now starts from it (what it trusts, the audit checks,
    // as for the cached views).
    let forged = edited(&bytes, "last_recorded", |v| {
        let n = i64::try_from(v.as_integer().unwrap()).unwrap();
        *v = ciborium::Value::Integer((n + 1).into());
    });
    tamper_bytes(&t.url, "UPDATE snapshot_chunks SET bytes = $1", &[&forged]).await;
    let (at, reason) = snapshot_finding(audit(store).await);
    assert_eq!(at, size);
    assert!(reason.contains("at last_recorded"), "{reason}");
    // (Compared as this build encodes the forged state: the edit re-encoded the CBOR with
    // lengths up front where serde leaves some open.)
    let forged_state = snapshot::encode(&snapshot::decode(forged.clone()).unwrap());
    assert_same(&reopen().await, &forged_state);
    tamper_bytes(&t.url, "UPDATE snapshot_chunks SET bytes = $1", &[&bytes]).await;

    // Entries after the snapshot (a crash before the next one): the next start admits them.
    let more: Vec<_> = (5_000..5_007).map(|i| t.filler(i)).collect();
    t.service.append(more).await.unwrap();
    let live = snapshot::encode(&t.service.state().await);
    assert_same(&reopen().await, &live);
    assert_eq!(audit(store).await.unwrap(), SnapshotCheck::Matched(size));

    // Forged again: now the entries after it do not follow from it (the first is recorded
    // before the time it claims), so the start replays the whole log instead.
    tamper_bytes(&t.url, "UPDATE snapshot_chunks SET bytes = $1", &[&forged]).await;
    assert_same(&reopen().await, &live);
}

on_both_backends!(a_closing_service_writes_a_snapshot_the_next_start_uses_and_audit_checks);

/// A demo ledger (every entry kind, corrections that void and amend) in `dir`, closed with a
/// snapshot; answers its database URL.
fn demo(dir: &Path) -> String {
    let db = dir.join("ledger.db");
    let out = std::process::Command::new(common::bin())
        .args(["--db", db.to_str().unwrap(), "--keys"])
        .arg(dir.join("keys"))
        .args(["demo", "--seed", "4", "--scale", "300"])
        .output()
        .unwrap();
    succeeded("demo", out);
    database_url(db.to_str().unwrap())
}

/// A copy of the SQLite ledger in `from` (no process has it open) into `to`.
fn copy_ledger(from: &Path, to: &Path) -> String {
    std::fs::create_dir_all(to).unwrap();
    for file in ["ledger.db", "ledger.db-wal"] {
        if from.join(file).exists() {
            std::fs::copy(from.join(file), to.join(file)).unwrap();
        }
    }
    database_url(to.join("ledger.db").to_str().unwrap())
}

async fn open(url: &str, dir: &Path) -> LedgerService {
    let operator = sunshine_ledger::cli::keyfile::operator(&dir.join("keys")).unwrap();
    LedgerService::open(Store::open(url, false).await.unwrap(), operator)
        .await
        .unwrap()
}

/// The first demo foundation's id and its key.
fn first_org(dir: &Path) -> (Uscc, SecretKey) {
    let index = std::fs::read_to_string(dir.join("keys/demo/orgs.tsv")).unwrap();
    let row: Vec<&str> = index.lines().nth(1).unwrap().split('\t').collect();
    let key =
        sunshine_ledger::cli::keyfile::read(&dir.join(format!("keys/demo/{}-finance.key", row[0])))
            .unwrap();
    (row[1].parse().unwrap(), key)
}

#[tokio::test]
async fn from_the_snapshot_a_demo_ledger_decides_exactly_as_a_full_replay() {
    let tmp = tempfile::tempdir().unwrap();
    let a_dir = tmp.path().join("a");
    let b_dir = tmp.path().join("b");
    let a_url = demo(&a_dir);
    let b_url = copy_ledger(&a_dir, &b_dir);
    std::fs::create_dir_all(b_dir.join("keys")).unwrap();
    std::fs::copy(
        a_dir.join("keys/operator.key"),
        b_dir.join("keys/operator.key"),
    )
    .unwrap();
    // B has no snapshot: it replays the whole log.
    tamper(&b_url, "DELETE FROM snapshot_chunks").await;
    let a = open(&a_url, &a_dir).await;
    let b = open(&b_url, &b_dir).await;
    let size = a.state().await.size();
    assert!(size > 5_000, "the demo is {size} entries");
    // Its corrections (a void and amendments) come after thousands of records.
    let last_correction = a.store().last_correction_below(size).await.unwrap();
    assert!(
        last_correction.is_some_and(|seq| seq > 6_000),
        "{last_correction:?}"
    );
    assert_eq!(a.store().snapshot_size().await.unwrap(), Some(size));
    assert_eq!(b.store().snapshot_size().await.unwrap(), None);
    assert_same(
        &snapshot::encode(&a.state().await),
        &snapshot::encode(&b.state().await),
    );

    // The same submissions, recorded at the same time, on both: the same entries, the same
    // refusals, the same views and records.
    let (org, key) = first_org(&a_dir);
    let author = Author::Org(org.clone());
    let at = a.state().await.last_recorded().unwrap();
    let gift = common::sub_at(
        Kind::Donation,
        author.clone(),
        &key,
        json!({"receipt_no": "SNAP-1", "received_on": "2026-11-01", "form": "cash",
               "amount": "1234.56", "currency": "CNY", "donor_type": "individual",
               "donor_display": "李*", "receipt": "issued", "commitment": "cd".repeat(32)}),
        at,
    );
    let spend = |amount: &str, nonce_seed: u8| {
        let body = json!({"amount": amount, "currency": "CNY", "paid_on": "2026-11-02",
               "category": "programme", "purpose": format!("助学金发放 {nonce_seed}"),
               "payee_type": "individual", "payee_display": "王*", "evidence": ["ef".repeat(32)]});
        common::sub_at(Kind::Disbursement, author.clone(), &key, body, at)
    };
    let greedy = spend("987654321.00", 1);
    for service in [&a, &b] {
        service.append_at(vec![gift.clone()], at).await.unwrap();
    }
    let ra = a
        .append_at(vec![greedy.clone()], at)
        .await
        .unwrap_err()
        .to_string();
    let rb = b
        .append_at(vec![greedy.clone()], at)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(ra, rb);
    assert!(ra.contains("987654321.00"), "{ra}");
    let paid = spend("100.00", 2);
    let ea = a.append_at(vec![paid.clone()], at).await.unwrap();
    let eb = b.append_at(vec![paid], at).await.unwrap();
    assert_eq!(ea[0].leaf, eb[0].leaf);
    a.refresh_views().await.unwrap();
    b.refresh_views().await.unwrap();
    assert_eq!(
        a.store().views_snapshot().await.unwrap(),
        b.store().views_snapshot().await.unwrap()
    );
    assert_eq!(
        a.store().latest_checkpoint().await.unwrap().map(|c| c.0),
        b.store().latest_checkpoint().await.unwrap().map(|c| c.0)
    );
    assert_same(
        &snapshot::encode(&a.state().await),
        &snapshot::encode(&b.state().await),
    );
    a.store().close().await;

    // The audit, as a user runs it, re-derives the snapshot.
    let out = std::process::Command::new(common::bin())
        .args(["--db", a_dir.join("ledger.db").to_str().unwrap(), "audit"])
        .output()
        .unwrap();
    let said = succeeded("audit", out);
    assert!(
        said.contains(&format!("the start snapshot at size {size} verified")),
        "{said}"
    );

    // The demo's corrections rebuild every record of the log (more than 4,096 before the
    // first), which the audit compares a part at a time as the rebuild goes: a record written
    // long before the last correction, changed, is still found.
    tamper(
        &a_url,
        "UPDATE records SET value = replace(value, '\"seq\"', '\"seq\" ') \
         WHERE key = (SELECT MIN(key) FROM records WHERE key LIKE 'donation/%')",
    )
    .await;
    let out = std::process::Command::new(common::bin())
        .args(["--db", a_dir.join("ledger.db").to_str().unwrap(), "audit"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("view donation/") && said.contains("stored record differs"),
        "{said}"
    );
}

#[tokio::test]
async fn a_snapshot_of_another_log_or_unreadable_is_passed_over_and_reported() {
    let t = TestLedger::new().await;
    t.fill(1_100, 100).await;
    t.service.close().await.unwrap();
    let store = t.store();
    let (size, good) = store.newest_snapshot().await.unwrap().unwrap();
    let reopened = || async {
        let s = open_again(&t.url).await;
        snapshot::encode(&s.state().await)
    };

    // The state at `size` filed under `size - 1`: not of the log at that size. A process
    // replays the log instead, and the audit names where the replayed state parts from it.
    tamper(&t.url, "DELETE FROM snapshot_chunks").await;
    store.put_snapshot(size - 1, &good).await.unwrap();
    assert_same(&reopened().await, &good);
    let (at, reason) = snapshot_finding(audit(store).await);
    assert_eq!(at, size - 1);
    assert!(
        reason.contains("differs from the replayed state at "),
        "{reason}"
    );

    // Bytes that are no snapshot at all (older snapshots are kept: the one above goes first).
    tamper(&t.url, "DELETE FROM snapshot_chunks").await;
    store.put_snapshot(size, b"not a snapshot").await.unwrap();
    assert_eq!(store.snapshot_size().await.unwrap(), Some(size));
    assert_same(&reopened().await, &good);
    let (at, reason) = snapshot_finding(audit(store).await);
    assert_eq!(at, size);
    assert!(reason.contains("not a snapshot"), "{reason}");

    // A snapshot cut short: it cannot be decoded, so it is not used; the audit says so.
    store
        .put_snapshot(size, &good[..good.len() / 2])
        .await
        .unwrap();
    assert_same(&reopened().await, &good);
    let (_, reason) = snapshot_finding(audit(store).await);
    assert!(reason.contains("cannot be decoded"), "{reason}");

    // One of a later build's version: neither used nor failed; the audit says it skipped it.
    let mut other = good.clone();
    other[6..8].copy_from_slice(&(snapshot::VERSION + 1).to_be_bytes());
    store.put_snapshot(size, &other).await.unwrap();
    assert_same(&reopened().await, &good);
    assert_eq!(
        audit(store).await.unwrap(),
        SnapshotCheck::OtherVersion {
            size,
            version: snapshot::VERSION + 1
        }
    );

    // One beyond the end of the log.
    store.put_snapshot(size + 5, &good).await.unwrap();
    assert_same(&reopened().await, &good);
    let (at, reason) = snapshot_finding(audit(store).await);
    assert_eq!(at, size + 5);
    assert!(reason.contains("beyond the end of the log"), "{reason}");
}

/// A snapshot written by the build before (version 2: the fingerprint sets inside the CBOR)
/// is still started from, decides the same, and is replaced by this version's at the close.
#[tokio::test]
async fn a_version_2_snapshot_is_started_from_and_replaced() {
    let t = TestLedger::new().await;
    t.fill(1_100, 100).await;
    let known = t.filler(9_000);
    t.service.append(vec![known.clone()]).await.unwrap();
    t.service.close().await.unwrap();
    let store = t.store();
    let (size, good) = store.newest_snapshot().await.unwrap().unwrap();
    let old = as_version_2(&good);
    assert_eq!(snapshot::version(&old), Ok(2));
    // Decoded, it is the same state as this version's snapshot (the sets included).
    assert_same(
        &snapshot::encode(&snapshot::decode(old.clone()).unwrap()),
        &good,
    );
    store.put_snapshot(size, &old).await.unwrap();
    assert_eq!(
        audit(store).await.unwrap(),
        SnapshotCheck::OtherVersion { size, version: 2 }
    );
    let s = open_again(&t.url).await;
    assert_same(&snapshot::encode(&s.state().await), &good);
    // Its nonces were read: a submission it holds is refused as a used nonce.
    let refused = s.append(vec![known]).await.unwrap_err().to_string();
    assert!(refused.contains("nonce"), "{refused}");
    s.close().await.unwrap();
    let (_, now) = store.newest_snapshot().await.unwrap().unwrap();
    assert_eq!(snapshot::version(&now), Ok(snapshot::VERSION));
    assert_same(&now, &good);
    assert_eq!(audit(store).await.unwrap(), SnapshotCheck::Matched(size));
}

/// A fingerprint changed in a stored snapshot is named by the audit: which set, which one.
#[tokio::test]
async fn a_changed_fingerprint_is_named_by_the_audit() {
    let t = TestLedger::new().await;
    t.fill(1_100, 100).await;
    t.service.close().await.unwrap();
    let store = t.store();
    let (size, good) = store.newest_snapshot().await.unwrap().unwrap();
    let parts = snapshot::split(&good).unwrap();
    for set in ["nonces", "money.log.ids"] {
        let mut nonces = parts.nonces.to_vec();
        let mut ids = parts.ids.to_vec();
        let target = if set == "nonces" {
            &mut nonces
        } else {
            &mut ids
        };
        // The last fingerprint's last byte: the set stays in order.
        let last = target.len() / 16 - 1;
        target[last * 16 + 15] ^= 1;
        let expected = format!("{set}[{last}]");
        let forged = snapshot::Parts {
            nonces: &nonces,
            ids: &ids,
            cbor: parts.cbor,
        }
        .join();
        store.put_snapshot(size, &forged).await.unwrap();
        let (at, reason) = snapshot_finding(audit(store).await);
        assert_eq!(at, size);
        assert!(reason.contains(&expected), "{set}: {reason}");
    }
}

/// The four newest start snapshots are kept (a correction's rebuild may start from an older
/// one), and the audit checks each at its size: a forged older one is named with its size.
#[tokio::test]
async fn the_newest_four_snapshots_are_kept_and_each_is_audited() {
    let t = TestLedger::new().await;
    let store = t.store();
    let mut sizes = Vec::new();
    let mut states = Vec::new();
    for step in 0..6u64 {
        let more: Vec<_> = (step * 10..step * 10 + 10).map(|i| t.filler(i)).collect();
        t.service.append(more).await.unwrap();
        let state = t.service.state().await;
        store
            .put_snapshot(state.size(), &snapshot::encode(&state))
            .await
            .unwrap();
        sizes.push(state.size());
        states.push(state);
    }
    assert_eq!(store.snapshot_sizes().await.unwrap(), sizes[2..].to_vec());
    let report = audit_store(store, &ProgressBar::hidden()).await.unwrap();
    let matched: Vec<_> = sizes[2..]
        .iter()
        .map(|s| SnapshotCheck::Matched(*s))
        .collect();
    assert_eq!(report.snapshots, matched);
    // The oldest kept one holds the state of the next size: the audit names the oldest.
    store
        .put_snapshot(sizes[2], &snapshot::encode(&states[3]))
        .await
        .unwrap();
    assert_eq!(store.snapshot_sizes().await.unwrap(), sizes[2..].to_vec());
    let (at, reason) = snapshot_finding(audit(store).await);
    assert_eq!(at, sizes[2]);
    assert!(
        reason.starts_with("differs from the replayed state at"),
        "{reason}"
    );
}

/// A run that defers its views (`sunshine demo`) writes start snapshots as the log grows, not
/// only at its end: none before the gap (10,000 entries past the last), one after it.
#[tokio::test]
async fn a_run_with_deferred_views_writes_snapshots_as_it_grows() {
    let t = TestLedger::new().await;
    let store = t.store();
    let views = t.service.defer_views();
    t.fill(9_990, 1_000).await;
    t.service.snapshot_as_it_grows().await.unwrap();
    assert_eq!(store.snapshot_size().await.unwrap(), None, "not due yet");
    let more: Vec<_> = (20_000..20_020).map(|i| t.filler(i)).collect();
    t.service.append(more).await.unwrap();
    t.service.snapshot_as_it_grows().await.unwrap();
    let size = t.service.state().await.size();
    assert!(size >= 10_000);
    assert_eq!(store.snapshot_size().await.unwrap(), Some(size));
    let (_, bytes) = store.newest_snapshot().await.unwrap().unwrap();
    assert_same(&bytes, &snapshot::encode(&t.service.state().await));
    views.finish().await.unwrap();
}

/// The record rows of a demo ledger, pinned with the derivation number they are written under
/// (`RECORD_DERIVATION`): a build that derives any record differently must raise the number,
/// or the records of ledgers made before stay as they were (only a changed number makes a start
/// write them afresh). A change to the demo generator moves the digest too: then update the
/// digest alone.
#[tokio::test(flavor = "multi_thread")]
async fn the_records_of_a_demo_are_pinned_to_their_derivation() {
    use futures_util::TryStreamExt;
    use sha2::{Digest, Sha256};
    use sunshine_ledger::money::records::RECORD_DERIVATION;
    const PINNED: (i64, &str) = (
        1,
        "b3e1e63c193df549a244f55e56fce70a4c836e6f27ee1c0164047575a1fec0dd",
    );

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&demo(dir.path()), false).await.unwrap();
    let mut reader = store.views_reader().await.unwrap();
    let mut rows: Vec<(String, String)> = reader.records().try_collect().await.unwrap();
    rows.sort();
    let mut hash = Sha256::new();
    for (key, value) in &rows {
        hash.update(format!("{key}\n{value}\n"));
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert!(rows.len() > 5_000, "{} record rows", rows.len());
    assert_eq!(
        (RECORD_DERIVATION, digest.as_str()),
        PINNED,
        "the records of the demo changed: if a record derives differently, raise \
         RECORD_DERIVATION (src/money/books/records.rs) and pin both here; if only the demo \
         changed, pin the new digest"
    );
}
