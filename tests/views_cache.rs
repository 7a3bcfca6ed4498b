//! The cached derived views are refreshed by writing only the rows that changed since this
//! process's last refresh — and in full whenever the table may hold something else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::serve::{Server, audit, donation, post};
use common::{TestLedger, tamper};
use indicatif::ProgressBar;
use serde_json::json;
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::ledger::{Author, Kind, SecretKey, SignedSubmission};
use sunshine_ledger::money::views::ViewDelta;
use sunshine_ledger::replay::audit::AuditError;
use sunshine_ledger::replay::store_audit::{AuditRunError, audit_store};
use sunshine_ledger::store::{Store, ViewWrite};

fn rows(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn delta(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> ViewDelta {
    let delta = ViewDelta::between(old, new.clone());
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
    assert!(store.replace_views(10, ViewWrite::Full(&a)).await.unwrap());
    assert_eq!(table(store).await, (Some(10), a.clone()));

    // Changed, kept, removed and new keys, written as a delta against `a`.
    let b = rows(&[("a", "1"), ("b", "9"), ("d", "4")]);
    let ab = delta(&a, &b);
    let write = ViewWrite::Delta {
        base: 10,
        delta: &ab,
    };
    assert!(store.replace_views(11, write).await.unwrap());
    assert_eq!(table(store).await, (Some(11), b.clone()));

    // Another process cached size 15 with a key ours never had: our next refresh cannot be a
    // delta against `b`; it is refused, writes nothing, and the full write leaves no "z".
    let theirs = rows(&[("a", "1"), ("z", "0")]);
    assert!(
        store
            .replace_views(15, ViewWrite::Full(&theirs))
            .await
            .unwrap()
    );
    let d = rows(&[("a", "2"), ("e", "5")]);
    let bd = delta(&b, &d);
    let write = ViewWrite::Delta {
        base: 11,
        delta: &bd,
    };
    assert!(!store.replace_views(16, write).await.unwrap());
    assert_eq!(table(store).await, (Some(15), theirs));
    assert!(store.replace_views(16, ViewWrite::Full(&d)).await.unwrap());
    assert_eq!(table(store).await, (Some(16), d.clone()));

    // Views never go back to a shorter log.
    let db = delta(&d, &b);
    let write = ViewWrite::Delta {
        base: 16,
        delta: &db,
    };
    assert!(store.replace_views(12, write).await.unwrap());
    assert!(store.replace_views(12, ViewWrite::Full(&b)).await.unwrap());
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

/// The audit's verdict on the ledger at `t.url` as it is now: `Ok(views checked)`, or the view
/// key and reason it names.
async fn views_verdict(t: &TestLedger) -> Result<u64, (String, String)> {
    let store = Store::open(&t.url, false).await.unwrap();
    let verdict = match audit_store(&store, &ProgressBar::hidden()).await {
        Ok(report) => Ok(report.views),
        Err(AuditRunError::Failed(AuditError::View { key, reason })) => Err((key, reason)),
        Err(other) => panic!("expected a view verdict, got {other:?}"),
    };
    store.close().await;
    verdict
}

/// Runs `sql` on the ledger, then expects the audit to name `key` with a reason containing `why`.
async fn fails_at(t: &TestLedger, sql: &str, key: &str, why: &str) {
    tamper(&t.url, sql).await;
    let (named, reason) = views_verdict(t).await.unwrap_err();
    assert_eq!(named, key, "{sql}");
    assert!(reason.contains(why), "{sql}: {reason}");
}

/// A disbursement of `amount` from the test organisation's unrestricted money.
fn disbursement(t: &TestLedger, amount: &str) -> SignedSubmission {
    common::sub_at(
        Kind::Disbursement,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"amount": amount, "currency": "CNY", "category": "programme",
               "purpose": "助学金发放", "payee_type": "group", "payee_display": "山区小学学生",
               "evidence": ["cd".repeat(32)], "paid_on": "2025-04-01"}),
        "2025-04-01T01:00:00Z".parse().unwrap(),
    )
}

/// Record rows (donations, spends, the hops of each donation's money) are written with their
/// entries and compared as the audit's replay emits them, never all held at once: a changed, a
/// deleted and an invented one are each named by key, and the trace composed from them is the
/// one the money rules give.
async fn a_tampered_record_view_is_named_by_its_key() {
    let t = TestLedger::new().await;
    let mut subs: Vec<_> = (0..30)
        .map(|i| t.donation(&format!("R2025-{i:04}"), "100.00", "2025-03-01"))
        .collect();
    // 1,050.00 spent first in, first out: ten donations whole, and half of the eleventh.
    subs.push(disbursement(&t, "1050.00"));
    let spend_seq = t.service.append(subs).await.unwrap().last().unwrap().seq;
    t.service.refresh_views().await.unwrap();
    let clean = views_verdict(&t).await.unwrap();
    // 30 donation rows, 11 hop rows and a spend row, besides the summaries.
    assert!(clean > 42, "{clean}");
    let org = &t.org_id;
    let receipt = |n: &str| sunshine_ledger::money::Ident::parse(n).unwrap();
    let half = t
        .store()
        .trace(org, &receipt("R2025-0010"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(half.spent_total.to_string(), "50.00");
    assert_eq!(half.unspent_total.to_string(), "50.00");
    let whole = t
        .store()
        .trace(org, &receipt("R2025-0003"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(whole.spent_total.to_string(), "100.00");
    let untouched = t
        .store()
        .trace(org, &receipt("R2025-0011"))
        .await
        .unwrap()
        .unwrap();
    assert!(untouched.spent.is_empty());
    assert_eq!(untouched.unspent_total.to_string(), "100.00");

    let hop = format!("hop/{org}/R2025-0010/{spend_seq}/0");
    let original = t.store().view(&hop).await.unwrap().expect("hop row");
    let changed = original.replace("50.00", "50.01");
    assert_ne!(changed, original);
    let update = format!("UPDATE records SET value = '{changed}' WHERE key = '{hop}'");
    fails_at(&t, &update, &hop, "differs").await;
    let delete = format!("DELETE FROM records WHERE key = '{hop}'");
    fails_at(&t, &delete, &hop, "missing").await;

    // Put it back; then an invented receipt, a real one spelt in lower case, and more.
    tamper(
        &t.url,
        &format!(
            "INSERT INTO records (key, value, seq) VALUES ('{hop}', '{original}', {spend_seq})"
        ),
    )
    .await;
    assert_eq!(views_verdict(&t).await.unwrap(), clean);
    for invented in [
        format!("donation/{org}/R2025-9999"),
        format!("donation/{}/R2025-0007", org.to_string().to_lowercase()),
        "spend/01/0".to_owned(),
        format!("hop/{org}/R2025-0011/{spend_seq}/0"),
    ] {
        let insert = format!("INSERT INTO records (key, value) VALUES ('{invented}', '{{}}')");
        fails_at(&t, &insert, &invented, "derives no such record").await;
        tamper(
            &t.url,
            &format!("DELETE FROM records WHERE key = '{invented}'"),
        )
        .await;
    }
    assert_eq!(views_verdict(&t).await.unwrap(), clean);
}

/// A correction voiding entry `target`, by the test organisation.
fn void(t: &TestLedger, target: u64) -> SignedSubmission {
    common::sub_at(
        Kind::Correction,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"target": target, "action": "void", "notice": "录入重复，作废"}),
        "2025-04-02T01:00:00Z".parse().unwrap(),
    )
}

/// Corrections rebuild the books from the stored log (the state keeps no past bodies): one
/// voiding a stored donation, one voiding a donation of its own batch, and one whose rebuild
/// fails (the voided money was spent) and changes nothing. The records are rewritten, the
/// traces follow, and the audit agrees.
async fn corrections_rebuild_from_the_stored_log_and_rewrite_the_records() {
    let t = TestLedger::new().await;
    let org = &t.org_id;
    let receipt = |n: &str| sunshine_ledger::money::Ident::parse(n).unwrap();
    let mut subs: Vec<_> = (0..4)
        .map(|i| t.donation(&format!("R2025-{i:04}"), "100.00", "2025-03-01"))
        .collect();
    subs.push(disbursement(&t, "250.00"));
    let seqs: Vec<u64> = t
        .service
        .append(subs)
        .await
        .unwrap()
        .iter()
        .map(|a| a.seq)
        .collect();
    // Voiding R2025-0003 (unspent) leaves R2025-0002 half spent, as before.
    t.service.append(vec![void(&t, seqs[3])]).await.unwrap();
    assert!(
        t.store()
            .trace(org, &receipt("R2025-0003"))
            .await
            .unwrap()
            .is_none()
    );
    let row = t
        .store()
        .view(&format!("donation/{org}/R2025-0003"))
        .await
        .unwrap()
        .unwrap();
    assert!(row.contains(r#""status":"voided""#), "{row}");
    let half = t
        .store()
        .trace(org, &receipt("R2025-0002"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(half.spent_total.to_string(), "50.00");
    // A donation and its voiding in one batch: the rebuild reads the batch's own entry.
    let batch = t
        .service
        .append(vec![t.donation("R2025-0009", "7.00", "2025-03-02")])
        .await
        .unwrap();
    t.service
        .append(vec![void(&t, batch[0].seq)])
        .await
        .unwrap();
    let next = t.store().size().await.unwrap();
    let both = t
        .service
        .append(vec![
            t.donation("R2025-0010", "8.00", "2025-03-02"),
            void(&t, next),
        ])
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
    assert!(
        t.store()
            .trace(org, &receipt("R2025-0010"))
            .await
            .unwrap()
            .is_none()
    );
    // Voiding R2025-0000 leaves 200.00 for the 250.00 paid out: refused, nothing written.
    let size = t.store().size().await.unwrap();
    let before = t.store().views_with_prefix("").await.unwrap();
    let refused = t.service.append(vec![void(&t, seqs[0])]).await.unwrap_err();
    assert!(
        refused.to_string().contains("would break entry 6")
            && refused.to_string().contains("exceeds the available 200.00"),
        "{refused}"
    );
    assert_eq!(t.store().size().await.unwrap(), size);
    assert_eq!(t.store().views_with_prefix("").await.unwrap(), before);
    t.service.refresh_views().await.unwrap();
    assert!(views_verdict(&t).await.is_ok());
    // A fresh process replays the corrections from the stored log to the same state.
    let store = Store::open(&t.url, false).await.unwrap();
    let restarted = LedgerService::open(store, SecretKey::from_seed([1; 32]))
        .await
        .unwrap();
    assert_eq!(
        restarted.state().await.summary_view_rows(),
        t.service.state().await.summary_view_rows()
    );
}

/// While the stored records are not those of the log, an append leaves them alone rather than
/// write a partial set; the next start writes them all. Answers the restarted service.
async fn one_append_then_a_start_writes_the_records(t: &TestLedger) -> LedgerService {
    t.service
        .append(vec![t.donation("R2025-0100", "5.00", "2025-03-01")])
        .await
        .unwrap();
    assert_eq!(t.store().record_size().await.unwrap(), None);
    let store = Store::open(&t.url, false).await.unwrap();
    let restarted = LedgerService::open(store, SecretKey::from_seed([1; 32]))
        .await
        .unwrap();
    let size = restarted.store().size().await.unwrap();
    assert_eq!(restarted.store().record_size().await.unwrap(), Some(size));
    restarted
}

/// A database whose records were never written (one from before they were kept) passes the
/// audit on its summaries, and the next start writes every record, as an audit then confirms.
async fn missing_records_are_found_and_written_at_the_next_start() {
    let t = TestLedger::new().await;
    let mut subs: Vec<_> = (0..5)
        .map(|i| t.donation(&format!("R2025-{i:04}"), "100.00", "2025-03-01"))
        .collect();
    subs.push(disbursement(&t, "250.00"));
    t.service.append(subs).await.unwrap();
    let clean = views_verdict(&t).await.unwrap();
    // Records deleted without their size: a stored row is then named; with it, the ledger is
    // one whose records are yet to be written, and only the summaries are compared.
    tamper(&t.url, "DELETE FROM record_size").await;
    let (key, reason) = views_verdict(&t).await.unwrap_err();
    assert!(
        key.starts_with("donation/") || key.starts_with("hop/") || key.starts_with("spend/"),
        "{key}"
    );
    assert!(reason.contains("without a recorded log size"), "{reason}");
    tamper(&t.url, "DELETE FROM records").await;
    let summaries = views_verdict(&t).await.unwrap();
    // Five donations, a spend, and the hops of three donations (250.00 first in, first out).
    assert_eq!(clean - summaries, 5 + 1 + 3);
    let restarted = one_append_then_a_start_writes_the_records(&t).await;
    restarted.refresh_views().await.unwrap();
    // One more donation row than before.
    assert_eq!(views_verdict(&t).await.unwrap(), clean + 1);
}

/// Records written by a build that derives them differently (an upgrade, told by the stored
/// derivation number) are named by the audit, left alone by appends, and written afresh by the
/// next start, which puts back the row the older build wrote differently.
async fn records_of_another_derivation_are_written_afresh_at_the_next_start() {
    let t = TestLedger::new().await;
    let mut subs: Vec<_> = (0..3)
        .map(|i| t.donation(&format!("R2025-{i:04}"), "100.00", "2025-03-01"))
        .collect();
    subs.push(disbursement(&t, "150.00"));
    t.service.append(subs).await.unwrap();
    let clean = views_verdict(&t).await.unwrap();
    let key = format!("donation/{}/R2025-0001", t.org_id);
    let current = t.store().view(&key).await.unwrap().unwrap();
    // As an older build would have left them: one row spelled otherwise, another number.
    tamper(
        &t.url,
        &format!(
            "UPDATE records SET value = replace(value, '\"live\"', '\"open\"') WHERE key = '{key}'"
        ),
    )
    .await;
    tamper(&t.url, "UPDATE record_size SET derivation = 0").await;
    let (named, reason) = views_verdict(&t).await.unwrap_err();
    assert_eq!(named, "record_size");
    assert!(reason.contains("record derivation 0"), "{reason}");
    assert_eq!(t.store().record_size().await.unwrap(), None);
    let restarted = one_append_then_a_start_writes_the_records(&t).await;
    assert_eq!(t.store().view(&key).await.unwrap().unwrap(), current);
    restarted.refresh_views().await.unwrap();
    assert_eq!(views_verdict(&t).await.unwrap(), clean + 1);
}

/// The append service brings the views along itself: a plain append leaves them at the new size
/// with no refresh called, and a bulk load that holds them back refreshes once when it finishes.
async fn appends_bring_the_views_along() {
    let t = TestLedger::new().await;
    t.fill(3, 3).await;
    let size = t.store().size().await.unwrap();
    assert_eq!(t.store().view_size().await.unwrap(), Some(size));
    t.service
        .append(vec![t.donation("R2025-0100", "5.00", "2025-03-01")])
        .await
        .unwrap();
    assert_eq!(t.store().view_size().await.unwrap(), Some(size + 1));

    let held = t.service.defer_views();
    for i in 0..2 {
        t.service
            .append(vec![t.donation(
                &format!("R2025-02{i:02}"),
                "5.00",
                "2025-03-01",
            )])
            .await
            .unwrap();
    }
    assert_eq!(t.store().view_size().await.unwrap(), Some(size + 1));
    assert_eq!(held.finish().await.unwrap(), size + 3);
    assert_eq!(t.store().view_size().await.unwrap(), Some(size + 3));
    assert_eq!(views_verdict(&t).await.map(|_| ()), Ok(()));
}

/// A server that starts on a ledger whose views lag its log (a crash between an append and the
/// refresh, or another process's appends) brings them up to date with a delta from the size they
/// reflect, and the audit passes.
async fn a_restarted_server_catches_the_views_up() {
    let t = TestLedger::new().await;
    t.fill(20, 10).await;
    assert_eq!(t.service.refresh_views().await.unwrap(), 22);
    // As if killed between the append and its refresh: views held back, never finished.
    let held = t.service.defer_views();
    t.service
        .append(
            (0..5)
                .map(|i| t.donation(&format!("R2025-{i:04}"), "100.00", "2025-03-01"))
                .collect(),
        )
        .await
        .unwrap();
    drop(held);
    assert_eq!(t.store().view_size().await.unwrap(), Some(22));
    assert!(views_verdict(&t).await.is_ok());
    let store = Store::open(&t.url, false).await.unwrap();
    let restarted = LedgerService::open(store, SecretKey::from_seed([1; 32]))
        .await
        .unwrap();
    assert_eq!(restarted.refresh_views().await.unwrap(), 27);
    assert!(
        t.store()
            .view(&format!("donation/{}/R2025-0004", t.org_id))
            .await
            .unwrap()
            .is_some()
    );
    assert!(views_verdict(&t).await.unwrap() > 0);
}

/// The same through the real binary: `sunshine serve` killed with SIGKILL after appends it had
/// not refreshed the views for yet (its refresher waits a second after the last refresh). The
/// killed server's entries are all there, the views lag them, the next start brings the views up
/// to the log, and `sunshine audit` passes.
async fn a_server_killed_before_its_views_caught_up_is_repaired_by_the_next_start() {
    let t = TestLedger::new().await;
    let keys = t.keys_dir();
    let client = reqwest::Client::new();
    let store = t.store();
    let before = store.size().await.unwrap();
    let mut i = 0;
    let mut next = || {
        i += 1;
        donation(&t, "K", i)
    };
    // The kill lands between the appends and their refresh unless the machine stalls for the
    // refresher's whole second; a few tries make that certain without a sleep.
    let mut lagging = None;
    for _ in 0..5 {
        let mut server = Server::start(&t.url, &keys);
        assert_eq!(post(&client, &server.base, &next()).await.0, 200);
        until_views_at(store, store.size().await.unwrap()).await;
        for _ in 0..3 {
            assert_eq!(post(&client, &server.base, &next()).await.0, 200);
        }
        server.kill();
        let (size, views) = (
            store.size().await.unwrap(),
            store.view_size().await.unwrap(),
        );
        if views < Some(size) {
            lagging = Some(size);
            break;
        }
    }
    let size = lagging.expect("the views never lagged the log when the server was killed");
    // Every append answered 200 before the kill is in the log.
    assert_eq!(size, before + i);
    let server = Server::start(&t.url, &keys);
    until_views_at(store, size).await;
    drop(server);
    let report = audit(&t.url);
    assert!(
        report.starts_with(&format!("OK: {size} entries")),
        "{report}"
    );
}

/// Waits (up to 30 s) until the stored views reflect log size `size`.
async fn until_views_at(store: &Store, size: u64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while store.view_size().await.unwrap() != Some(size) {
        assert!(
            std::time::Instant::now() < deadline,
            "the views did not reach log size {size}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

on_both_backends!(
    a_delta_refresh_leaves_exactly_the_new_rows_and_falls_back_when_another_wrote,
    appends_bring_the_views_along,
    refreshes_after_new_entries_match_the_views_the_audit_derives,
    a_tampered_record_view_is_named_by_its_key,
    missing_records_are_found_and_written_at_the_next_start,
    records_of_another_derivation_are_written_afresh_at_the_next_start,
    corrections_rebuild_from_the_stored_log_and_rewrite_the_records,
    a_restarted_server_catches_the_views_up,
    a_server_killed_before_its_views_caught_up_is_repaired_by_the_next_start,
);
