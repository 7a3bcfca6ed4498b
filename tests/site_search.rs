//! What the journalist's pages are built from (issue 16), on demo ledgers built by the binary:
//! the search index lists every organisation, project and trust with its names in both
//! languages and a page that exists, holds no receipt, and keeps its bytes while the log grows;
//! the organisation list shows the latest finished year's money and the regulator's ratios;
//! the comparison files hold every year's figures. The truth they are checked against is the
//! site's CSV/JSON downloads (another code path) and ratios worked out here with decimals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

/// A demo ledger at `scale` with its site built as of `as_of` (so the latest finished year is
/// known): (dir, site).
fn built(scale: u64, as_of: &str) -> (tempfile::TempDir, PathBuf) {
    common::demo_site(scale, as_of)
}

fn json(site: &Path, path: &str) -> Value {
    serde_json::from_slice(
        &std::fs::read(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .unwrap()
}

fn read(site: &Path, path: &str) -> String {
    std::fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn the_search_index_lists_every_organisation_project_and_trust_in_both_languages() {
    let (_dir, site) = built(150, "2026-06-30");
    let index = json(&site, "data/search/index.json");
    let str_of = |v: &Value| v.as_str().unwrap_or("").to_owned();

    // Organisations: as many as the download lists, each with both names and its page.
    let orgs = json(&site, "data/orgs.json");
    let rows = index["orgs"].as_array().unwrap();
    assert_eq!(rows.len(), orgs.as_array().unwrap().len());
    for o in orgs.as_array().unwrap() {
        let code = str_of(&o["org"]);
        let row = rows
            .iter()
            .find(|r| r[0] == o["org"])
            .unwrap_or_else(|| panic!("{code} is not in the index"));
        assert_eq!(row[1], o["name"], "{code}");
        assert_eq!(str_of(&row[2]), str_of(&o["name_en"]), "{code}");
        assert_eq!(row[3], o["org_type"]);
        assert_eq!(row[4], o["region"]);
        let page = str_of(&row[5]);
        for lang in ["", "en/"] {
            assert!(site.join(format!("{lang}{page}")).is_file(), "{lang}{page}");
        }
    }
    // The demo names its organisations in English too, and the index carries those names.
    let english = rows.iter().filter(|r| !str_of(&r[2]).is_empty()).count();
    assert_eq!(
        english,
        rows.len(),
        "every demo organisation has an English name"
    );

    // Projects: every one, with its titles and its page.
    let projects = json(&site, "data/projects.json");
    let prows = index["projects"].as_array().unwrap();
    assert_eq!(prows.len(), projects.as_array().unwrap().len());
    for p in projects.as_array().unwrap() {
        let row = prows
            .iter()
            .find(|r| r[0] == p["org"] && r[1] == p["id"])
            .unwrap_or_else(|| panic!("{p} is not in the index"));
        assert_eq!(row[2], p["title"]);
        assert!(!str_of(&row[3]).is_empty(), "an English title: {row}");
        let page = str_of(&row[6]);
        assert!(
            site.join(&page).is_file() && site.join(format!("en/{page}")).is_file(),
            "{page}"
        );
    }

    // Trusts: every one, by name and filing number, with its page.
    let trusts = json(&site, "data/trusts.json");
    let trows = index["trusts"].as_array().unwrap();
    assert_eq!(trows.len(), trusts.as_array().unwrap().len());
    assert!(!trows.is_empty(), "the demo files trusts");
    for t in trusts.as_array().unwrap() {
        let row = trows.iter().find(|r| r[0] == t["trust_id"]).unwrap();
        assert_eq!(row[1], t["name"]);
        assert_eq!(row[4], t["filing_no"]);
        assert!(site.join(str_of(&row[5])).is_file(), "{row}");
    }

    // Every region code in use has its name in both languages; every type its label.
    for r in rows {
        let names = &index["regions"][str_of(&r[4])];
        assert!(
            names[0].as_str().unwrap().ends_with(['市', '省']),
            "{names}"
        );
        assert!(names[1].as_str().unwrap().is_ascii(), "{names}");
        assert!(index["types"][str_of(&r[3])].is_array(), "{r}");
    }

    // No receipt is in it: donations are found through the receipt lookup.
    let text = read(&site, "data/search/index.json");
    let donations = json(&site, "data/donations.json");
    for d in donations.as_array().unwrap().iter().step_by(97) {
        let no = d["receipt_no"].as_str().unwrap();
        assert!(!text.contains(&format!("\"{no}\"")), "{no} is in the index");
    }
    // The search page, in both languages, reads it from the site root.
    for (lang, root) in [("", "../"), ("en/", "../../")] {
        let page = read(&site, &format!("{lang}search/index.html"));
        assert!(
            page.contains(&format!(r#"data-index="{root}data/search/index.json""#)),
            "{page:.2000}"
        );
    }
    // Every page's header box submits to the search page.
    let home = read(&site, "en/index.html");
    assert!(
        home.contains(r#"<form class="site-search" role="search" method="get" action="../en/search/index.html">"#),
        "{home:.3000}"
    );
}

/// The index follows organisations, projects and trusts: a ledger with four times the
/// donations (the same organisations and projects) gets the same bytes.
#[test]
fn the_search_index_does_not_grow_with_entries() {
    let (_a, small) = built(150, "2026-06-30");
    let (_b, big) = built(600, "2026-06-30");
    let entries = |site: &Path| -> u64 {
        read(site, "log/checkpoint")
            .lines()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        entries(&big) > entries(&small) + 1_000,
        "{} -> {}",
        entries(&small),
        entries(&big)
    );
    let (a, b) = (
        read(&small, "data/search/index.json"),
        read(&big, "data/search/index.json"),
    );
    assert_eq!(a, b);
    let index: Value = serde_json::from_str(&a).unwrap();
    let items = ["orgs", "projects", "trusts"]
        .map(|k| index[k].as_array().unwrap().len())
        .iter()
        .sum::<usize>();
    eprintln!(
        "search index: {} bytes for {items} organisations, projects and trusts; {} and {} entries",
        a.len(),
        entries(&small),
        entries(&big)
    );
}

/// A ratio worked out here: `part / whole` rounded half away from zero to four places, as the
/// compliance rules publish it, then shown as a percentage with two places.
fn percent(part: Decimal, whole: Decimal) -> String {
    let r = (part / whole).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    format!("{:.2}%", r * Decimal::from(100))
}

#[test]
fn the_organisation_list_shows_the_latest_finished_years_money_and_ratios() {
    // Judged in mid-2026: 2025 is the latest finished year, 2026 is still running.
    let (_dir, site) = built(150, "2026-06-30");
    let figures = json(&site, "data/figures.json");
    let list = read(&site, "orgs/index.html");
    let en_list = read(&site, "en/orgs/index.html");
    assert!(
        list.contains("2025年（最近一个已结束的年度"),
        "{list:.3000}"
    );
    assert!(en_list.contains("2025 (the latest finished year"));
    let mut checked = 0;
    for f in figures.as_array().unwrap() {
        if f["year"] != "2025" || f["currency"] != "CNY" {
            continue;
        }
        let code = f["org"].as_str().unwrap();
        let row_at = list
            .find(&format!(r#"value="{code}""#))
            .unwrap_or_else(|| panic!("{code} has no row"));
        let row = &list[row_at..row_at + list[row_at..].find("</tr>").unwrap()];
        let (income, spent) = (dec(&f["income"]), dec(&f["total_spending"]));
        for v in [income, spent] {
            assert!(
                row.contains(&format!(
                    r#"data-sort="{v}">{}</td>"#,
                    sunshine_ledger::site::format::money(v, "CNY")
                )),
                "{code}: {v} in {row}"
            );
        }
        // The administrative-cost ratio, whenever a charity's year spent anything; the rules
        // do not judge the demo's welfare home (not a charity), which says so.
        if row.contains("社会福利机构") {
            assert!(row.contains(">不适用<"), "{code}: {row}");
        } else if spent > Decimal::ZERO {
            let shown = percent(dec(&f["administrative_costs"]), spent);
            assert!(
                row.contains(&format!(">{shown}<")),
                "{code}: {shown} in {row}"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} organisations checked");
    // Filtered lists say what they show in their titles.
    let foundations = read(&site, "orgs/type-foundation.html");
    assert!(
        foundations.contains("<title>慈善组织：基金会 · "),
        "{foundations:.600}"
    );
    assert!(
        read(&site, "en/orgs/fundraising-yes.html")
            .contains("<title>Organisations: May raise funds publicly · ")
    );
}

#[test]
fn the_comparison_files_hold_every_years_figures_and_ratios() {
    let (_dir, site) = built(150, "2026-06-30");
    let figures = json(&site, "data/figures.json");
    let mut files = 0;
    for f in figures.as_array().unwrap() {
        let code = f["org"].as_str().unwrap();
        let doc = json(&site, &format!("data/compare/{code}.json"));
        let year: i64 = f["year"].as_str().unwrap().parse().unwrap();
        let row = doc["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == year && y["currency"] == f["currency"])
            .unwrap_or_else(|| panic!("{code} {year} missing"));
        for field in [
            "income",
            "charitable_spending",
            "administrative_costs",
            "total_spending",
        ] {
            assert_eq!(row[field], f[field], "{code} {year} {field}");
        }
        assert_eq!(row["finished"], year <= 2025, "{code} {year}");
        let spent = dec(&f["total_spending"]);
        let admin = row["ratios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "admin_cost_ratio");
        if let Some(a) = admin.filter(|_| spent > Decimal::ZERO) {
            let shown = percent(dec(&f["administrative_costs"]), spent);
            let value = dec(&a["value"]) * Decimal::from(100);
            assert_eq!(format!("{value:.2}%"), shown, "{code} {year}");
        }
        files += 1;
    }
    assert!(files > 60, "{files}");
}
