//! The real static export (`sunshine site build`) in headless Chromium: the receipt and entry
//! pages verify themselves in the browser against the published log, in both languages, and a
//! single flipped byte of a served entry bundle turns the verdict into a failure. Screenshots of
//! the home, an organisation and a receipt page at desktop and phone widths.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::bin;
use common::browser::{Page, StaticServer, png_size, render_dom, screenshot};

/// A demo ledger with its static site built by the binary, as a user would.
fn built_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(bin())
            .args(["--db", dir.path().join("ledger.db").to_str().unwrap()])
            .args(["--keys", dir.path().join("keys").to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
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

/// One receipt page of the export, relative to the site root.
fn a_receipt(site: &Path) -> String {
    for org in std::fs::read_dir(site.join("receipts")).unwrap() {
        let org = org.unwrap().path();
        if org.is_dir() {
            let mut pages: Vec<PathBuf> = std::fs::read_dir(&org)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            pages.sort();
            if let Some(page) = pages.first() {
                return page
                    .strip_prefix(site)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned();
            }
        }
    }
    panic!("the export has no receipt page");
}

/// The checkpoint's tree size, from `log/checkpoint` (origin, size, root).
fn tree_size(site: &Path) -> u64 {
    let note = std::fs::read_to_string(site.join("log/checkpoint")).unwrap();
    note.lines().nth(1).unwrap().parse().unwrap()
}

#[test]
fn receipt_and_entry_pages_verify_in_the_browser_and_a_flipped_bundle_byte_fails() {
    let (_dir, site) = built_site();
    let size = tree_size(&site);
    let last = size - 1;
    let server = StaticServer::start(&site);

    let receipt = a_receipt(&site);
    for page in [
        receipt.clone(),
        format!("en/{receipt}"),
        "entries/1.html".to_owned(),
        format!("entries/{last}.html"),
        format!("en/entries/{last}.html"),
    ] {
        assert!(site.join(&page).exists(), "{page} is not in the export");
        let dom = render_dom(&server.url(&page));
        assert_eq!(verdict(&dom), "verified", "{page}: {dom:.3000}");
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
    let dom = render_dom(&server.url(&format!("entries/{last}.html")));
    assert_eq!(verdict(&dom), "failed", "{dom:.3000}");
    // Entries in full bundles are untouched and still verify.
    if size > 256 {
        let dom = render_dom(&server.url("entries/1.html"));
        assert_eq!(verdict(&dom), "verified");
    }
}

/// At a phone's width, nothing on a page runs past the screen (wide tables scroll inside their
/// own box): the verification widget's 64-character hashes must wrap, once verified, and the
/// receipt lookup's list of organisations must shrink to fit.
#[test]
fn pages_fit_a_phone_width() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let receipt = a_receipt(&site);
    for (page, verifies) in [
        (format!("en/{receipt}"), true),
        (receipt, true),
        ("en/entries/1.html".to_owned(), true),
        ("receipts/index.html".to_owned(), false),
        ("en/receipts/index.html".to_owned(), false),
        ("index.html".to_owned(), false),
    ] {
        let mut tab = Page::open(&server.url(&page), 390, 844);
        // Headless windows have a minimum width; the phone's viewport is set explicitly.
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
        );
        if verifies {
            tab.wait_for("document.querySelector('.verify').dataset.state === 'verified'");
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
fn screenshots_of_home_organisation_and_receipt_at_desktop_and_phone_widths() {
    let (_dir, site) = built_site();
    let server = StaticServer::start(&site);
    let org = std::fs::read_dir(site.join("orgs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|name| name.len() == "91350100M000100Y43.html".len() && name.ends_with(".html"))
        .expect("an organisation page");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("site-screenshots");
    for (name, page) in [
        ("home", "index.html".to_owned()),
        ("org", format!("orgs/{org}")),
        ("receipt", a_receipt(&site)),
    ] {
        for (width, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
            let png = out.join(format!("{name}-{width}.png"));
            screenshot(&server.url(&page), w, h, &png);
            assert_eq!(png_size(&png), (w, h), "{}", png.display());
        }
    }
}
