//! A correction's rebuild rewrites every record row of the log inside the append transaction,
//! a part at a time (issue 13, part 4: memory holds a part of the records, not all of them),
//! and a correction refused after parts were written puts the stored rows back exactly, while
//! the submissions committed beside it keep theirs. A rebuild starts from the newest kept start
//! snapshot below its target (and below no later correction's target) and rewrites only the
//! rows of the entries from there on; the audit checks the seq each row is stored with.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::{TestLedger, sub_at};
use indicatif::ProgressBar;
use serde_json::json;
use sunshine_ledger::append::service::AppendError;
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::ledger::SecretKey;
use sunshine_ledger::ledger::{Author, Kind, Timestamp};
use sunshine_ledger::money::records::{is_record_key, row_seq};
use sunshine_ledger::publish::dir_audit::replay_export_with;
use sunshine_ledger::publish::export::export;
use sunshine_ledger::replay::audit::{AuditError, Auditor};
use sunshine_ledger::replay::snapshot;
use sunshine_ledger::replay::store_audit::{AuditRunError, audit_store, audit_store_with};
use sunshine_ledger::store::Store;

/// More donations than the rebuild holds records (4,096) before it writes them, so a rebuild
/// writes at least one part before it reaches the entries after them.
const DONATIONS: usize = 4_200;
const DAY: &str = "2026-03-02";

fn receipt(i: usize) -> String {
    format!("R-{i:05}")
}

async fn records(t: &TestLedger) -> BTreeMap<String, String> {
    let (_, rows) = t.store().views_snapshot().await.unwrap();
    rows.into_iter().filter(|(k, _)| is_record_key(k)).collect()
}

async fn a_refused_correction_puts_back_the_records_it_began_to_rewrite() {
    let t = TestLedger::new_at(format!("{DAY}T00:00:00Z").parse().unwrap()).await;
    let gifts: Vec<_> = (0..DONATIONS)
        .map(|i| t.donation(&receipt(i), "10.00", DAY))
        .collect();
    let at: Timestamp = format!("{DAY}T02:00:00Z").parse().unwrap();
    for part in gifts.chunks(700) {
        t.service.append_at(part.to_vec(), at).await.unwrap();
    }
    let org = |kind, body: serde_json::Value| {
        sub_at(kind, Author::Org(t.org_id.clone()), &t.org, body, at)
    };
    // Spends every donation's money: one hop per donation.
    let total = format!("{}.00", DONATIONS * 10);
    t.service
        .append_at(
            vec![org(
                Kind::Disbursement,
                json!({"amount": total, "currency": "CNY", "category": "programme",
                       "purpose": "助学金发放", "payee_type": "group",
                       "payee_display": "山区小学学生", "evidence": ["cd".repeat(32)],
                       "paid_on": DAY}),
            )],
            at,
        )
        .await
        .unwrap();
    let before = records(&t).await;
    assert_eq!(
        before.len(),
        2 * DONATIONS + 1,
        "a row per donation and hop, one spend"
    );

    // The first donation amended down: the disbursement after it would spend money the
    // ledger no longer has, so the correction is refused once its rebuild reaches it — after
    // it wrote a first part of the rebuilt records. The donations beside it commit.
    let first_seq = 2;
    let amended = json!({"receipt_no": receipt(0), "received_on": DAY, "form": "cash",
        "amount": "1.00", "currency": "CNY", "donor_type": "individual", "donor_display": "张*",
        "receipt": "issued", "commitment": "ab".repeat(32)});
    let refused = org(
        Kind::Correction,
        json!({"target": first_seq, "action": "amend", "notice": "金额更正", "amended": amended}),
    );
    let results = t
        .service
        .append_each(vec![
            t.donation("LATE-1", "5.00", DAY),
            refused,
            t.donation("LATE-2", "6.00", DAY),
        ])
        .await
        .unwrap();
    assert!(results[0].is_ok() && results[2].is_ok(), "{results:?}");
    match &results[1] {
        Err(AppendError::Admit { index: 1, source }) => {
            let spend = 2 + DONATIONS;
            let why = format!(
                "correction would break entry {spend}: body.amount: 42000.00 CNY exceeds the available 41991.00 CNY"
            );
            assert!(source.to_string().starts_with(&why), "{source}");
        }
        other => panic!("the correction should be refused: {other:?}"),
    }
    let after = records(&t).await;
    let mut expected = before.clone();
    for no in ["LATE-1", "LATE-2"] {
        let key = format!("donation/{}/{no}", t.org_id);
        let row = after.get(&key).unwrap_or_else(|| panic!("{key} missing"));
        expected.insert(key, row.clone());
    }
    assert_eq!(after.len(), expected.len());
    assert!(
        after == expected,
        "the refused correction changed stored records"
    );
    audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();

    // A correction that holds: the rebuild rewrites every row, parts at a time, and the
    // audit (a replay from scratch) finds exactly those rows.
    let raised = json!({"receipt_no": receipt(7), "received_on": DAY, "form": "cash",
        "amount": "12.00", "currency": "CNY", "donor_type": "individual", "donor_display": "张*",
        "receipt": "issued", "commitment": "ab".repeat(32)});
    let seq = 2 + 7;
    t.service
        .append(vec![org(
            Kind::Correction,
            json!({"target": seq, "action": "amend", "notice": "金额更正", "amended": raised}),
        )])
        .await
        .unwrap();
    let rewritten = records(&t).await;
    assert_eq!(rewritten.len(), after.len());
    let row: serde_json::Value =
        serde_json::from_str(&rewritten[&format!("donation/{}/{}", t.org_id, receipt(7))]).unwrap();
    assert_eq!(row["amount"], "12.00", "{row}");
    let report = audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(report.size, t.store().size().await.unwrap());
}

/// Keeps a start snapshot of the service's state as it is now; answers its size.
async fn keep_snapshot(t: &TestLedger) -> u64 {
    let state = t.service.state().await;
    t.store()
        .put_snapshot(state.size(), &snapshot::encode(&state))
        .await
        .unwrap();
    state.size()
}

/// Marks every stored record row (a space after its value) so that the rows a rebuild writes
/// afresh can be told from those it leaves alone.
async fn mark_records(t: &TestLedger) {
    common::tamper(
        &t.url,
        "UPDATE records SET value = value || ' ' WHERE value NOT LIKE '% '",
    )
    .await;
}

/// The seqs of the entries whose record rows are still marked, and of those written afresh.
async fn marked_and_rewritten(t: &TestLedger) -> (Vec<u64>, Vec<u64>) {
    let (mut marked, mut rewritten) = (Vec::new(), Vec::new());
    for (key, value) in records(t).await {
        let seq = row_seq(value.trim_end()).unwrap_or_else(|| panic!("{key} has no seq"));
        match value.ends_with(' ') {
            true => marked.push(seq),
            false => rewritten.push(seq),
        }
    }
    (marked, rewritten)
}

fn all_below(seqs: &[u64], size: u64) -> bool {
    seqs.iter().all(|s| *s < size)
}

async fn a_correction_rebuilds_from_the_newest_kept_snapshot_below_its_target() {
    let t = TestLedger::new_at(format!("{DAY}T00:00:00Z").parse().unwrap()).await;
    let at: Timestamp = format!("{DAY}T02:00:00Z").parse().unwrap();
    let org = |kind, body: serde_json::Value| {
        sub_at(kind, Author::Org(t.org_id.clone()), &t.org, body, at)
    };
    let pay = |amount: &str| {
        org(
            Kind::Disbursement,
            json!({"amount": amount, "currency": "CNY", "category": "programme",
                   "purpose": "助学金发放", "payee_type": "group",
                   "payee_display": "山区小学学生", "evidence": ["cd".repeat(32)],
                   "paid_on": DAY}),
        )
    };
    let donations = |from: usize, to: usize| -> Vec<_> {
        (from..to)
            .map(|i| t.donation(&receipt(i), "10.00", DAY))
            .collect()
    };
    // After genesis and the registration; a disbursement follows donations 39 and 79.
    let seq_of = |i: usize| 2 + i as u64 + u64::from(i >= 40) + u64::from(i >= 80);
    // Donations 0..40, half their money spent; a snapshot; donations 40..80, more spent (its
    // hops reach back to donations below the first snapshot); a snapshot; donations 80..100.
    t.service.append_at(donations(0, 40), at).await.unwrap();
    t.service.append_at(vec![pay("200.00")], at).await.unwrap();
    let s1 = keep_snapshot(&t).await;
    t.service.append_at(donations(40, 80), at).await.unwrap();
    t.service.append_at(vec![pay("300.00")], at).await.unwrap();
    let s2 = keep_snapshot(&t).await;
    t.service.append_at(donations(80, 100), at).await.unwrap();
    assert_eq!((s1, s2), (43, 84));
    let amend = |i: usize, amount: &str| {
        let amended = json!({"receipt_no": receipt(i), "received_on": DAY, "form": "cash",
            "amount": amount, "currency": "CNY", "donor_type": "individual",
            "donor_display": "张*", "receipt": "issued", "commitment": "ab".repeat(32)});
        org(
            Kind::Correction,
            json!({"target": seq_of(i), "action": "amend", "notice": "金额更正", "amended": amended}),
        )
    };

    // Donation 60 (between the snapshots) amended: the rebuild starts from the first; the rows
    // of the entries below it are left as they were (still marked), the rest written afresh.
    mark_records(&t).await;
    t.service.append(vec![amend(60, "12.00")]).await.unwrap();
    let (marked, rewritten) = marked_and_rewritten(&t).await;
    assert!(!marked.is_empty() && all_below(&marked, s1), "{marked:?}");
    assert!(rewritten.iter().all(|s| *s >= s1), "{rewritten:?}");
    let row: serde_json::Value = serde_json::from_str(
        records(&t).await[&format!("donation/{}/{}", t.org_id, receipt(60))].trim_end(),
    )
    .unwrap();
    assert_eq!(row["amount"], "12.00", "{row}");

    // Donation 90 (above the second snapshot) voided: the correction of donation 60 comes
    // after the second snapshot and reaches below it, so the second cannot be a start (its
    // books still hold donation 60 at 10.00): the rebuild starts from the first again.
    mark_records(&t).await;
    let void90 = org(
        Kind::Correction,
        json!({"target": seq_of(90), "action": "void", "notice": "误录入"}),
    );
    t.service.append(vec![void90]).await.unwrap();
    let (marked, rewritten) = marked_and_rewritten(&t).await;
    assert!(all_below(&marked, s1), "{marked:?}");
    assert!(
        rewritten.iter().any(|s| (s1..s2).contains(s)),
        "{rewritten:?}"
    );

    // Donation 5 (below every snapshot) amended: the rebuild starts from entry 0.
    mark_records(&t).await;
    t.service.append(vec![amend(5, "11.00")]).await.unwrap();
    let (marked, _) = marked_and_rewritten(&t).await;
    assert_eq!(marked, Vec::<u64>::new());

    // The rows are those a replay from scratch derives, each stored with its entry's seq, and
    // the state is the one a process that replays the whole log reaches.
    let report = audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(report.size, t.store().size().await.unwrap());
    let corrections = [report.size - 3, report.size - 2, report.size - 1];
    assert_eq!(report.rebuilds, corrections.map(|seq| (seq, 0)).to_vec());
    // An audit that keeps books every 12 entries rebuilds the first two corrections from them
    // (the last is the one the stored records are compared with: from entry 0) and finds the
    // same: any difference in the state would show in the views, records and snapshots.
    let close = audit_store_with(
        t.store(),
        &ProgressBar::hidden(),
        Auditor::new().with_bases_every(12),
    )
    .await
    .unwrap();
    assert_eq!((close.size, close.root), (report.size, report.root));
    assert_eq!(
        (close.views, &close.snapshots),
        (report.views, &report.snapshots)
    );
    let froms: Vec<u64> = close.rebuilds.iter().map(|(_, from)| *from).collect();
    assert!(froms[0] >= s1 && froms[0] <= seq_of(60), "{froms:?}");
    assert!(froms[1] >= s1 && froms[1] <= seq_of(60), "{froms:?}");
    assert_eq!(froms[2], 0);
    // The same from the exported log: the state the replay from entry 0 reaches.
    let out = tempfile::tempdir().unwrap();
    export(t.store(), out.path(), &ProgressBar::hidden())
        .await
        .unwrap();
    let replay = |auditor: Auditor| {
        let (report, state) = replay_export_with(out.path(), auditor, |_, _| {}).unwrap();
        (report, snapshot::encode(&state))
    };
    let (far, far_state) = replay(Auditor::new());
    let (near, near_state) = replay(Auditor::new().with_bases_every(12));
    assert_eq!(far.rebuilds, corrections.map(|seq| (seq, 0)).to_vec());
    let froms: Vec<u64> = near.rebuilds.iter().map(|(_, from)| *from).collect();
    assert!(
        froms[0] >= s1 && froms[1] >= s1 && froms[2] == 0,
        "{froms:?}"
    );
    assert_eq!(near.root, far.root);
    assert!(near_state == far_state, "the states differ");
    // `audit --full`: books kept as closely, and every correction still rebuilt from entry 0,
    // with the same findings, in the library and from the command line, for the database and
    // the exported log.
    let full = audit_store_with(
        t.store(),
        &ProgressBar::hidden(),
        Auditor::new().with_bases_every(12).from_entry_zero(),
    )
    .await
    .unwrap();
    assert_eq!(full.rebuilds, corrections.map(|seq| (seq, 0)).to_vec());
    assert_eq!((full.root, full.views), (report.root, report.views));
    let (full_dir, _) = replay_export_with(
        out.path(),
        Auditor::new().with_bases_every(12).from_entry_zero(),
        |_, _| {},
    )
    .unwrap();
    assert_eq!(full_dir.rebuilds, far.rebuilds);
    let out_dir = out.path().to_str().unwrap();
    for args in [
        vec!["audit", "--full"],
        vec!["audit", "--dir", out_dir, "--full"],
    ] {
        let run = std::process::Command::new(common::bin())
            .args(["--db", &t.url])
            .args(&args)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(said.starts_with("OK: "), "{args:?}: {said}");
        assert!(
            said.contains("; 3 corrections rebuilt, 3 from entry 0"),
            "{args:?}: {said}"
        );
    }
    let state = snapshot::encode(&t.service.state().await);
    t.store().clear_snapshots().await.unwrap();
    let replayed = LedgerService::open(
        Store::open(&t.url, false).await.unwrap(),
        SecretKey::from_seed([1; 32]),
    )
    .await
    .unwrap();
    assert!(snapshot::encode(&replayed.state().await) == state);
}

/// A record row stored with another entry's seq, or none, is found by the audit with its key:
/// a rebuild from a snapshot would keep or delete it wrongly.
async fn a_record_row_stored_with_the_wrong_seq_is_found_by_the_audit() {
    let t = TestLedger::new().await;
    let day = "2026-03-02";
    t.service
        .append(vec![
            t.donation("R-1", "10.00", day),
            t.donation("R-2", "10.00", day),
        ])
        .await
        .unwrap();
    audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();
    let key = format!("donation/{}/R-2", t.org_id);
    for (set, found) in [
        ("seq + 1", "stored with seq 4"),
        ("NULL", "stored with seq none"),
    ] {
        common::tamper(
            &t.url,
            &format!("UPDATE records SET seq = {set} WHERE key = '{key}'"),
        )
        .await;
        match audit_store(t.store(), &ProgressBar::hidden()).await {
            Err(AuditRunError::Failed(AuditError::View { key: k, reason })) => {
                assert_eq!(k, key);
                assert_eq!(reason, format!("{found}; the log derives it from entry 3"));
            }
            other => panic!("expected a finding on {key}: {other:?}"),
        }
        common::tamper(
            &t.url,
            &format!("UPDATE records SET seq = 3 WHERE key = '{key}'"),
        )
        .await;
    }
    audit_store(t.store(), &ProgressBar::hidden())
        .await
        .unwrap();
}

on_both_backends!(
    a_refused_correction_puts_back_the_records_it_began_to_rewrite,
    a_correction_rebuilds_from_the_newest_kept_snapshot_below_its_target,
    a_record_row_stored_with_the_wrong_seq_is_found_by_the_audit,
);
