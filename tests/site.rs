//! The public disclosure site over a generated demo ledger: every page kind exists in both
//! languages and shows the figures the views hold (summed here independently), receipts are in
//! their organisation's shard with their trace and leaf hash, no internal link of the static
//! export is broken, the live server answers the same bytes with the CSP header (and sends old
//! entry and receipt links to the viewers), user text is escaped, and a rebuild after new entries
//! writes only what they touched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{bin, sub};
use indicatif::ProgressBar;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::cli::keyfile;
use sunshine_ledger::ledger::{Author, Kind, Uscc};
use sunshine_ledger::site::build::{BuildReport, build};
use sunshine_ledger::site::format::money;
use sunshine_ledger::site::shards;
use sunshine_ledger::store::{Store, database_url};

struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new(scale: u64) -> Demo {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(bin())
            .args(["--db", dir.path().join("ledger.db").to_str().unwrap()])
            .args(["--keys", dir.path().join("keys").to_str().unwrap()])
            .args(["demo", "--seed", "1", "--scale", &scale.to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Demo { dir }
    }

    async fn store(&self) -> Store {
        let url = database_url(self.dir.path().join("ledger.db").to_str().unwrap());
        Store::open(&url, false).await.unwrap()
    }

    fn site(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    async fn build(&self) -> BuildReport {
        build(&self.store().await, &self.site(), &ProgressBar::hidden())
            .await
            .unwrap()
    }

    fn page(&self, path: &str) -> String {
        std::fs::read_to_string(self.site().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The path of the shard holding receipt `no` of `org`, as the browser finds it.
    fn shard_path(&self, org: &str, no: &str) -> String {
        let index: Value =
            serde_json::from_str(&self.page(&format!("data/org/{org}/index.json"))).unwrap();
        let bits = index["receipt_bits"].as_u64().unwrap() as u32;
        format!("data/org/{org}/receipts-{}.json", shards::bucket(no, bits))
    }

    /// What the receipt viewer reads for receipt `no` of `org`: row, trace and leaf hash.
    fn receipt(&self, org: &str, no: &str) -> Value {
        let shard: Value = serde_json::from_str(&self.page(&self.shard_path(org, no))).unwrap();
        shard[no].clone()
    }

    async fn views(&self, prefix: &str) -> Vec<(String, Value)> {
        self.store()
            .await
            .views_with_prefix(prefix)
            .await
            .unwrap()
            .into_iter()
            .map(|(k, v)| (k, serde_json::from_str(&v).unwrap()))
            .collect()
    }

    /// The first demo organisation's (uscc, key) as `orgs.tsv` lists it.
    fn org(&self, key_name: &str) -> (Uscc, sunshine_ledger::ledger::SecretKey) {
        let keys = self.dir.path().join("keys/demo");
        let index = std::fs::read_to_string(keys.join("orgs.tsv")).unwrap();
        let line = index
            .lines()
            .find(|l| l.starts_with(&format!("{key_name}\t")))
            .unwrap();
        let uscc: Uscc = line.split('\t').nth(1).unwrap().parse().unwrap();
        let key = keyfile::read(&keyfile::key_path(&keys, key_name)).unwrap();
        (uscc, key)
    }

    async fn service(&self) -> LedgerService {
        let key = keyfile::read(&keyfile::key_path(
            &self.dir.path().join("keys"),
            "operator",
        ))
        .unwrap();
        LedgerService::open(self.store().await, key).await.unwrap()
    }
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

fn leaf_hash_hex(leaf: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    hex::encode(h.finalize())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_kind_renders_the_figures_the_views_hold_in_both_languages() {
    let demo = Demo::new(300);
    let report = demo.build().await;
    assert!(report.written > 0);
    let size = report.size;

    // Home: the latest checkpoint's size and root, and the lang switch both ways.
    let store = demo.store().await;
    let (cp_size, note) = store.latest_checkpoint().await.unwrap().unwrap();
    assert_eq!(cp_size, size);
    let root_b64 = note.lines().nth(2).unwrap();
    use base64::Engine as _;
    let root_hex = hex::encode(
        base64::engine::general_purpose::STANDARD
            .decode(root_b64)
            .unwrap(),
    );
    let home = demo.page("index.html");
    assert!(home.contains(&root_hex), "home shows the checkpoint root");
    assert!(home.contains("lang=\"zh-CN\""));
    assert!(home.contains("href=\"en/index.html\""), "zh links to en");
    let en_home = demo.page("en/index.html");
    assert!(en_home.contains("lang=\"en\""));
    assert!(en_home.contains("href=\"../index.html\""), "en links to zh");
    assert!(en_home.contains("Latest signed checkpoint"));

    // Project: raised = the sum of its live donation views, in ¥ format.
    let donations = demo.views("donation/").await;
    let projects = demo.views("project/").await;
    let (_, p) = projects
        .iter()
        .find(|(_, p)| {
            donations
                .iter()
                .any(|(_, d)| d["project"] == p["open"]["id"] && d["org"] == p["org"])
        })
        .expect("a project with donations");
    let (org, id) = (
        p["org"].as_str().unwrap(),
        p["open"]["id"].as_str().unwrap(),
    );
    let raised: Decimal = donations
        .iter()
        .filter(|(_, d)| {
            d["org"] == org && d["project"] == id && d["status"] == "live" && d["currency"] == "CNY"
        })
        .map(|(_, d)| dec(&d["amount"]))
        .sum();
    for lang in ["", "en/"] {
        let page = demo.page(&format!("{lang}projects/{org}/{id}.html"));
        assert!(
            page.contains(&money(raised, "CNY")),
            "{lang} project page shows raised {}",
            money(raised, "CNY")
        );
    }

    // Organisation: its yearly donation income, summed here from its donation views by the
    // year the gift was received (cash and valued goods), appears on its page.
    let mut by_year: std::collections::BTreeMap<(String, String), Decimal> = Default::default();
    for (_, d) in donations.iter().filter(|(_, d)| d["status"] == "live") {
        if d["currency"] == "CNY" {
            let year = d["received_on"].as_str().unwrap()[..4].to_owned();
            *by_year
                .entry((d["org"].as_str().unwrap().to_owned(), year))
                .or_default() += dec(&d["amount"]);
        }
    }
    let ((org, year), total) = by_year
        .iter()
        .find(|(_, t)| !t.is_zero())
        .expect("an organisation with donations");
    let figures = demo.views(&format!("figures/{org}/{year}/CNY")).await;
    let view_income = dec(&figures[0].1["donation_income"]) + dec(&figures[0].1["in_kind_income"]);
    assert_eq!(&view_income, total, "the views agree with the donations");
    let org_page = demo.page(&format!("orgs/{org}.html"));
    assert!(
        org_page.contains(&money(dec(&figures[0].1["donation_income"]), "CNY")),
        "organisation page shows its {year} donation income"
    );
    assert!(org_page.contains("Pass") || org_page.contains("达标") || org_page.contains("不适用"));
    // Its projects are told apart by id and start date, even when two share a title.
    for (_, p) in projects.iter().filter(|(_, p)| p["org"] == org.as_str()) {
        let id = p["open"]["id"].as_str().unwrap();
        assert!(
            org_page.contains(&format!("({id} · 始于 ")),
            "{id} on {org}'s page"
        );
    }

    // Receipt: its organisation's shard holds the donation, every disbursement its trace names
    // and the entry's leaf hash recomputed from the stored bytes; the viewer page in each
    // language checks it in the browser, with the check and the secret form before the trace.
    let mut traced = None;
    for (_, d) in demo.views("donation/").await {
        let (Some(org), Some(no)) = (d["org"].as_str(), d["receipt_no"].as_str()) else {
            continue;
        };
        let no = sunshine_ledger::money::Ident::parse(no).unwrap();
        let trace = store.trace(&org.parse().unwrap(), &no).await.unwrap();
        if let Some(t) = trace.filter(|t| !t.spent.is_empty()) {
            traced = Some(serde_json::to_value(t).unwrap());
            break;
        }
    }
    let t = traced.expect("a traced donation");
    let (org, no) = (
        t["org"].as_str().unwrap(),
        t["receipt_no"].as_str().unwrap(),
    );
    let d = &demo.views(&format!("donation/{org}/{no}")).await[0].1;
    let seq = d["seq"].as_u64().unwrap();
    let leaf = store.entry(seq).await.unwrap().unwrap().leaf;
    let got = demo.receipt(org, no);
    assert_eq!(&got["row"], d);
    assert_eq!(got["trace"], t);
    assert_eq!(got["leaf_hash"], leaf_hash_hex(&leaf));
    let index: Value =
        serde_json::from_str(&demo.page(&format!("data/org/{org}/index.json"))).unwrap();
    assert_eq!(
        index["name"],
        demo.views(&format!("org/{org}")).await[0].1["name"]
    );
    for lang in ["", "en/"] {
        let page = demo.page(&format!("{lang}receipts/view.html"));
        assert!(page.contains("static/verify.js\" defer"));
        assert!(page.contains("static/view.js\" defer"));
        assert!(page.contains(&format!(
            "data-org-data=\"../{}data/org/\"",
            if lang.is_empty() { "" } else { "../" }
        )));
        let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{needle}"));
        // The gift, where it went, then the check (issue 16).
        assert!(
            at("data-field=\"amount\"") < at("data-field=\"trace\"")
                && at("data-field=\"trace\"") < at("class=\"verify\""),
            "{lang} the money trail before the check"
        );
        assert!(at("data-field=\"trace\"") < at("class=\"receipt-secret\""));
    }
    // Project pages link their donations to the receipt viewer.
    let project = demo.page(&format!(
        "en/projects/{}/{}.html",
        p["org"].as_str().unwrap(),
        p["open"]["id"].as_str().unwrap()
    ));
    assert!(
        project.contains("receipts/view.html?org="),
        "{project:.3000}"
    );

    // Entries: one viewer page per language, reading the log's entry bundles in the browser;
    // no page per entry.
    for lang in ["", "en/"] {
        let page = demo.page(&format!("{lang}entries/index.html"));
        assert!(page.contains("class=\"verify\"") && page.contains("static/view.js"));
        assert!(!demo.site().join(format!("{lang}entries/0.html")).exists());
    }
    assert!(demo.page("index.html").contains("entries/index.html?seq="));

    // Trusts, lottery funds, lists, audit, feeds and downloads exist in both languages.
    let trust = &demo.views("trust/").await[0].1;
    let trust_id = trust["filing"]["trust_id"].as_str().unwrap();
    let grant = &demo.views("lottery_grant/").await[0].1;
    let admin = grant["administrator"].as_str().unwrap();
    let year = &demo.views(&format!("lottery_year/{admin}/")).await[0].1;
    let recipient = &demo
        .views(&format!(
            "project/{}/{}",
            grant["recipient_org"].as_str().unwrap(),
            grant["recipient_project"].as_str().unwrap()
        ))
        .await[0]
        .1;
    let title = recipient["open"]["title"].as_str().unwrap();
    assert!(
        demo.page(&format!("lottery/{admin}.html")).contains(title),
        "the recipient project by its title"
    );
    for lang in ["", "en/"] {
        let t = demo.page(&format!("{lang}trusts/{trust_id}.html"));
        assert!(t.contains(&money(dec(&trust["filing"]["property"]), "CNY")));
        let l = demo.page(&format!("{lang}lottery/{admin}.html"));
        assert!(l.contains(&money(dec(&year["raised"]), "CNY")));
        assert!(l.contains(&money(dec(&grant["amount"]), "CNY")));
        // Purposes in the page's language (the demo's administrator allocates to 养老服务),
        // every reported use with its date (never an empty "· ¥..." line).
        match lang {
            "en/" => assert!(l.contains("Allocated: Elderly care"), "{l:.3000}"),
            _ => assert!(l.contains("分配：养老服务"), "{l:.3000}"),
        }
        assert!(!l.contains("<li> · "), "a use without its date: {l:.3000}");
        for p in [
            "orgs/index.html",
            "orgs/fundraising-yes.html",
            "projects/index.html",
            "trusts/index.html",
            "lottery/index.html",
            "receipts/index.html",
            "audit.html",
            "feed.atom",
        ] {
            assert!(
                demo.site().join(format!("{lang}{p}")).is_file(),
                "{lang}{p}"
            );
        }
    }
    let vkey = std::fs::read_to_string(demo.site().join("log/operator.vkey")).unwrap();
    assert!(demo.page("audit.html").contains(vkey.trim()));
    let csv = demo.page("data/donations.csv");
    let live = donations
        .iter()
        .filter(|(_, d)| d["status"] == "live")
        .count();
    assert_eq!(
        csv.lines().count(),
        live + 1,
        "one CSV row per live donation"
    );
    let json: Value = serde_json::from_str(&demo.page("data/orgs.json")).unwrap();
    assert_eq!(
        json.as_array().unwrap().len(),
        demo.views("org/").await.len()
    );
    // The static export's log audits with no database.
    sunshine_ledger::publish::dir_audit::audit_dir(&demo.site()).unwrap();
}

/// Every `href="..."` and `src="..."` value in `html` (not `data-*-href`, which are prefixes
/// the viewers complete).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_internal_link_of_the_static_export_is_broken() {
    let demo = Demo::new(120);
    demo.build().await;
    let mut files = Vec::new();
    html_files(&demo.site(), &mut files);
    assert!(files.len() > 100, "{} pages", files.len());
    let mut checked = 0;
    let mut broken = BTreeSet::new();
    for f in &files {
        let html = std::fs::read_to_string(f).unwrap();
        // The static hosts' 404.html is served at every missing address, where no relative
        // link works: its links are from the host's root and its script is tried at every
        // depth (its script then points the links at the site's root: tests/site_pages.rs).
        // From the root, where it is, they must name files of the site.
        let not_found = f == &demo.site().join("404.html");
        for link in links(&html) {
            if not_found && link.starts_with("../") {
                continue;
            }
            let link = match link.strip_prefix('/') {
                Some(from_root) if not_found => from_root.to_owned(),
                _ => link,
            };
            assert!(
                !link.starts_with('/'),
                "{}: absolute link {link}",
                f.display()
            );
            if link.contains("://") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            let target = link.split(['#', '?']).next().unwrap();
            let path = f.parent().unwrap().join(target);
            if !path.is_file() {
                broken.insert(format!(
                    "{} -> {link}",
                    f.strip_prefix(demo.site()).unwrap().display()
                ));
            }
            checked += 1;
        }
    }
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    assert!(checked > 1000, "{checked} links checked");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_server_answers_the_static_bytes_with_the_csp_header() {
    let demo = Demo::new(120);
    demo.build().await;
    let service = Arc::new(demo.service().await);
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
    let client = reqwest::Client::new();
    let d = &demo.views("donation/").await[0].1;
    // Every file the export wrote but the log (served from the store, checked elsewhere): the
    // live server reads organisations' units and streams the whole-log downloads its own way.
    let pages: Vec<String> = tree(&demo.site())
        .into_keys()
        .filter(|p| !p.starts_with("log/") && !p.starts_with('.'))
        .collect();
    assert!(pages.len() > 100, "{}", pages.len());
    for must in [
        "data/index.json",
        "data/donations.csv",
        "data/entries.json",
        "data/projects.csv",
        "projects/index.html",
        // The journalist's pages and the files their script reads (issue 16).
        "search/index.html",
        "en/compare/index.html",
        "static/explore.js",
        "data/search/index.json",
        // The supervision section (issue 16), its script and its download.
        "regulator/index.html",
        "en/regulator/index.html",
        "static/regulator.js",
        "data/regulator/disclosures.csv",
    ] {
        assert!(pages.iter().any(|p| p == must), "{must}");
    }
    for p in &pages {
        let r = client.get(format!("{base}/{p}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{p}");
        if p.ends_with(".html") {
            let csp = r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
        }
        let body = r.bytes().await.unwrap();
        assert_eq!(
            body.as_ref(),
            std::fs::read(demo.site().join(p)).unwrap(),
            "{p}"
        );
    }
    let root = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(root, demo.page("index.html"));
    // The lookup page with a receipt asked for, and an older site's entry and receipt pages,
    // redirect to the viewers.
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (org, no) = (
        d["org"].as_str().unwrap(),
        d["receipt_no"].as_str().unwrap(),
    );
    for (old, to) in [
        (
            format!("receipts/index.html?org={org}&no={no}"),
            format!("view.html?org={org}&no={no}"),
        ),
        // The link issue 16 asks for, with the code as a donor might type it.
        (
            format!("en/receipts/?org={}&receipt={no}", org.to_lowercase()),
            format!("view.html?org={org}&no={no}"),
        ),
        (
            format!("en/receipts/{org}/{no}.html"),
            format!("../view.html?org={org}&no={no}"),
        ),
        ("entries/3.html".to_owned(), "index.html?seq=3".to_owned()),
    ] {
        let r = no_redirect
            .get(format!("{base}/{old}"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "{old}: {}", r.status());
        assert_eq!(r.headers()["location"], to.as_str(), "{old}");
    }
    let r = client
        .get(format!("{base}/orgs/nope.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn user_text_is_escaped_and_a_rebuild_writes_only_what_new_entries_touched() {
    let demo = Demo::new(120);
    let first = demo.build().await;
    let size = first.size;
    let mtime = |p: &str| {
        std::fs::metadata(demo.site().join(p))
            .unwrap()
            .modified()
            .unwrap()
    };
    let untouched_viewer = mtime("entries/index.html");
    let untouched_trust = mtime("trusts/index.html");
    let all_before = {
        let mut v = Vec::new();
        html_files(&demo.site(), &mut v);
        v
    };
    // A rebuild with nothing new writes nothing.
    let again = demo.build().await;
    assert_eq!(again.written, 0, "{:?}", again.written_paths);

    // Through the real append path: a project whose title, and a donation whose donor name,
    // are markup.
    let (org, key) = demo.org("foundation-01");
    let author = Author::Org(org.clone());
    let evil = "<script>alert(1)</script>";
    let service = demo.service().await;
    service
        .append(vec![
            sub(
                Kind::ProjectOpen,
                author.clone(),
                &key,
                json!({
                "id": "XSS-1", "title": evil, "purpose": "教育", "region": "440100",
                "target": "1000.00", "currency": "CNY", "start": "2026-01-01",
                "description": evil}),
            ),
            sub(
                Kind::Donation,
                author.clone(),
                &key,
                json!({
                "receipt_no": "XSS-R1", "project": "XSS-1", "received_on": "2026-01-02",
                "form": "cash", "amount": "12.50", "currency": "CNY",
                "donor_type": "organisation", "donor_display": evil, "receipt": "issued",
                "commitment": "ab".repeat(32)}),
            ),
        ])
        .await
        .unwrap();
    service.refresh_views().await.unwrap();
    let second = demo.build().await;
    assert_eq!(second.size, size + 2);

    for lang in ["", "en/"] {
        let project = demo.page(&format!("{lang}projects/{org}/XSS-1.html"));
        assert!(
            !project.contains(evil),
            "markup from the ledger reached a page unescaped"
        );
        assert!(project.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    // The receipt shard holds the donor's name as JSON data; the viewer writes it as text.
    let receipt = demo.receipt(org.as_str(), "XSS-R1");
    assert_eq!(receipt["row"]["donor_display"], evil);
    // Written: the pages, the shard and the downloads the new entries change; not the viewers,
    // not the trust list.
    let written: BTreeSet<&str> = second.written_paths.iter().map(String::as_str).collect();
    for p in [
        format!("projects/{org}/XSS-1.html"),
        demo.shard_path(org.as_str(), "XSS-R1"),
        format!("orgs/{org}.html"),
        "index.html".to_owned(),
        "data/donations.csv".to_owned(),
    ] {
        assert!(written.contains(p.as_str()), "{p} was not written");
    }
    for p in [
        "trusts/index.html",
        "entries/index.html",
        "en/entries/index.html",
        "receipts/view.html",
    ] {
        assert!(!written.contains(p), "{p} was written");
    }
    assert_eq!(mtime("trusts/index.html"), untouched_trust);
    assert_eq!(mtime("entries/index.html"), untouched_viewer);
    let mut unchanged = 0;
    for f in &all_before {
        let rel = f.strip_prefix(demo.site()).unwrap().to_str().unwrap();
        if !written.contains(rel) {
            unchanged += 1;
        }
    }
    assert!(
        unchanged > all_before.len() / 2,
        "most pages untouched: {unchanged}/{}",
        all_before.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_renderer_rewrites_only_what_it_renders_differently_and_pages_gone_are_deleted() {
    let demo = Demo::new(100);
    demo.build().await;
    let mtime = |p: &str| {
        std::fs::metadata(demo.site().join(p))
            .unwrap()
            .modified()
            .unwrap()
    };
    let viewer_mtime = mtime("entries/index.html");
    let current_audit = demo.page("audit.html");
    // As an older program would have left the directory: its own bytes for one page, a page
    // this program no longer makes, a page per entry (counted, not listed) and a page per
    // receipt (listed by its inputs).
    let path = demo.site().join(".site-manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    manifest["renderer"] = json!("an older build");
    manifest["files"]["audit.html"] = json!("digest of the older page");
    manifest["files"]["orgs/retired.html"] = json!("digest of a retired page");
    manifest["entry_pages"] = json!(2);
    manifest["inputs"] = json!({"receipts/ORG/R-1.html": "fingerprint"});
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    std::fs::write(demo.site().join("audit.html"), "<p>older page</p>").unwrap();
    let old_pages = [
        "orgs/retired.html",
        "receipts/ORG/R-1.html",
        "entries/0.html",
        "en/entries/0.html",
        "entries/1.html",
        "en/entries/1.html",
    ];
    for p in old_pages {
        let file = demo.site().join(p);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, "<p>retired</p>").unwrap();
    }

    let report = demo.build().await;
    assert_eq!(
        demo.page("audit.html"),
        current_audit,
        "the stale page is rendered again"
    );
    assert_eq!(report.written_paths, ["audit.html"], "nothing else changed");
    assert_eq!(
        report.deleted_paths.iter().collect::<BTreeSet<_>>(),
        old_pages
            .iter()
            .map(|p| p.to_string())
            .collect::<BTreeSet<_>>()
            .iter()
            .collect()
    );
    for p in old_pages {
        assert!(!demo.site().join(p).exists(), "{p}");
    }
    assert!(
        !demo.site().join("receipts/ORG").exists(),
        "emptied directory removed"
    );
    assert_eq!(
        mtime("entries/index.html"),
        viewer_mtime,
        "same bytes are not rewritten"
    );
    let again = demo.build().await;
    assert!(again.written_paths.is_empty() && again.deleted_paths.is_empty());
}

/// Every file under `dir` by its path relative to `dir`, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The files of `got` are those of `want` (a full build), the log's older partial tiles
/// aside.
fn assert_same_site(got: &Path, want: &Path, step: &str) {
    let (got, want) = (tree(got), tree(want));
    for (path, bytes) in &want {
        let mine = got.get(path);
        if mine != Some(bytes) && path.ends_with(".json") {
            // Say which members differ: a manifest is one long line.
            let parse = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap_or_default();
            let (a, b) = (
                parse(mine.map(Vec::as_slice).unwrap_or_default()),
                parse(bytes),
            );
            let members: Vec<&String> = b
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| a.get(k.as_str()) != Some(*v))
                .map(|(k, _)| k)
                .collect();
            panic!("after {step}: {path} differs from a full build's in {members:?}");
        }
        assert!(
            mine == Some(bytes),
            "after {step}: {path} differs from a full build's (or is missing)"
        );
    }
    for path in got.keys().filter(|p| !want.contains_key(*p)) {
        assert!(
            path.starts_with("log/tile/"),
            "after {step}: {path} is not in a full build"
        );
    }
}

/// Issue 13: a rebuild renders again only the organisations new entries reached, and makes
/// the files a full build makes. Money moves A -> B -> C by grants, then C spends: the spend
/// writes hops of A's donations (A's receipts change) though no entry since names A, so A is
/// rendered; D is never rendered. A correction renders every organisation.
#[tokio::test(flavor = "multi_thread")]
async fn a_rebuild_renders_only_the_organisations_new_entries_reached_and_matches_a_full_build() {
    let demo = Demo::new(100);
    let service = demo.service().await;
    let [a, b, c] = ["foundation-01", "foundation-02", "foundation-03"].map(|n| demo.org(n));
    let first = demo.build().await;
    assert_eq!(
        first.every_unit.as_deref(),
        Some("no previous build here"),
        "a first build renders everything"
    );
    let all_orgs = first.units_rendered.len();
    assert!(all_orgs >= 4, "{:?}", first.units_rendered);

    let mut step = 0;
    let mut append_and_build = async |who: &(Uscc, sunshine_ledger::ledger::SecretKey),
                                      kind: Kind,
                                      body: Value,
                                      expect: Option<Vec<&Uscc>>| {
        step += 1;
        let name = format!("step {step} ({})", kind.as_str());
        let added = service
            .append(vec![sub(kind, Author::Org(who.0.clone()), &who.1, body)])
            .await
            .unwrap();
        service.refresh_views().await.unwrap();
        let report = demo.build().await;
        assert_eq!(report.size, added[0].seq + 1);
        let fresh = tempfile::tempdir().unwrap();
        build(&demo.store().await, fresh.path(), &ProgressBar::hidden())
            .await
            .unwrap();
        assert_same_site(&demo.site(), fresh.path(), &name);
        match expect {
            Some(orgs) => {
                let want: BTreeSet<String> = orgs.iter().map(|o| o.to_string()).collect();
                let got: BTreeSet<String> = report.units_rendered.iter().cloned().collect();
                assert_eq!(got, want, "{name}: {:?}", report.every_unit);
                assert_eq!(report.units_kept, all_orgs - want.len(), "{name}");
            }
            None => assert!(
                report.every_unit.is_some(),
                "{name}: {:?}",
                report.units_rendered
            ),
        }
        added[0].seq
    };
    let open = |id: &str, region: &str| {
        json!({"id": id, "title": "增量测试", "purpose": "教育", "region": region,
               "target": "100000.00", "currency": "CNY", "start": "2026-01-01",
               "description": "测试"})
    };
    // The first entry of a later day than the demo's last: every organisation's page shows the
    // day its figures run to, so every unit renders again. The entries after it are of the
    // same day.
    append_and_build(&b, Kind::ProjectOpen, open("INC-B", "440300"), None).await;
    append_and_build(
        &c,
        Kind::ProjectOpen,
        open("INC-C", "440100"),
        Some(vec![&c.0]),
    )
    .await;
    append_and_build(
        &a,
        Kind::Donation,
        json!({"receipt_no": "INC-A1", "received_on": "2026-01-02", "form": "cash",
               "amount": "500.00", "currency": "CNY", "donor_type": "individual",
               "donor_display": "王*", "receipt": "issued", "commitment": "cd".repeat(32)}),
        Some(vec![&a.0]),
    )
    .await;
    let grant = |to: &Uscc, to_project: &str, from_project: Option<&str>, amount: &str| {
        let mut body = json!({"to_org": to.to_string(), "to_project": to_project,
               "amount": amount, "currency": "CNY", "purpose": "联合助学",
               "paid_on": "2026-01-03", "evidence": ["ef".repeat(32)]});
        if let Some(p) = from_project {
            body["from_project"] = json!(p);
        }
        body
    };
    // The grant draws A's unrestricted money (A's own donations: A), into B's project.
    append_and_build(
        &a,
        Kind::GrantTransfer,
        grant(&b.0, "INC-B", None, "300.00"),
        Some(vec![&a.0, &b.0]),
    )
    .await;
    // B passes it on to C: B's fund held A's donations' money, so A's receipts change too.
    append_and_build(
        &b,
        Kind::GrantTransfer,
        grant(&c.0, "INC-C", Some("INC-B"), "200.00"),
        Some(vec![&a.0, &b.0, &c.0]),
    )
    .await;
    let spent = append_and_build(
        &c,
        Kind::Disbursement,
        json!({"project": "INC-C", "amount": "10.00", "currency": "CNY", "category": "programme",
               "purpose": "助学金发放", "payee_type": "group", "payee_display": "学生",
               "evidence": ["ef".repeat(32)], "paid_on": "2026-01-04"}),
        Some(vec![&a.0, &b.0, &c.0]),
    )
    .await;
    append_and_build(
        &c,
        Kind::Correction,
        json!({"target": spent, "action": "void", "notice": "录入错误，作废"}),
        None,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_rebuild_makes_the_same_tree_as_a_full_build_and_renders_only_what_changed()
{
    let demo = Demo::new(100);
    let (org, key) = demo.org("foundation-01");
    let author = Author::Org(org.clone());
    let service = demo.service().await;
    let donation = |no: &str, amount: &str| {
        sub(
            Kind::Donation,
            author.clone(),
            &key,
            json!({"receipt_no": no, "received_on": "2026-01-02", "form": "cash",
                   "amount": amount, "currency": "CNY", "donor_type": "individual",
                   "donor_display": "王*", "receipt": "issued", "commitment": "cd".repeat(32)}),
        )
    };
    let added = service
        .append(vec![
            donation("INC-R1", "50.00"),
            donation("INC-R2", "20.00"),
        ])
        .await
        .unwrap();
    service.refresh_views().await.unwrap();
    let full_before = demo.build().await;

    // A disbursement that spends the earliest unspent donation first (so INC-R1's trace, and
    // its receipt, change though no new entry names it), and a correction voiding INC-R2.
    service
        .append(vec![
            sub(
                Kind::Disbursement,
                author.clone(),
                &key,
                json!({"amount": "3.00", "currency": "CNY", "category": "programme",
                       "purpose": "助学金发放", "payee_type": "group", "payee_display": "学生",
                       "evidence": ["ef".repeat(32)], "paid_on": "2026-01-03"}),
            ),
            sub(
                Kind::Correction,
                author.clone(),
                &key,
                json!({"target": added[1].seq, "action": "void", "notice": "录入错误，作废"}),
            ),
        ])
        .await
        .unwrap();
    service.refresh_views().await.unwrap();

    let incremental = demo.build().await;
    assert_eq!(incremental.size, full_before.size + 2);
    let fresh = tempfile::tempdir().unwrap();
    let full = build(&demo.store().await, fresh.path(), &ProgressBar::hidden())
        .await
        .unwrap();

    let (got, want) = (tree(&demo.site()), tree(fresh.path()));
    for (path, bytes) in &want {
        assert!(
            got.get(path) == Some(bytes),
            "{path} differs from a full build's (or is missing)"
        );
    }
    // The log keeps the partial tiles of earlier sizes (clients holding an older checkpoint
    // fetch them); everything else is exactly the full build's.
    for path in got.keys().filter(|p| !want.contains_key(*p)) {
        assert!(
            path.starts_with("log/tile/"),
            "{path} is not in a full build"
        );
    }

    // The voided receipt says so, and the receipt whose money the disbursement spent was
    // written again: changes reached shards no new entry names.
    let voided = demo.receipt(org.as_str(), "INC-R2");
    assert_eq!(voided["row"]["status"], "voided", "{voided}");
    let spent = demo.receipt(org.as_str(), "INC-R1");
    assert_eq!(spent["trace"]["spent"][0]["amount"], "3.00", "{spent}");
    for no in ["INC-R1", "INC-R2"] {
        let path = demo.shard_path(org.as_str(), no);
        assert!(incremental.written_paths.contains(&path), "{path}");
    }
    // Written: what changed, a small part of what a full build writes.
    assert!(
        incremental.written * 4 < full.written,
        "incremental wrote {} files, a full build {}",
        incremental.written,
        full.written
    );
}

/// The summaries and units are read the same way from PostgreSQL (streamed in key order under
/// `COLLATE "C"`, a stream left part way for the lookup page's example): a copy of the demo
/// ledger in PostgreSQL builds a site byte for byte the SQLite one's, on the same date.
#[tokio::test(flavor = "multi_thread")]
async fn a_postgresql_copy_builds_the_same_site() {
    let demo = Demo::new(100);
    let pg_url = common::pg::fresh_database().await;
    let out = Command::new(bin())
        .args(["migrate", "--from"])
        .arg(demo.dir.path().join("ledger.db"))
        .args(["--to", &pg_url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let on = time::macros::date!(2026 - 11 - 30);
    let bar = ProgressBar::hidden();
    let sqlite_site = demo.dir.path().join("from-sqlite");
    let pg_site = demo.dir.path().join("from-pg");
    sunshine_ledger::site::build::build_on(&demo.store().await, &sqlite_site, &bar, on)
        .await
        .unwrap();
    let pg = Store::open(&pg_url, false).await.unwrap();
    sunshine_ledger::site::build::build_on(&pg, &pg_site, &bar, on)
        .await
        .unwrap();
    let strip = |t: std::collections::BTreeMap<String, Vec<u8>>| {
        t.into_iter()
            .filter(|(p, _)| !p.starts_with('.'))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (a, b) = (strip(tree(&sqlite_site)), strip(tree(&pg_site)));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs");
    }
    // And the site holds what the views hold: every live donation in the download.
    let live = demo
        .views("donation/")
        .await
        .into_iter()
        .filter(|(_, d)| d["status"] == "live")
        .count();
    let csv = String::from_utf8(a["data/donations.csv"].clone()).unwrap();
    assert_eq!(csv.lines().count(), live + 1);
    // The summaries find their entries through the kind index on both databases: the same
    // ones a read of the whole log finds.
    for store in [demo.store().await, pg] {
        let (snap, _) = sunshine_ledger::site::source::summaries(&store)
            .await
            .unwrap();
        let by_index: BTreeSet<u64> = snap.entries.keys().copied().collect();
        let by_reading = summary_entries_by_reading_the_log(&store, snap.as_of).await;
        assert_eq!(by_index, by_reading);
    }
}

/// The entries the site's summaries hold, found as they were before the kind index: by reading
/// the whole log for the kinds whose bodies pages show, and keeping the newest 50 others.
async fn summary_entries_by_reading_the_log(store: &Store, as_of: u64) -> BTreeSet<u64> {
    use futures_util::TryStreamExt;
    use sunshine_ledger::site::snapshot::{NEWEST_ENTRIES, keeps_body};
    let rows: Vec<_> = store.entries_from(0).try_collect().await.unwrap();
    let (mut kept, mut others) = (BTreeSet::new(), Vec::new());
    for row in rows.iter().filter(|r| r.seq < as_of) {
        let meta = sunshine_ledger::site::source::entry_meta(row).unwrap();
        if keeps_body(meta.kind) {
            kept.insert(row.seq);
        } else {
            others.push(row.seq);
        }
    }
    // Not a vacuous comparison: both halves are there, and the log is longer than they are.
    assert!(!kept.is_empty() && others.len() > NEWEST_ENTRIES);
    kept.extend(others.iter().rev().take(NEWEST_ENTRIES));
    kept
}
