//! The real static export (`sunshine site build`) in headless Chromium: the receipt viewer and
//! the entry viewer verify in the browser against the published log, in both languages; a single
//! flipped byte of a served entry bundle makes the entry viewer refuse (and show nothing of the
//! entry), and a receipt shard pointing at another entry fails the check. Full-page screenshots
//! of the home, an organisation, a receipt and an entry at desktop and phone widths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::browser::{Page, StaticServer, png_size, render_dom};

/// A demo ledger with its static site built by the binary, as a user would.
fn built_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| common::run_in(dir.path(), args);
    run(&["demo", "--seed", "1", "--scale", "150"]);
    let site = dir.path().join("site");
    run(&["site", "build", "--out", site.to_str().unwrap()]);
    (dir, site)
}

/// The `data-state` of the page's verification widget, after its script ran.
fn verdict(dom: &str) -> &str {
    let section = dom
        .find(r#"<section class="verify""#)
        .unwrap_or_else(|| panic!("no verification widget in {dom:.2000}"));
    let tag = &dom[section..section + dom[section..].find('>').unwrap()];
    let state = tag
        .split(r#"data-state=""#)
        .nth(1)
        .unwrap_or_else(|| panic!("the verifier did not run: {tag}"));
    &state[..state.find('"').unwrap()]
}

/// A receipt of the export, as a link to the receipt viewer relative to the site root: one
/// whose money was spent, so its trace has rows.
fn a_receipt(site: &Path) -> String {
    let mut fallback = None;
    let mut orgs: Vec<PathBuf> = std::fs::read_dir(site.join("data/org"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    orgs.sort();
    for org in orgs {
        let name = org.file_name().unwrap().to_str().unwrap().to_owned();
        let mut shards: Vec<PathBuf> = std::fs::read_dir(&org)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_str().unwrap().contains("receipts-"))
            .collect();
        shards.sort();
        for shard in shards {
            let receipts: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&shard).unwrap()).unwrap();
            for (no, r) in receipts.as_object().unwrap() {
                let link = format!("receipts/view.html?org={name}&no={no}");
                if r["trace"]["spent"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty())
                {
                    return link;
                }
                fallback.get_or_insert(link);
            }
        }
    }
    fallback.expect("the export has no receipt")
}

/// Whether the entry viewer rendered entry `seq` (it shows nothing it has not verified).
fn shows_entry(dom: &str, seq: u64) -> bool {
    dom.contains(&format!(r#"<dd data-field="seq">{seq}</dd>"#))
        && !dom.contains(r#"class="entry-view" hidden"#)
}

/// The checkpoint's tree size, from `log/checkpoint` (origin, size, root).
fn tree_size(site: &Path) -> u64 {
    let note = std::fs::read_to_string(site.join("log/checkpoint")).unwrap();
    note.lines().nth(1).unwrap().parse().unwrap()
}

#[test]
fn receipts_and_the_entry_viewer_verify_in_the_browser_and_a_flipped_bundle_byte_is_refused() {
    let (_dir, site) = built_site();
    let size = tree_size(&site);
    let last = size - 1;
    let server = StaticServer::start(&site);

    let receipt = a_receipt(&site);
    for page in [receipt.clone(), format!("en/{receipt}")] {
        let dom = render_dom(&server.url(&page));
        assert_eq!(verdict(&dom), "verified", "{page}: {dom:.3000}");
        assert!(
            dom.contains(r#"<dd class="hash" data-field="receipt-no">"#),
            "{dom:.3000}"
        );
        assert!(
            !dom.contains(r#"class="receipt-view" hidden"#),
            "{page} shown"
        );
        assert!(
            dom.contains(r#"<ol class="trail""#) && dom.contains(r#"<p class="trail-purpose">"#),
            "{page}: the trace has rows"
        );
    }
    for (page, seq) in [
        ("entries/index.html?seq=1".to_owned(), 1),
        (format!("entries/index.html?seq={last}"), last),
        (format!("en/entries/index.html?seq={last}"), last),
    ] {
        let dom = render_dom(&server.url(&page));
        assert_eq!(verdict(&dom), "verified", "{page}: {dom:.3000}");
        assert!(shows_entry(&dom, seq), "{page}: {dom:.5000}");
    }
    // The genesis entry names its regulators; an organisation's entry its organisation, linked.
    let dom = render_dom(&server.url("en/entries/index.html?seq=1"));
    assert!(
        dom.contains(r#"<dd data-field="author">Regulator "#),
        "{dom:.5000}"
    );

    // A donation's fields read in the page's language: named, money as money, the date as a
    // date, words for wire values, and a link to its receipt and organisation.
    let (org, no, record) = a_donation(&site);
    let row = &record["row"];
    let seq = row["seq"].as_u64().unwrap();
    let amount = row["amount"].as_str().unwrap();
    let (yuan, fen) = amount.split_once('.').unwrap();
    let yuan = yuan
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|c| std::str::from_utf8(c).unwrap());
    let shown = format!("¥{}.{fen}", yuan.collect::<Vec<_>>().join(","));
    for (lang, amount_label, form, form_label) in [
        ("", "金额", "cash", "现金"),
        ("en/", "Amount", "cash", "Cash"),
    ] {
        let dom = render_dom(&server.url(&format!("{lang}entries/index.html?seq={seq}")));
        assert_eq!(verdict(&dom), "verified", "{dom:.3000}");
        assert!(shows_entry(&dom, seq));
        let dom = &dom[dom.find(r#"data-field="body""#).unwrap()..];
        assert!(
            dom.contains(&format!("<dt>{amount_label} <code>amount</code></dt>")),
            "{dom:.4000}"
        );
        assert!(
            dom.contains(&format!(r#"<dd data-body="amount">{shown}</dd>"#)),
            "{shown}: {dom:.4000}"
        );
        if row["form"] == form {
            assert!(
                dom.contains(&format!(r#"<dd data-body="form">{form_label}</dd>"#)),
                "{dom:.4000}"
            );
        }
        // Links are relative: up from entries/ (and en/) to the root, then into the language.
        let root = if lang.is_empty() { "../" } else { "../../" };
        assert!(
            dom.contains(&format!(
                r#"<dd data-body="receipt_no"><a href="{root}{lang}receipts/view.html?org={org}&amp;no={no}">{no}</a></dd>"#
            )),
            "{dom:.4000}"
        );
        let received = row["received_on"].as_str().unwrap();
        assert!(
            !dom.contains(&format!(r#"<dd data-body="received_on">{received}</dd>"#)),
            "the date reads in the page's language: {dom:.4000}"
        );
    }

    // Flip one byte of the last entry's leaf: the final byte of the right-edge bundle.
    let width = size % 256;
    let bundle = if width == 0 {
        format!("log/tile/entries/{:03}", last / 256)
    } else {
        format!("log/tile/entries/{:03}.p/{width}", last / 256)
    };
    let path = site.join(&bundle);
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{bundle}: {e}"));
    *bytes.last_mut().unwrap() ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    for lang in ["", "en/"] {
        let dom = render_dom(&server.url(&format!("{lang}entries/index.html?seq={last}")));
        assert_eq!(verdict(&dom), "failed", "{dom:.3000}");
        assert!(!shows_entry(&dom, last), "the tampered entry is not shown");
        assert!(dom.contains(r#"class="entry-view" hidden"#));
        assert!(
            dom.contains("验证失败") || dom.contains("Verification failed"),
            "{dom:.3000}"
        );
    }
    // Entries in full bundles are untouched and still verify.
    if size > 256 {
        let dom = render_dom(&server.url("entries/index.html?seq=1"));
        assert_eq!(verdict(&dom), "verified");
    }

    // Flip one byte of a hash tile: entry 0's leaf hash, in the first level-0 tile, which entry
    // 1's inclusion proof takes as its sibling. The bundle holding entry 1 is intact, so the
    // viewer gets as far as the proof, and refuses there.
    let tile = if size >= 256 {
        "log/tile/0/000".to_owned()
    } else {
        format!("log/tile/0/000.p/{size}")
    };
    let path = site.join(&tile);
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{tile}: {e}"));
    bytes[7] ^= 0x80;
    std::fs::write(&path, bytes).unwrap();
    for lang in ["", "en/"] {
        let dom = render_dom(&server.url(&format!("{lang}entries/index.html?seq=1")));
        assert_eq!(verdict(&dom), "failed", "{dom:.3000}");
        assert!(
            dom.contains(r#"data-failed-step="inclusion""#),
            "{dom:.3000}"
        );
        assert!(!shows_entry(&dom, 1), "the unproven entry is not shown");
    }
}

/// The donation [`a_receipt`] picks: (org, receipt number, its shard record: row, trace and
/// leaf hash).
fn a_donation(site: &Path) -> (String, String, serde_json::Value) {
    let receipt = a_receipt(site);
    let (org, no) = receipt_of(&receipt);
    for shard in std::fs::read_dir(site.join(format!("data/org/{org}"))).unwrap() {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(shard.unwrap().path()).unwrap()).unwrap();
        if let Some(r) = v.get(&no) {
            return (org, no, r.clone());
        }
    }
    panic!("{receipt} is in no shard")
}

/// The organisation and receipt number of a receipt viewer link.
fn receipt_of(link: &str) -> (String, String) {
    let q = link.split_once('?').unwrap().1;
    let mut parts = q.split('&').map(|kv| kv.split_once('=').unwrap().1);
    (
        parts.next().unwrap().to_owned(),
        parts.next().unwrap().to_owned(),
    )
}

/// A link to the lookup page, `receipts/?org=..&receipt=..` (issue 16), lands on the receipt,
/// which verifies, on a static host; an unknown receipt number gets an answer in the page's
/// language.
#[test]
fn a_lookup_link_lands_on_the_receipt_on_a_static_host() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let (org, no) = receipt_of(&a_receipt(&site));
    for lang in ["", "en/"] {
        let link = format!("{lang}receipts/?org={org}&receipt={no}");
        let mut tab = Page::open(&server.url(&link), 1280, 900);
        tab.wait_for("location.pathname.endsWith('/receipts/view.html')");
        tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
        let shown = tab.eval("document.querySelector('[data-field=\"receipt-no\"]').textContent");
        assert_eq!(shown, serde_json::json!(no), "{link}");
        let lang_attr = tab.eval("document.documentElement.lang");
        assert_eq!(
            lang_attr,
            if lang.is_empty() { "zh-CN" } else { "en" },
            "{link}"
        );
    }
    // Typed in lower case, the number still finds the receipt, and the address says it as issued.
    let mut tab = Page::open(
        &server.url(&format!(
            "receipts/?org={}&receipt={}",
            org.to_lowercase(),
            no.to_lowercase()
        )),
        390,
        844,
    );
    tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
    let search = tab.eval("location.search");
    assert_eq!(search, serde_json::json!(format!("?org={org}&no={no}")));
    // Nothing matches: a page in the reader's language saying what was asked and what to do.
    for (lang, heading, hint) in [
        (
            "en/",
            "We could not find this receipt",
            "Check the number against your paper",
        ),
        ("", "没有找到这张收据", "请对照纸质或电子收据核对收据号"),
    ] {
        let mut tab = Page::open(
            &server.url(&format!(
                "{lang}receipts/?org={org}&receipt=NO-SUCH-RECEIPT"
            )),
            390,
            844,
        );
        tab.set_viewport(390, 844, true);
        tab.wait_for("location.pathname.endsWith('/receipts/view.html')");
        let text = tab.wait_for(
            "(s => !s.hidden && s.textContent)(document.querySelector('section.not-found'))",
        );
        let text = text.as_str().unwrap();
        assert!(text.contains(heading) && text.contains(hint), "{text}");
        assert!(
            text.contains("NO-SUCH-RECEIPT") && text.contains(&org),
            "{text}"
        );
        assert_eq!(
            tab.eval("document.querySelector('.receipt-view').hidden"),
            true
        );
        assert!(
            tab.eval("document.title")
                .as_str()
                .unwrap()
                .starts_with(heading)
        );
        let widths = tab
            .eval("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        assert!(widths[0].as_u64() <= widths[1].as_u64(), "{lang}: {widths}");
    }
}

/// A donor on a phone reads the gift, then where the money went (date, purpose, project, payee,
/// amount) within the first screen, then the check, which says exactly what was checked
/// against what; at a desktop's width too, and no wider than the screen.
#[test]
fn the_money_trail_comes_first_on_a_phone_and_the_check_says_what_it_checked() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let receipt = a_receipt(&site);
    let (_, _, record) = a_donation(&site);
    let first = &record["trace"]["spent"][0];
    let detail = &record["spends"][first["seq"].as_u64().unwrap().to_string()];
    let purpose = detail["purpose"].as_str().unwrap();
    assert!(!purpose.is_empty(), "{record}");
    for (lang, checked) in [("", "取自本网站"), ("en/", "came from this website")] {
        for (w, h) in [(390, 844), (1280, 900)] {
            let page = format!("{lang}{receipt}");
            let mut tab = Page::open(&server.url(&page), w, h);
            tab.set_viewport(w, h, w < 500);
            tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
            let top = |tab: &mut Page, sel: &str| {
                tab.eval(&format!(
                    "document.querySelector('{sel}').getBoundingClientRect().top + scrollY"
                ))
                .as_f64()
                .unwrap()
            };
            let (gift, trail, check) = (
                top(&mut tab, "dl.gift"),
                top(&mut tab, "section.trail"),
                top(&mut tab, "section.check"),
            );
            assert!(
                gift < trail && trail < check,
                "{page} at {w}: {gift} {trail} {check}"
            );
            let item_bottom = tab
                .eval("document.querySelector('ol.trail li').getBoundingClientRect().bottom + scrollY")
                .as_f64()
                .unwrap();
            assert!(
                item_bottom <= f64::from(h),
                "{page} at {w} px: the first payment ends at {item_bottom} px, below the first screen"
            );
            let item = tab.eval("document.querySelector('ol.trail li').textContent");
            let item = item.as_str().unwrap();
            assert!(item.contains(purpose), "{item}");
            if let Some(payee) = detail["payee"].as_str() {
                assert!(item.contains(payee), "{item}");
            }
            if let Some(title) = detail["title"].as_str() {
                let title = if lang.is_empty() {
                    title
                } else {
                    detail["title_en"].as_str().unwrap_or(title)
                };
                assert!(item.contains(title), "{item}");
            }
            let status = tab.eval("document.querySelector('.verify-status').textContent");
            assert!(status.as_str().unwrap().contains(checked), "{status}");
            let widths = tab.eval(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]",
            );
            assert!(
                widths[0].as_u64() <= widths[1].as_u64(),
                "{page} at {w}: {widths}"
            );
        }
    }
}

#[test]
fn a_receipt_shard_pointing_at_another_entry_fails_the_check() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let receipt = a_receipt(&site);
    let (org, no) = receipt_of(&receipt);
    // Point this receipt at entry 1 (the first organisation's registration), with entry 1's
    // true leaf hash: it is in the log, but it is not this donation.
    for shard in std::fs::read_dir(site.join(format!("data/org/{org}"))).unwrap() {
        let shard = shard.unwrap().path();
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&shard).unwrap()).unwrap();
        if let Some(r) = v.get_mut(&no) {
            let verified = render_dom(&server.url("entries/index.html?seq=1"));
            let at = verified.find(r#"data-field="leaf-hash">"#).unwrap() + 23;
            r["row"]["seq"] = 1.into();
            r["leaf_hash"] = verified[at..at + 64].into();
            std::fs::write(&shard, serde_json::to_vec(&v).unwrap()).unwrap();
        }
    }
    let dom = render_dom(&server.url(&receipt));
    assert_eq!(verdict(&dom), "failed", "{dom:.3000}");
    assert!(dom.contains(r#"data-failed-step="claim""#), "{dom:.3000}");
}

/// At a phone's width, nothing on a page runs past the screen (wide tables scroll inside their
/// own box): the verification widget's 64-character hashes must wrap, once verified, and the
/// receipt lookup's list of organisations must shrink to fit.
#[test]
fn pages_fit_a_phone_width() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let receipt = a_receipt(&site);
    // The donation's entry, and a disbursement its money paid for (a list of evidence hashes).
    let (_, _, record) = a_donation(&site);
    let donation = record["row"]["seq"].as_u64().unwrap();
    let spent = record["trace"]["spent"][0]["seq"].as_u64().unwrap();
    for (page, verifies) in [
        (format!("en/{receipt}"), true),
        (receipt, true),
        ("en/entries/index.html?seq=1".to_owned(), true),
        ("entries/index.html?seq=2".to_owned(), true),
        (format!("entries/index.html?seq={donation}"), true),
        (format!("en/entries/index.html?seq={spent}"), true),
        ("receipts/index.html".to_owned(), false),
        ("en/receipts/index.html".to_owned(), false),
        ("index.html".to_owned(), false),
    ] {
        let mut tab = Page::open(&server.url(&page), 390, 844);
        tab.set_viewport(390, 844, true);
        if verifies {
            tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
            // The viewer shows the entry once verified, after the signer's name arrives.
            tab.wait_for(
                "[...document.querySelectorAll('.entry-view, .receipt-view')].every(v => !v.hidden)",
            );
        }
        let widths = tab
            .eval("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        assert!(
            widths[0].as_u64().unwrap() <= widths[1].as_u64().unwrap(),
            "{page} is {} px wide in a {} px screen",
            widths[0],
            widths[1]
        );
    }
}

#[test]
fn screenshots_of_home_organisation_receipt_and_entry_at_desktop_and_phone_widths() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let org = std::fs::read_dir(site.join("orgs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|name| name.len() == "91350100M000100Y43.html".len() && name.ends_with(".html"))
        .expect("an organisation page");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-screenshots");
    let receipt = a_receipt(&site);
    let last = tree_size(&site) - 1;
    for (name, page) in [
        ("home", "index.html".to_owned()),
        ("org", format!("orgs/{org}")),
        ("receipt", receipt.clone()),
        ("receipt-en", format!("en/{receipt}")),
        ("entry", format!("entries/index.html?seq={last}")),
        ("entry-en", format!("en/entries/index.html?seq={last}")),
    ] {
        for (width, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
            let png = out.join(format!("{name}-{width}.png"));
            let mut tab = Page::open(&server.url(&page), w, h);
            tab.set_viewport(w, h, w < 500);
            tab.wait_for("document.readyState === 'complete'");
            if name.starts_with("receipt") || name.starts_with("entry") {
                tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
            }
            tab.screenshot_full(&png);
            assert_eq!(png_size(&png).0, w, "{}", png.display());
        }
    }
}

/// Issue 14: a gift in the goods ledger shows its goods by quantity, not a money trail. The
/// demo's first foundation got 1,000 bags of rice worth 33,333.33 (`WZ2026-0002`): 300 went out
/// on 1 June, worth 33,333.33 × 300 / 1,000 = 9,999.999, so ¥10,000.00, and the other 700 on
/// 1 July, worth the rest, ¥23,333.33; none are left.
#[test]
fn a_goods_gift_shows_where_its_goods_went_by_quantity() {
    let (dir, site) = built_site();
    let server = StaticServer::start(&site);
    let index = std::fs::read_to_string(dir.path().join("keys/demo/orgs.tsv")).unwrap();
    let org = index.lines().nth(1).unwrap().split('\t').nth(1).unwrap();
    for lang in ["", "en/"] {
        let page = format!("{lang}receipts/view.html?org={org}&no=WZ2026-0002");
        let mut tab = Page::open(&server.url(&page), 1280, 900);
        tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
        let trail = tab.eval("document.querySelector('section.trail').textContent");
        let trail = trail.as_str().unwrap();
        let items = tab.eval(
            "[...document.querySelectorAll('ol.trail.goods li')].map((li) => li.textContent)",
        );
        let items: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(items.len(), 2, "{page}: {trail}");
        assert!(
            items[0].contains("300 袋") && items[0].contains("¥10,000.00"),
            "{page}: {}",
            items[0]
        );
        assert!(items[0].contains("洪灾受灾群众口粮发放"), "{}", items[0]);
        assert!(items[0].contains("清远市某镇受灾群众"), "{}", items[0]);
        assert!(
            items[1].contains("700 袋") && items[1].contains("¥23,333.33"),
            "{page}: {}",
            items[1]
        );
        let left = tab.eval(
            "document.querySelector('section.trail ul.cards li:nth-child(2) .figure').textContent",
        );
        assert_eq!(left.as_str(), Some("0 袋 · ¥0.00"), "nothing left: {trail}");
        let amount = tab.eval("document.querySelector('[data-field=\"amount\"]').textContent");
        assert!(
            amount.as_str().unwrap().contains("1000 袋"),
            "{page}: {amount}"
        );
    }
}
