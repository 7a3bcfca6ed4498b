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

use serde_json::Value;

use super::snapshot::Snapshot;
use crate::money::views::keys;
use crate::money::views::rows::EntryRow;

/// Entries per file: a file stays a few kilobytes even where corrections cluster.
pub const ENTRIES_PER_FILE: u64 = 4096;

/// Where the files are, from the site root.
pub const DIR: &str = "data/corrected/";

/// The `entry/{seq}` row of entry `seq` if a live correction amended or voided it.
pub fn row(snap: &Snapshot, seq: u64) -> Option<&Value> {
    snap.view(&keys::ENTRY.key(&[&seq]))
        .filter(|e| e.get("correction").is_some())
}

/// [`row`] as its type: how a live correction changed entry `seq`, if one did.
pub fn entry_row(snap: &Snapshot, seq: u64) -> Option<EntryRow> {
    snap.typed::<EntryRow>(&keys::ENTRY.key(&[&seq]))
        .filter(|e| e.correction.is_some())
}

/// Every corrected entry's row, by seq.
fn rows(snap: &Snapshot) -> BTreeMap<u64, &Value> {
    snap.rows(keys::ENTRY.prefix())
        .filter(|e| e.get("correction").is_some())
        .filter_map(|e| Some((e["seq"].as_u64()?, e)))
        .collect()
}

fn file_of(rows: &BTreeMap<u64, &Value>, b: u64) -> Option<Vec<u8>> {
    let from = b.checked_mul(ENTRIES_PER_FILE)?;
    let members: serde_json::Map<String, Value> = rows
        .range(from..from.saturating_add(ENTRIES_PER_FILE))
        .map(|(seq, row)| (seq.to_string(), (*row).clone()))
        .collect();
    if members.is_empty() {
        return None;
    }
    serde_json::to_vec(&members).ok()
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
    use serde_json::json;

    #[test]
    fn a_corrected_entry_is_in_the_file_of_its_range_and_only_such_ranges_have_files() {
        let mut snap = Snapshot::default();
        let at = 2 * ENTRIES_PER_FILE + 1;
        let corrected = json!({"seq": at, "status": "live",
            "correction": {"by": at + 1, "action": "amend", "notice": "n"}});
        snap.insert_view(keys::ENTRY.key(&[&at]), corrected.clone());
        // A correction entry's own row has no `correction`: not listed.
        snap.insert_view(keys::ENTRY.key(&[&3]), json!({"seq": 3, "status": "live"}));
        let files = files(&snap);
        assert_eq!(
            files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ["data/corrected/2.json"]
        );
        let two: Value = serde_json::from_slice(&files[0].1).unwrap_or_default();
        assert_eq!(two[at.to_string()], corrected);
        assert_eq!(two.as_object().map(|o| o.len()), Some(1));
        assert_eq!(file(&snap, "2.json").as_deref(), Some(&files[0].1[..]));
        assert_eq!(file(&snap, "0.json"), None);
        assert_eq!(file(&snap, "x.json"), None);
        assert_eq!(file(&snap, &format!("{}.json", u64::MAX)), None);
        assert!(row(&snap, 3).is_none());
        assert!(row(&snap, at).is_some());
    }
}
