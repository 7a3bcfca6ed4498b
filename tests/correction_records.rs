//! A correction's rebuild rewrites every record row of the log inside the append transaction,
//! a part at a time (issue 13, part 4: memory holds a part of the records, not all of them),
//! and a correction refused after parts were written puts the stored rows back exactly, while
//! the submissions committed beside it keep theirs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::{TestLedger, sub_at};
use indicatif::ProgressBar;
use serde_json::json;
use sunshine_ledger::append::service::AppendError;
use sunshine_ledger::ledger::{Author, Kind, Timestamp};
use sunshine_ledger::money::records::is_record_key;
use sunshine_ledger::replay::store_audit::audit_store;

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

on_both_backends!(a_refused_correction_puts_back_the_records_it_began_to_rewrite);
