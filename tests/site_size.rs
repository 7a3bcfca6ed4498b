//! The static site stays small (issue 13, part 5): apart from the published log under `log/`,
//! it takes less than 3 KB on disk per entry, both as a whole and for every entry a ledger
//! grows by. Two demo ledgers of different sizes are built by the binary, as a user would; the
//! growth between them is what each further entry costs, so a page per entry or per receipt
//! (about 10 KB per entry in both languages) would fail this at any scale.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The budget: bytes on disk apart from `log/`, per entry.
const BUDGET_BYTES_PER_ENTRY: u64 = 3_000;

/// Bytes allocated on disk (blocks, as `du` counts them) and files under `dir`, apart from
/// `dir/log`.
fn on_disk(dir: &Path, log: &Path) -> (u64, u64) {
    let (mut bytes, mut files) = (0, 0);
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        bytes += meta.blocks() * 512;
        if meta.is_dir() {
            if path != log {
                let (b, f) = on_disk(&path, log);
                bytes += b;
                files += f;
            }
        } else {
            files += 1;
        }
    }
    (bytes, files)
}

/// A demo ledger at `scale` with its site built: (entries, bytes on disk apart from `log/`,
/// files apart from `log/`).
fn built(scale: u64) -> (u64, u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| common::run_in(dir.path(), args);
    run(&["demo", "--seed", "1", "--scale", &scale.to_string()]);
    let site = dir.path().join("site");
    run(&["site", "build", "--out", site.to_str().unwrap()]);
    let checkpoint = std::fs::read_to_string(site.join("log/checkpoint")).unwrap();
    let entries: u64 = checkpoint.lines().nth(1).unwrap().parse().unwrap();
    let (bytes, files) = on_disk(&site, &site.join("log"));
    (entries, bytes, files)
}

#[test]
fn the_site_takes_less_than_3_kb_per_entry_apart_from_the_log() {
    let (small_entries, small_bytes, small_files) = built(150);
    let (big_entries, big_bytes, big_files) = built(1_200);
    assert!(
        big_entries > small_entries + 2_000,
        "{small_entries} -> {big_entries}"
    );
    let per_entry = big_bytes / big_entries;
    let growth = (big_bytes - small_bytes) / (big_entries - small_entries);
    eprintln!(
        "{small_entries} entries: {small_bytes} bytes in {small_files} files; \
         {big_entries} entries: {big_bytes} bytes in {big_files} files; \
         {per_entry} bytes per entry, {growth} per added entry"
    );
    assert!(
        per_entry < BUDGET_BYTES_PER_ENTRY,
        "{per_entry} bytes per entry at {big_entries} entries"
    );
    assert!(
        growth < BUDGET_BYTES_PER_ENTRY,
        "each added entry costs {growth} bytes"
    );
    // Files follow organisations and projects, not entries: thousands of entries more add a few
    // receipt shards, never a file per entry.
    assert!(
        big_files - small_files < (big_entries - small_entries) / 20,
        "{small_files} -> {big_files} files"
    );
}
