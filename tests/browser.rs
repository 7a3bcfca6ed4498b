//! The in-browser verifier (`public/verify.js`) in headless Chromium, against a real static
//! export served from loopback with the site's Content-Security-Policy.
//!
//! One ledger of 300 entries is built and exported once (full entry bundle and hash tile 0,
//! right-edge partials `.p/44`); fixture pages follow the markup contract of the disclosure
//! site. What the browser reports is checked against the crate's own proof code, then single
//! bytes of the served bundle, checkpoint signature and hash tiles are flipped and the verifier
//! must name the step that failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use common::TestLedger;
use common::browser::{Page, StaticServer, png_size, render_dom, screenshot};
use indicatif::ProgressBar;
use serde_json::json;
use sha2::{Digest, Sha256};
use sunshine_ledger::ledger::merkle::{self, MemoryNodes};
use sunshine_ledger::ledger::note::{self, Checkpoint};
use sunshine_ledger::ledger::tiles::{self, TileKind};
use sunshine_ledger::ledger::{Author, Kind, SecretKey, Timestamp, hash::leaf_hash};
use sunshine_ledger::publish::proofs;

/// Entries in the test log: one full tile (0..256) and a partial one of 44.
const LOG_SIZE: u64 = 300;
/// The donation whose receipt page is checked (in the full tile).
const RECEIPT_SEQ: u64 = 2;
/// An entry in the middle of the right-edge partial tile.
const EDGE_SEQ: u64 = 280;
/// The English page's entry (full tile, no leaf hash claimed by the page).
const EN_SEQ: u64 = 131;
/// A page that claims the wrong leaf hash for this entry.
const WRONG_CLAIM_SEQ: u64 = 3;
/// The donor's receipt secret; the donation commits to its SHA-256.
const SECRET: [u8; 32] = [0x5a; 32];

/// What Rust computes for one entry, to hold the browser's figures against.
struct Expected {
    leaf_hash: String,
}

/// The exported site, built once for every test in this file.
struct Site {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    root: String,
    expected: std::collections::BTreeMap<u64, Expected>,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(build_site())
    })
}

async fn build_site() -> Site {
    let t = TestLedger::new().await;
    let today = &Timestamp::now().to_string()[..10];
    let donation = common::sub(
        Kind::Donation,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"receipt_no": "R-0001", "received_on": today, "form": "cash", "amount": "1000.00",
               "currency": "CNY", "donor_type": "individual", "donor_display": "张*",
               "receipt": "issued", "commitment": hex::encode(Sha256::digest(SECRET))}),
    );
    let appended = t.service.append(vec![donation]).await.unwrap();
    assert_eq!(appended[0].seq, RECEIPT_SEQ);
    t.fill(LOG_SIZE - 3, 100).await;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    let report = sunshine_ledger::publish::export::export(t.store(), &dir, &ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(report.size, LOG_SIZE);
    let vkey = std::fs::read_to_string(dir.join("log/operator.vkey"))
        .unwrap()
        .trim_end()
        .to_owned();
    let note = std::fs::read_to_string(dir.join("log/checkpoint")).unwrap();
    let root = Checkpoint::verify(&note, &vkey).unwrap().root.to_hex();

    // The crate's own proof code for every entry a page names: the proof must verify against
    // the exported checkpoint, and its leaf hash must be the hash of the stored bytes.
    let mut expected = std::collections::BTreeMap::new();
    for seq in [RECEIPT_SEQ, EDGE_SEQ, EN_SEQ, WRONG_CLAIM_SEQ] {
        let p = proofs::inclusion(t.store(), seq, None).await.unwrap();
        p.verify(&vkey).unwrap();
        assert_eq!((p.size, p.checkpoint.as_str()), (LOG_SIZE, note.as_str()));
        assert_eq!(leaf_hash(p.leaf.as_bytes()), p.leaf_hash);
        expected.insert(
            seq,
            Expected {
                leaf_hash: p.leaf_hash.to_hex(),
            },
        );
    }

    install_script(&dir);
    let claim = |seq: u64| Some(expected[&seq].leaf_hash.clone());
    let secret_hash = hex::encode(Sha256::digest(SECRET));
    let pages = [
        (
            "entry/2",
            "zh-CN",
            RECEIPT_SEQ,
            claim(RECEIPT_SEQ),
            Some(secret_hash),
        ),
        ("entry/280", "zh-CN", EDGE_SEQ, claim(EDGE_SEQ), None),
        ("en/entry/131", "en", EN_SEQ, None, None),
        (
            "entry/3",
            "zh-CN",
            WRONG_CLAIM_SEQ,
            claim(RECEIPT_SEQ),
            None,
        ),
    ];
    for (path, lang, seq, leaf, secret) in pages {
        let depth = path.split('/').count();
        let html = fixture_page(lang, &"../".repeat(depth), seq, &vkey, leaf, secret);
        std::fs::create_dir_all(dir.join(path)).unwrap();
        std::fs::write(dir.join(path).join("index.html"), html).unwrap();
    }
    Site {
        _tmp: tmp,
        dir,
        root,
        expected,
    }
}

/// Copies `public/verify.js` to `site/static/verify.js`, where pages load it from.
fn install_script(site: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/verify.js");
    std::fs::create_dir_all(site.join("static")).unwrap();
    std::fs::copy(script, site.join("static/verify.js")).unwrap();
}

/// A page in the shape the site's pages emit (the markup contract of issue #5), plus one inline
/// script that the Content-Security-Policy must stop.
fn fixture_page(
    lang: &str,
    root: &str,
    seq: u64,
    vkey: &str,
    leaf_hash: Option<String>,
    secret_hash: Option<String>,
) -> String {
    let form = secret_hash
        .map(|h| {
            format!(
                r#"<form class="receipt-secret" data-secret-hash="{h}"><label>Secret <input name="secret"></label><button>Check</button><output></output></form>"#
            )
        })
        .unwrap_or_default();
    let section = verify_section(root, seq, vkey, leaf_hash.as_deref());
    format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Entry {seq}</title>
<script src="{root}static/verify.js" defer></script>
<script>document.documentElement.dataset.inline = "ran";</script>
</head><body><main>
{section}
{form}
</main></body></html>
"#
    )
}

/// One verification widget: `<section class="verify" ...>` as the contract spells it.
fn verify_section(root: &str, seq: u64, vkey: &str, leaf_hash: Option<&str>) -> String {
    let leaf = leaf_hash
        .map(|h| format!(r#" data-leaf-hash="{h}""#))
        .unwrap_or_default();
    format!(
        r#"<section class="verify" data-seq="{seq}" data-log="{root}log/" data-vkey="{vkey}"{leaf} aria-labelledby="verify-h-{seq}">
<h2 id="verify-h-{seq}">Verify</h2>
<p class="verify-status" role="status" aria-live="polite">Verify offline with sunshine audit.</p>
</section>"#
    )
}

/// The verification widget as the browser left it.
#[derive(Debug)]
struct Widget {
    state: String,
    failed_step: Option<String>,
    status: String,
    dom: String,
}

impl Widget {
    fn field(&self, name: &str) -> Option<String> {
        let open = format!(r#"<dd data-field="{name}">"#);
        let start = self.dom.find(&open)? + open.len();
        let len = self.dom[start..].find("</dd>")?;
        Some(self.dom[start..start + len].to_owned())
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(r#" {name}=""#);
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_owned())
}

fn load(server: &StaticServer, page: &str) -> Widget {
    let dom = render_dom(&server.url(page));
    assert!(
        !dom.contains(r#"data-inline="ran""#),
        "the inline script ran: the Content-Security-Policy is not in force"
    );
    let start = dom
        .find(r#"<section class="verify""#)
        .expect("page has a verify section");
    let tag = &dom[start..start + dom[start..].find('>').unwrap()];
    let status_at = dom.find(r#"class="verify-status""#).unwrap();
    let text_at = status_at + dom[status_at..].find('>').unwrap() + 1;
    let status = &dom[text_at..text_at + dom[text_at..].find("</p>").unwrap()];
    Widget {
        state: attr(tag, "data-state").unwrap_or_default(),
        failed_step: attr(tag, "data-failed-step"),
        status: status.to_owned(),
        dom: dom.clone(),
    }
}

fn assert_verified(w: &Widget, seq: u64, prefix: &str) {
    let site = site();
    assert_eq!(w.state, "verified", "{w:#?}");
    assert_eq!(w.failed_step, None);
    assert!(w.status.starts_with(prefix), "{}", w.status);
    assert!(w.status.contains(&LOG_SIZE.to_string()), "{}", w.status);
    assert!(w.status.contains(&site.root), "{}", w.status);
    // The browser's figures are the crate's: leaf hash of the stored bytes, signed root, size.
    assert_eq!(w.field("leaf-hash").unwrap(), site.expected[&seq].leaf_hash);
    assert_eq!(w.field("root").unwrap(), site.root);
    assert_eq!(w.field("tree-size").unwrap(), LOG_SIZE.to_string());
    assert_eq!(w.field("origin").unwrap(), common::ORIGIN);
}

fn assert_failed(w: &Widget, step: &str, message: &str) {
    assert_eq!(w.state, "failed", "{w:#?}");
    assert_eq!(w.failed_step.as_deref(), Some(step), "{w:#?}");
    assert!(w.status.starts_with(message), "{}", w.status);
}

#[test]
fn receipt_and_entries_verify_in_the_browser() {
    let site = site();
    let server = StaticServer::start(&site.dir);
    assert_verified(&load(&server, "entry/2/"), RECEIPT_SEQ, "已验证：");
    assert_verified(&load(&server, "entry/280/"), EDGE_SEQ, "已验证：");
    assert_verified(&load(&server, "en/entry/131/"), EN_SEQ, "Verified: ");
}

#[test]
fn a_page_claiming_another_leaf_hash_fails() {
    let server = StaticServer::start(&site().dir);
    let w = load(&server, "entry/3/");
    assert_failed(&w, "leaf-hash", "验证失败：叶哈希");
    // What the log really holds is still shown, so a reader can compare.
    assert_eq!(
        w.field("leaf-hash").unwrap(),
        site().expected[&WRONG_CLAIM_SEQ].leaf_hash
    );
}

/// A copy of the site whose served files the test may damage.
fn damaged_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&site().dir, tmp.path());
    tmp
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Flips the low bit of byte `at` of `file`; returns the original contents to restore.
fn flip(file: &Path, at: usize) -> Vec<u8> {
    let original = std::fs::read(file).unwrap();
    let mut bytes = original.clone();
    bytes[at] ^= 1;
    std::fs::write(file, bytes).unwrap();
    original
}

/// Offset of a byte inside entry `i`'s leaf bytes in an entry bundle.
fn offset_in_bundle(bundle: &Path, i: usize) -> usize {
    let bytes = std::fs::read(bundle).unwrap();
    let mut at = 0;
    for _ in 0..i {
        at += 2 + usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
    }
    at + 2 + 10
}

#[test]
fn one_flipped_byte_of_a_served_entry_bundle_fails() {
    let copy = damaged_copy();
    let server = StaticServer::start(copy.path());
    // In the right-edge partial bundle, on a page that claims the leaf hash.
    let bundle = copy.path().join("log/tile/entries/001.p/44");
    let original = flip(
        &bundle,
        offset_in_bundle(&bundle, (EDGE_SEQ - 256) as usize),
    );
    assert_failed(
        &load(&server, "entry/280/"),
        "leaf-hash",
        "验证失败：叶哈希",
    );
    std::fs::write(&bundle, original).unwrap();

    // In a full bundle, on a page that claims nothing: the Merkle proof catches it.
    let bundle = copy.path().join("log/tile/entries/000");
    flip(&bundle, offset_in_bundle(&bundle, EN_SEQ as usize));
    assert_failed(
        &load(&server, "en/entry/131/"),
        "inclusion",
        "Verification failed: inclusion proof",
    );
}

#[test]
fn one_flipped_byte_of_the_checkpoint_signature_fails() {
    let copy = damaged_copy();
    let server = StaticServer::start(copy.path());
    let path = copy.path().join("log/checkpoint");
    let note = std::fs::read_to_string(&path).unwrap();
    let (head, sig_b64) = note.trim_end().rsplit_once(' ').unwrap();
    let mut sig = B64.decode(sig_b64).unwrap();
    sig[4 + 10] ^= 1; // after the 4-byte key id: the Ed25519 signature itself
    std::fs::write(&path, format!("{head} {}\n", B64.encode(sig))).unwrap();
    let w = load(&server, "entry/2/");
    assert_failed(&w, "signature", "验证失败：检查点签名");
    assert_eq!(
        w.field("root"),
        None,
        "nothing from an unsigned checkpoint is shown"
    );
}

#[test]
fn one_flipped_byte_of_a_hash_tile_fails() {
    let copy = damaged_copy();
    let server = StaticServer::start(copy.path());
    // Hash 3 of tile 0 is the leaf-level sibling of entry 2: on its inclusion path.
    let tile = copy.path().join("log/tile/0/000");
    let original = flip(&tile, 3 * 32);
    assert_failed(
        &load(&server, "entry/2/"),
        "inclusion",
        "验证失败：包含证明",
    );
    std::fs::write(&tile, original).unwrap();
    // The level-1 partial tile holds the left half of the tree for entry 280's proof.
    flip(&copy.path().join("log/tile/1/000.p/1"), 31);
    assert_failed(
        &load(&server, "entry/280/"),
        "inclusion",
        "验证失败：包含证明",
    );
}

#[test]
fn the_receipt_secret_is_checked_in_the_page_and_never_sent() {
    let server = StaticServer::start(&site().dir);
    let url = server.url("entry/2/");
    let mut page = Page::open(&url, 1280, 900);
    page.wait_for("document.querySelector('section.verify').dataset.state === 'verified'");
    let right = hex::encode(SECRET);
    let mut wrong = SECRET;
    wrong[31] ^= 1;
    // Typed as a donor would (upper case, with spaces), then Enter submits the form.
    let spaced = right.to_uppercase().replace("5A5A", "5A5A ");
    for (secret, result, message) in [
        (spaced.as_str(), "matches", "一致"),
        (&hex::encode(wrong), "differs", "不一致"),
        ("not a secret", "malformed", "收据密钥应为"),
    ] {
        page.eval(
            "(() => { const i = document.querySelector('form.receipt-secret input[name=secret]'); \
             i.value = ''; delete i.form.dataset.result; i.focus(); })()",
        );
        page.type_text(secret);
        page.press_enter();
        let got = page.wait_for("document.querySelector('form.receipt-secret').dataset.result");
        assert_eq!(got, result, "{secret}");
        let text = page.eval("document.querySelector('form.receipt-secret output').textContent");
        assert!(text.as_str().unwrap().starts_with(message), "{text}");
    }
    assert_eq!(
        page.eval("location.href"),
        url.as_str(),
        "the form must not navigate"
    );
    drop(page);
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r.contains('?') && !r.to_lowercase().contains("5a5a")),
        "a request carried the secret: {requests:?}"
    );
}

/// Proofs whose siblings come from every tile level and every kind of ragged right edge: a
/// synthetic log of 70,000 leaves (273 full level-0 tiles and a partial one of 112, level-1
/// tiles of 256 and 17, a level-2 tile of 1; C2SP's own example), written with the crate's
/// tile code and signed with a test key, and one page verifying many entries at once.
#[test]
fn proofs_through_every_tile_level_and_ragged_edge_verify() {
    const SIZE: u64 = 70_000;
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("log");
    let leaves: Vec<Vec<u8>> = (0..SIZE)
        .map(|i| format!(r#"{{"seq":{i}}}"#).into_bytes())
        .collect();
    let nodes = MemoryNodes::from_leaf_hashes(leaves.iter().map(|l| leaf_hash(l)));
    for t in tiles::tiles_for_size(SIZE) {
        let bytes = match t.kind {
            TileKind::Entries => {
                let r = t.leaf_range();
                let refs: Vec<&[u8]> = leaves[r.start as usize..r.end as usize]
                    .iter()
                    .map(Vec::as_slice)
                    .collect();
                tiles::encode_bundle(&refs).unwrap()
            }
            TileKind::Hashes(_) => tiles::tile_hashes(&t, &nodes).unwrap(),
        };
        let path = log.join(t.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let key = SecretKey::from_seed([7; 32]);
    let origin = "synthetic.test/log";
    let root = merkle::tree_hash(SIZE, &nodes).unwrap();
    let cp = Checkpoint {
        origin: origin.into(),
        size: SIZE,
        root,
    };
    std::fs::write(log.join("checkpoint"), cp.sign(key.signing_key()).unwrap()).unwrap();
    let vkey = note::vkey_string(origin, &key.signing_key().verifying_key());
    install_script(tmp.path());

    let seqs = [
        0u64, 1, 255, 256, 4097, 65_535, 65_536, 69_887, 69_888, 69_950, 69_999,
    ];
    let sections: String = seqs
        .iter()
        .map(|&seq| {
            verify_section(
                "",
                seq,
                &vkey,
                Some(&leaf_hash(&leaves[seq as usize]).to_hex()),
            )
        })
        .collect();
    std::fs::write(
        tmp.path().join("index.html"),
        format!(
            r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Many</title>
<script src="static/verify.js" defer></script></head><body>{sections}</body></html>"#
        ),
    )
    .unwrap();
    let server = StaticServer::start(tmp.path());
    let dom = render_dom(&server.url(""));
    assert_eq!(
        dom.matches(r#"data-state="verified""#).count(),
        seqs.len(),
        "{dom}"
    );
    assert_eq!(
        dom.matches(&format!(r#"<dd data-field="root">{}</dd>"#, root.to_hex()))
            .count(),
        seqs.len()
    );
}

#[test]
fn screenshots_at_desktop_and_phone_widths() {
    let server = StaticServer::start(&site().dir);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    for (name, w, h) in [("desktop", 1280, 900), ("phone", 390, 844)] {
        let png = out.join(format!("verify-receipt-{name}.png"));
        screenshot(&server.url("entry/2/"), w, h, &png);
        assert_eq!(png_size(&png), (w, h), "{}", png.display());
    }
}
