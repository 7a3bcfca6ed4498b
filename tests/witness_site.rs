//! The static side of witnessing (issue 17): `sunshine site build` publishes the newest cosigned
//! checkpoint (saved in the ledger database) with its cosignatures, the witness policy
//! (`log/witnesses`) and the partial tiles of its size; `audit --dir` and `monitor --dir` accept
//! it; in headless Chromium a receipt under it verifies with the witness count shown and offers a
//! `.tlog-proof` that `sunshine verify-proof` accepts, and a receipt newer than it is `pending`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use sunshine_ledger::ledger::SecretKey;
use sunshine_ledger::ledger::cosignature::{CosigningKey, add_signature_lines};
use sunshine_ledger::ledger::note::{self, split_note};
use sunshine_ledger::ledger::witness_policy::WitnessPolicy;
use sunshine_ledger::store::CosignedRow;

use common::TestLedger;
use common::browser::{Page, StaticServer, render_dom};

fn witness(seed: u8) -> CosigningKey {
    CosigningKey::new(
        &format!("w{seed}.example"),
        SecretKey::from_seed([seed; 32]).signing_key().clone(),
    )
    .unwrap()
}

fn verdict(dom: &str) -> &str {
    let section = dom.find(r#"<section class="verify""#).unwrap();
    let tag = &dom[section..section + dom[section..].find('>').unwrap()];
    let state = tag.split(r#"data-state=""#).nth(1).unwrap_or("none\"");
    &state[..state.find('"').unwrap()]
}

fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(common::bin())
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_site_publishes_the_cosigned_checkpoint_and_receipts_prove_against_it() {
    let ledger = TestLedger::new().await;
    let org = ledger.org_id.to_string();
    for (no, amount) in [("R-1", "100.00"), ("R-2", "250.50")] {
        ledger
            .service
            .append(vec![ledger.donation(no, amount, "2026-03-01")])
            .await
            .unwrap();
    }
    // Two of three witnesses cosign the checkpoint of size 4, as the server would save it.
    let store = ledger.store();
    let (size, note) = store.latest_checkpoint().await.unwrap().unwrap();
    assert_eq!(size, 4);
    let (text, _) = split_note(&note).unwrap();
    let ws = [witness(91), witness(92), witness(93)];
    let mut cosigned = note.clone();
    for w in &ws[..2] {
        cosigned = add_signature_lines(&cosigned, &w.sign(text, 1_790_000_000).unwrap());
    }
    let policy = WitnessPolicy::new(2, ws.iter().map(|w| w.cosigner().clone()).collect()).unwrap();
    store
        .save_cosigned(&CosignedRow {
            size,
            note: cosigned.clone(),
            policy: policy.encode(),
        })
        .await
        .unwrap();
    // Then the log moves on without the witnesses.
    ledger
        .service
        .append(vec![ledger.donation("R-3", "7.00", "2026-03-02")])
        .await
        .unwrap();

    let dir = ledger.dir.path();
    let site = dir.join("site");
    common::run_in(dir, &["site", "build", "--out", site.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(site.join("log/checkpoint")).unwrap(),
        cosigned
    );
    assert_eq!(
        std::fs::read_to_string(site.join("log/witnesses")).unwrap(),
        policy.encode()
    );
    // The tiles a client of the size-4 checkpoint needs, beside those of the newest tree.
    for tile in [
        "entries/000.p/4",
        "0/000.p/4",
        "entries/000.p/5",
        "0/000.p/5",
    ] {
        assert!(site.join("log/tile").join(tile).exists(), "{tile}");
    }
    // `sunshine export` says which checkpoint it published.
    let export_dir = dir.join("export");
    let out = std::process::Command::new(common::bin())
        .args(["--db", dir.join("ledger.db").to_str().unwrap()])
        .args(["export", export_dir.to_str().unwrap()])
        .output()
        .unwrap();
    let said = common::succeeded("export", out);
    assert!(
        said.contains("witness-cosigned checkpoint (size 4)"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(export_dir.join("log/checkpoint")).unwrap(),
        cosigned
    );
    let site_s = site.to_str().unwrap();
    let audit = run(&["audit", "--dir", site_s]);
    assert!(
        audit.status.success(),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    assert!(String::from_utf8_lossy(&audit.stdout).contains("OK: 4 entries"));
    let state = tempfile::tempdir().unwrap();
    let mut args = vec![
        "monitor",
        "--dir",
        site_s,
        "--state",
        state.path().to_str().unwrap(),
    ];
    let vkeys: Vec<String> = ws.iter().map(|w| w.cosigner().vkey()).collect();
    for v in &vkeys {
        args.extend(["--witness", v]);
    }
    args.extend(["--quorum", "2"]);
    let m = run(&args);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    assert!(
        String::from_utf8_lossy(&m.stdout).contains("2 witness cosignatures"),
        "{}",
        String::from_utf8_lossy(&m.stdout)
    );
    // Demanding all three witnesses: the monitor refuses the checkpoint.
    let all = run(&[&args[..args.len() - 1], &["3"]].concat());
    assert!(!all.status.success());
    assert!(String::from_utf8_lossy(&all.stderr).contains("requires 3"));

    let server = StaticServer::start(&site);
    let dom = render_dom(&server.url(&format!("en/receipts/view.html?org={org}&no=R-2")));
    assert_eq!(verdict(&dom), "verified", "{dom:.4000}");
    assert!(
        dom.contains("2 of 3 witnesses cosigned (quorum 2)"),
        "{dom:.4000}"
    );
    assert!(dom.contains("Newest cosignature"), "{dom:.4000}");
    // The offered proof file, as a donor would save it.
    let href = dom
        .split(r#"class="tlog-proof" href="data:text/plain;charset=utf-8;base64,"#)
        .nth(1)
        .unwrap_or_else(|| panic!("no proof link: {dom:.4000}"));
    let b64 = &href[..href.find('"').unwrap()];
    let file_text = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert!(dom.contains(&format!(r#"download="{org}-R-2.tlog-proof""#)));
    eprintln!(
        "a .tlog-proof of a donation with two cosignatures: {} bytes",
        file_text.len()
    );
    let file = dir.join("R-2.tlog-proof");
    std::fs::write(&file, &file_text).unwrap();
    let vkey = note::vkey_string(common::ORIGIN, ledger.operator.public().verifying_key());
    let mut vp = vec!["verify-proof", file.to_str().unwrap(), "--log-vkey", &vkey];
    for v in &vkeys {
        vp.extend(["--witness", v]);
    }
    vp.extend(["--quorum", "2"]);
    let ok = run(&vp);
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        out.contains("250.50") && out.contains("receipt R-2"),
        "{out}"
    );

    // The saved file, chosen on the lookup page: checked in the browser, with no request after
    // the page loaded; a file whose amount was changed is refused at the inclusion proof.
    let forged_text = {
        let mut leaf = base64::engine::general_purpose::STANDARD
            .decode(
                String::from_utf8_lossy(&file_text)
                    .lines()
                    .nth(1)
                    .unwrap()
                    .strip_prefix("extra ")
                    .unwrap(),
            )
            .unwrap();
        let at = leaf.windows(6).position(|w| w == b"250.50").unwrap();
        leaf[at] = b'9';
        let mut lines: Vec<String> = String::from_utf8_lossy(&file_text)
            .split('\n')
            .map(str::to_owned)
            .collect();
        lines[1] = format!(
            "extra {}",
            base64::engine::general_purpose::STANDARD.encode(&leaf)
        );
        lines.join("\n")
    };
    let forged = dir.join("forged.tlog-proof");
    std::fs::write(&forged, forged_text).unwrap();
    let mut page = Page::open(&server.url("en/receipts/index.html"), 1280, 900);
    page.wait_for("document.readyState === 'complete'");
    // The policy is fetched while the page loads.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let fetched_policy = || {
        let r = server.requests();
        r.iter()
            .position(|p| p.ends_with("receipts/index.html"))
            .is_some_and(|at| r[at..].iter().any(|p| p.ends_with("log/witnesses")))
    };
    while !fetched_policy() {
        assert!(
            std::time::Instant::now() < deadline,
            "the policy was never fetched"
        );
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    // Everything but the browser's own favicon request.
    let ours = || {
        server
            .requests()
            .into_iter()
            .filter(|r| r != "/favicon.ico")
            .collect::<Vec<_>>()
    };
    let before = ours().len();
    for (path, result, says) in [
        (
            &file,
            "valid",
            "The proof is valid: a donation of 250.50 CNY from 张* to ",
        ),
        (
            &forged,
            "invalid",
            "The proof is not valid: inclusion proof",
        ),
    ] {
        page.eval("delete document.querySelector('form.proof-file').dataset.result");
        let doc = page.call("DOM.getDocument", serde_json::json!({}));
        let node = page.call(
            "DOM.querySelector",
            serde_json::json!({"nodeId": doc["root"]["nodeId"], "selector": "form.proof-file input[type=file]"}),
        );
        page.call(
            "DOM.setFileInputFiles",
            serde_json::json!({"nodeId": node["nodeId"], "files": [path.to_str().unwrap()]}),
        );
        let got = page.wait_for(
            "['valid', 'invalid'].includes(document.querySelector('form.proof-file').dataset.result) \
             && document.querySelector('form.proof-file').dataset.result",
        );
        let text = page
            .eval("document.querySelector('form.proof-file output').textContent")
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(got, result, "{text}");
        assert!(text.contains(says), "{text}");
        if result == "valid" {
            assert!(
                text.contains("receipt R-2") && text.contains("2 of 3 witnesses"),
                "{text}"
            );
        }
    }
    assert_eq!(ours().len(), before, "{:?}", server.requests());

    // A receipt newer than the cosigned checkpoint waits for the witnesses.
    let dom = render_dom(&server.url(&format!("en/receipts/view.html?org={org}&no=R-3")));
    assert_eq!(verdict(&dom), "pending", "{dom:.4000}");
    assert!(dom.contains("not yet covered by the witness-cosigned checkpoint"));
    assert!(!dom.contains(r#"class="tlog-proof""#));
}
