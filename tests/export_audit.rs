//! `sunshine export` writes the spec's published log layout; `audit_dir` / `sunshine audit --dir`
//! verify it from the files alone, and name the first broken entry or tile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use indicatif::ProgressBar;
use serde_json::{Map, Value, json};
use sunshine_ledger::append::service::LedgerService;
use sunshine_ledger::ledger::note::{self, Checkpoint};
use sunshine_ledger::ledger::submission::draft;
use sunshine_ledger::ledger::tiles;
use sunshine_ledger::ledger::{Author, Kind, SecretKey, SignedSubmission, Uscc};
use sunshine_ledger::publish::dir_audit::{DirAuditError, audit_export};
use sunshine_ledger::publish::export::{ExportError, ExportReport, export};
use sunshine_ledger::replay::audit::{AuditError, AuditReport};
use sunshine_ledger::replay::store_audit::audit_store;
use sunshine_ledger::store::Store;
use tempfile::TempDir;

const ORIGIN: &str = "example.org/sunshine-test";

fn regulator_id() -> Uscc {
    Uscc::with_check("11440000MB0000001").unwrap()
}

fn org_id() -> Uscc {
    Uscc::with_check("53440000MJ0000001").unwrap()
}

fn key(tag: u8, n: u64) -> SecretKey {
    let mut seed = [tag; 32];
    seed[..8].copy_from_slice(&n.to_le_bytes());
    SecretKey::from_seed(seed)
}

fn body(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

/// A ledger on the running test's backend (see [`common::fresh_url`]): genesis, one registered organisation, then `org.keys` entries.
struct Ledger {
    /// Holds the database file for the ledger's lifetime.
    _dir: TempDir,
    service: LedgerService,
    regulator: SecretKey,
    next_key: u64,
}

impl Ledger {
    /// Genesis (origin `origin`, operator key seed `op`) and the organisation's registration.
    async fn new(origin: &str, op: u8) -> Ledger {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&common::fresh_url(dir.path()).await, true)
            .await
            .unwrap();
        let operator = key(op, 0);
        let regulator = key(2, 0);
        let genesis = draft(
            Kind::Genesis,
            Author::Operator,
            &operator,
            body(
                json!({"origin": origin, "operator_key": operator.public().to_hex(),
                "regulators": [{"id": regulator_id(), "name": "广东省民政厅",
                "key": regulator.public().to_hex()}]}),
            ),
        )
        .sign(&operator);
        let service = LedgerService::open(store, operator).await.unwrap();
        service.append(vec![genesis]).await.unwrap();
        let register = draft(
            Kind::OrgRegister,
            Author::Regulator(regulator_id()),
            &regulator,
            body(
                json!({"org": org_id(), "name": "测试慈善基金会", "org_type": "foundation",
                "region": "440000", "public_fundraising": true, "registered_on": "2020-01-01",
                "keys": [key(3, 0).public().to_hex()]}),
            ),
        )
        .sign(&regulator);
        service.append(vec![register]).await.unwrap();
        Ledger {
            _dir: dir,
            service,
            regulator,
            next_key: 1,
        }
    }

    fn store(&self) -> &Store {
        self.service.store()
    }

    /// Appends `n` entries in one batch, each registering a fresh key for the organisation.
    async fn add(&mut self, n: u64) {
        let subs: Vec<SignedSubmission> = (0..n)
            .map(|i| {
                let k = key(3, self.next_key + i);
                draft(
                    Kind::OrgKeys,
                    Author::Regulator(regulator_id()),
                    &self.regulator,
                    body(json!({"org": org_id(), "add": [k.public().to_hex()]})),
                )
                .sign(&self.regulator)
            })
            .collect();
        self.next_key += n;
        self.service.append(subs).await.unwrap();
    }

    async fn size(&self) -> u64 {
        self.store().size().await.unwrap()
    }

    async fn export_to(&self, dir: &Path) -> Result<ExportReport, ExportError> {
        export(self.store(), dir, &ProgressBar::hidden()).await
    }

    async fn store_audit(&self) -> AuditReport {
        audit_store(self.store(), &ProgressBar::hidden())
            .await
            .unwrap()
    }
}

/// A ledger of 2 + 200 + 250 + 150 = 602 entries (two full bundles and a partial one, level-1
/// partial tile of width 2), exported into a fresh directory.
async fn exported() -> (Ledger, TempDir) {
    let mut l = Ledger::new(ORIGIN, 1).await;
    for n in [200, 250, 150] {
        l.add(n).await;
    }
    assert_eq!(l.size().await, 602);
    let out = tempfile::tempdir().unwrap();
    l.export_to(out.path()).await.unwrap();
    (l, out)
}

/// Every file under `dir`, relative path -> (bytes, modification time).
fn files(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, SystemTime)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                let mtime = e.metadata().unwrap().modified().unwrap();
                out.insert(rel, (std::fs::read(&p).unwrap(), mtime));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn log_file(dir: &TempDir, rel: &str) -> PathBuf {
    dir.path().join("log").join(rel)
}

fn audit_err(dir: &TempDir) -> DirAuditError {
    audit_export(dir.path()).unwrap_err()
}

/// Flips one bit of the byte at `at` in `rel`.
fn flip(dir: &TempDir, rel: &str, at: usize) {
    let p = log_file(dir, rel);
    let mut b = std::fs::read(&p).unwrap();
    b[at] ^= 1;
    std::fs::write(&p, b).unwrap();
}

/// Byte offset of the middle of entry `seq`'s leaf inside its bundle.
fn leaf_middle_offset(bundle: &[u8], position: usize) -> usize {
    let mut off = 0;
    for i in 0..=position {
        let len = usize::from(u16::from_be_bytes([bundle[off], bundle[off + 1]]));
        if i == position {
            return off + 2 + len / 2;
        }
        off += 2 + len;
    }
    unreachable!()
}

async fn export_writes_the_published_layout_and_audits_like_the_database() {
    let (l, out) = exported().await;
    let size = 602;
    let all = files(out.path());
    let mut expected: Vec<String> = tiles::tiles_for_size(size)
        .iter()
        .map(|t| format!("log/{}", t.path()))
        .collect();
    expected.push("log/checkpoint".into());
    expected.push("log/operator.vkey".into());
    expected.sort();
    assert_eq!(all.keys().cloned().collect::<Vec<_>>(), expected);
    assert!(all.contains_key("log/tile/entries/002.p/90"));
    assert!(all.contains_key("log/tile/1/000.p/2"));

    // The checkpoint is the stored note, byte for byte; the vkey is genesis's key, one line.
    let (_, note) = l.store().latest_checkpoint().await.unwrap().unwrap();
    assert_eq!(all["log/checkpoint"].0, note.as_bytes());
    let vkey = String::from_utf8(all["log/operator.vkey"].0.clone()).unwrap();
    assert!(vkey.ends_with('\n') && vkey.lines().count() == 1);
    let cp = Checkpoint::verify(&note, vkey.trim_end()).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size), (ORIGIN, size));

    // Bundles hold the stored leaf bytes; level-0 tiles their leaf hashes.
    let bundle = &all["log/tile/entries/001"].0;
    let leaves = tiles::decode_bundle(bundle).unwrap();
    let row = l.store().entry(300).await.unwrap().unwrap();
    assert_eq!(leaves[300 - 256], row.leaf.as_slice());
    assert_eq!(
        &all["log/tile/0/001"].0[(300 - 256) * 32..(300 - 256 + 1) * 32],
        row.leaf_hash.as_slice()
    );

    let from_dir = audit_export(out.path()).unwrap();
    let from_db = l.store_audit().await;
    assert_eq!(from_dir.size, size);
    assert_eq!(from_dir.root, from_db.root);
    assert_eq!(from_dir.root, cp.root);
    assert_eq!(from_dir.checkpoints, 1);
    // 3 bundles + 3 level-0 tiles, then tile/1/000.p/2 and the two full tiles under it.
    assert_eq!(from_dir.nodes, 3 + 3 + 1 + 2);
    // The anyhow face of the same audit, as `sunshine audit --dir` calls it.
    assert_eq!(
        sunshine_ledger::publish::dir_audit::audit_dir(out.path()).unwrap(),
        from_dir
    );
}

async fn incremental_export_writes_only_touched_tiles() {
    let (mut l, out) = exported().await;
    let before = files(out.path());
    // Unchanged files keep their mtime; make sure a rewrite would show.
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Nothing new: nothing written.
    let r = l.export_to(out.path()).await.unwrap();
    assert_eq!(
        (r.previous_size, r.tiles_written, r.bytes_written),
        (Some(602), 0, 0)
    );
    assert_eq!(files(out.path()), before);

    l.add(300).await;
    l.add(1).await;
    let r = l.export_to(out.path()).await.unwrap();
    let touched = tiles::tiles_touched(602, 903);
    assert_eq!(r.previous_size, Some(602));
    assert_eq!((r.size, r.tiles_written), (903, touched.len() as u64));
    let touched_paths: Vec<String> = touched
        .iter()
        .map(|t| format!("log/{}", t.path()))
        .collect();
    // entries 002 (was .p/90) and 003.p/135, level 0 the same, level 1 000.p/3.
    assert_eq!(
        touched_paths,
        [
            "log/tile/entries/002",
            "log/tile/entries/003.p/135",
            "log/tile/0/002",
            "log/tile/0/003.p/135",
            "log/tile/1/000.p/3"
        ]
    );
    let after = files(out.path());
    for (path, (bytes, mtime)) in &before {
        if path == "log/checkpoint" {
            continue;
        }
        // Old partial tiles (entries/002.p/90, 0/002.p/90, 1/000.p/2) stay, untouched.
        assert_eq!(after[path], (bytes.clone(), *mtime), "{path} was rewritten");
    }
    let new: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    let mut want: Vec<&String> = touched_paths.iter().collect();
    want.sort();
    assert_eq!(new, want, "new files are exactly the touched tiles");
    assert_ne!(after["log/checkpoint"], before["log/checkpoint"]);

    let report = audit_export(out.path()).unwrap();
    assert_eq!(report.size, 903);
    assert_eq!(report.root, l.store_audit().await.root);

    // A full export of the same ledger elsewhere has identical tiles.
    let fresh = tempfile::tempdir().unwrap();
    l.export_to(fresh.path()).await.unwrap();
    for (path, (bytes, _)) in files(fresh.path()) {
        assert_eq!(after[&path].0, bytes, "{path}");
    }
}

#[tokio::test]
async fn a_flipped_byte_in_a_bundle_names_the_entry() {
    let (_l, out) = exported().await;
    let rel = "tile/entries/001";
    let bundle = std::fs::read(log_file(&out, rel)).unwrap();
    let seq = 300u64;
    flip(&out, rel, leaf_middle_offset(&bundle, (seq - 256) as usize));
    let err = audit_err(&out);
    assert_eq!(err.seq(), Some(seq), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with("entry 300: "), "{msg}");
    assert!(msg.contains("log/tile/entries/001"), "{msg}");
}

#[tokio::test]
async fn a_flipped_byte_in_the_partial_bundle_names_the_entry() {
    let (_l, out) = exported().await;
    let rel = "tile/entries/002.p/90";
    let bundle = std::fs::read(log_file(&out, rel)).unwrap();
    flip(&out, rel, leaf_middle_offset(&bundle, 89));
    assert_eq!(audit_err(&out).seq(), Some(601));
}

#[tokio::test]
async fn a_changed_level_zero_hash_is_that_entrys_leaf_hash() {
    let (_l, out) = exported().await;
    flip(&out, "tile/0/001", 7 * 32 + 31);
    let err = audit_err(&out);
    assert!(
        matches!(
            &err,
            DirAuditError::Entry {
                source: AuditError::LeafHash { seq: 263 },
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("log/tile/0/001"), "{err}");
}

#[tokio::test]
async fn a_changed_level_one_tile_is_named() {
    let (_l, out) = exported().await;
    flip(&out, "tile/1/000.p/2", 40);
    let err = audit_err(&out).to_string();
    assert_eq!(
        err,
        "log/tile/1/000.p/2: hash 1 is not the Merkle root of log/tile/0/001"
    );
}

#[tokio::test]
async fn a_deleted_bundle_or_tile_is_named() {
    let (_l, out) = exported().await;
    std::fs::remove_file(log_file(&out, "tile/entries/001")).unwrap();
    let err = audit_err(&out);
    assert!(
        matches!(&err, DirAuditError::Missing { path } if path == "log/tile/entries/001"),
        "{err}"
    );

    let (_l, out) = exported().await;
    std::fs::remove_file(log_file(&out, "tile/entries/002.p/90")).unwrap();
    assert_eq!(
        audit_err(&out).to_string(),
        "log/tile/entries/002.p/90: missing"
    );

    let (_l, out) = exported().await;
    std::fs::remove_file(log_file(&out, "tile/0/000")).unwrap();
    assert_eq!(audit_err(&out).to_string(), "log/tile/0/000: missing");

    let (_l, out) = exported().await;
    std::fs::remove_file(log_file(&out, "checkpoint")).unwrap();
    assert_eq!(audit_err(&out).to_string(), "log/checkpoint: missing");
}

#[tokio::test]
async fn a_bundle_of_the_wrong_width_is_named() {
    let (_l, out) = exported().await;
    // Drop the last entry of a full bundle: well-formed, but 255 entries under a full path.
    let p = log_file(&out, "tile/entries/000");
    let bundle = std::fs::read(&p).unwrap();
    let leaves = tiles::decode_bundle(&bundle).unwrap();
    let short = tiles::encode_bundle(&leaves[..255]).unwrap();
    std::fs::write(&p, short).unwrap();
    assert_eq!(
        audit_err(&out).to_string(),
        "log/tile/entries/000: holds 255 entries, its path says 256"
    );
}

/// An older signed checkpoint audits the tree it signs and nothing more: the entries beyond it
/// are not covered by any signature in the directory, so they are ignored, and the report's
/// size says how much was verified. (Freshness is for the reader to check against another
/// source.) The older tree's partial tiles are read as prefixes of the tiles present.
#[tokio::test]
async fn an_older_checkpoint_audits_up_to_its_size() {
    let (l, out) = exported().await;
    let old = l.store().checkpoint_at(202).await.unwrap().unwrap();
    std::fs::write(log_file(&out, "checkpoint"), &old).unwrap();
    let report = audit_export(out.path()).unwrap();
    assert_eq!(report.size, 202);
    let vkey = std::fs::read_to_string(log_file(&out, "operator.vkey")).unwrap();
    assert_eq!(
        report.root,
        Checkpoint::verify(&old, vkey.trim_end()).unwrap().root
    );
    // 1 bundle + 1 level-0 tile, both read from the full tiles (no .p/202 files exist).
    assert!(!log_file(&out, "tile/entries/000.p/202").exists());
    assert_eq!(report.nodes, 2);
}

#[tokio::test]
async fn a_wrong_verifier_key_is_refused() {
    let (_l, out) = exported().await;
    let vkey_path = log_file(&out, "operator.vkey");
    let other = key(9, 0);
    // Same origin, another key: the checkpoint carries no signature by it.
    std::fs::write(
        &vkey_path,
        format!(
            "{}\n",
            note::vkey_string(ORIGIN, other.public().verifying_key())
        ),
    )
    .unwrap();
    let err = audit_err(&out);
    assert!(matches!(err, DirAuditError::Checkpoint(_)), "{err}");
    assert!(err.to_string().contains("no signature"), "{err}");

    // The right key under another name.
    let real = key(1, 0);
    std::fs::write(
        &vkey_path,
        format!(
            "{}\n",
            note::vkey_string("example.org/other", real.public().verifying_key())
        ),
    )
    .unwrap();
    assert!(matches!(audit_err(&out), DirAuditError::Checkpoint(_)));

    // Not a verifier key at all (a spliced key id).
    let good = note::vkey_string(ORIGIN, real.public().verifying_key());
    let spliced = format!("{ORIGIN}+00000000+{}", good.rsplit('+').next().unwrap());
    std::fs::write(&vkey_path, format!("{spliced}\n")).unwrap();
    let err = audit_err(&out);
    assert!(matches!(err, DirAuditError::Vkey(_)), "{err}");

    std::fs::remove_file(&vkey_path).unwrap();
    assert_eq!(audit_err(&out).to_string(), "log/operator.vkey: missing");
}

/// A directory pairing one log's key and checkpoint with another log's entries: genesis does
/// not name the key the directory publishes.
#[tokio::test]
async fn entries_of_another_log_are_refused() {
    let a = Ledger::new(ORIGIN, 1).await;
    let b = Ledger::new("example.org/look-alike", 1).await;
    let out = tempfile::tempdir().unwrap();
    b.export_to(out.path()).await.unwrap();
    let a_note = a.store().checkpoint_at(2).await.unwrap().unwrap();
    let a_vkey = note::vkey_string(ORIGIN, key(1, 0).public().verifying_key());
    std::fs::write(log_file(&out, "checkpoint"), a_note).unwrap();
    std::fs::write(log_file(&out, "operator.vkey"), format!("{a_vkey}\n")).unwrap();
    let err = audit_err(&out);
    assert!(matches!(err, DirAuditError::Genesis { .. }), "{err}");
}

async fn export_refuses_foreign_newer_and_forked_exports() {
    let (l, out) = exported().await;

    // Another operator's log.
    let other = Ledger::new(ORIGIN, 7).await;
    let err = other.export_to(out.path()).await.unwrap_err();
    assert!(matches!(err, ExportError::ForeignExport { .. }), "{err}");

    // The same operator and origin, a shorter history: the export would go backwards.
    let mut short = Ledger::new(ORIGIN, 1).await;
    short.add(10).await;
    let err = short.export_to(out.path()).await.unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::ExportAhead {
                exported: 602,
                current: 12,
                ..
            }
        ),
        "{err}"
    );

    // Same operator and origin, longer but a different history: a fork.
    short.add(700).await;
    let err = short.export_to(out.path()).await.unwrap_err();
    assert!(
        matches!(
            err,
            ExportError::Inconsistent {
                old_size: 602,
                new_size: 712,
                ..
            }
        ),
        "{err}"
    );

    // A verifier key of another log with no checkpoint next to it.
    let lone = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(lone.path().join("log")).unwrap();
    std::fs::write(
        lone.path().join("log/operator.vkey"),
        format!(
            "{}\n",
            note::vkey_string("x", key(8, 0).public().verifying_key())
        ),
    )
    .unwrap();
    let err = l.export_to(lone.path()).await.unwrap_err();
    assert!(matches!(err, ExportError::ForeignExport { .. }), "{err}");

    // Nothing of the refused exports landed: the original still audits at its size.
    assert_eq!(audit_export(out.path()).unwrap().size, 602);
}

fn run(args: &[&std::ffi::OsStr]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sunshine"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn the_binary_exports_and_audits_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::fresh_url(dir.path()).await;
    let keys = dir.path().join("keys");
    let out = dir.path().join("public");
    let g = |cmd: &[&str]| {
        let mut v: Vec<std::ffi::OsString> = vec![
            "--db".into(),
            db.clone().into(),
            "--keys".into(),
            keys.clone().into(),
        ];
        v.extend(cmd.iter().map(|s| (*s).into()));
        v
    };
    let call = |cmd: &[&str]| {
        let v = g(cmd);
        let refs: Vec<&std::ffi::OsStr> = v.iter().map(|s| s.as_os_str()).collect();
        run(&refs)
    };
    let out_s = out.to_str().unwrap();

    let (ok, _, err) = call(&["init", "--origin", ORIGIN]);
    assert!(ok, "init: {err}");

    // Grow the ledger with the keys `init` wrote, through the library.
    {
        let store = Store::open(&db, false).await.unwrap();
        let operator = sunshine_ledger::cli::keyfile::operator(&keys).unwrap();
        let regulator = sunshine_ledger::cli::keyfile::read(&keys.join("regulator.key")).unwrap();
        let reg_id = sunshine_ledger::cli::init::local_regulator_id();
        let service = LedgerService::open(store, operator).await.unwrap();
        let mut subs = vec![
            draft(
                Kind::OrgRegister,
                Author::Regulator(reg_id.clone()),
                &regulator,
                body(
                    json!({"org": org_id(), "name": "测试慈善基金会", "org_type": "foundation",
                "region": "440000", "public_fundraising": true, "registered_on": "2020-01-01",
                "keys": [key(3, 0).public().to_hex()]}),
                ),
            )
            .sign(&regulator),
        ];
        subs.extend((1..=300).map(|i| {
            draft(
                Kind::OrgKeys,
                Author::Regulator(reg_id.clone()),
                &regulator,
                body(json!({"org": org_id(), "add": [key(3, i).public().to_hex()]})),
            )
            .sign(&regulator)
        }));
        service.append(subs).await.unwrap();
        service.store().close().await;
    }

    let (ok, stdout, err) = call(&["export", out_s]);
    assert!(ok, "export: {err}");
    assert!(stdout.contains("exported 302 entries"), "{stdout}");
    assert!(stdout.contains("full export"), "{stdout}");

    let (ok, again, err) = call(&["export", out_s]);
    assert!(ok, "second export: {err}");
    assert!(again.contains("already up to date"), "{again}");
    assert!(again.contains(": 0 tiles, 0 bytes written"), "{again}");

    let (ok, dir_audit, err) = call(&["audit", "--dir", out_s]);
    assert!(ok, "audit --dir: {err}");
    let (ok, db_audit, err) = call(&["audit"]);
    assert!(ok, "audit: {err}");
    let root = |s: &str| -> String {
        let i = s.find("root ").unwrap() + 5;
        s[i..i + 64].to_owned()
    };
    assert!(dir_audit.starts_with("OK: 302 entries"), "{dir_audit}");
    assert_eq!(root(&dir_audit), root(&db_audit));

    // The exported directory stands alone: no database, no keys.
    match common::backend() {
        common::Backend::Sqlite => std::fs::remove_file(dir.path().join("ledger.db")).unwrap(),
        common::Backend::Postgres => Store::drop_database(&db).await.unwrap(),
    }
    let (ok, _, err) = run(&["audit".as_ref(), "--dir".as_ref(), out.as_os_str()]);
    assert!(ok, "audit --dir without the database: {err}");

    flip_path(&out.join("log/tile/entries/001.p/46"), 100);
    let (ok, _, err) = run(&["audit".as_ref(), "--dir".as_ref(), out.as_os_str()]);
    assert!(!ok);
    assert!(err.contains("log/tile/entries/001.p/46"), "{err}");
}

fn flip_path(p: &Path, at: usize) {
    let mut b = std::fs::read(p).unwrap();
    b[at] ^= 1;
    std::fs::write(p, b).unwrap();
}

// The tests above that read the ledger from its database run on both backends; the others
// tamper with exported files only, which no database is involved in.
on_both_backends!(
    export_writes_the_published_layout_and_audits_like_the_database,
    incremental_export_writes_only_touched_tiles,
    export_refuses_foreign_newer_and_forked_exports,
    the_binary_exports_and_audits_a_directory,
);
