//! Issue 16's charts and pages in headless Chromium, on the real static export served by a
//! plain loopback file server, at a phone's width (390 px) and a desktop's (1280 px), in both
//! languages: charts whose labels never overlap or leave the chart, with every month on the
//! axis and a value axis in a stated unit; the entry viewer's summary naming the right
//! organisation and amount with links that resolve; the trust list's term, purpose and
//! property; the lottery index's year-by-purpose sums; the static 404 page styled and linked at
//! any depth, under a path prefix too; and no page wider than its screen. Screenshots of each go
//! to `$CARGO_TARGET_TMPDIR/site-pages-screenshots/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use common::browser::{Page, StaticServer, assert_chart_text_apart, assert_fits, png_size};
use rust_decimal::Decimal;
use serde_json::Value;

const WIDTHS: [(u32, u32); 2] = [(390, 844), (1280, 900)];
const LANGS: [&str; 2] = ["", "en/"];

/// A demo ledger with its static site built by the binary, judged on a fixed day so the
/// partial month is known: (temp dir, site dir, the day).
fn built_site() -> (tempfile::TempDir, PathBuf, &'static str) {
    const DAY: &str = "2026-11-30";
    let (dir, site) = common::demo_site(150, DAY);
    (dir, site, DAY)
}

fn json(site: &Path, file: &str) -> Value {
    serde_json::from_slice(&std::fs::read(site.join(file)).unwrap()).unwrap()
}

fn rows(site: &Path, name: &str) -> Vec<Value> {
    json(site, &format!("data/{name}.json"))
        .as_array()
        .unwrap()
        .clone()
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().unwrap_or("0")).unwrap()
}

/// "¥1,234.50", as the pages write CNY.
fn yuan(amount: Decimal) -> String {
    let text = format!("{:.2}", amount.round_dp(2));
    let (int, frac) = text.split_once('.').unwrap();
    let groups: Vec<&str> = int
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!("¥{}.{frac}", groups.join(","))
}

/// The months from `first` to `last` ("YYYY-MM"), every one.
fn months(first: &str, last: &str) -> Vec<String> {
    let parse = |m: &str| {
        let (y, mo) = m.split_once('-').unwrap();
        y.parse::<i32>().unwrap() * 12 + mo.parse::<i32>().unwrap() - 1
    };
    (parse(first)..=parse(last))
        .map(|m| format!("{}-{:02}", m / 12, m % 12 + 1))
        .collect()
}

/// Opens `path` at a width, as a phone or a desktop, once loaded.
fn open(server: &StaticServer, path: &str, (w, h): (u32, u32)) -> Page {
    let mut tab = Page::open(&server.url(path), w, h);
    tab.set_viewport(w, h, w < 500);
    tab.wait_for("document.readyState === 'complete'");
    tab
}

/// The open project with money in or out (in CNY) in the most distinct months: (org, id, the
/// months with activity). Open, so its axis runs to the build's month.
fn busiest_project(site: &Path) -> (String, String, BTreeSet<String>) {
    let mut active: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for d in rows(site, "donations") {
        if d["status"] == "live"
            && d["currency"] == "CNY"
            && !d["project"].as_str().unwrap().is_empty()
        {
            let key = (
                d["org"].as_str().unwrap().to_owned(),
                d["project"].as_str().unwrap().to_owned(),
            );
            active
                .entry(key)
                .or_default()
                .insert(d["received_on"].as_str().unwrap()[..7].to_owned());
        }
    }
    for x in rows(site, "disbursements") {
        if let Some(p) = x["project"]
            .as_str()
            .filter(|p| !p.is_empty() && x["currency"] == "CNY")
        {
            let key = (x["org"].as_str().unwrap().to_owned(), p.to_owned());
            active
                .entry(key)
                .or_default()
                .insert(x["paid_on"].as_str().unwrap()[..7].to_owned());
        }
    }
    // A closed project's page names the entry that closed it.
    let open = |org: &str, id: &str| {
        let page = std::fs::read_to_string(site.join(format!("projects/{org}/{id}.html"))).unwrap();
        !page.contains("结束条目")
    };
    let ((org, id), months) = active
        .into_iter()
        .filter(|((org, id), _)| open(org, id))
        .max_by_key(|(_, m)| m.len())
        .expect("an open project with money in or out");
    (org, id, months)
}

#[test]
fn charts_show_every_month_a_value_axis_and_labels_that_never_overlap() {
    let (_dir, site, day) = built_site();
    let server = StaticServer::start(&site);
    let (org, id, active) = busiest_project(&site);
    // The axis runs from the first month with money to the build's month (the project is
    // open), or a later month with money.
    let first = active.first().unwrap().clone();
    let last = active.last().unwrap().as_str().max(&day[..7]).to_owned();
    let want = months(&first, &last);
    assert!(want.len() >= 3, "{want:?}");
    let project = format!("projects/{org}/{id}.html");
    let home = "index.html".to_owned();
    let orgs: Vec<String> = rows(&site, "orgs")
        .iter()
        .map(|o| format!("orgs/{}.html", o["org"].as_str().unwrap()))
        .filter(|p| site.join(p).exists())
        .take(3)
        .collect();
    for lang in LANGS {
        for size in WIDTHS {
            let page = format!("{lang}{project}");
            let what = format!("{page} at {} px", size.0);
            let mut tab = open(&server, &page, size);
            let periods = tab.eval(
                "[...document.querySelectorAll('#project-months g.period')].map(g => g.dataset.period)",
            );
            let periods: Vec<String> = serde_json::from_value(periods).unwrap();
            assert_eq!(periods, want, "{what}: every month, empty ones too");
            // The value axis: its unit, and at least two labelled steps.
            let unit = tab.eval("document.querySelector('#project-months text.unit').textContent");
            let unit = unit.as_str().unwrap();
            assert!(
                ["元", "万元", "亿元", "¥", "¥ thousand", "¥ million"].contains(&unit),
                "{what}: unit {unit:?}"
            );
            assert!(lang.is_empty() == unit.contains('元'), "{what}: {unit}");
            let steps = tab.eval("document.querySelectorAll('#project-months text.value').length");
            assert!(steps.as_u64().unwrap() >= 2, "{what}");
            // The month under way is named as such.
            let note = tab.eval("(document.querySelector('#project-months .chart-note.partial') || {}).textContent || ''");
            assert!(
                note.as_str().unwrap().contains(if lang.is_empty() {
                    "尚未结束"
                } else {
                    "is not over"
                }),
                "{what}: {note}"
            );
            // The values read without hovering: the table beside or below the chart is shown.
            let shown = tab.eval(
                "(t => t.getBoundingClientRect().height > 0 && getComputedStyle(t).visibility !== 'hidden')(document.querySelector('#project-months table'))",
            );
            assert_eq!(shown, true, "{what}");
            assert_chart_text_apart(&mut tab, &what);
            assert_fits(&mut tab, &what);
            for other in orgs.iter().chain([&home]) {
                let page = format!("{lang}{other}");
                let what = format!("{page} at {} px", size.0);
                let mut tab = open(&server, &page, size);
                if tab
                    .eval("document.querySelectorAll('figure.chart').length")
                    .as_u64()
                    == Some(0)
                {
                    continue;
                }
                assert_chart_text_apart(&mut tab, &what);
                assert_fits(&mut tab, &what);
            }
        }
    }
}

#[test]
fn the_entry_viewer_sums_an_entry_up_with_links_that_resolve() {
    let (_dir, site, _) = built_site();
    let server = StaticServer::start(&site);
    let donation = rows(&site, "donations")
        .into_iter()
        .find(|d| {
            d["status"] == "live"
                && !d["project"].as_str().unwrap().is_empty()
                && d["amount"].is_string()
        })
        .unwrap();
    let org = donation["org"].as_str().unwrap();
    let seq = donation["seq"]
        .as_str()
        .map_or_else(|| donation["seq"].as_u64().unwrap(), |s| s.parse().unwrap());
    let o = rows(&site, "orgs")
        .into_iter()
        .find(|o| o["org"] == org)
        .unwrap();
    let amount = yuan(dec(&donation["amount"]));
    for lang in LANGS {
        for size in WIDTHS {
            let page = format!("{lang}entries/index.html?seq={seq}");
            let what = format!("{page} at {} px", size.0);
            let mut tab = open(&server, &page, size);
            tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
            // The organisation's name arrives with its facts file.
            let en = o["name_en"].as_str().filter(|n| !n.is_empty());
            let name = if lang.is_empty() { None } else { en }
                .or(o["name"].as_str())
                .unwrap();
            let text = tab.wait_for(&format!(
                "(p => !p.hidden && p.textContent.includes({name:?}) && p.textContent)(document.querySelector('.entry-summary'))"
            ));
            let text = text.as_str().unwrap();
            assert!(text.contains(&amount), "{what}: {text}");
            assert!(
                text.contains(donation["receipt_no"].as_str().unwrap()),
                "{what}: {text}"
            );
            assert!(
                text.contains(donation["donor_display"].as_str().unwrap()),
                "{what}: {text}"
            );
            // The summary comes before the verification and the fields.
            let above = tab.eval("document.querySelector('.entry-summary').getBoundingClientRect().top < document.querySelector('section.verify').getBoundingClientRect().top");
            assert_eq!(above, true, "{what}");
            // Links to the organisation, the project and the receipt, and each resolves.
            let links =
                tab.eval("[...document.querySelectorAll('.entry-summary a')].map(a => a.href)");
            let links: Vec<String> = serde_json::from_value(links).unwrap();
            let root = server.url(lang);
            for want in [
                format!("{root}orgs/{org}.html"),
                format!(
                    "{root}projects/{org}/{}.html",
                    donation["project"].as_str().unwrap()
                ),
                format!(
                    "{root}receipts/view.html?org={org}&no={}",
                    donation["receipt_no"].as_str().unwrap()
                ),
            ] {
                assert!(links.contains(&want), "{what}: {want} not in {links:?}");
            }
            let statuses = tab.eval(&format!(
                "Promise.all({}.map(u => fetch(u).then(r => r.status)))",
                serde_json::to_string(&links).unwrap()
            ));
            assert!(
                statuses.as_array().unwrap().iter().all(|s| s == 200),
                "{what}: {statuses}"
            );
            // Why the proof's tree is bigger than the entry's number, with the two numbers.
            let size_now = std::fs::read_to_string(site.join("log/checkpoint")).unwrap();
            let size_now = size_now.lines().nth(1).unwrap();
            let note =
                tab.eval("(d => !d.hidden && d.textContent)(document.querySelector('.tree-note'))");
            let note = note.as_str().unwrap();
            assert!(
                note.contains(size_now) && note.contains(&seq.to_string()),
                "{what}: {note}"
            );
            assert_fits(&mut tab, &what);
        }
    }
}

#[test]
fn trusts_show_term_purpose_and_property_and_lottery_sums_by_year_and_purpose() {
    let (_dir, site, _) = built_site();
    let server = StaticServer::start(&site);
    let trust = rows(&site, "trusts").into_iter().next().unwrap();
    let purposes: BTreeMap<&str, &str> = [
        ("教育", "Education"),
        ("扶老", "Care for the elderly"),
        ("助残", "Help for people with disabilities"),
    ]
    .into();
    let grants = rows(&site, "lottery_grants");
    let total: Decimal = grants
        .iter()
        .filter(|g| g["currency"] == "CNY")
        .map(|g| dec(&g["amount"]))
        .sum();
    assert!(total > Decimal::ZERO);
    for lang in LANGS {
        for size in WIDTHS {
            let page = format!("{lang}trusts/index.html");
            let what = format!("{page} at {} px", size.0);
            let mut tab = open(&server, &page, size);
            let card = tab.eval(&format!(
                "[...document.querySelectorAll('.trust-list li')].map(li => li.textContent).find(t => t.includes({:?}))",
                trust["name"].as_str().unwrap()
            ));
            let card = card
                .as_str()
                .unwrap_or_else(|| panic!("{what}: no card for {trust}"));
            let purpose = trust["purpose"].as_str().unwrap();
            let purpose = if lang.is_empty() {
                purpose
            } else {
                purposes[purpose]
            };
            assert!(card.contains(purpose), "{what}: {card}");
            assert!(
                card.contains(&yuan(dec(&trust["property"]))),
                "{what}: {card}"
            );
            for label in if lang.is_empty() {
                ["期限", "受益方"]
            } else {
                ["Term", "Recipients"]
            } {
                assert!(card.contains(label), "{what}: {card}");
            }
            assert_fits(&mut tab, &what);

            let page = format!("{lang}lottery/index.html");
            let what = format!("{page} at {} px", size.0);
            let mut tab = open(&server, &page, size);
            let sum = tab.eval("document.querySelector('table.lottery-summary tr.total td:last-child').textContent");
            assert_eq!(
                sum.as_str().unwrap(),
                yuan(total),
                "{what}: the total of every grant"
            );
            assert_fits(&mut tab, &what);
            // An issuer's uses of a grant are a plain list: the date leads, no bullet before it.
            let issuer = tab.eval("document.querySelector('main ul li a').getAttribute('href')");
            let mut tab = open(
                &server,
                &format!("{lang}lottery/{}", issuer.as_str().unwrap()),
                size,
            );
            let bullets = tab.eval("[...document.querySelectorAll('ul.uses li')].map(li => getComputedStyle(li).listStyleType)");
            let bullets = bullets.as_array().unwrap();
            assert!(
                !bullets.is_empty() && bullets.iter().all(|b| b == "none"),
                "{what}: {bullets:?}"
            );
            assert_fits(&mut tab, &what);
        }
    }
}

/// What the 404 page shows once its script ran: the header's colour (from site.css) and where
/// its links go.
const NOT_FOUND_STATE: &str = "[getComputedStyle(document.querySelector('header')).backgroundColor, [...document.querySelectorAll('a[data-to]')].map(a => a.href)]";

#[test]
fn the_static_404_page_is_styled_and_linked_at_any_depth_and_under_a_prefix() {
    let (dir, site, _) = built_site();
    let server = StaticServer::start(&site);
    // The site at the host's root, missing addresses at several depths.
    for path in [
        "nothing.html",
        "orgs/NOPE.html",
        "en/a/b/c/d/e/f.html",
        "en/receipts/X/Y.html",
    ] {
        for size in WIDTHS {
            let what = format!("{path} at {} px", size.0);
            let mut tab = open(&server, path, size);
            let state = tab.wait_for(&format!(
                "(s => s[0] === 'rgb(19, 54, 95)' && s)({NOT_FOUND_STATE})"
            ));
            let links: Vec<String> = serde_json::from_value(state[1].clone()).unwrap();
            assert!(
                links.contains(&server.url("orgs/index.html")),
                "{what}: {links:?}"
            );
            assert!(
                links.contains(&server.url("en/receipts/index.html")),
                "{what}: {links:?}"
            );
            let statuses = tab.eval(&format!(
                "Promise.all({}.map(u => fetch(u).then(r => r.status)))",
                serde_json::to_string(&links).unwrap()
            ));
            assert!(
                statuses.as_array().unwrap().iter().all(|s| s == 200),
                "{what}: {statuses}"
            );
            let first = tab.eval("document.querySelector('.not-found-langs section').lang");
            assert_eq!(
                first,
                if path.starts_with("en/") {
                    "en"
                } else {
                    "zh-CN"
                },
                "{what}"
            );
            assert_fits(&mut tab, &what);
        }
    }
    // The site under /ledger/ on a host whose own 404.html is the site's (as a project page on
    // GitHub Pages is): the page finds the site's root below the prefix.
    let host = dir.path().join("host");
    std::fs::create_dir(&host).unwrap();
    std::os::unix::fs::symlink(&site, host.join("ledger")).unwrap();
    std::fs::copy(site.join("404.html"), host.join("404.html")).unwrap();
    let server = StaticServer::start(&host);
    let mut tab = open(&server, "ledger/projects/X/Y/Z.html", (390, 844));
    let state = tab.wait_for(&format!(
        "(s => s[0] === 'rgb(19, 54, 95)' && s)({NOT_FOUND_STATE})"
    ));
    let links: Vec<String> = serde_json::from_value(state[1].clone()).unwrap();
    assert!(
        links.contains(&server.url("ledger/index.html")),
        "{links:?}"
    );
    assert!(
        links.iter().all(|l| l.starts_with(&server.url("ledger/"))),
        "{links:?}"
    );
}

#[test]
fn screenshots_of_a_chart_an_entry_trusts_lottery_and_the_404() {
    let (_dir, site, _) = built_site();
    let server = StaticServer::start(&site);
    let (org, id, _) = busiest_project(&site);
    let seq = rows(&site, "donations")[0]["seq"]
        .to_string()
        .trim_matches('"')
        .to_owned();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-pages-screenshots");
    for (name, page) in [
        ("project", format!("projects/{org}/{id}.html")),
        ("org", format!("orgs/{org}.html")),
        ("entry", format!("entries/index.html?seq={seq}")),
        ("trusts", "trusts/index.html".to_owned()),
        ("lottery", "lottery/index.html".to_owned()),
        ("404", "no/such/page.html".to_owned()),
    ] {
        for lang in LANGS {
            for (w, h) in WIDTHS {
                let png = out.join(format!(
                    "{name}-{}{w}.png",
                    if lang.is_empty() { "zh-" } else { "en-" }
                ));
                let mut tab = open(&server, &format!("{lang}{page}"), (w, h));
                if name == "entry" {
                    tab.wait_for("!document.querySelector('.entry-summary').hidden");
                }
                if name == "404" {
                    tab.wait_for("!!window.sunshineRoot");
                }
                tab.screenshot_full(&png);
                assert_eq!(png_size(&png).0, w, "{}", png.display());
            }
        }
    }
}
