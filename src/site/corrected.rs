//! Corrected entries as data, for the entry viewer (issue 15, part 6; 2025 Disclosure Measures
//! Art. 16: the correction notice goes with the item it corrects).
//!
//! The entry viewer shows an entry from its verified bytes, which never change: an entry amended
//! or voided later says nothing of it. What a correction did is in the entry's `entry/{seq}`
//! view row (the live correction that last changed it, its notice, the body first recorded and
//! the one in force), and the viewer reads it from here:
//!
//! - `data/corrected/{b}.json`: `{seq: row}` for the corrected entries with
//!   `b = seq / ENTRIES_PER_FILE`, written only for ranges that hold a corrected entry: a 404
//!   means no entry of the range is corrected (the viewer tells that apart from a failed
//!   fetch, which it reports). So the site's files follow its corrections, not its entries.
//!
//! Corrections are rare, so the files are few and small. A file changes only when an entry in
//! its range is corrected.

use std::collections::BTreeMap;

use super::snapshot::Snapshot;
use crate::money::views::keys;
use crate::money::views::rows::EntryRow;

/// Entries per file: a file stays a few kilobytes even where corrections cluster.
pub const ENTRIES_PER_FILE: u64 = 4096;

/// Where the files are, from the site root.
pub const DIR: &str = "data/corrected/";

/// The `entry/{seq}` row of entry `seq` if a live correction amended or voided it.
pub fn row(snap: &Snapshot, seq: u64) -> Option<EntryRow> {
    snap.typed::<EntryRow>(&keys::ENTRY.key(&[&seq]))
        .filter(|e| e.correction.is_some())
}

/// A row as the files and receipt shards carry it: its canonical JSON, the bytes the store
/// holds (a row is canonical JSON of its type).
pub fn row_json(row: &EntryRow) -> Option<Vec<u8>> {
    crate::ledger::jcs::canonical(row).ok()
}

/// Every corrected entry's row, by seq.
fn rows(snap: &Snapshot) -> BTreeMap<u64, EntryRow> {
    snap.typed_values::<EntryRow>(keys::ENTRY.prefix())
        .filter(|e| e.correction.is_some())
        .map(|e| (e.seq, e))
        .collect()
}

/// File `b`: `{seq: row}` in seq order, or `None` if no entry of its range is corrected.
fn file_of(rows: &BTreeMap<u64, EntryRow>, b: u64) -> Option<Vec<u8>> {
    let from = b.checked_mul(ENTRIES_PER_FILE)?;
    let mut out = vec![b'{'];
    for (seq, row) in rows.range(from..from.saturating_add(ENTRIES_PER_FILE)) {
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(format!("\"{seq}\":").as_bytes());
        out.extend_from_slice(&row_json(row)?);
    }
    if out.len() == 1 {
        return None;
    }
    out.push(b'}');
    Some(out)
}

/// Every file, as (path from the site root, bytes).
pub fn files(snap: &Snapshot) -> Vec<(String, Vec<u8>)> {
    let rows = rows(snap);
    let ranges: std::collections::BTreeSet<u64> =
        rows.keys().map(|seq| seq / ENTRIES_PER_FILE).collect();
    ranges
        .into_iter()
        .filter_map(|b| Some((format!("{DIR}{b}.json"), file_of(&rows, b)?)))
        .collect()
}

/// The file named `name` below [`DIR`] (`{b}.json`), made for the live server; `None` (a 404)
/// for a range with no corrected entry, as in the export.
pub fn file(snap: &Snapshot, name: &str) -> Option<Vec<u8>> {
    let stem = name.strip_suffix(".json")?;
    let b: u64 = stem.parse().ok()?;
    // One name per file: `02.json` or `+2.json` are not `2.json`.
    (b.to_string() == stem).then_some(())?;
    file_of(&rows(snap), b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// An `entry/{seq}` row as the writer stores it: amended by the entry after it.
    fn corrected(at: u64) -> Value {
        json!({"seq": at, "kind": "donation", "status": "live", "voided_by": [],
            "amended_by": [at + 1], "corrections": [at + 1],
            "correction": {"by": at + 1, "action": "amend", "notice": "n"},
            "original": {"amount": "10.00", "purpose": "助学"},
            "current": {"amount": "12.00", "purpose": "助学"}})
    }

    #[test]
    fn a_corrected_entry_is_in_the_file_of_its_range_and_only_such_ranges_have_files() {
        let mut snap = Snapshot::default();
        // Two in one range, whose text order is not their number order.
        let (at, later) = (2 * ENTRIES_PER_FILE + 808, 2 * ENTRIES_PER_FILE + 1808);
        assert!(at.to_string() > later.to_string());
        for seq in [later, at] {
            snap.insert_view(keys::ENTRY.key(&[&seq]), corrected(seq));
        }
        // A correction entry's own row has no `correction`: not listed.
        let own = json!({"seq": 3, "kind": "correction", "status": "live", "voided_by": [],
            "amended_by": [], "corrections": [], "target": 2, "action": "void", "notice": "n"});
        snap.insert_view(keys::ENTRY.key(&[&3]), own);
        let files = files(&snap);
        assert_eq!(
            files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ["data/corrected/2.json"]
        );
        // Each row is written as the store holds it (canonical JSON), in entry order.
        let stored = |seq| crate::ledger::jcs::canonical_value(&corrected(seq)).unwrap_or_default();
        let mut want = format!("{{\"{at}\":").into_bytes();
        want.extend(stored(at));
        want.extend(format!(",\"{later}\":").into_bytes());
        want.extend(stored(later));
        want.push(b'}');
        assert_eq!(
            String::from_utf8_lossy(&files[0].1),
            String::from_utf8_lossy(&want)
        );
        assert_eq!(file(&snap, "2.json").as_deref(), Some(&files[0].1[..]));
        assert_eq!(file(&snap, "0.json"), None);
        assert_eq!(file(&snap, "x.json"), None);
        assert_eq!(file(&snap, &format!("{}.json", u64::MAX)), None);
        assert!(row(&snap, 3).is_none());
        assert_eq!(row(&snap, at).map(|r| r.amended_by), Some(vec![at + 1]));
    }
}
