//! The log collects witness cosignatures (`sunshine serve --witness VKEY=URL --witness-quorum K`):
//! three real witnesses on loopback, quorum 2. Checkpoints get cosigned; with one witness stopped
//! the log still publishes; with all stopped appends go on and the cosigned checkpoint stays
//! behind, visibly, in `/api/v1/cosigning`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use sunshine_ledger::api::cosigning::WitnessEndpoint;
use sunshine_ledger::api::witness::Witness;
use sunshine_ledger::api::{self, ApiConfig};
use sunshine_ledger::ledger::SecretKey;
use sunshine_ledger::ledger::cosignature::{Cosigner, CosigningKey, valid_cosigners};
use sunshine_ledger::ledger::note::{self, Checkpoint};
use sunshine_ledger::ledger::witness::TrustedLog;
use sunshine_ledger::store::witness::WitnessStore;
use tokio::sync::oneshot;

use common::app::{TestApp, spawn_app_with, test_config};

struct RunningWitness {
    cosigner: Cosigner,
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl RunningWitness {
    async fn start(seed: u8, log_vkey: &str) -> RunningWitness {
        let dir = tempfile::tempdir().unwrap();
        let key = CosigningKey::new(
            &format!("w{seed}.example"),
            SecretKey::from_seed([seed; 32]).signing_key().clone(),
        )
        .unwrap();
        let cosigner = key.cosigner().clone();
        let w = Arc::new(Witness {
            key,
            logs: TrustedLog::from_vkeys(&[log_vkey]).unwrap(),
            store: WitnessStore::open(&dir.path().join("witness.db"), true)
                .await
                .unwrap(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(api::listener::run(
            listener,
            api::witness::app(w),
            Duration::from_secs(5),
            async move {
                let _ = stopped.await;
            },
        ));
        RunningWitness {
            cosigner,
            url,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Stops accepting and closes its connections: from now on the log cannot reach it.
    async fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(35), t)
                .await
                .expect("the witness stops")
                .unwrap();
        }
    }
}

async fn status(app: &TestApp) -> Value {
    let (st, v) = app.get_json("/api/v1/cosigning").await;
    assert_eq!(st, 200, "{v}");
    v
}

/// Waits (bounded) until `/api/v1/cosigning` satisfies `ok`.
async fn wait_for(app: &TestApp, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = status(app).await;
        if ok(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn append(app: &TestApp, from: u64, n: u64) {
    for i in from..from + n {
        let (st, body) = app.submit(&app.ledger.filler(i)).await;
        assert!((200..300).contains(&st), "append {i}: {st} {body}");
    }
}

async fn served_checkpoint(app: &TestApp, vkey: &str, trusted: &[Cosigner]) -> (u64, usize) {
    let r = app.get("/log/checkpoint").await;
    assert_eq!(r.status(), 200);
    let note = r.text().await.unwrap();
    let cp = Checkpoint::verify(&note, vkey).unwrap();
    (cp.size, valid_cosigners(&note, trusted).len())
}

#[tokio::test]
async fn three_witnesses_quorum_two_one_down_then_all_down() {
    let operator = SecretKey::from_seed([1; 32]);
    let vkey = note::vkey_string(common::ORIGIN, operator.public().verifying_key());
    let mut ws = Vec::new();
    for seed in [41, 42, 43] {
        ws.push(RunningWitness::start(seed, &vkey).await);
    }
    let trusted: Vec<Cosigner> = ws.iter().map(|w| w.cosigner.clone()).collect();
    let config = ApiConfig {
        witnesses: ws
            .iter()
            .map(|w| WitnessEndpoint {
                cosigner: w.cosigner.clone(),
                url: w.url.clone(),
            })
            .collect(),
        witness_quorum: 2,
        ..test_config()
    };
    let app = spawn_app_with(config).await;
    assert_eq!(app.vkey().await, vkey);

    // All three up: the newest checkpoint gets cosigned by all of them.
    append(&app, 0, 5).await;
    let newest = app.ledger.store().size().await.unwrap();
    let v = wait_for(&app, "all three cosignatures", |v| {
        v["cosigned_size"] == newest
            && v["witnesses"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["cosigned_size"] == newest)
    })
    .await;
    assert_eq!(v["quorum"], 2);
    assert_eq!(v["entries_behind"], 0);
    let (size, cosigs) = served_checkpoint(&app, &vkey, &trusted).await;
    assert_eq!(size, newest);
    assert!(cosigs >= 2, "{cosigs} cosignatures");
    let (st, json) = app.get_json("/api/v1/checkpoint").await;
    assert_eq!((st, json["size"].as_u64()), (200, Some(newest)));

    // One witness down: the other two still make the quorum.
    ws[0].stop().await;
    append(&app, 5, 4).await;
    let newest = app.ledger.store().size().await.unwrap();
    let v = wait_for(&app, "quorum without witness 0", |v| {
        v["cosigned_size"] == newest && !v["witnesses"][0]["last_error"].is_null()
    })
    .await;
    assert_ne!(v["witnesses"][0]["cosigned_size"], newest);
    let (size, cosigs) = served_checkpoint(&app, &vkey, &trusted).await;
    assert_eq!((size, cosigs), (newest, 2));

    // All down: appends go on; the cosigned checkpoint stays where it was, and says so.
    let cosigned = newest;
    ws[1].stop().await;
    ws[2].stop().await;
    let started = Instant::now();
    append(&app, 9, 6).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "appends waited for witnesses"
    );
    let newest = app.ledger.store().size().await.unwrap();
    assert_eq!(newest, cosigned + 6);
    let v = wait_for(&app, "the lag to show", |v| {
        v["newest_size"] == newest && v["lag_ms"].as_u64().unwrap() >= 300
    })
    .await;
    assert_eq!(v["cosigned_size"], cosigned);
    assert_eq!(v["entries_behind"], 6);
    assert!(
        v["witnesses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| !w["last_error"].is_null())
    );
    let (size, cosigs) = served_checkpoint(&app, &vkey, &trusted).await;
    assert_eq!((size, cosigs), (cosigned, 2));
}

/// A busy log signs a checkpoint per commit; the witnesses are asked about one per interval,
/// the newest, and the last one still gets cosigned.
#[tokio::test]
async fn checkpoints_go_to_the_witnesses_at_most_once_per_interval() {
    let operator = SecretKey::from_seed([1; 32]);
    let vkey = note::vkey_string(common::ORIGIN, operator.public().verifying_key());
    let mut ws = Vec::new();
    for seed in [44, 45, 46] {
        ws.push(RunningWitness::start(seed, &vkey).await);
    }
    let interval = Duration::from_millis(400);
    let config = ApiConfig {
        witnesses: ws
            .iter()
            .map(|w| WitnessEndpoint {
                cosigner: w.cosigner.clone(),
                url: w.url.clone(),
            })
            .collect(),
        witness_quorum: 2,
        witness_interval: interval,
        ..test_config()
    };
    let app = spawn_app_with(config).await;
    let started = Instant::now();
    // One at a time: each its own commit and checkpoint.
    let commits = 30;
    append(&app, 0, commits).await;
    let newest = app.ledger.store().size().await.unwrap();
    let v = wait_for(&app, "the newest checkpoint cosigned", |v| {
        v["cosigned_size"] == newest
    })
    .await;
    let rounds = v["rounds"].as_u64().unwrap();
    let most = 2 + (started.elapsed().as_millis() / interval.as_millis()) as u64;
    assert!(
        most < commits,
        "the appends took too long for this test to tell"
    );
    assert!(
        (1..=most).contains(&rounds),
        "{rounds} rounds for {commits} commits in {:?}: at most {most} allowed",
        started.elapsed()
    );
    assert_eq!(v["interval_ms"], 400);
    assert_eq!(v["entries_behind"], 0);
    for w in &mut ws {
        w.stop().await;
    }
}

#[tokio::test]
async fn without_witnesses_nothing_changes_and_the_status_is_404() {
    let app = spawn_app_with(test_config()).await;
    let (st, _) = app.get_json("/api/v1/cosigning").await;
    assert_eq!(st, 404);
    let r = app.get("/log/checkpoint").await;
    assert_eq!(r.status(), 200);
}

// ---- tlog-proof files ----

/// RFC 9162 §2.1.3.2, written out: does `proof` lead from `leaf` at `index` to `root`?
fn rfc_inclusion_ok(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    proof: &[[u8; 32]],
    root: [u8; 32],
) -> bool {
    use sha2::{Digest, Sha256};
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        Sha256::new()
            .chain_update([1u8])
            .chain_update(l)
            .chain_update(r)
            .finalize()
            .into()
    };
    if index >= size {
        return false;
    }
    let (mut fn_, mut sn, mut r) = (index, size - 1, leaf);
    for p in proof {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    sn == 0 && r == root
}

/// Reads a tlog-proof as the spec lays it out, without the crate: (leaf, index, proof, note).
fn spec_parse_proof(text: &str) -> (Vec<u8>, u64, Vec<[u8; 32]>, String) {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut lines = text.split_inclusive('\n');
    assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1\n"));
    let extra = lines
        .next()
        .unwrap()
        .strip_prefix("extra ")
        .unwrap()
        .trim_end();
    let leaf = b64.decode(extra).unwrap();
    let index: u64 = lines
        .next()
        .unwrap()
        .strip_prefix("index ")
        .unwrap()
        .trim_end()
        .parse()
        .unwrap();
    let mut proof = Vec::new();
    for l in lines.by_ref() {
        if l == "\n" {
            break;
        }
        proof.push(b64.decode(l.trim_end()).unwrap().try_into().unwrap());
    }
    (leaf, index, proof, lines.collect())
}

#[tokio::test]
async fn a_receipt_downloads_as_a_tlog_proof_that_verifies_offline() {
    let operator = SecretKey::from_seed([1; 32]);
    let vkey = note::vkey_string(common::ORIGIN, operator.public().verifying_key());
    let mut ws = Vec::new();
    for seed in [51, 52, 53] {
        ws.push(RunningWitness::start(seed, &vkey).await);
    }
    let config = ApiConfig {
        witnesses: ws
            .iter()
            .map(|w| WitnessEndpoint {
                cosigner: w.cosigner.clone(),
                url: w.url.clone(),
            })
            .collect(),
        witness_quorum: 2,
        ..test_config()
    };
    let app = spawn_app_with(config).await;
    let org = app.ledger.org_id.to_string();
    app.ledger
        .service
        .append(vec![app.ledger.donation(
            "R-2026-001",
            "1234.50",
            "2026-03-01",
        )])
        .await
        .unwrap();
    append(&app, 0, 1).await;
    let path = format!("/api/v1/receipts/R-2026-001/proof?org={org}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        let r = app.get(&path).await;
        if r.status() == 200 {
            assert_eq!(
                r.headers()["content-disposition"],
                format!("attachment; filename=\"{org}-R-2026-001.tlog-proof\"").as_str()
            );
            break r.text().await.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no proof: {}",
            r.text().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };

    // Independently: the leaf is the donation, included under the operator-signed checkpoint.
    let (leaf, index, proof, note_text) = spec_parse_proof(&text);
    assert!(String::from_utf8_lossy(&leaf).contains("R-2026-001"));
    let cp = Checkpoint::verify(&note_text, &vkey).unwrap();
    let leaf_hash: [u8; 32] = {
        use sha2::{Digest, Sha256};
        Sha256::new()
            .chain_update([0u8])
            .chain_update(&leaf)
            .finalize()
            .into()
    };
    assert!(rfc_inclusion_ok(
        index, cp.size, leaf_hash, &proof, cp.root.0
    ));
    let trusted: Vec<Cosigner> = ws.iter().map(|w| w.cosigner.clone()).collect();
    assert!(valid_cosigners(&note_text, &trusted).len() >= 2);

    // `sunshine verify-proof` agrees, and refuses a tampered file or a wrong key.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.tlog-proof");
    std::fs::write(&file, &text).unwrap();
    let run = |file: &std::path::Path, log_vkey: &str, quorum: &str| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.arg("verify-proof")
            .arg(file)
            .args(["--log-vkey", log_vkey, "--quorum", quorum]);
        for w in &trusted {
            cmd.args(["--witness", &w.vkey()]);
        }
        cmd.output().unwrap()
    };
    let ok = run(&file, &vkey, "2");
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.contains("donation of 1234.50 CNY"), "{out}");
    assert!(out.contains("receipt R-2026-001"), "{out}");
    let tampered = dir.path().join("t.tlog-proof");
    // The amount is inside the base64 leaf: change it there.
    let (mut leaf2, ..) = spec_parse_proof(&text);
    let at = leaf2.windows(7).position(|w| w == b"1234.50").unwrap();
    leaf2[at] = b'9';
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let forged = text.replacen(&b64.encode(&leaf), &b64.encode(&leaf2), 1);
    assert_ne!(forged, text);
    std::fs::write(&tampered, forged).unwrap();
    let bad = run(&tampered, &vkey, "2");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("inclusion proof"));
    let other = note::vkey_string(
        common::ORIGIN,
        SecretKey::from_seed([7; 32]).public().verifying_key(),
    );
    assert!(!run(&file, &other, "2").status.success());
    // Missing cosignatures: strip them and demand the quorum.
    let uncosigned = dir.path().join("u.tlog-proof");
    let stripped: String = text
        .split_inclusive('\n')
        .filter(|l| {
            !trusted
                .iter()
                .any(|w| l.starts_with(&format!("\u{2014} {} ", w.name())))
        })
        .collect();
    std::fs::write(&uncosigned, stripped).unwrap();
    let q = run(&uncosigned, &vkey, "2");
    assert!(!q.status.success());
    assert!(String::from_utf8_lossy(&q.stderr).contains("witness cosignatures"));
    for w in &mut ws {
        w.stop().await;
    }
}

// ---- cosigned checkpoints survive a restart ----

fn endpoints(ws: &[RunningWitness]) -> Vec<WitnessEndpoint> {
    ws.iter()
        .map(|w| WitnessEndpoint {
            cosigner: w.cosigner.clone(),
            url: w.url.clone(),
        })
        .collect()
}

on_both_backends!(
    a_restarted_server_serves_the_saved_cosigned_checkpoint_with_witnesses_down,
    a_saved_cosigned_checkpoint_only_gains_cosignatures,
);

async fn a_restarted_server_serves_the_saved_cosigned_checkpoint_with_witnesses_down() {
    let operator = SecretKey::from_seed([1; 32]);
    let vkey = note::vkey_string(common::ORIGIN, operator.public().verifying_key());
    let mut ws = Vec::new();
    for seed in [61, 62, 63] {
        ws.push(RunningWitness::start(seed, &vkey).await);
    }
    let trusted: Vec<Cosigner> = ws.iter().map(|w| w.cosigner.clone()).collect();
    let config = ApiConfig {
        witnesses: endpoints(&ws),
        witness_quorum: 2,
        ..test_config()
    };
    let app = spawn_app_with(config.clone()).await;
    append(&app, 0, 4).await;
    let newest = app.ledger.store().size().await.unwrap();
    wait_for(&app, "all three cosignatures", |v| {
        v["witnesses"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["cosigned_size"] == newest)
    })
    .await;
    let before = app.get("/log/checkpoint").await.text().await.unwrap();
    assert_eq!(valid_cosigners(&before, &trusted).len(), 3);

    // Witnesses down, server stopped at once and restarted. The saver writes the newest
    // published checkpoint at most once a second, so the third cosignature, a moment after the
    // quorum's, is typically written only by the save on the way out.
    for w in &mut ws {
        w.stop().await;
    }
    let app = app.restart_with(config.clone()).await;
    // It is in the ledger database, as it was served.
    let row = app.ledger.store().latest_cosigned().await.unwrap().unwrap();
    assert_eq!((row.size, row.note.as_str()), (newest, before.as_str()));
    let policy =
        sunshine_ledger::ledger::witness_policy::WitnessPolicy::parse(&row.policy).unwrap();
    assert_eq!((policy.quorum, policy.witnesses), (2, trusted.clone()));
    // The first request already gets the cosigned checkpoint.
    let r = app.get("/log/checkpoint").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), before);
    let v = status(&app).await;
    assert_eq!(v["cosigned_size"], newest);

    // Appends go on; the served checkpoint stays the saved one.
    append(&app, 4, 2).await;
    let (size, cosigs) = served_checkpoint(&app, &vkey, &trusted).await;
    assert_eq!((size, cosigs), (newest, 3));

    // Other witnesses: the saved cosignatures are not theirs, so nothing is served.
    let strangers: Vec<WitnessEndpoint> = [71u8, 72]
        .iter()
        .map(|seed| {
            let k = CosigningKey::new(
                &format!("w{seed}.example"),
                SecretKey::from_seed([*seed; 32]).signing_key().clone(),
            )
            .unwrap();
            WitnessEndpoint {
                cosigner: k.cosigner().clone(),
                url: "http://127.0.0.1:9".into(),
            }
        })
        .collect();
    let app = app
        .restart_with(ApiConfig {
            witnesses: strangers,
            witness_quorum: 1,
            ..test_config()
        })
        .await;
    assert_eq!(app.get("/log/checkpoint").await.status(), 404);
}

async fn a_saved_cosigned_checkpoint_only_gains_cosignatures() {
    let ledger = common::TestLedger::new().await;
    let store = ledger.store();
    let (size, note) = store.latest_checkpoint().await.unwrap().unwrap();
    let row = sunshine_ledger::store::CosignedRow {
        size,
        note: note.clone(),
        policy: "quorum 1\n".into(),
    };
    store.save_cosigned(&row).await.unwrap();
    // A longer note that extends it replaces it; anything else is left out.
    let more = format!("{note}\u{2014} w.example AAAA\n");
    store
        .save_cosigned(&sunshine_ledger::store::CosignedRow {
            note: more.clone(),
            ..row.clone()
        })
        .await
        .unwrap();
    store.save_cosigned(&row).await.unwrap();
    assert_eq!(store.latest_cosigned().await.unwrap().unwrap().note, more);
    // The database itself refuses to drop or shrink it.
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&ledger.url).await.unwrap();
    for sql in [
        "DELETE FROM cosigned_checkpoints".to_owned(),
        format!("UPDATE cosigned_checkpoints SET note = 'x' WHERE size = {size}"),
        format!("UPDATE cosigned_checkpoints SET size = size + 1 WHERE size = {size}"),
    ] {
        let e = sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap_err();
        assert!(e.to_string().contains("cosigned checkpoint"), "{sql}: {e}");
    }
    assert_eq!(store.latest_cosigned().await.unwrap().unwrap().note, more);
}

// ---- bringing a receipt up to the cosigned checkpoint ----

/// RFC 9162 §2.1.4.2, written out: does `proof` show the tree of `first` leaves (root `old`) is
/// a prefix of the tree of `second` leaves (root `new`)? (0 < first < second.)
fn rfc_consistency_ok(
    first: u64,
    second: u64,
    old: [u8; 32],
    new: [u8; 32],
    proof: &[[u8; 32]],
) -> bool {
    use sha2::{Digest, Sha256};
    let node = |l: &[u8; 32], r: &[u8; 32]| -> [u8; 32] {
        Sha256::new()
            .chain_update([1u8])
            .chain_update(l)
            .chain_update(r)
            .finalize()
            .into()
    };
    let mut path = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, old);
    }
    let Some((head, rest)) = path.split_first() else {
        return false;
    };
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*head, *head);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node(c, &fr);
            sr = node(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    fr == old && sr == new && sn == 0
}

fn hex32(v: &Value) -> [u8; 32] {
    let s = v.as_str().unwrap();
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

#[tokio::test]
async fn a_receipt_says_it_is_not_cosigned_and_is_brought_up_to_the_cosigned_checkpoint() {
    let operator = SecretKey::from_seed([1; 32]);
    let vkey = note::vkey_string(common::ORIGIN, operator.public().verifying_key());
    let mut ws = Vec::new();
    for seed in [81, 82, 83] {
        ws.push(RunningWitness::start(seed, &vkey).await);
    }
    let trusted: Vec<Cosigner> = ws.iter().map(|w| w.cosigner.clone()).collect();
    let app = spawn_app_with(ApiConfig {
        witnesses: endpoints(&ws),
        witness_quorum: 2,
        ..test_config()
    })
    .await;

    let (st, receipt) = app.submit(&app.ledger.filler(0)).await;
    assert_eq!(st, 200, "{receipt}");
    let from = receipt["inclusion"]["size"].as_u64().unwrap();
    assert_eq!(receipt["witnessing"]["cosigned"], false);
    assert_eq!(receipt["witnessing"]["quorum"], 2);
    let upgrade = receipt["witnessing"]["upgrade"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(upgrade, format!("/api/v1/proof/cosigned?from={from}"));
    // Nothing cosigned covers it yet, or soon something does: either way no wrong answer.
    append(&app, 1, 3).await;
    let newest = app.ledger.store().size().await.unwrap();
    wait_for(&app, "the newest checkpoint cosigned", |v| {
        v["cosigned_size"] == newest
    })
    .await;

    let (st, up) = app.get_json(&upgrade).await;
    assert_eq!(st, 200, "{up}");
    assert_eq!(up["from"], from);
    assert_eq!(up["to"], newest);
    assert_eq!(up["from_checkpoint"], receipt["checkpoint"]);
    let old = Checkpoint::verify(up["from_checkpoint"].as_str().unwrap(), &vkey).unwrap();
    let to_note = up["to_checkpoint"].as_str().unwrap();
    let new = Checkpoint::verify(to_note, &vkey).unwrap();
    assert_eq!((old.size, new.size), (from, newest));
    assert!(valid_cosigners(to_note, &trusted).len() >= 2);
    let policy = sunshine_ledger::ledger::witness_policy::WitnessPolicy::parse(
        up["policy"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!((policy.quorum, &policy.witnesses), (2, &trusted));
    // The receipt's inclusion proof and this consistency proof together: the entry is in the
    // tree the witnesses cosigned.
    let proof: Vec<[u8; 32]> = up["proof"].as_array().unwrap().iter().map(hex32).collect();
    assert!(rfc_consistency_ok(
        from, newest, old.root.0, new.root.0, &proof
    ));
    let inc: Vec<[u8; 32]> = receipt["inclusion"]["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(hex32)
        .collect();
    let seq = receipt["seq"].as_u64().unwrap();
    assert!(rfc_inclusion_ok(
        seq,
        from,
        hex32(&receipt["leaf_hash"]),
        &inc,
        old.root.0
    ));
    // A damaged proof fails the transcription (so the check above can fail).
    let mut bad = proof.clone();
    bad[0][0] ^= 1;
    assert!(!rfc_consistency_ok(
        from, newest, old.root.0, new.root.0, &bad
    ));

    // Beyond the cosigned size, or malformed: a specific refusal.
    let (st, e) = app
        .get_json(&format!("/api/v1/proof/cosigned?from={}", newest + 5))
        .await;
    assert_eq!(st, 404, "{e}");
    assert!(
        e.to_string().contains(&format!("cosigned size {newest}")),
        "{e}"
    );
    let (st, _) = app.get_json("/api/v1/proof/cosigned?from=x").await;
    assert_eq!(st, 400);
    for w in &mut ws {
        w.stop().await;
    }

    // Without witnesses, receipts say nothing about them and there is nothing to upgrade to.
    let plain = spawn_app_with(test_config()).await;
    let (st, r) = plain.submit(&plain.ledger.filler(0)).await;
    assert_eq!(st, 200);
    assert!(r.get("witnessing").is_none(), "{r}");
    let (st, _) = plain.get_json("/api/v1/proof/cosigned?from=1").await;
    assert_eq!(st, 404);
}
