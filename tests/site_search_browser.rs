//! The journalist's pages in headless Chromium on a plain loopback static server (no
//! `sunshine serve`), at a phone's 390 px and a desktop's 1280 px (issue 16): search finds an
//! organisation by part of its Chinese name and by its English name, from the search page and
//! from the header's box on any page; a receipt number goes to the receipt lookup; the
//! organisation list's filters combine and its money columns sort as numbers; the comparison
//! shows two organisations' figures year by year as the downloads hold them; no page is wider
//! than the screen. Screenshots of each, in both languages, land in the target's tmp dir.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::browser::{Page, StaticServer, png_size};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;
use sunshine_ledger::site::format::money;

/// A demo ledger with its static site built by the binary as of mid-2026 (2025 is the latest
/// finished year).
fn built_site() -> (tempfile::TempDir, PathBuf) {
    common::demo_site(150, "2026-06-30")
}

fn json(site: &Path, path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(site.join(path)).unwrap()).unwrap()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// Asserts the page is no wider than its screen.
fn fits(tab: &mut Page, what: &str) {
    let w =
        tab.eval("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
    assert!(
        w[0].as_u64().unwrap() <= w[1].as_u64().unwrap(),
        "{what} is {} px wide in a {} px screen",
        w[0],
        w[1]
    );
}

fn open(server: &StaticServer, path: &str, w: u32) -> Page {
    let h = if w < 500 { 844 } else { 900 };
    let mut tab = Page::open(&server.url(path), w, h);
    tab.set_viewport(w, h, w < 500);
    tab
}

/// The links of the search results of `kind`, once shown.
fn result_links(tab: &mut Page, kind: &str) -> Vec<String> {
    tab.wait_for("document.querySelector('#search-results p, #search-results ul')");
    let v = tab.eval(&format!(
        "[...document.querySelectorAll('ul.results[data-kind={kind}] a')].map(a => a.getAttribute('href'))"
    ));
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// An organisation of the demo with an English name: (code, Chinese name, English name).
fn an_org(site: &Path) -> (String, String, String) {
    let orgs = json(site, "data/orgs.json");
    let o = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org_type"] == "foundation" && o["name_en"] != "")
        .expect("a foundation with an English name");
    let s = |f: &str| o[f].as_str().unwrap().to_owned();
    (s("org"), s("name"), s("name_en"))
}

#[test]
fn search_finds_an_organisation_by_its_chinese_and_english_name_on_a_static_host() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let (code, zh, en) = an_org(&site);
    let page = format!("orgs/{code}.html");
    // A run of characters from the middle of the Chinese name, and one word of the English
    // name in lower case.
    let chars: Vec<char> = zh.chars().collect();
    let middle: String = chars[3..chars.len() - 3].iter().collect();
    let word = en
        .split(' ')
        .max_by_key(|w| w.len())
        .unwrap()
        .to_lowercase();
    for w in [390, 1280] {
        for (lang, q, root) in [
            ("", middle.as_str(), "../"),
            ("en/", word.as_str(), "../../en/"),
            ("en/", middle.as_str(), "../../en/"),
            ("", word.as_str(), "../"),
        ] {
            let mut tab = open(&server, &format!("{lang}search/index.html?q={q}"), w);
            let links = result_links(&mut tab, "orgs");
            assert!(
                links.contains(&format!("{root}{page}")),
                "{lang} {q} at {w}: {links:?}"
            );
            fits(&mut tab, &format!("{lang}search {q} at {w}"));
        }
    }
    // Nothing matches: said so, in the page's language.
    let mut tab = open(&server, "en/search/index.html?q=zzzqqq", 390);
    let none =
        tab.wait_for("(p => p && p.textContent)(document.querySelector('#search-results p.none'))");
    assert_eq!(none, "No organisation, project or trust matches.");

    // The header's box on another page, typed into and submitted with Enter, on a phone.
    let mut tab = open(&server, "orgs/index.html", 390);
    tab.eval("document.querySelector('header .site-search input').focus()");
    tab.type_text(&zh);
    tab.press_enter();
    tab.wait_for("location.pathname.endsWith('/search/index.html')");
    let links = result_links(&mut tab, "orgs");
    assert_eq!(
        links.first(),
        Some(&format!("../{page}")),
        "the exact name first: {links:?}"
    );
    tab.eval("document.querySelector('ul.results[data-kind=orgs] a').click()");
    tab.wait_for(&format!("location.pathname.endsWith('/{page}')"));

    // A project by its English title, in the English site.
    let projects = json(&site, "data/projects.json");
    let p = &projects[0];
    let mut tab = open(
        &server,
        &format!("en/search/index.html?q={}", p["id"].as_str().unwrap()),
        1280,
    );
    let links = result_links(&mut tab, "projects");
    assert!(
        links.contains(&format!(
            "../../en/projects/{}/{}.html",
            p["org"].as_str().unwrap(),
            p["id"].as_str().unwrap()
        )),
        "{links:?}"
    );

    // A receipt number goes to the receipt lookup, with the organisation when the query names
    // it; the lookup lands on the receipt.
    let d = &json(&site, "data/donations.json")[0];
    let (org, no) = (
        d["org"].as_str().unwrap(),
        d["receipt_no"].as_str().unwrap(),
    );
    let org_name = json(&site, "data/orgs.json")
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["org"] == org)
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tab = open(
        &server,
        &format!("search/index.html?q={org_name} {no}"),
        390,
    );
    tab.wait_for("!document.querySelector('section.receipt-route').hidden");
    let form = tab.eval("(f => [f.elements.org.value, f.elements.no.value])(document.querySelector('section.receipt-route form'))");
    assert_eq!(form, serde_json::json!([org, no]));
    fits(&mut tab, "the receipt route");
    tab.eval("document.querySelector('section.receipt-route form').submit()");
    tab.wait_for("location.pathname.endsWith('/receipts/view.html')");
    tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
}

/// The rows the list shows: their organisation codes, in order.
fn shown_rows(tab: &mut Page) -> Vec<String> {
    let v = tab.eval(
        "[...document.querySelectorAll('table.orgs tbody tr')].filter(r => !r.hidden).map(r => r.querySelector('input').value)",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_organisation_list_filters_combine_and_money_sorts_as_numbers() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let orgs = json(&site, "data/orgs.json");
    let expected = |t: &str, r: &str, f: Option<&str>| -> Vec<String> {
        orgs.as_array()
            .unwrap()
            .iter()
            .filter(|o| o["org_type"] == t && o["region"] == r)
            .filter(|o| f.is_none_or(|f| o["public_fundraising"] == f))
            .map(|o| o["org"].as_str().unwrap().to_owned())
            .collect()
    };
    let want = expected("foundation", "440100", None);
    assert!(want.len() >= 2, "{want:?}");
    for w in [390, 1280] {
        // Two selects on the full list.
        let mut tab = open(&server, "orgs/index.html", w);
        tab.wait_for("!document.querySelector('form.filters').hidden");
        let all = shown_rows(&mut tab);
        assert_eq!(all.len(), orgs.as_array().unwrap().len());
        tab.eval("(f => { f.elements.type.value = 'foundation'; f.elements.type.dispatchEvent(new Event('change')); f.elements.region.value = '440100'; f.elements.region.dispatchEvent(new Event('change')); })(document.querySelector('form.filters'))");
        assert_eq!(shown_rows(&mut tab), want, "at {w}");
        let title = tab.eval("document.title");
        assert!(
            title
                .as_str()
                .unwrap()
                .starts_with("慈善组织：基金会 · 广州市"),
            "{title}"
        );
        // A third narrows further; the address reopens the same list.
        tab.eval("(s => { s.value = 'yes'; s.dispatchEvent(new Event('change')); })(document.querySelector('form.filters select[name=fundraising]'))");
        let three = expected("foundation", "440100", Some("true"));
        assert_eq!(shown_rows(&mut tab), three);
        let search = tab.eval("location.search");
        assert_eq!(search, "?type=foundation&region=440100&fundraising=yes");
        let mut again = open(
            &server,
            &format!("orgs/index.html{}", search.as_str().unwrap()),
            w,
        );
        again.wait_for("!document.querySelector('form.filters').hidden");
        assert_eq!(shown_rows(&mut again), three);
        // From a facet's own list, a second facet combines on the full list.
        let mut facet = open(&server, "en/orgs/type-foundation.html", w);
        facet.wait_for("!document.querySelector('form.filters').hidden");
        facet.eval("(s => { s.value = '440100'; s.dispatchEvent(new Event('change')); })(document.querySelector('form.filters select[name=region]'))");
        facet.wait_for("location.pathname.endsWith('/en/orgs/index.html') && location.search.includes('region=440100')");
        facet.wait_for("document.querySelector('form.filters') && !document.querySelector('form.filters').hidden");
        assert_eq!(shown_rows(&mut facet), want);
        // The filters take little of a phone's first screen: the table starts on it.
        let top = tab
            .eval("document.querySelector('table.orgs').getBoundingClientRect().top + scrollY")
            .as_f64()
            .unwrap();
        assert!(
            top < if w < 500 { 600.0 } else { 500.0 },
            "the table starts at {top} px at {w}"
        );
        fits(&mut tab, &format!("orgs at {w}"));
        fits(&mut facet, &format!("en orgs at {w}"));
    }

    // Sorting by money: numbers as numbers, blanks last; again for the other direction.
    let mut tab = open(&server, "en/orgs/index.html", 1280);
    tab.wait_for("!document.querySelector('form.filters').hidden");
    let column = |tab: &mut Page| -> Vec<String> {
        let v = tab.eval("[...document.querySelectorAll('table.orgs tbody tr')].map(r => r.cells[5].dataset.sort)");
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let values = column(&mut tab);
    let numbers: Vec<Decimal> = values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap())
        .collect();
    let mut by_text = values.clone();
    by_text.sort();
    let mut desc = numbers.clone();
    desc.sort_by(|a, b| b.cmp(a));
    let as_text: Vec<Decimal> = by_text
        .iter()
        .rev()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse().unwrap())
        .collect();
    assert_ne!(
        as_text, desc,
        "the demo's figures sort differently as text: the check can fail"
    );
    tab.eval("document.querySelectorAll('table.orgs thead th')[5].querySelector('button').click()");
    let sorted = column(&mut tab);
    let got: Vec<Decimal> = sorted
        .iter()
        .take(numbers.len())
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(got, desc, "descending by amount");
    assert!(
        sorted[numbers.len()..].iter().all(String::is_empty),
        "blanks last"
    );
    assert_eq!(
        tab.eval("document.querySelectorAll('table.orgs thead th')[5].getAttribute('aria-sort')"),
        "descending"
    );
    tab.eval("document.querySelectorAll('table.orgs thead th')[5].querySelector('button').click()");
    let up: Vec<Decimal> = column(&mut tab)
        .iter()
        .take(numbers.len())
        .map(|v| v.parse().unwrap())
        .collect();
    let mut asc = desc.clone();
    asc.reverse();
    assert_eq!(up, asc, "ascending by amount");
}

#[test]
fn the_comparison_shows_two_organisations_figures_year_by_year() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let figures = json(&site, "data/figures.json");
    // Two foundations with figures: the first two in the download.
    let mut picked: Vec<String> = Vec::new();
    for f in figures.as_array().unwrap() {
        let code = f["org"].as_str().unwrap().to_owned();
        if code.starts_with("53") && !picked.contains(&code) {
            picked.push(code);
        }
    }
    picked.truncate(2);
    assert_eq!(picked.len(), 2);
    // Ticking two organisations on the list and pressing the button lands on their comparison.
    let mut tab = open(&server, "orgs/index.html", 390);
    tab.wait_for("!document.querySelector('form.filters').hidden");
    for code in &picked {
        tab.eval(&format!(
            "document.querySelector('input[type=checkbox][value=\"{code}\"]').click()"
        ));
    }
    tab.eval("document.querySelector('form.compare-pick button[type=submit]').click()");
    tab.wait_for("location.pathname.endsWith('/compare/index.html')");
    assert_eq!(
        tab.eval("location.search"),
        format!("?orgs={}", picked.join(","))
    );

    for (lang, w) in [("", 390), ("en/", 390), ("", 1280), ("en/", 1280)] {
        let mut tab = open(
            &server,
            &format!("{lang}compare/index.html?orgs={}", picked.join(",")),
            w,
        );
        tab.wait_for("document.querySelector('table.compare[data-figure=income]')");
        let mut cells = 0;
        for f in figures.as_array().unwrap() {
            let Some(col) = picked.iter().position(|p| f["org"] == p.as_str()) else {
                continue;
            };
            if f["currency"] != "CNY" {
                continue;
            }
            let year = f["year"].as_str().unwrap();
            let cell = |tab: &mut Page, figure: &str| {
                tab.eval(&format!(
                    "document.querySelector('table.compare[data-figure={figure}] tr[data-year=\"{year}\"]').cells[{}].textContent",
                    col + 1
                ))
            };
            for field in [
                "income",
                "charitable_spending",
                "administrative_costs",
                "total_spending",
            ] {
                assert_eq!(
                    cell(&mut tab, field),
                    money(dec(&f[field]), "CNY"),
                    "{lang} {year} {field} of {}",
                    picked[col]
                );
            }
            // Net assets: a finished year's at its end; the year still running (2026, the site
            // being built as of 30 June 2026) says its figure is so far, not at year end.
            let net = money(dec(&f["net_assets_year_end"]), "CNY");
            let shown = cell(&mut tab, "net_assets_year_end");
            let shown = shown.as_str().unwrap();
            if year == "2026" {
                let (so_far, running) = if lang.is_empty() {
                    ("截至目前 ", "年度未结束，数据截至 2026年")
                } else {
                    ("so far ", "year in progress; figures to ")
                };
                assert!(
                    shown.starts_with(&format!("{so_far}{net}")) && shown.contains(running),
                    "{lang} 2026 net assets of {}: {shown}",
                    picked[col]
                );
            } else {
                assert_eq!(shown, net, "{lang} {year} net assets of {}", picked[col]);
            }
            let spent = dec(&f["total_spending"]);
            if spent > Decimal::ZERO {
                let r = (dec(&f["administrative_costs"]) / spent)
                    .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
                let shown = format!("{:.2}%", r * Decimal::from(100));
                let text = cell(&mut tab, "admin_ratio");
                assert!(
                    text.as_str().unwrap().starts_with(&shown),
                    "{year}: {shown} vs {text}"
                );
            }
            cells += 1;
        }
        assert!(cells >= 4, "{cells} organisation-years compared");
        // The year still running is marked so.
        let partial = tab.eval("document.querySelector('table.compare[data-figure=income] tr[data-year=\"2026\"] th').textContent");
        assert!(
            partial.as_str().unwrap().contains(if lang.is_empty() {
                "未结束"
            } else {
                "not over"
            }),
            "{partial}"
        );
        fits(&mut tab, &format!("{lang}compare at {w}"));
    }
    // An unknown code is named, not a blank page.
    let mut tab = open(
        &server,
        &format!("en/compare/index.html?orgs={},NOSUCHORG", picked[0]),
        390,
    );
    let text = tab.wait_for("(p => p && p.textContent)(document.querySelector('#compare p.fail'))");
    assert_eq!(text, "No such organisation: NOSUCHORG");
}

#[test]
fn screenshots_of_search_org_list_and_comparison_in_both_languages() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let (code, zh, _) = an_org(&site);
    let other = json(&site, "data/orgs.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["org"].as_str().unwrap().to_owned())
        .find(|o| o.starts_with("53") && *o != code)
        .unwrap();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("journalist-screenshots");
    let chars: Vec<char> = zh.chars().collect();
    let q: String = chars[3..chars.len() - 3].iter().collect();
    for (name, page, ready) in [
        (
            "search",
            format!("search/index.html?q={q}"),
            "document.querySelector('ul.results')",
        ),
        (
            "search-en",
            "en/search/index.html?q=foundation".to_owned(),
            "document.querySelector('ul.results')",
        ),
        (
            "orgs",
            "orgs/index.html".to_owned(),
            "!document.querySelector('form.filters').hidden",
        ),
        (
            "orgs-en",
            "en/orgs/index.html?type=foundation".to_owned(),
            "!document.querySelector('form.filters').hidden",
        ),
        (
            "compare",
            format!("compare/index.html?orgs={code},{other}"),
            "document.querySelector('table.compare')",
        ),
        (
            "compare-en",
            format!("en/compare/index.html?orgs={code},{other}"),
            "document.querySelector('table.compare')",
        ),
    ] {
        for (width, w) in [("desktop", 1280), ("phone", 390)] {
            let png = out.join(format!("{name}-{width}.png"));
            let mut tab = open(&server, &page, w);
            tab.wait_for(ready);
            tab.screenshot_full(&png);
            assert_eq!(png_size(&png).0, w, "{}", png.display());
            fits(&mut tab, &format!("{page} at {w}"));
        }
    }
}
