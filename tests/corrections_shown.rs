//! Corrections where readers look (issue 15, part 6; 2025 Disclosure Measures Art. 16: the
//! correction notice goes with the item it corrects). A receipt amended from 10,000.00 to
//! 1,000.00 shows both amounts, the notice and the correcting entry in the API, on the project
//! and organisation pages, in the downloads, and in headless Chromium on the receipt viewer and
//! the entry viewer of the original entry, in both languages; a voided one says so in the same
//! places.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::app::spawn_app;
use common::browser::{StaticServer, render_dom};
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
    // An entry never corrected has none; the amended one has its correction beside its bytes.
    let (_, r) = app.get_json("/api/v1/entries/1").await;
    assert!(r.get("correction").is_none() || r["correction"].is_null());
    let (status, r) = app.get_json(&format!("/api/v1/entries/{typed}")).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["entry"]["submission"]["body"]["amount"], "10000.00");
    assert_eq!(r["correction"]["correction"]["by"], amend, "{r}");
    assert_eq!(r["correction"]["correction"]["notice"], notice);
    assert_eq!(r["correction"]["current"]["amount"], "1000.00");
    let (_, r) = app.get_json(&format!("/api/v1/entries/{mistaken}")).await;
    assert_eq!(r["correction"]["correction"]["action"], "void", "{r}");

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
    // The voided donation no longer counts there, and the page says so.
    let at = page
        .find(r#"<table class="corrected">"#)
        .expect("the corrected items");
    let table = &page[at..at + page[at..].find("</table>").unwrap()];
    assert!(
        table.contains("Voided") && table.contains("测试数据误录入，予以作废"),
        "{table}"
    );
    assert!(
        table.contains(&format!("?seq={void}\">#{void}</a>")),
        "{table}"
    );
    // Every CSV cell is quoted (src/site/spreadsheet.rs); none of these holds a quote.
    let unquoted = |name: &str| {
        std::fs::read_to_string(dir.path().join(name))
            .unwrap()
            .replace('"', "")
    };
    let csv = unquoted("data/donations.csv");
    let line = csv.lines().find(|l| l.contains("R-1")).unwrap();
    assert!(
        line.contains(",1000.00,")
            && line.contains(",10000.00,")
            && line.contains(notice)
            && line.contains(&format!(",{amend},")),
        "{line}"
    );
    let corrections = unquoted("data/corrections.csv");
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
    let entries = unquoted("data/entries.csv");
    let line = entries
        .lines()
        .find(|l| l.starts_with(&format!("{typed},donation,")))
        .unwrap();
    assert!(
        line.ends_with(&format!(",amend,{amend},{notice}")),
        "{line}"
    );
    let line = entries
        .lines()
        .find(|l| l.starts_with(&format!("{mistaken},donation,")))
        .unwrap();
    assert!(line.contains(&format!(",void,{void},")), "{line}");

    // The organisation page lists both corrected items with their notices.
    for (lang, amended, voided, was) in [
        (
            "",
            "已更正",
            "已作废",
            "原金额 ¥10,000.00，现金额 ¥1,000.00",
        ),
        (
            "en/",
            "Amended",
            "Voided",
            "originally ¥10,000.00, now ¥1,000.00",
        ),
    ] {
        let page =
            std::fs::read_to_string(dir.path().join(format!("{lang}orgs/{org}.html"))).unwrap();
        let at = page
            .find(r#"<table class="corrected">"#)
            .expect("the corrected items");
        let table = &page[at..at + page[at..].find("</table>").unwrap()];
        assert!(
            table.contains(&format!("?seq={typed}\">#{typed}</a>")),
            "{table}"
        );
        assert!(table.contains(amended) && table.contains(was), "{table}");
        assert!(table.contains(&format!("?seq={amend}\">#{amend}</a>")));
        assert!(table.contains(notice));
        assert!(table.contains(voided) && table.contains("测试数据误录入，予以作废"));
        assert!(table.contains(&format!("?seq={void}\">#{void}</a>")));
    }

    // In the browser: the receipt viewer and the entry viewer, which read the published data.
    let server = StaticServer::start(dir.path());
    for (lang, amended, voided, amount) in [
        (
            "",
            "已更正",
            "已作废",
            "金额: 原为 ¥10,000.00 · 现为 ¥1,000.00",
        ),
        (
            "en/",
            "Amended",
            "Voided",
            "Amount: was ¥10,000.00 · now ¥1,000.00",
        ),
    ] {
        let dom = render_dom(&server.url(&format!("{lang}receipts/view.html?org={org}&no=R-1")));
        assert_eq!(verdict(&dom), "verified", "{dom:.3000}");
        assert!(
            dom.contains(r#"<dd data-field="amount">¥1,000.00</dd>"#),
            "the amount in force: {dom:.4000}"
        );
        assert_note(
            &dom,
            amended,
            &[notice, amount],
            &format!("?seq={amend}"),
            amend,
        );

        let dom = render_dom(&server.url(&format!("{lang}entries/index.html?seq={typed}")));
        assert_eq!(verdict(&dom), "verified", "{dom:.3000}");
        assert!(
            dom.contains(r#"<dd data-body="amount">¥10,000.00</dd>"#),
            "as recorded"
        );
        let link = format!("index.html?seq={amend}");
        assert_note(&dom, amended, &[notice, amount], &link, amend);

        let dom = render_dom(&server.url(&format!("{lang}receipts/view.html?org={org}&no=R-2")));
        let link = format!("?seq={void}");
        assert_note(&dom, voided, &["测试数据误录入，予以作废"], &link, void);
        let dom = render_dom(&server.url(&format!("{lang}entries/index.html?seq={mistaken}")));
        assert_note(&dom, voided, &[], &format!("?seq={void}"), void);

        // An entry never corrected shows no notice (its range has no corrected-entry file).
        let dom = render_dom(&server.url(&format!("{lang}entries/index.html?seq=1")));
        assert_eq!(verdict(&dom), "verified");
        assert!(
            dom.contains(r#"<div class="correction" data-field="correction" hidden="">"#),
            "{dom:.4000}"
        );
    }
}

/// The `data-state` of the page's verification widget, after its script ran.
fn verdict(dom: &str) -> &str {
    let at = dom
        .find(r#"<section class="verify""#)
        .expect("a verification widget");
    let tag = &dom[at..at + dom[at..].find('>').unwrap()];
    let state = tag.split(r#"data-state=""#).nth(1).unwrap_or("not run");
    &state[..state.find('"').unwrap_or(state.len())]
}

/// The viewer's correction notice in `dom` says `label` (amended or voided), holds `texts`
/// and links the correcting entry `by` at `link`.
fn assert_note(dom: &str, label: &str, texts: &[&str], link: &str, by: u64) {
    let note = correction_slot(dom);
    assert!(
        note.contains(&format!("<strong>{label}</strong>")),
        "{note}"
    );
    assert!(texts.iter().all(|t| note.contains(t)), "{note}");
    assert!(note.contains(&format!("{link}\">#{by}</a>")), "{note}");
}

/// The viewer's correction notice, shown (not hidden).
fn correction_slot(dom: &str) -> &str {
    let at = dom
        .find(r#"<div class="correction" data-field="correction""#)
        .unwrap_or_else(|| panic!("no correction slot: {dom:.3000}"));
    let slot = &dom[at..at + dom[at..].find("</div>").unwrap()];
    assert!(
        !slot[..slot.find('>').unwrap()].contains("hidden"),
        "{slot}"
    );
    slot
}

on_both_backends!(an_amended_receipt_shows_original_current_notice_and_the_correcting_entry,);
