//! Goods stock (issue 14, part 2) where readers look for it: a hand-built ledger whose project
//! received rice (valued) and quilts (not valued) and gave some out, read through
//! `sunshine report compliance` and through the static site's project and organisation pages in
//! headless Chromium, both languages, at a phone's width (390 px: every cell named) and a
//! desktop's (1280 px). The stock figures are worked out by hand below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestLedger;
use common::browser::{Page, StaticServer, assert_fits};
use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, SignedSubmission, Timestamp};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn org_sub(t: &TestLedger, kind: Kind, body: Value, on: &str) -> SignedSubmission {
    common::sub_at(
        kind,
        Author::Org(t.org_id.clone()),
        &t.org,
        body,
        at(&format!("{on}T02:00:00Z")),
    )
}

/// What each item's gifts say the goods are.
fn description(item: &str) -> &'static str {
    if item == "rice" {
        "大米（5公斤装）"
    } else {
        "棉被"
    }
}

fn gift(
    t: &TestLedger,
    no: &str,
    item: &str,
    qty: &str,
    unit: &str,
    value: Option<&str>,
) -> SignedSubmission {
    let mut body = json!({"receipt_no": no, "received_on": "2025-02-01", "form": "in_kind",
        "project": "P1", "donor_type": "organisation", "donor_display": "某粮油有限公司",
        "receipt": "issued", "commitment": "ab".repeat(32),
        "in_kind": {"description": description(item), "quantity": qty, "unit": unit, "item": item}});
    if let Some(v) = value {
        body["in_kind"]["valuation_proof"] = json!("ef".repeat(32));
        body["amount"] = json!(v);
        body["currency"] = json!("CNY");
    }
    org_sub(t, Kind::Donation, body, "2025-02-01")
}

fn give(t: &TestLedger, item: &str, qty: &str, on: &str) -> SignedSubmission {
    org_sub(
        t,
        Kind::GoodsDistribute,
        json!({"project": "P1", "item": item, "quantity": qty, "purpose": "受灾群众物资发放",
               "recipient_type": "group", "recipient_display": "某镇受灾群众",
               "evidence": ["cd".repeat(32)], "distributed_on": on}),
        on,
    )
}

/// The ledger: project P1 receives 3 bags of rice worth 100.00, 2 bags worth 50.00 and 10
/// quilts (no valuation); it gives out 1 bag, then 3, then 4 quilts.
///
/// By hand: the first bag is worth 100.00 × 1/3 = 33.33; the next three take units 1..3 of
/// the first gift (100.00 − 33.33 = 66.67) and unit 0 of the second (50.00 × 1/2 = 25.00), so
/// 91.67. Rice received 5 bags worth 150.00, given out 4 worth 33.33 + 91.67 = 125.00, 1 in
/// stock worth 150.00 − 125.00 = 25.00. Quilts: 10 − 4 = 6 in stock, not valued.
async fn ledger() -> TestLedger {
    let t = TestLedger::new_at(at("2025-01-02T00:00:00Z")).await;
    let open = org_sub(
        &t,
        Kind::ProjectOpen,
        json!({"id": "P1", "title": "洪灾口粮与御寒物资", "title_en": "Flood relief food and bedding",
               "purpose": "救灾", "region": "441800", "target": "100000.00", "currency": "CNY",
               "start": "2025-01-10", "end": "2025-12-31"}),
        "2025-01-10",
    );
    let gifts = vec![
        gift(&t, "W-1", "rice", "3", "袋", Some("100.00")),
        gift(&t, "W-2", "rice", "2", "袋", Some("50.00")),
        gift(&t, "W-3", "quilts", "10", "床", None),
    ];
    for (batch, day) in [
        (vec![open], "2025-01-10"),
        (gifts, "2025-02-01"),
        (vec![give(&t, "rice", "1", "2025-03-01")], "2025-03-01"),
        (
            vec![
                give(&t, "rice", "3", "2025-04-01"),
                give(&t, "quilts", "4", "2025-04-01"),
            ],
            "2025-04-01",
        ),
    ] {
        t.service
            .append_at(batch, at(&format!("{day}T03:00:00Z")))
            .await
            .unwrap();
    }
    t.service.refresh_views().await.unwrap();
    t
}

fn run(t: &TestLedger, args: &[&str]) -> String {
    let out = std::process::Command::new(common::bin())
        .arg("--db")
        .arg(&t.url)
        .args(args)
        .output()
        .unwrap();
    common::succeeded(&format!("{args:?}"), out)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_compliance_report_lists_the_stock_per_item() {
    let t = ledger().await;
    let org = t.org_id.to_string();
    let out = run(&t, &["report", "compliance", "--org", &org]);
    let line = |item: &str| {
        out.lines()
            .find(|l| l.contains(" goods ") && l.contains(item))
            .unwrap_or_else(|| panic!("no {item} line: {out}"))
            .to_owned()
    };
    let rice = line("rice");
    assert!(
        rice.contains("project P1")
            && rice.contains("received 5 袋  given out 4 袋  in stock 1 袋")
            && rice.ends_with("value received 150.00 / given out 125.00 / in stock 25.00 CNY"),
        "{rice}"
    );
    let quilts = line("quilts");
    assert!(
        quilts.contains("received 10 床  given out 4 床  in stock 6 床")
            && quilts.ends_with("not valued (物资未估值)"),
        "{quilts}"
    );
    // As JSON, the goods rows follow the compliance rows under their own keys.
    let json = run(&t, &["report", "compliance", "--org", &org, "--json"]);
    let key = format!("goods/{org}/project/P1/rice");
    let row: Value = json
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["key"] == key.as_str())
        .unwrap_or_else(|| panic!("no {key}: {json}"));
    assert_eq!(row["value"]["value_in_stock"], "25.00", "{row}");
}

/// The goods table's cells, each as [its column's name on screen, its text], read at the
/// page's width: on a phone the name is the cell's `::before` (its `data-label`).
const GOODS_CELLS: &str = r#"[...document.querySelectorAll('table.goods tbody tr')].map(tr =>
  [...tr.querySelectorAll('th, td')].map(e => {
    let c = getComputedStyle(e, '::before').content;
    if (c.startsWith('attr(')) c = e.dataset.label || '';
    c = c.replace(/^"|"$/g, '').trim();
    return [c === 'none' || c === 'normal' ? '' : c, e.textContent.trim()];
  }))"#;

#[tokio::test(flavor = "multi_thread")]
async fn the_project_and_organisation_pages_show_the_stock_with_every_cell_named_on_a_phone() {
    let t = ledger().await;
    let org = t.org_id.to_string();
    let site = t.dir.path().join("site");
    run(
        &t,
        &[
            "site",
            "build",
            "--out",
            site.to_str().unwrap(),
            "--as-of",
            "2025-12-31",
        ],
    );
    let server = StaticServer::start(&site);
    for (w, h) in [(390, 844), (1280, 900)] {
        let phone = w < 500;
        let mut tab = Page::open(&server.url("index.html"), w, h);
        tab.set_viewport(w, h, phone);
        for (lang, rice, held, given_out, value_in_stock) in [
            ("", "1 袋", "洪灾口粮与御寒物资", "已发放", "¥25.00"),
            (
                "en/",
                "1 袋",
                "Flood relief food and bedding",
                "Given out",
                "¥25.00",
            ),
        ] {
            for (page, by_fund) in [
                (format!("{lang}projects/{org}/P1.html"), false),
                (format!("{lang}orgs/{org}.html"), true),
            ] {
                let what = format!("{page} at {w} px");
                tab.goto(&server.url(&page));
                let rows = tab.eval(GOODS_CELLS);
                let rows = rows.as_array().unwrap();
                assert_eq!(rows.len(), 2, "{what}: quilts and rice: {rows:?}");
                // Rows in key order: quilts, then rice.
                let cell = |row: usize, i: usize| rows[row][i][1].as_str().unwrap().to_owned();
                let off = usize::from(by_fund);
                // The item's id, then (on a line of its own) what its gifts say the goods are.
                assert_eq!(cell(0, 0), "quilts棉被", "{what}");
                assert_eq!(cell(0, 3 + off), "6 床", "{what}");
                assert_eq!(cell(1, 0), "rice大米（5公斤装）", "{what}");
                assert_eq!(
                    [cell(1, 1 + off), cell(1, 2 + off), cell(1, 3 + off)],
                    ["5 袋".to_owned(), "4 袋".to_owned(), rice.to_owned()],
                    "{what}"
                );
                assert_eq!(
                    [cell(1, 4 + off), cell(1, 5 + off), cell(1, 6 + off)],
                    [
                        "¥150.00".to_owned(),
                        "¥125.00".to_owned(),
                        value_in_stock.to_owned()
                    ],
                    "{what}"
                );
                if by_fund {
                    assert_eq!(cell(1, 1), held, "{what}");
                }
                // On a phone every value cell shows its column's name; on a desktop none does.
                for r in rows {
                    for (i, c) in r.as_array().unwrap().iter().enumerate().skip(1) {
                        let name = c[0].as_str().unwrap();
                        assert_eq!(name.is_empty(), !phone, "{what}: cell {i} of {r:?}");
                    }
                }
                if phone {
                    assert_eq!(rows[1][2 + off][0], given_out, "{what}");
                }
                assert_fits(&mut tab, &what);
            }
        }
    }
}
