//! The supervision section (`regulator/`, issue 16) of the real static export of the demo ledger
//! (`sunshine demo --seed 1`, `sunshine site build --as-of 2026-11-01`), read as a civil-affairs
//! regulator reads it: a known missing annual report with its days late worked out by hand, the
//! CSV downloads holding exactly the page's rows, a year still in progress not judged, every
//! exception with its reason, filters that combine and columns that sort as numbers in headless
//! Chromium at phone and desktop widths, and an organisation's page opening with its status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::browser::{Page, StaticServer, png_size};
use serde_json::Value;

/// The day the site is judged on: the demo's last simulated day.
const JUDGED_ON: &str = "2026-11-01";
/// The demo's service-org-12, which never publishes its 2025 annual report (`src/demo.rs`).
const NEVER_REPORTS_2025: &str = "广东省红棉心理健康服务中心";
/// The demo's foundation whose administrative costs run far above the 10% cap every year.
const ADMIN_HEAVY: &str = "深圳市壹心公益基金会";
/// The demo's social group that underspends in 2025 and explains it.
const UNDERSPENDS: &str = "广州市慈善会";

/// The demo ledger and its static site, built once for the tests of this file.
fn site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site_regulator");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        common::run_in(&dir, &["demo", "--seed", "1", "--scale", "150"]);
        let site = dir.join("site");
        common::run_in(
            &dir,
            &[
                "site",
                "build",
                "--out",
                site.to_str().unwrap(),
                "--as-of",
                JUDGED_ON,
            ],
        );
        site
    })
}

/// A CSV download as records keyed by its header (checking the BOM is there).
fn csv_rows(site: &Path, name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let bytes = std::fs::read(site.join("data").join(name)).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("the CSV starts with a BOM");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// An organisation's code by its name, from `data/orgs.csv`.
fn code_of(site: &Path, name: &str) -> String {
    csv_rows(site, "orgs.csv")
        .into_iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the demo"))["org"]
        .clone()
}

fn read(site: &Path, page: &str) -> String {
    std::fs::read_to_string(site.join(page)).unwrap()
}

/// The opening tags of the body rows of the table with id `table` in `html`.
fn row_tags<'a>(html: &'a str, table: &str) -> Vec<&'a str> {
    let start = html
        .find(&format!(r#"id="{table}""#))
        .unwrap_or_else(|| panic!("no table {table}"));
    let body = &html[start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    body.split("<tr ")
        .skip(1)
        .map(|r| &r[..r.find('>').unwrap()])
        .collect()
}

/// The ratio rows of the page: the failures' table, then the exceptions' folded under it.
fn ratio_tags(html: &str) -> Vec<&str> {
    let mut tags = row_tags(html, "ratios-table");
    tags.extend(row_tags(html, "exceptions-table"));
    tags
}

/// An attribute's value in an opening tag.
fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let at = tag
        .find(&format!(" {name}=\""))
        .or_else(|| tag.starts_with(&format!("{name}=\"")).then_some(0))
        .unwrap_or_else(|| panic!("no {name} in {tag}"));
    let rest = &tag[at + name.len() + 2 + usize::from(at > 0)..];
    &rest[..rest.find('"').unwrap()]
}

#[test]
fn the_regulator_page_lists_a_known_missing_annual_report_with_its_days_late() {
    let site = site();
    let org = code_of(site, NEVER_REPORTS_2025);
    // Due 31 May 2026 (2025 Disclosure Measures: by 31 May of the next year), judged on
    // 1 Nov 2026: June 30 + July 31 + August 31 + September 30 + October 31 + 1 = 154 days.
    let csv = csv_rows(site, "regulator/disclosures.csv");
    let known: Vec<_> = csv
        .iter()
        .filter(|r| r["org"] == org && r["kind"] == "annual_report" && r["subject"] == "2025")
        .collect();
    assert_eq!(known.len(), 1, "{known:?}");
    let k = known[0];
    assert_eq!(
        (
            k["due"].as_str(),
            k["status"].as_str(),
            k["days_late"].as_str(),
            k["year"].as_str()
        ),
        ("2026-05-31", "missing", "154", "2026")
    );
    assert_eq!(k["name"], NEVER_REPORTS_2025);
    assert!(
        k["source"].contains("慈善组织信息公开办法"),
        "{}",
        k["source"]
    );

    // English pages name an organisation by its English name where it has one.
    let orgs: Vec<serde_json::Value> = serde_json::from_str(&read(site, "data/orgs.json")).unwrap();
    let name_en = orgs
        .iter()
        .find(|o| o["org"] == org)
        .and_then(|o| o["name_en"].as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(NEVER_REPORTS_2025)
        .to_owned();
    for (page, due, status, name) in [
        (
            "regulator/index.html",
            "2026年5月31日",
            "逾期未公开",
            NEVER_REPORTS_2025,
        ),
        (
            "en/regulator/index.html",
            "31 May 2026",
            "missing",
            name_en.as_str(),
        ),
    ] {
        let html = read(site, page);
        let row = html
            .split("<tr ")
            .find(|r| {
                r.contains(&format!(r#"data-org="{org}""#))
                    && r.contains(r#"data-kind="annual_report""#)
                    && r.contains(r#"data-status="missing""#)
                    && r.contains(r#"data-year="2026""#)
            })
            .unwrap_or_else(|| panic!("{page} does not list the missing 2025 report"));
        let row = &row[..row.find("</tr>").unwrap()];
        for want in [
            due,
            status,
            r#"<td class="num" data-v="154""#,
            ">154</td>",
            &format!("orgs/{org}.html"),
            name,
        ] {
            assert!(row.contains(want), "{page}: no {want:?} in {row}");
        }
    }
    // In the navigation, marked as the current page on itself.
    for (page, link) in [
        ("regulator/index.html", "../regulator/index.html"),
        ("en/regulator/index.html", "../../en/regulator/index.html"),
    ] {
        let html = read(site, page);
        assert!(
            html.contains(&format!(r#"<a href="{link}" aria-current="page">"#)),
            "{page}"
        );
    }
    for (home, link) in [
        (
            "index.html",
            r#"<a href="regulator/index.html">监管视图</a>"#,
        ),
        (
            "en/index.html",
            r#"<a href="../en/regulator/index.html">Supervision</a>"#,
        ),
    ] {
        let html = read(site, home);
        assert!(
            html.contains(link),
            "{home} has no link to the supervision page"
        );
    }
}

#[test]
fn the_csv_downloads_hold_the_page_rows_in_order() {
    let site = site();
    for page in ["regulator/index.html", "en/regulator/index.html"] {
        let html = read(site, page);
        let page_rows: Vec<(String, String, String, String)> = row_tags(&html, "disclosures-table")
            .into_iter()
            .map(|t| {
                (
                    attr(t, "data-org").to_owned(),
                    attr(t, "data-kind").to_owned(),
                    attr(t, "data-status").to_owned(),
                    attr(t, "data-year").to_owned(),
                )
            })
            .collect();
        let csv: Vec<(String, String, String, String)> =
            csv_rows(site, "regulator/disclosures.csv")
                .into_iter()
                .map(|r| {
                    (
                        r["org"].clone(),
                        r["kind"].clone(),
                        r["status"].clone(),
                        r["year"].clone(),
                    )
                })
                .collect();
        assert!(csv.len() > 10, "{}", csv.len());
        assert_eq!(page_rows, csv, "{page}");

        let page_rows: Vec<(String, String, String, String)> = ratio_tags(&html)
            .into_iter()
            .map(|t| {
                (
                    attr(t, "data-org").to_owned(),
                    attr(t, "data-year").to_owned(),
                    attr(t, "data-status").to_owned(),
                    attr(t, "data-figure").to_owned(),
                )
            })
            .collect();
        let csv: Vec<(String, String, String, String)> = csv_rows(site, "regulator/ratios.csv")
            .into_iter()
            .map(|r| {
                (
                    r["org"].clone(),
                    r["year"].clone(),
                    r["status"].clone(),
                    r["figure"].clone(),
                )
            })
            .collect();
        assert!(!csv.is_empty());
        assert_eq!(page_rows, csv, "{page}");
    }
    // The page links its downloads.
    let html = read(site, "regulator/index.html");
    for file in ["regulator/ratios.csv", "regulator/disclosures.csv"] {
        assert!(
            html.contains(&format!(r#"href="../data/{file}""#)),
            "{file}"
        );
    }
}

/// A year still in progress is not judged (by the log's clock: the demo's newest entry is of
/// 1 November 2026, the day judged too): the foundation whose admin costs
/// break the cap every year is listed for 2025, not for 2026, though its 2026 figures so far
/// break it too (checked here from the figures download, by hand arithmetic).
#[test]
fn a_year_in_progress_is_not_listed_as_failed_and_every_exception_gives_its_reason() {
    let site = site();
    let heavy = code_of(site, ADMIN_HEAVY);
    let figures = csv_rows(site, "figures.csv");
    let admin_share = |year: &str| {
        let f = figures
            .iter()
            .find(|f| f["org"] == heavy && f["year"] == year && f["currency"] == "CNY")
            .unwrap_or_else(|| panic!("no {year} figures"));
        let admin: rust_decimal::Decimal = f["administrative_costs"].parse().unwrap();
        let total: rust_decimal::Decimal = f["total_spending"].parse().unwrap();
        admin / total
    };
    let cap = rust_decimal::Decimal::new(10, 2);
    assert!(
        admin_share("2026") > cap,
        "the demo's 2026 figures break the cap so far"
    );
    assert!(admin_share("2025") > cap);

    let ratios = csv_rows(site, "regulator/ratios.csv");
    assert!(
        ratios
            .iter()
            .all(|r| r["year"].parse::<i32>().unwrap() < 2026),
        "2026 is in progress on {JUDGED_ON}"
    );
    let heavy_2025: Vec<_> = ratios
        .iter()
        .filter(|r| r["org"] == heavy && r["year"] == "2025" && r["figure"] == "admin_cost_ratio")
        .collect();
    assert_eq!(heavy_2025.len(), 1);
    assert_eq!(heavy_2025[0]["status"], "fail");
    assert_eq!(heavy_2025[0]["reason_zh"], "未发布说明");
    assert!(heavy_2025[0]["source"].contains("第六十一条"));

    // Explained: what was explained, in the organisation's words, with its entry.
    let under = code_of(site, UNDERSPENDS);
    let explained: Vec<_> = ratios
        .iter()
        .filter(|r| r["org"] == under && r["year"] == "2025" && r["status"] == "explained")
        .collect();
    assert_eq!(explained.len(), 1, "{explained:?}");
    assert_eq!(
        explained[0]["figure"],
        "charitable_spending_vs_prior_revenue"
    );
    assert!(explained[0]["reason_zh"].contains("社区养老服务综合体"));
    assert!(!explained[0]["explanation_seqs"].is_empty());
    // Exempt: the admin costs and the amount they are below.
    let exempt: Vec<_> = ratios.iter().filter(|r| r["status"] == "exempt").collect();
    assert!(!exempt.is_empty());
    for r in &exempt {
        assert!(r["reason_zh"].contains("低于¥200,000.00"), "{r:?}");
        assert!(r["reason_en"].contains("below ¥200,000.00"), "{r:?}");
        assert!(r["source"].contains("第十一条"), "{r:?}");
    }
    // Not enough data: which year's figures are missing (the demo starts in 2024).
    let short: Vec<_> = ratios
        .iter()
        .filter(|r| r["status"] == "not_enough_data")
        .collect();
    assert!(!short.is_empty());
    for r in &short {
        assert_eq!(r["year"], "2024");
        assert!(r["reason_zh"].contains("2023年"), "{r:?}");
    }

    for (page, words) in [
        (
            "regulator/index.html",
            [
                "已说明：",
                "不适用管理费用比例上限",
                "2023年的收支数据",
                "2026年度尚未结束",
            ],
        ),
        (
            "en/regulator/index.html",
            [
                "Explained: ",
                "the cap does not apply",
                "no figures of the organisation for 2023",
                "2026 is still in progress",
            ],
        ),
    ] {
        let html = read(site, page);
        for w in words {
            assert!(html.contains(w), "{page} does not say {w:?}");
        }
        assert!(
            html.contains("社区养老服务综合体"),
            "{page}: the explanation itself"
        );
        for t in ratio_tags(&html) {
            assert_ne!(attr(t, "data-year"), "2026", "{page}");
        }
    }
}

#[test]
fn an_organisation_page_opens_with_its_status_then_money_then_details_and_keys_last() {
    let site = site();
    let heavy = code_of(site, ADMIN_HEAVY);
    for (page, marks) in [
        (
            format!("orgs/{heavy}.html"),
            [
                "监管状态",
                "历年收入与支出",
                "监管比例",
                "登记信息",
                "签名密钥",
            ],
        ),
        (
            format!("en/orgs/{heavy}.html"),
            [
                "Status",
                "Income and spending by year",
                "Regulator ratios",
                "Registration",
                "Signing keys",
            ],
        ),
    ] {
        let html = read(site, &page);
        let main = &html[html.find("<main").unwrap()..];
        let at: Vec<usize> = marks
            .iter()
            .map(|m| {
                main.find(&format!(">{m}</h2>"))
                    .unwrap_or_else(|| panic!("{page} has no heading {m}"))
            })
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "{page}: {marks:?} at {at:?}"
        );
        let status = &main[at[0]..at[1]];
        assert!(
            status.contains(&format!("regulator/index.html?org={heavy}")),
            "{page}: no link to its rows"
        );
        assert!(
            status.contains("Administrative costs") || status.contains("管理费用"),
            "{page}: {status}"
        );
        assert!(
            status.contains(r#"class="bad""#),
            "{page}: the failure is flagged"
        );
    }
    // An organisation with a missing report says so, with its days late.
    let late = code_of(site, NEVER_REPORTS_2025);
    let html = read(site, &format!("orgs/{late}.html"));
    let status =
        &html[html.find(">监管状态</h2>").unwrap()..html.find(">历年收入与支出</h2>").unwrap()];
    assert!(status.contains("逾期未公开"), "{status}");
    assert!(status.contains("154"), "{status}");
}

/// Rows of a table as the reader sees them: (visible, data attributes, the days-late cell).
const ROWS_JS: &str = "(id) => [...document.querySelectorAll('#' + id + ' tbody tr')].map(r => ({hidden: r.hidden, year: r.dataset.year, type: r.dataset.type, org: r.dataset.org, status: r.dataset.status, days: r.cells[6] ? r.cells[6].dataset.v : null}))";

fn rows(tab: &mut Page, table: &str) -> Vec<Value> {
    tab.eval(&format!("({ROWS_JS})('{table}')"))
        .as_array()
        .unwrap()
        .clone()
}

fn visible(rows: &[Value]) -> Vec<&Value> {
    rows.iter().filter(|r| r["hidden"] == false).collect()
}

#[test]
fn filters_combine_and_days_late_sort_as_numbers_at_phone_and_desktop_widths() {
    let site = site();
    let server = StaticServer::start(site);
    let ratios = csv_rows(site, "regulator/ratios.csv");
    let disclosures = csv_rows(site, "regulator/disclosures.csv");
    let want = |rows: &[std::collections::HashMap<String, String>]| {
        rows.iter()
            .filter(|r| r["year"] == "2025" && r["org_type"] == "foundation")
            .count()
    };
    let (want_ratios, want_disclosures) = (want(&ratios), want(&disclosures));
    assert!(want_ratios > 0 && want_ratios < ratios.len());
    assert!(want_disclosures > 0 && want_disclosures < disclosures.len());
    let heavy = code_of(site, ADMIN_HEAVY);

    for (w, h) in [(390, 844), (1280, 900)] {
        let mut tab = Page::open(&server.url("regulator/index.html"), w, h);
        tab.set_viewport(w, h, w < 500);
        tab.wait_for("!document.getElementById('filters').hidden");
        // The filters sit in the first screen, and leave most of it to the tables.
        let form = tab.eval("document.getElementById('filters').getBoundingClientRect().height");
        assert!(
            form.as_f64().unwrap() < f64::from(h) / 3.0,
            "{w} px: filters {form} px tall"
        );

        tab.eval(
            "(() => { const f = document.getElementById('filters'); f.elements.year.value = '2025'; \
             f.elements.type.value = 'foundation'; f.dispatchEvent(new Event('change')); })()",
        );
        for (tables, n) in [
            (&["ratios-table", "exceptions-table"][..], want_ratios),
            (&["disclosures-table"][..], want_disclosures),
        ] {
            let all: Vec<Value> = tables.iter().flat_map(|t| rows(&mut tab, t)).collect();
            let table = tables[0];
            let shown = visible(&all);
            assert_eq!(shown.len(), n, "{w} px, {table}");
            assert!(
                shown
                    .iter()
                    .all(|r| r["year"] == "2025" && r["type"] == "foundation")
            );
        }
        let url = tab.eval("location.search");
        assert_eq!(
            url, "?year=2025&type=foundation",
            "the choice is in the address"
        );
        let search = tab.eval("document.querySelector('#disclosures .shown').textContent");
        assert!(
            search
                .as_str()
                .unwrap()
                .contains(&want_disclosures.to_string()),
            "{search}"
        );

        // A third filter narrows further: status.
        tab.eval(
            "(() => { const f = document.getElementById('filters'); f.elements.status.value = 'missing'; \
             f.dispatchEvent(new Event('change')); })()",
        );
        let all = rows(&mut tab, "disclosures-table");
        let n = disclosures
            .iter()
            .filter(|r| {
                r["year"] == "2025" && r["org_type"] == "foundation" && r["status"] == "missing"
            })
            .count();
        assert_eq!(visible(&all).len(), n, "{w} px: year + type + status");
        assert_eq!(visible(&rows(&mut tab, "ratios-table")).len(), 0);
        assert_eq!(visible(&rows(&mut tab, "exceptions-table")).len(), 0);
        let none = tab.eval("document.querySelector('#ratios .none').hidden");
        assert_eq!(none, false, "the page says no ratio row matches");

        // Every filter cleared, sort by days late: most first, then fewest first, as numbers.
        tab.eval(
            "(() => { const f = document.getElementById('filters'); for (const k of ['year','type','status']) f.elements[k].value = ''; \
             f.dispatchEvent(new Event('change')); })()",
        );
        let days_head = "[...document.querySelectorAll('#disclosures-table th')].find(th => th.textContent.includes('逾期天数')).querySelector('button')";
        for descending in [true, false] {
            tab.eval(&format!("{days_head}.click()"));
            let days: Vec<i64> = visible(&rows(&mut tab, "disclosures-table"))
                .iter()
                .map(|r| r["days"].as_str().unwrap().parse().unwrap())
                .collect();
            assert_eq!(days.len(), disclosures.len());
            let mut sorted = days.clone();
            sorted.sort_unstable();
            if descending {
                sorted.reverse();
            }
            assert_eq!(days, sorted, "{w} px, descending {descending}");
            // Text order would put 45 after 154: both kinds of value are there.
            assert!(days.iter().any(|d| *d >= 100) && days.iter().any(|d| *d < 100));
        }

        // An organisation's page links to its rows: only its rows are shown, with its name.
        let mut tab = Page::open(
            &server.url(&format!("regulator/index.html?org={heavy}")),
            w,
            h,
        );
        tab.set_viewport(w, h, w < 500);
        tab.wait_for("!document.getElementById('filters').hidden");
        let all = rows(&mut tab, "ratios-table");
        let shown = visible(&all);
        assert!(!shown.is_empty());
        assert!(shown.iter().all(|r| r["org"] == heavy.as_str()));
        let named = tab.eval("document.querySelector('.filter-org .org-name').textContent");
        assert_eq!(named, ADMIN_HEAVY);

        // No page is wider than the screen.
        for page in [
            "regulator/index.html".to_owned(),
            "en/regulator/index.html".to_owned(),
            format!("orgs/{heavy}.html"),
            format!("en/orgs/{heavy}.html"),
        ] {
            let mut tab = Page::open(&server.url(&page), w, h);
            tab.set_viewport(w, h, w < 500);
            tab.wait_for("document.readyState === 'complete'");
            let widths = tab.eval(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
            );
            assert!(
                widths[0].as_u64().unwrap() <= widths[1].as_u64().unwrap(),
                "{page} is {} px wide in a {} px screen",
                widths[0],
                widths[1]
            );
        }
    }
}

#[test]
fn screenshots_of_the_supervision_page_and_an_organisation_in_both_languages() {
    let site = site();
    let server = StaticServer::start(site);
    let heavy = code_of(site, ADMIN_HEAVY);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("regulator-screenshots");
    for (name, page) in [
        ("regulator", "regulator/index.html".to_owned()),
        ("regulator-en", "en/regulator/index.html".to_owned()),
        ("org", format!("orgs/{heavy}.html")),
        ("org-en", format!("en/orgs/{heavy}.html")),
    ] {
        for (width, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
            let png = out.join(format!("{name}-{width}.png"));
            let mut tab = Page::open(&server.url(&page), w, h);
            tab.set_viewport(w, h, w < 500);
            tab.wait_for("document.readyState === 'complete'");
            tab.screenshot_full(&png);
            assert_eq!(png_size(&png).0, w, "{}", png.display());
        }
    }
}
