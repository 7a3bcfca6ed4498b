//! Auditing an exported directory with no database: everything is re-derived from `log/`.

use std::io::{self, Read as _};
use std::path::Path;

use super::export::{CHECKPOINT_FILE, LOG_PREFIX, VKEY_FILE};
use crate::ledger::Hash;
use crate::ledger::merkle::{self, MerkleError, NodeReader, subtree_root};
use crate::ledger::note::{self, Checkpoint};
use crate::ledger::tiles::{
    self, HASH_SIZE, MAX_ENTRY_SIZE, TILE_HEIGHT, TILE_WIDTH, TileKind, TileRef,
};
use crate::money::records::Records;
use crate::replay::audit::{self, AuditError, AuditReport, Auditor, Fed, Row};
use crate::replay::state::State;

/// Largest hash tile: 256 hashes of 32 bytes.
const MAX_HASH_TILE_BYTES: u64 = TILE_WIDTH as u64 * HASH_SIZE as u64;
/// Largest entry bundle: 256 entries of at most 65,535 bytes, each behind a 2-byte length.
const MAX_BUNDLE_BYTES: u64 = TILE_WIDTH as u64 * (2 + MAX_ENTRY_SIZE as u64);
/// A verifier key string is about 100 bytes; anything much larger is not one.
pub(super) const MAX_VKEY_BYTES: u64 = 4096;
/// The first thing found wrong in an exported directory. Paths are relative to the directory
/// (`log/tile/...`), so a message points at the file to look at.
#[derive(Debug, thiserror::Error)]
pub enum DirAuditError {
    #[error("{path}: missing")]
    Missing { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("log/operator.vkey: {0}")]
    Vkey(String),
    #[error("log/checkpoint: {0}")]
    Checkpoint(String),
    #[error("{path}: {reason}")]
    Tile { path: String, reason: String },
    /// An entry is wrong; `bundle` is the file holding it and `hashes` its level-0 tile.
    #[error("{source} (in {bundle}, hash tile {hashes})")]
    Entry {
        source: AuditError,
        bundle: String,
        hashes: String,
    },
    #[error("entry 0 (genesis) names {found}, log/operator.vkey is {vkey}")]
    Genesis { found: String, vkey: String },
    #[error(transparent)]
    Audit(AuditError),
}

impl DirAuditError {
    /// The seq of the broken entry, when the failure is an entry's.
    pub fn seq(&self) -> Option<u64> {
        match self {
            DirAuditError::Entry { source, .. } => audit_error_seq(source),
            _ => None,
        }
    }
}

fn audit_error_seq(e: &AuditError) -> Option<u64> {
    match e {
        AuditError::Gap { seq, .. }
        | AuditError::Entry { seq, .. }
        | AuditError::LeafHash { seq }
        | AuditError::Signature { seq } => Some(*seq),
        _ => None,
    }
}

/// Audits the exported directory `dir` (as written by [`export`]) from its files alone; see
/// [`audit_export`].
pub fn audit_dir(dir: &Path) -> anyhow::Result<AuditReport> {
    Ok(audit_export(dir)?)
}

/// [`audit_dir`] with `auditor` (a fresh one: `sunshine audit --dir --full` rebuilds every
/// correction from entry 0).
pub fn audit_dir_with(dir: &Path, auditor: Auditor) -> anyhow::Result<AuditReport> {
    Ok(replay_export_with(dir, auditor, |_, _| {})?.0)
}

/// Audits an exported directory with no database: everything is re-derived from `log/`.
///
/// 1. `log/operator.vkey` parses (its key id matches) and `log/checkpoint` verifies under it.
/// 2. Every entry up to the checkpoint's size is read from the entry bundles in order and fed
///    to the [`Auditor`] — canonical encoding, seq and prev chain, signatures, authority at
///    each seq, nonces — together with the leaf hash at the same position of the level-0 hash
///    tile, so a tile that disagrees with its bundle is reported as that entry's leaf hash.
///    Genesis must name the vkey's origin and operator key, and the checkpoint's root must be
///    the root of those entries.
/// 3. Every hash tile of level >= 1, full or partial, is checked hash by hash: hash `j` of
///    tile `L/N` must be the Merkle root of the full tile `(L-1)/(N·256+j)`.
/// 4. The root recomputed from the tiles alone equals the checkpoint's, so a client that
///    trusts the tiles (as tlog clients do) computes the same proofs as one that replays.
///
/// The audit covers exactly the tree the checkpoint signs. Files beyond it (a newer export's
/// tiles next to an older checkpoint, stale `.p/<W>` partial tiles) are ignored, as a tlog
/// client ignores them; the report's `size` says how much was verified. Whether the checkpoint
/// is the *latest* one is a question of freshness that no static directory can answer —
/// compare it with one obtained elsewhere (witnesses, the live server). Like a tlog client, a
/// missing partial tile is read as the prefix of the full tile or of a wider partial tile,
/// since a log may stop serving partial tiles once they are complete.
///
/// Memory holds one bundle and two hash tiles at a time, plus the auditor's replayed trust
/// state. The report's `nodes` counts tile files verified (bundles and hash tiles).
pub fn audit_export(dir: &Path) -> Result<AuditReport, DirAuditError> {
    replay_export(dir, |_, _| {}).map(|(report, _)| report)
}

/// [`audit_export`], handing each entry's records to `on_records` (with the seq of the entry
/// that wrote them) and answering the replayed state too, from which the views are re-derived
/// (`sunshine monitor` compares them with what the operator's API serves).
pub fn replay_export(
    dir: &Path,
    on_records: impl FnMut(u64, Records),
) -> Result<(AuditReport, State), DirAuditError> {
    replay_export_with(dir, Auditor::new(), on_records)
}

/// [`replay_export`] with `auditor` (a fresh one: tests give it books to keep closer together
/// than a real audit does).
pub fn replay_export_with(
    dir: &Path,
    mut auditor: Auditor,
    mut on_records: impl FnMut(u64, Records),
) -> Result<(AuditReport, State), DirAuditError> {
    let log = dir.join(LOG_PREFIX);
    let vkey_bytes = read_required(&log, VKEY_FILE, MAX_VKEY_BYTES)?;
    let vkey =
        String::from_utf8(vkey_bytes).map_err(|_| DirAuditError::Vkey("not UTF-8".into()))?;
    let vkey = vkey.strip_suffix('\n').unwrap_or(&vkey);
    let (origin, key) = note::parse_vkey(vkey).map_err(|e| DirAuditError::Vkey(e.to_string()))?;
    let note_bytes = read_required(&log, CHECKPOINT_FILE, note::MAX_NOTE_SIZE as u64)?;
    let note =
        String::from_utf8(note_bytes).map_err(|_| DirAuditError::Checkpoint("not UTF-8".into()))?;
    let cp =
        Checkpoint::verify(&note, vkey).map_err(|e| DirAuditError::Checkpoint(e.to_string()))?;

    let size = cp.size;
    let mut checked = 0u64;
    let bundles = size.div_ceil(u64::from(TILE_WIDTH));
    for n in 0..bundles {
        let width = level_tile_width(size, n);
        let bundle = TileRef::entries(n, width);
        let hashes_tile = TileRef::hashes(0, n, width);
        let leaves = read_bundle(&log, &bundle)?;
        let hashes = read_hash_tile(&log, &hashes_tile)?;
        checked += 2;
        let rows = (n * u64::from(TILE_WIDTH)..)
            .zip(leaves)
            .zip(&hashes)
            .map(|((seq, leaf), h)| Row {
                seq,
                leaf,
                leaf_hash: h.as_bytes().to_vec(),
                columns: None,
            })
            .collect();
        for row in audit::prepare(rows) {
            let seq = auditor.size();
            let fed = auditor.entry_prepared(row).map_err(|e| locate(e, size))?;
            if let Fed::Done(records) = fed {
                on_records(seq, records);
            } else if let Fed::Rebuild { from, upto } = fed {
                // A correction's rebuild reads the log before it again from `from`, a bundle
                // at a time.
                let width = u64::from(TILE_WIDTH);
                for m in from / width..upto.div_ceil(width) {
                    let earlier =
                        read_bundle(&log, &TileRef::entries(m, level_tile_width(size, m)))?;
                    let first = m * width;
                    let skip = usize::try_from(from.saturating_sub(first)).unwrap_or(usize::MAX);
                    let wanted = usize::try_from(upto - first).unwrap_or(usize::MAX);
                    for leaf in earlier.into_iter().take(wanted).skip(skip) {
                        auditor.feed_earlier(leaf).map_err(|e| locate(e, size))?;
                        // A published log has no stored records to compare them with.
                        auditor.take_correction_records();
                    }
                }
                let records = auditor.finish_correction().map_err(|e| locate(e, size))?;
                on_records(seq, records);
            }
            if auditor.size() == 1 {
                check_genesis(&auditor, &origin, &key, vkey)?;
            }
        }
    }
    auditor
        .checkpoint(size, &note)
        .map_err(|e| locate(e, size))?;
    let (mut report, state) = auditor.finish().map_err(|e| locate(e, size))?;

    checked += check_upper_tiles(&log, size)?;
    let from_tiles = TileNodes { log: &log, size };
    let root = merkle::tree_hash(size, &from_tiles).map_err(|e| match e {
        MerkleError::Storage(e) => e,
        other => DirAuditError::Tile {
            path: "log/tile".into(),
            reason: other.to_string(),
        },
    })?;
    if root != cp.root {
        return Err(DirAuditError::Checkpoint(format!(
            "root {} differs from the root {root} of the hash tiles",
            cp.root
        )));
    }
    report.nodes = checked;
    Ok((report, state))
}

/// The root of the first `size` leaves, computed from the hash tiles of the tree of `tree_size`
/// leaves in `dir/log` alone. With `size` the size of a checkpoint seen earlier, this is how a
/// monitor checks the log it sees now extends that one: the nodes a consistency proof would
/// name are read straight from the tiles the current checkpoint authenticates.
pub fn root_at(dir: &Path, tree_size: u64, size: u64) -> Result<Hash, DirAuditError> {
    let log = dir.join(LOG_PREFIX);
    let nodes = TileNodes {
        log: &log,
        size: tree_size,
    };
    merkle::tree_hash(size, &nodes).map_err(|e| match e {
        MerkleError::Storage(e) => e,
        other => DirAuditError::Tile {
            path: "log/tile".into(),
            reason: other.to_string(),
        },
    })
}

/// Width of tile `index` on a level that has `nodes` nodes (256 unless it is the right edge).
fn level_tile_width(nodes: u64, index: u64) -> u16 {
    let before = index.saturating_mul(u64::from(TILE_WIDTH));
    let w = nodes.saturating_sub(before).min(u64::from(TILE_WIDTH));
    // At most 256 by the min above.
    w as u16
}

/// Genesis must be the log the verifier key names; otherwise a directory could pair a real
/// operator's key with entries of a look-alike log whose genesis trusts other keys.
fn check_genesis(
    auditor: &Auditor,
    origin: &str,
    key: &ed25519_dalek::VerifyingKey,
    vkey: &str,
) -> Result<(), DirAuditError> {
    let authority = &auditor.state().authority;
    let g_origin = authority.origin().unwrap_or_default();
    let g_key = authority.operator_key().map(|k| *k.verifying_key());
    if g_origin != origin || g_key.as_ref() != Some(key) {
        let found = match g_key {
            Some(k) => note::vkey_string(g_origin, &k),
            None => "no operator key".into(),
        };
        return Err(DirAuditError::Genesis {
            found,
            vkey: vkey.to_owned(),
        });
    }
    Ok(())
}

/// Attaches the files that hold the entry an [`AuditError`] is about.
fn locate(e: AuditError, size: u64) -> DirAuditError {
    match audit_error_seq(&e) {
        Some(seq) => {
            let n = seq / u64::from(TILE_WIDTH);
            let width = level_tile_width(size, n);
            DirAuditError::Entry {
                source: e,
                bundle: log_path(&TileRef::entries(n, width)),
                hashes: log_path(&TileRef::hashes(0, n, width)),
            }
        }
        None => DirAuditError::Audit(e),
    }
}

fn log_path(tile: &TileRef) -> String {
    format!("{LOG_PREFIX}/{}", tile.path())
}

/// Checks every hash tile of level >= 1 against the full tiles below it; returns how many
/// tiles it read.
fn check_upper_tiles(log: &Path, size: u64) -> Result<u64, DirAuditError> {
    let mut checked = 0;
    for tile in tiles::tiles_for_size(size) {
        let TileKind::Hashes(level) = tile.kind else {
            continue;
        };
        if level == 0 {
            continue;
        }
        let hashes = read_hash_tile(log, &tile)?;
        checked += 1;
        for (child_index, h) in (tile.index * u64::from(TILE_WIDTH)..).zip(&hashes) {
            let child = TileRef::hashes(level - 1, child_index, TILE_WIDTH);
            let below = read_hash_tile(log, &child)?;
            checked += 1;
            if subtree_root(below) != *h {
                return Err(DirAuditError::Tile {
                    path: log_path(&tile),
                    reason: format!(
                        "hash {} is not the Merkle root of {}",
                        child_index % u64::from(TILE_WIDTH),
                        log_path(&child)
                    ),
                });
            }
        }
    }
    Ok(checked)
}

/// The tree's complete nodes as the hash tiles publish them: node `(level, index)` is read from
/// the tile at level `level / 8` and hashed up the remaining `level % 8` levels. Lets the core
/// Merkle algorithms run on an exported directory.
struct TileNodes<'a> {
    log: &'a Path,
    size: u64,
}

impl NodeReader for TileNodes<'_> {
    type Error = DirAuditError;

    fn node(&self, level: u8, index: u64) -> Result<Hash, DirAuditError> {
        let tile_level = level / TILE_HEIGHT;
        let rise = u32::from(level % TILE_HEIGHT);
        let beyond = || DirAuditError::Tile {
            path: "log/tile".into(),
            reason: format!("node level {level} index {index} is beyond the tree"),
        };
        let first = index.checked_shl(rise).ok_or_else(beyond)?;
        let nodes = self
            .size
            .checked_shr(u32::from(tile_level) * u32::from(TILE_HEIGHT))
            .unwrap_or(0);
        let tile_index = first / u64::from(TILE_WIDTH);
        let offset = (first % u64::from(TILE_WIDTH)) as usize;
        let count = 1usize << rise;
        let width = level_tile_width(nodes, tile_index);
        if offset + count > usize::from(width) {
            return Err(beyond());
        }
        let hashes = read_hash_tile(self.log, &TileRef::hashes(tile_level, tile_index, width))?;
        let run = hashes.get(offset..offset + count).ok_or_else(beyond)?;
        Ok(subtree_root(run.to_vec()))
    }
}

/// Reads a file of at most `cap` bytes; `None` if it does not exist. The cap is checked before
/// and while reading, because an exported directory is untrusted input.
pub(super) fn read_capped(path: &Path, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if f.metadata()?.len() > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {cap} bytes"),
        ));
    }
    let mut out = Vec::new();
    f.take(cap + 1).read_to_end(&mut out)?;
    if out.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {cap} bytes"),
        ));
    }
    Ok(Some(out))
}

fn read_required(log: &Path, name: &str, cap: u64) -> Result<Vec<u8>, DirAuditError> {
    let path = format!("{LOG_PREFIX}/{name}");
    match read_capped(&log.join(name), cap) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(DirAuditError::Missing { path }),
        Err(source) => Err(DirAuditError::Io { path, source }),
    }
}

/// Reads tile `tile`, or — when it is a partial tile that is absent — the full tile or the
/// narrowest wider partial tile present, whose first `tile.width` items are the same nodes.
/// Returns the path read, the file's bytes and the width that path declares.
fn read_tile_file(
    log: &Path,
    tile: &TileRef,
    cap: u64,
) -> Result<(String, Vec<u8>, u16), DirAuditError> {
    let mut candidates = vec![*tile];
    if tile.is_partial() {
        candidates.push(TileRef {
            width: TILE_WIDTH,
            ..*tile
        });
        candidates.extend(wider_partials(log, tile));
    }
    for c in candidates {
        let path = log_path(&c);
        match read_capped(&log.join(c.path()), cap) {
            Ok(Some(bytes)) => return Ok((path, bytes, c.width)),
            Ok(None) => continue,
            Err(source) => return Err(DirAuditError::Io { path, source }),
        }
    }
    Err(DirAuditError::Missing {
        path: log_path(tile),
    })
}

/// Partial versions of `tile` wider than it that exist in `log`, narrowest first.
fn wider_partials(log: &Path, tile: &TileRef) -> Vec<TileRef> {
    let full = TileRef {
        width: TILE_WIDTH,
        ..*tile
    };
    let Ok(entries) = std::fs::read_dir(log.join(format!("{}.p", full.path()))) else {
        return Vec::new();
    };
    let mut out: Vec<TileRef> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            // Only canonical names: the path parser is the judge.
            let t = tiles::parse_tile_path(&format!("{}.p/{name}", full.path())).ok()?;
            (t.width > tile.width).then_some(t)
        })
        .collect();
    out.sort_by_key(|t| t.width);
    out
}

/// The first `tile.width` hashes of hash tile `tile` (see [`read_tile_file`]).
fn read_hash_tile(log: &Path, tile: &TileRef) -> Result<Vec<Hash>, DirAuditError> {
    let (path, bytes, width) = read_tile_file(log, tile, MAX_HASH_TILE_BYTES)?;
    if bytes.len() != usize::from(width) * HASH_SIZE {
        return Err(DirAuditError::Tile {
            path,
            reason: format!(
                "{} bytes; a tile of width {width} has {}",
                bytes.len(),
                usize::from(width) * HASH_SIZE
            ),
        });
    }
    Ok(bytes
        .chunks_exact(HASH_SIZE)
        .take(usize::from(tile.width))
        .filter_map(Hash::from_slice)
        .collect())
}

/// The first `tile.width` leaves of entry bundle `tile` (see [`read_tile_file`]).
fn read_bundle(log: &Path, tile: &TileRef) -> Result<Vec<Vec<u8>>, DirAuditError> {
    let (path, bytes, width) = read_tile_file(log, tile, MAX_BUNDLE_BYTES)?;
    let leaves = tiles::decode_bundle(&bytes).map_err(|e| DirAuditError::Tile {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if leaves.len() != usize::from(width) {
        return Err(DirAuditError::Tile {
            path,
            reason: format!("holds {} entries, its path says {width}", leaves.len()),
        });
    }
    Ok(leaves
        .into_iter()
        .take(usize::from(tile.width))
        .map(<[u8]>::to_vec)
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::ledger::hash::leaf_hash;
    use crate::ledger::merkle::MemoryNodes;
    use crate::publish::export::write_atomic;

    /// Writes every hash tile of a tree of `size` synthetic leaves, as `export` lays them out.
    fn write_hash_tiles(dir: &Path, size: u64) -> MemoryNodes {
        let nodes = MemoryNodes::from_leaf_hashes((0..size).map(|i| leaf_hash(&i.to_be_bytes())));
        let log = dir.join(LOG_PREFIX);
        for tile in tiles::tiles_for_size(size) {
            if tile.kind == TileKind::Entries {
                continue;
            }
            let bytes = tiles::tile_hashes(&tile, &nodes).unwrap();
            write_atomic(&log.join(tile.path()), &bytes).unwrap();
        }
        nodes
    }

    fn flip(path: &Path, at: usize) {
        let mut b = std::fs::read(path).unwrap();
        b[at] ^= 1;
        std::fs::write(path, b).unwrap();
    }

    /// 70,000 leaves (the spec's example): full and partial tiles on levels 0 and 1, a partial
    /// tile on level 2. Too many entries for a quick ledger, so the leaves are synthetic.
    const BIG: u64 = 70_000;

    #[test]
    fn upper_tiles_and_root_of_a_big_tree_verify() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = write_hash_tiles(dir.path(), BIG);
        let log = dir.path().join(LOG_PREFIX);
        // Level 1: tile/1/000 (256 hashes, each over a full level-0 tile) and 001.p/17 over
        // 17 more; level 2: 000.p/1 over tile/1/000.
        let checked = check_upper_tiles(&log, BIG).unwrap();
        assert_eq!(checked, (1 + 256) + (1 + 17) + (1 + 1));
        let root = merkle::tree_hash(
            BIG,
            &TileNodes {
                log: &log,
                size: BIG,
            },
        )
        .unwrap();
        assert_eq!(root, merkle::tree_hash(BIG, &nodes).unwrap());
        // Every size along the way has the same root through the tiles of the final tree,
        // because partial tiles are read as prefixes of the wider ones present.
        for size in [1, 255, 256, 257, 65_535, 65_536, 65_537, 69_999] {
            let r = TileNodes { log: &log, size };
            assert_eq!(
                merkle::tree_hash(size, &r).unwrap(),
                merkle::tree_hash(size, &nodes).unwrap(),
                "size {size}"
            );
            check_upper_tiles(&log, size).unwrap();
        }
    }

    #[test]
    fn a_wrong_level_one_hash_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write_hash_tiles(dir.path(), BIG);
        let log = dir.path().join(LOG_PREFIX);
        flip(&log.join("tile/1/000"), 5 * 32 + 3);
        let err = check_upper_tiles(&log, BIG).unwrap_err().to_string();
        assert_eq!(
            err,
            "log/tile/1/000: hash 5 is not the Merkle root of log/tile/0/005"
        );
    }

    #[test]
    fn a_wrong_partial_tile_hash_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write_hash_tiles(dir.path(), BIG);
        let log = dir.path().join(LOG_PREFIX);
        flip(&log.join("tile/1/001.p/17"), 16 * 32);
        let err = check_upper_tiles(&log, BIG).unwrap_err().to_string();
        assert_eq!(
            err,
            "log/tile/1/001.p/17: hash 16 is not the Merkle root of log/tile/0/272"
        );
        let dir = tempfile::tempdir().unwrap();
        write_hash_tiles(dir.path(), BIG);
        let log = dir.path().join(LOG_PREFIX);
        flip(&log.join("tile/2/000.p/1"), 0);
        let err = check_upper_tiles(&log, BIG).unwrap_err().to_string();
        assert_eq!(
            err,
            "log/tile/2/000.p/1: hash 0 is not the Merkle root of log/tile/1/000"
        );
    }

    #[test]
    fn a_wrong_level_zero_tile_breaks_the_tile_above() {
        let dir = tempfile::tempdir().unwrap();
        write_hash_tiles(dir.path(), BIG);
        let log = dir.path().join(LOG_PREFIX);
        flip(&log.join("tile/0/200"), 8000);
        let err = check_upper_tiles(&log, BIG).unwrap_err().to_string();
        assert_eq!(
            err,
            "log/tile/1/000: hash 200 is not the Merkle root of log/tile/0/200"
        );
    }

    #[test]
    fn missing_truncated_and_oversized_tiles_are_named() {
        let dir = tempfile::tempdir().unwrap();
        write_hash_tiles(dir.path(), BIG);
        let log = dir.path().join(LOG_PREFIX);
        std::fs::remove_file(log.join("tile/0/017")).unwrap();
        let err = check_upper_tiles(&log, BIG).unwrap_err().to_string();
        assert_eq!(err, "log/tile/0/017: missing");

        let p = log.join("tile/0/018");
        let mut b = std::fs::read(&p).unwrap();
        b.pop();
        std::fs::write(&p, &b).unwrap();
        let err = read_hash_tile(&log, &TileRef::hashes(0, 18, 256)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "log/tile/0/018: 8191 bytes; a tile of width 256 has 8192"
        );
        b.resize(9000, 0);
        std::fs::write(&p, &b).unwrap();
        let err = read_hash_tile(&log, &TileRef::hashes(0, 18, 256)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("log/tile/0/018: larger than 8192 bytes"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_partial_tile_falls_back_to_a_wider_one() {
        let dir = tempfile::tempdir().unwrap();
        let nodes = write_hash_tiles(dir.path(), 300);
        let log = dir.path().join(LOG_PREFIX);
        // Tree of 300 has tile/0/001.p/44; ask for the 10-wide prefix (tree size 266).
        let t = TileRef::hashes(0, 1, 10);
        let got = read_hash_tile(&log, &t).unwrap();
        assert_eq!(got.len(), 10);
        assert_eq!(got[9], nodes.get(0, 265).unwrap());
        // A full tile serves any of its partial widths.
        let got = read_hash_tile(&log, &TileRef::hashes(0, 0, 3)).unwrap();
        assert_eq!(
            got,
            (0..3).map(|i| nodes.get(0, i).unwrap()).collect::<Vec<_>>()
        );
        // Nothing wide enough: the tile itself is reported missing.
        let err = read_hash_tile(&log, &TileRef::hashes(0, 1, 45)).unwrap_err();
        assert_eq!(err.to_string(), "log/tile/0/001.p/45: missing");
        // A non-canonical name in the .p directory is not a tile.
        std::fs::write(log.join("tile/0/001.p/050"), [0u8; 50 * 32]).unwrap();
        assert!(read_hash_tile(&log, &TileRef::hashes(0, 1, 45)).is_err());
    }
}
