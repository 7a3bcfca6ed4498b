//! `sunshine witness`: the real binary, `init` then `serve` on a loopback port, answering
//! C2SP tlog-witness `add-checkpoint` requests with every status code the spec prescribes.
//!
//! The log side (trees, consistency proofs) and the cosignature check are written out here
//! from RFC 6962 and tlog-cosignature, not taken from the crate, so a bug shared by the server
//! and its own verifier cannot hide.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_sunshine");

// ---- RFC 6962 §2.1, naively ----

fn leaf_hash(d: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(d)
        .finalize()
        .into()
}

fn node_hash(l: &[u8; 32], r: &[u8; 32]) -> [u8; 32] {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(l)
        .chain_update(r)
        .finalize()
        .into()
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Vec<u8>]) -> [u8; 32] {
    match d.len() {
        0 => Sha256::digest(b"").into(),
        1 => leaf_hash(&d[0]),
        n => node_hash(&mth(&d[..split(n)]), &mth(&d[split(n)..])),
    }
}

/// RFC 6962 §2.1.2 SUBPROOF(m, D[n], b).
fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<[u8; 32]> {
    if m == d.len() {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = split(d.len());
    if m <= k {
        let mut p = subproof(m, &d[..k], b);
        p.push(mth(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(mth(&d[..k]));
        p
    }
}

// ---- a log that signs checkpoints (signed-note, written out) ----

struct Log {
    origin: String,
    key: SigningKey,
    leaves: Vec<Vec<u8>>,
}

fn note_key_id(name: &str, alg: u8, key: &VerifyingKey) -> [u8; 4] {
    let d = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update([alg])
        .chain_update(key.as_bytes())
        .finalize();
    [d[0], d[1], d[2], d[3]]
}

impl Log {
    fn new(origin: &str, seed: u8, n: usize) -> Log {
        Log {
            origin: origin.into(),
            key: SigningKey::from_bytes(&[seed; 32]),
            leaves: (0..n).map(|i| format!("entry {i}").into_bytes()).collect(),
        }
    }

    fn vkey(&self) -> String {
        let vk = self.key.verifying_key();
        let mut raw = vec![0x01];
        raw.extend_from_slice(vk.as_bytes());
        format!(
            "{}+{}+{}",
            self.origin,
            hex::encode(note_key_id(&self.origin, 0x01, &vk)),
            B64.encode(raw)
        )
    }

    fn text_with_root(&self, size: usize, root: [u8; 32]) -> String {
        format!("{}\n{size}\n{}\n", self.origin, B64.encode(root))
    }

    fn sign_text(&self, text: &str, key: &SigningKey) -> String {
        let mut blob = note_key_id(&self.origin, 0x01, &key.verifying_key()).to_vec();
        blob.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
        format!("{text}\n\u{2014} {} {}\n", self.origin, B64.encode(blob))
    }

    fn checkpoint(&self, size: usize) -> String {
        self.sign_text(
            &self.text_with_root(size, mth(&self.leaves[..size])),
            &self.key,
        )
    }

    fn body(&self, old: usize, size: usize) -> String {
        let proof = if old == 0 || old == size {
            vec![]
        } else {
            subproof(old, &self.leaves[..size], true)
        };
        body(old, &proof, &self.checkpoint(size))
    }
}

fn body(old: usize, proof: &[[u8; 32]], note: &str) -> String {
    let mut b = format!("old {old}\n");
    for h in proof {
        b.push_str(&B64.encode(h));
        b.push('\n');
    }
    b.push('\n');
    b.push_str(note);
    b
}

// ---- tlog-cosignature, written out ----

/// Checks `line` is a valid Ed25519 cosignature/v1 by the witness `vkey` on the checkpoint text
/// of `note`, and returns its timestamp.
fn spec_verify_cosignature(vkey: &str, note: &str, line: &str) -> u64 {
    let mut parts = vkey.trim().splitn(3, '+');
    let (name, id_hex, key_b64) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let raw = B64.decode(key_b64).unwrap();
    assert_eq!(raw[0], 0x04, "cosigner vkeys have signature type 0x04");
    let key = VerifyingKey::from_bytes(&raw[1..].try_into().unwrap()).unwrap();
    assert_eq!(hex::encode(note_key_id(name, 0x04, &key)), id_hex);
    let rest = line
        .strip_prefix(&format!("\u{2014} {name} "))
        .expect("a signature line by the witness")
        .strip_suffix('\n')
        .expect("ends in a newline");
    let blob = B64.decode(rest).unwrap();
    assert_eq!(blob.len(), 4 + 8 + 64);
    assert_eq!(hex::encode(&blob[..4]), id_hex);
    let ts = u64::from_be_bytes(blob[4..12].try_into().unwrap());
    assert!(ts > 0 && ts < (1u64 << 63));
    let text = &note[..note.rfind("\n\n").unwrap() + 1];
    let msg = format!("cosignature/v1\ntime {ts}\n{text}");
    let sig = ed25519_dalek::Signature::from_slice(&blob[12..]).unwrap();
    key.verify_strict(msg.as_bytes(), &sig)
        .expect("cosignature verifies");
    ts
}

// ---- the witness process ----

struct WitnessProc {
    child: Child,
    base: String,
}

impl Drop for WitnessProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn init(dir: &Path, name: &str) -> String {
    let out = Command::new(BIN)
        .args(["witness", "init", "--dir"])
        .arg(dir)
        .args(["--name", name])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn serve(dir: &Path, logs: &[&Log]) -> WitnessProc {
    let mut cmd = Command::new(BIN);
    cmd.args(["witness", "serve", "--bind", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for l in logs {
        cmd.arg("--log").arg(l.vkey());
    }
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("witness printed its address").unwrap();
        if let Some(i) = line.find("listening on ") {
            break line[i + "listening on ".len()..].trim().to_owned();
        }
    };
    // Keep draining stderr so the witness never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    WitnessProc { child, base }
}

async fn post(w: &WitnessProc, body: String) -> (u16, Option<String>, String) {
    let r = reqwest::Client::new()
        .post(format!("{}/add-checkpoint", w.base))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, ct, r.text().await.unwrap())
}

#[tokio::test]
async fn init_makes_a_private_key_once_and_prints_a_cosigner_vkey() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let vkey = init(&dir, "witness.example/w1");
    let key_hex = std::fs::read_to_string(dir.join("witness.key")).unwrap();
    let seed: [u8; 32] = hex::decode(key_hex.trim()).unwrap().try_into().unwrap();
    let public = SigningKey::from_bytes(&seed).verifying_key();
    // name + hex(SHA-256(name || "\n" || 0x04 || key)[:4]) + base64(0x04 || key)
    let mut raw = vec![0x04];
    raw.extend_from_slice(public.as_bytes());
    let want = format!(
        "witness.example/w1+{}+{}",
        hex::encode(note_key_id("witness.example/w1", 0x04, &public)),
        B64.encode(raw)
    );
    assert_eq!(vkey, want);
    assert_eq!(
        std::fs::read_to_string(dir.join("witness.vkey"))
            .unwrap()
            .trim(),
        want
    );
    assert!(dir.join("witness.db").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("witness.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A second init refuses and leaves the key as it was.
    let again = Command::new(BIN)
        .args(["witness", "init", "--dir"])
        .arg(&dir)
        .args(["--name", "witness.example/w1"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwritten"));
    assert_eq!(
        std::fs::read_to_string(dir.join("witness.key")).unwrap(),
        key_hex
    );
    // A name a note cannot carry is refused before anything is written.
    let bad = Command::new(BIN)
        .args(["witness", "init", "--dir"])
        .arg(tmp.path().join("bad"))
        .args(["--name", "has space"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(!tmp.path().join("bad").join("witness.key").exists());
}

#[tokio::test]
async fn add_checkpoint_answers_every_status_the_spec_prescribes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let vkey = init(&dir, "witness.example/w1");
    let log = Log::new("ledger.example/log", 1, 12);
    let fresh = Log::new("ledger.example/fresh", 2, 4);
    let w = serve(&dir, &[&log, &fresh]);

    // 200: first contact from 0; the answer is one cosignature/v1 line on this checkpoint.
    let (st, _, line) = post(&w, log.body(0, 4)).await;
    assert_eq!(st, 200, "{line}");
    assert_eq!(line.matches('\n').count(), 1);
    let t0 = spec_verify_cosignature(&vkey, &log.checkpoint(4), &line);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(t0.abs_diff(now) < 60, "timestamp {t0} is now");
    // 200 again: 4 -> 9 with an RFC 6962 consistency proof.
    let (st, _, line) = post(&w, log.body(4, 9)).await;
    assert_eq!(st, 200, "{line}");
    spec_verify_cosignature(&vkey, &log.checkpoint(9), &line);
    // 200: the same checkpoint again (old size = size, same root) is cosigned again.
    let (st, _, line) = post(&w, log.body(9, 9)).await;
    assert_eq!(st, 200, "{line}");

    // 404: an origin the witness does not follow, validly signed by its own key.
    let stranger = Log::new("stranger.example/log", 3, 4);
    assert_eq!(post(&w, stranger.body(0, 4)).await.0, 404);
    // 403: signed under the right name by a key the witness does not trust.
    let impostor = Log {
        key: SigningKey::from_bytes(&[9; 32]),
        ..Log::new("ledger.example/log", 1, 12)
    };
    assert_eq!(post(&w, impostor.body(9, 10)).await.0, 403);
    // 403: the trusted key's line is there but does not verify.
    let cp = log.checkpoint(10);
    let tampered = cp.replace(
        &log.text_with_root(10, mth(&log.leaves[..10])),
        &log.text_with_root(10, mth(&log.leaves[..9])),
    );
    assert_ne!(tampered, cp);
    assert_eq!(post(&w, body(9, &[], &tampered)).await.0, 403);
    // 400: malformed bodies; an old size above the checkpoint's.
    assert_eq!(post(&w, "old 9\n".into()).await.0, 400);
    assert_eq!(
        post(&w, format!("old 09\n\n{}", log.checkpoint(10)))
            .await
            .0,
        400
    );
    assert_eq!(post(&w, body(11, &[], &log.checkpoint(10))).await.0, 400);
    // 409: the old size is not the latest cosigned size; the body says which it is.
    let (st, ct, text) = post(&w, log.body(4, 10)).await;
    assert_eq!(st, 409);
    assert_eq!(ct.as_deref(), Some("text/x.tlog.size"));
    assert_eq!(text, "9\n");
    // 409 also for a shorter tree than the cosigned one (a rollback).
    let (st, _, text) = post(&w, log.body(4, 4)).await;
    assert_eq!((st, text.as_str()), (409, "9\n"));
    // 422: a consistency proof that does not lead to the new root (a fork after leaf 9).
    let mut forked = Log::new("ledger.example/log", 1, 12);
    forked.leaves[10] = b"rewritten".to_vec();
    let (st, _, _) = post(
        &w,
        body(
            9,
            &subproof(9, &log.leaves[..11], true),
            &forked.checkpoint(11),
        ),
    )
    .await;
    assert_eq!(st, 422);
    // 422: same size as cosigned, different root (a split view at a cosigned size).
    let mut split_view = Log::new("ledger.example/log", 1, 12);
    split_view.leaves[3] = b"another story".to_vec();
    assert_eq!(post(&w, split_view.body(9, 9)).await.0, 422);
    // 422 on a log never cosigned: a non-empty proof from 0; a size-0 checkpoint whose root is
    // not the empty tree's.
    let junk_proof = subproof(2, &fresh.leaves[..4], true);
    assert_eq!(
        post(&w, body(0, &junk_proof, &fresh.checkpoint(4))).await.0,
        422
    );
    let bad_empty = fresh.sign_text(&fresh.text_with_root(0, [7; 32]), &fresh.key);
    assert_eq!(post(&w, body(0, &[], &bad_empty)).await.0, 422);
    // ...and an honest size-0 checkpoint is cosigned.
    assert_eq!(post(&w, fresh.body(0, 0)).await.0, 200);

    // The forks were not cosigned: the witness still stands at 9 and moves on from there.
    let (st, _, line) = post(&w, log.body(9, 12)).await;
    assert_eq!(st, 200, "{line}");

    // The monitoring API serves the latest cosigned checkpoint with both signatures.
    let hash = hex::encode(Sha256::digest(log.origin.as_bytes()));
    let r = reqwest::get(format!("{}/{hash}/checkpoint", w.base))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let served = r.text().await.unwrap();
    assert!(served.starts_with(&log.checkpoint(12)));
    spec_verify_cosignature(
        &vkey,
        &served,
        served
            .lines()
            .last()
            .map(|l| format!("{l}\n"))
            .as_deref()
            .unwrap(),
    );
    let r = reqwest::get(format!("{}/{}/checkpoint", w.base, "00".repeat(32)))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Every refusal that carried a valid log signature is kept with its request.
    let store = sunshine_ledger::store::witness::WitnessStore::open(&dir.join("witness.db"), false)
        .await
        .unwrap();
    let kept = store.refusals().await.unwrap();
    let statuses: Vec<u16> = kept.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 409, 409, 422, 422, 422, 422]);
    assert!(kept[3].request.contains(&forked.checkpoint(11)));
    assert!(kept.iter().all(|r| !r.request.contains("stranger")));
}

#[tokio::test]
async fn a_cosigned_size_survives_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    let vkey = init(&dir, "witness.example/w1");
    let log = Log::new("ledger.example/log", 1, 40);
    let mut last = 0;
    for size in [3, 8, 8, 21, 40] {
        let w = serve(&dir, &[&log]);
        let (st, _, line) = post(&w, log.body(last, size)).await;
        assert_eq!(st, 200, "{line}");
        spec_verify_cosignature(&vkey, &log.checkpoint(size), &line);
        last = size;
        // SIGKILL right after the answer: no shutdown code runs.
        drop(w);
        let w = serve(&dir, &[&log]);
        let (st, _, text) = post(&w, log.body(0, size)).await;
        assert_eq!((st, text), (409, format!("{size}\n")));
    }
}

#[tokio::test]
async fn concurrent_requests_never_roll_the_witness_back() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w");
    init(&dir, "witness.example/w1");
    let log = Log::new("ledger.example/log", 1, 64);
    let w = serve(&dir, &[&log]);
    assert_eq!(post(&w, log.body(0, 4)).await.0, 200);
    let mut at = 4;
    for round in 0..4 {
        // Many requests from the same old size to different new sizes: exactly one may win,
        // the rest must see its size in a 409.
        let sizes: Vec<usize> = (at + 1..=at + 12).collect();
        let answers =
            futures_util::future::join_all(sizes.iter().map(|&s| post(&w, log.body(at, s)))).await;
        let winners: Vec<usize> = sizes
            .iter()
            .zip(&answers)
            .filter(|(_, a)| a.0 == 200)
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        let won = winners[0];
        for (s, a) in sizes.iter().zip(&answers) {
            if *s != won {
                assert_eq!((a.0, a.2.as_str()), (409, format!("{won}\n").as_str()));
            }
        }
        let (st, _, text) = post(&w, log.body(0, won)).await;
        assert_eq!((st, text), (409, format!("{won}\n")));
        at = won;
    }
}
