//! Corrections where readers look (issue 15, part 6; 2025 Disclosure Measures Art. 16: the
//! correction notice goes with the item it corrects). A receipt amended from 10,000.00 to
//! 1,000.00 shows both amounts, the notice and the correcting entry in the API, on the project
//! page and in the downloads; a voided one says so in the same places.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::spawn_app;
use common::sub;
use indicatif::ProgressBar;
use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, Timestamp};

async fn an_amended_receipt_shows_original_current_notice_and_the_correcting_entry() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let org = t.org_id.to_string();
    let today = Timestamp::now().china_date().to_string();
    let as_org = |kind, body: Value| sub(kind, Author::Org(t.org_id.clone()), &t.org, body);
    let post = |s| {
        let app = &app;
        async move {
            let (status, r) = app.submit(&s).await;
            assert_eq!(status, 200, "{r}");
            r["seq"].as_u64().unwrap()
        }
    };
    post(as_org(
        Kind::ProjectOpen,
        json!({"id": "P1", "title": "乡村助学", "purpose": "教育", "region": "440100",
               "target": "100000.00", "currency": "CNY", "start": "2026-01-01"}),
    ))
    .await;
    let gift = |receipt: &str, amount: &str| {
        json!({"receipt_no": receipt, "project": "P1", "received_on": today, "form": "cash",
               "amount": amount, "currency": "CNY", "donor_type": "individual",
               "donor_display": "张*", "receipt": "issued", "commitment": "ab".repeat(32)})
    };
    let typed = post(as_org(Kind::Donation, gift("R-1", "10000.00"))).await;
    let mistaken = post(as_org(Kind::Donation, gift("R-2", "50.00"))).await;
    let notice = "金额录入多一个零，依据银行回单更正";
    let amend = post(as_org(
        Kind::Correction,
        json!({"target": typed, "action": "amend", "notice": notice,
               "amended": gift("R-1", "1000.00")}),
    ))
    .await;
    let void = post(as_org(
        Kind::Correction,
        json!({"target": mistaken, "action": "void", "notice": "测试数据误录入，予以作废"}),
    ))
    .await;
    app.views_settled().await;

    // The API: the current amount, and beside it the original, the notice and the entry.
    let (status, r) = app
        .get_json(&format!("/api/v1/receipts/R-1?org={org}"))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["donation"]["amount"], "1000.00");
    assert_eq!(r["correction"]["correction"]["by"], amend);
    assert_eq!(r["correction"]["correction"]["action"], "amend");
    assert_eq!(r["correction"]["correction"]["notice"], notice);
    assert_eq!(r["correction"]["original"]["amount"], "10000.00");
    assert_eq!(r["correction"]["current"]["amount"], "1000.00");
    let (_, r) = app
        .get_json(&format!("/api/v1/receipts/R-2?org={org}"))
        .await;
    assert_eq!(r["correction"]["correction"]["action"], "void", "{r}");
    assert_eq!(r["correction"]["correction"]["by"], void);
    assert_eq!(r["correction"]["status"], "voided");
    // An entry never corrected has none.
    let (_, r) = app.get_json("/api/v1/entries/1").await;
    assert!(r.get("correction").is_none() || r["correction"].is_null());

    // The site: the project page shows the notice with the donation; the downloads carry it.
    let dir = tempfile::tempdir().unwrap();
    sunshine_ledger::site::build::build(t.store(), dir.path(), &ProgressBar::hidden())
        .await
        .unwrap();
    let page =
        std::fs::read_to_string(dir.path().join(format!("en/projects/{org}/P1.html"))).unwrap();
    assert!(page.contains("Amended"), "{page}");
    assert!(page.contains(notice));
    assert!(
        page.contains("originally ¥10,000.00") && page.contains("now ¥1,000.00"),
        "{page}"
    );
    assert!(page.contains(&format!("?seq={amend}")));
    let csv = std::fs::read_to_string(dir.path().join("data/donations.csv")).unwrap();
    let line = csv.lines().find(|l| l.contains("R-1")).unwrap();
    assert!(
        line.contains(",1000.00,")
            && line.contains(",10000.00,")
            && line.contains(notice)
            && line.contains(&format!(",{amend},")),
        "{line}"
    );
    let corrections = std::fs::read_to_string(dir.path().join("data/corrections.csv")).unwrap();
    assert!(
        corrections.contains(&format!(
            "{typed},donation,live,amend,{amend},{notice},10000.00,1000.00"
        )),
        "{corrections}"
    );
    assert!(
        corrections.contains(&format!("{mistaken},donation,voided,void,{void},")),
        "{corrections}"
    );
}

on_both_backends!(an_amended_receipt_shows_original_current_notice_and_the_correcting_entry,);
