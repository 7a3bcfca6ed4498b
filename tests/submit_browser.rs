//! The signing page (`/submit/`) in headless Chromium against a real server on loopback: a
//! spreadsheet and a sealed key file are picked as a person would pick them, the server checks
//! the sheet, the page signs with WebCrypto Ed25519 and posts the batch, and the receipts it
//! offers for download name entries that are in the ledger with the sheet's rows. A wrong
//! passphrase signs nothing; a bad sheet is refused by row and cell in the page's language.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::app::spawn_app;
use common::browser::Page;
use futures_util::TryStreamExt;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sha2::Digest;
use sunshine_ledger::cli::sealed_key;
use sunshine_ledger::ledger::{SealedEntry, Timestamp};

fn commitment(n: u32) -> String {
    hex::encode(sha2::Sha256::digest(format!("receipt secret {n}")))
}

fn donations_xlsx(path: &Path) {
    let today = Timestamp::now().date();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "receipt_no",
        "received_on",
        "amount",
        "donor_type",
        "donor_display",
        "receipt",
        "commitment",
    ];
    for (i, h) in header.iter().enumerate() {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    let day =
        ExcelDateTime::from_ymd(today.year() as u16, u8::from(today.month()), today.day()).unwrap();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    for (r, (no, amount)) in [("W-1", 1200.5), ("W-2", 88.8)].iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *no).unwrap();
        sheet
            .write_datetime_with_format(r, 1, &day, &date_fmt)
            .unwrap();
        sheet.write_number(r, 2, *amount).unwrap();
        sheet.write_string(r, 3, "individual").unwrap();
        sheet.write_string(r, 4, "陈*").unwrap();
        sheet.write_string(r, 5, "issued").unwrap();
        sheet.write_string(r, 6, commitment(r)).unwrap();
    }
    book.save(path).unwrap();
}

/// Picks `file` in the page's `input[name=NAME]`, as the file chooser would.
fn pick(page: &mut Page, name: &str, file: &Path) {
    let doc = page.call("DOM.getDocument", serde_json::json!({}));
    let node = page.call(
        "DOM.querySelector",
        serde_json::json!({"nodeId": doc["root"]["nodeId"], "selector": format!("input[name={name}]")}),
    );
    page.call(
        "DOM.setFileInputFiles",
        serde_json::json!({"nodeId": node["nodeId"], "files": [file.to_str().unwrap()]}),
    );
}

fn set(page: &mut Page, name: &str, value: &str) {
    page.eval(&format!(
        "document.querySelector('input[name={name}]').value = {}",
        serde_json::to_string(value).unwrap()
    ));
}

/// Waits until the page's state is one of `states` and returns it.
fn state_in(page: &mut Page, states: &[&str]) -> String {
    let list = serde_json::to_string(states).unwrap();
    page.wait_for(&format!(
        "{list}.includes(document.querySelector('.submit-page').dataset.state) && document.querySelector('.submit-page').dataset.state"
    ))
    .as_str()
    .unwrap()
    .to_owned()
}

fn status(page: &mut Page) -> String {
    page.eval("document.querySelector('.submit-status').textContent")
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spreadsheet_signed_in_the_browser_lands_in_the_ledger() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("donations.xlsx");
    donations_xlsx(&sheet);
    let key_file = dir.path().join("org.key.json");
    let sealed = sealed_key::seal(&t.org, "correct horse battery", sealed_key::ITERATIONS).unwrap();
    std::fs::write(&key_file, serde_json::to_string(&sealed).unwrap()).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "receipt_no,received_on,amount,donor_type,donor_display,receipt,commitment\r\n\
             B-1,2026/3/1,12.345,individual,张*,issued,{}\r\n",
            commitment(1)
        ),
    )
    .unwrap();
    let size_before = t.service.current_state().await.unwrap().size();
    let org = t.org_id.to_string();
    let url = app.url("/en/submit/");
    let zh_url = app.url("/submit/");

    let page = tokio::task::spawn_blocking(move || {
        // A bad sheet on the Chinese page: refused by row and cell, in Chinese.
        let mut zh = Page::open(&zh_url, 1280, 900);
        set(&mut zh, "org", &org);
        pick(&mut zh, "sheet", &bad);
        pick(&mut zh, "keyfile", &key_file);
        set(&mut zh, "passphrase", "correct horse battery");
        zh.eval("document.querySelector('.submit-form').requestSubmit()");
        assert_eq!(
            state_in(&mut zh, &["problems", "checked", "failed"]),
            "problems"
        );
        let problem = zh
            .eval("document.querySelector('.submit-problems li[data-cell=C2]').textContent")
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            problem.starts_with("第 2 行, amount 列 (C2): 金额超过两位小数"),
            "{problem}"
        );
        assert_eq!(
            zh.eval("document.querySelector('.submit-sign').hidden"),
            true
        );

        let mut page = Page::open(&url, 1280, 900);
        set(&mut page, "org", &org);
        pick(&mut page, "sheet", &sheet);
        pick(&mut page, "keyfile", &key_file);
        set(&mut page, "passphrase", "wrong passphrase");
        page.eval("document.querySelector('.submit-form').requestSubmit()");
        let s = state_in(&mut page, &["problems", "checked", "failed"]);
        assert_eq!(s, "checked", "{}", status(&mut page));
        assert!(status(&mut page).contains("read as an Excel workbook"));
        let rows = page.eval(
            "[...document.querySelectorAll('.submit-rows tbody tr')].map(tr => tr.textContent)",
        );
        assert_eq!(
            rows,
            serde_json::json!(["2W-1 · 陈*1200.50 CNY", "3W-2 · 陈*88.80 CNY"])
        );
        // The wrong passphrase opens nothing and sends nothing.
        page.eval("document.querySelector('.submit-sign').click()");
        assert_eq!(state_in(&mut page, &["failed", "sent"]), "failed");
        assert!(
            status(&mut page).contains("does not open"),
            "{}",
            status(&mut page)
        );
        page
    })
    .await
    .unwrap();
    assert_eq!(
        t.service.current_state().await.unwrap().size(),
        size_before,
        "a failed signing wrote nothing"
    );

    let (mut page, csv) = tokio::task::spawn_blocking(move || {
        let mut page = page;
        set(&mut page, "passphrase", "correct horse battery");
        page.eval("document.querySelector('.submit-sign').click()");
        let s = state_in(&mut page, &["failed", "sent"]);
        assert_eq!(s, "sent", "{}", status(&mut page));
        let csv = page
            .eval("document.querySelector('.submit-receipts').dataset.csv")
            .as_str()
            .unwrap()
            .to_owned();
        (page, csv)
    })
    .await
    .unwrap();

    // The receipts name the two new entries, and the ledger holds the sheet's rows there.
    let lines: Vec<Vec<String>> = csv
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        csv.starts_with("row,receipt_no,entry,leaf_hash,proof\r\n"),
        "{csv}"
    );
    let rows: Vec<_> = t
        .store()
        .entries_from(size_before)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    for ((line, row), (no, amount, sheet_row)) in lines
        .iter()
        .zip(&rows)
        .zip([("W-1", "1200.50", "2"), ("W-2", "88.80", "3")])
    {
        let sealed = SealedEntry::open(row.leaf.clone()).unwrap();
        let sub = &sealed.entry.submission.submission;
        assert_eq!(sub.key, t.org.public());
        assert_eq!(sub.body["receipt_no"], no);
        assert_eq!(sub.body["amount"], amount);
        assert_eq!(line[0], sheet_row);
        assert_eq!(line[1], no);
        assert_eq!(line[2], row.seq.to_string());
        assert_eq!(line[3], hex::encode(&row.leaf_hash));
        assert!(
            line[4].ends_with(&format!("/en/entries/index.html?seq={}", row.seq)),
            "{line:?}"
        );
    }

    // Usable on a phone: nothing wider than the screen at 390 px.
    tokio::task::spawn_blocking(move || {
        page.set_viewport(390, 844, true);
        let wide = page.eval("document.documentElement.scrollWidth");
        assert!(
            wide.as_u64().unwrap() <= 390,
            "page is {wide} px wide at 390"
        );
        let shots = std::env::var_os("SCREENSHOTS").map(std::path::PathBuf::from);
        if let Some(dir) = shots {
            page.screenshot_full(&dir.join("submit-390.png"));
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn the_check_endpoint_answers_rows_problems_and_header_errors() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let size = t.service.current_state().await.unwrap().size();
    let path = |kind: &str| {
        format!(
            "/api/v1/import:check?org={}&key={}{kind}",
            t.org_id,
            t.org.public().to_hex()
        )
    };
    let csv = format!(
        "receipt_no,received_on,amount,donor_type,donor_display,receipt,commitment\n\
         A-1,2026/3/1,\"1,000\",individual,张*,issued,{c}\n\
         A-2,2026/3/1,1.001,individual,张*,issued,{c}\n",
        c = commitment(1)
    );
    let (status, body) = app.post_raw(&path(""), csv.into_bytes()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["read_as"], "read as CSV in UTF-8");
    assert_eq!(body["rows"][0]["row"], 2);
    let sub = &body["rows"][0]["submission"];
    assert_eq!(sub["body"]["amount"], "1000.00");
    assert_eq!(sub["author"], format!("org:{}", t.org_id));
    assert!(sub.get("sig").is_none(), "unsigned");
    assert_eq!(
        body["problems"],
        serde_json::json!([{"row": 3, "column": "amount", "cell": "C3", "code": "amount_decimals",
            "message": "\"1.001\" has more than two decimals (amounts are in yuan and fen; a '.' is never a thousands separator)"}])
    );
    // A header that names an unknown column: 400, naming the header cell.
    let (status, body) = app
        .post_raw(&path("&kind=donation"), b"receipt_no,amout\nA,1\n".to_vec())
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "unknown_column");
    assert_eq!(body["error"]["field"], "amout");
    assert_eq!(body["error"]["line"], 1);
    let (status, body) = app.post_raw(&path(""), vec![0xff, 0xfe, 0x00]).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("not_a_spreadsheet"))
    );
    assert_eq!(
        t.service.current_state().await.unwrap().size(),
        size,
        "a check writes nothing"
    );
}
