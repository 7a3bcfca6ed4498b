//! Static export of the published log layout, and auditing such an export with no database.
//!
//! The spec's "Published log layout" (C2SP tlog-tiles under a `log/` prefix) is what mirrors,
//! witnesses and auditors consume: a directory any static file server can serve. This module is
//! only an adapter — file I/O and store reads. What the bytes mean lives in the pure core:
//! [`crate::ledger::tiles`] (paths and bundle framing), [`crate::ledger::merkle`] (hashes and
//! proofs), [`crate::ledger::note`] (checkpoints and verifier keys) and [`crate::audit`] (the
//! replaying auditor).
//!
//! * [`export`] writes `log/checkpoint`, `log/operator.vkey`, every hash tile and every entry
//!   bundle from the database, one tile in memory at a time, each file written atomically, and
//!   incrementally when the directory already holds an earlier export of the same log.
//! * [`audit_dir`] / [`audit_export`] re-verify such a directory from its files alone: the
//!   checkpoint signature, every entry (replayed through [`Auditor`]), every hash tile, and the
//!   root.

use std::collections::BTreeSet;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;

use crate::audit::{self, AuditError, AuditReport, Auditor, Row};
use crate::ledger::authority::GenesisBody;
use crate::ledger::hash::{leaf_hash, node_hash};
use crate::ledger::merkle::{self, MerkleError, NodeReader};
use crate::ledger::note::{self, Checkpoint, NoteError};
use crate::ledger::submission::from_value_at;
use crate::ledger::tiles::{
    self, HASH_SIZE, MAX_ENTRY_SIZE, TILE_HEIGHT, TILE_WIDTH, TileError, TileKind, TileRef,
};
use crate::ledger::{Hash, Kind, SealedEntry};
use crate::store::{Store, StoreError, TreeReadError};

/// The prefix every published path lives under (spec, "Published log layout").
pub const LOG_PREFIX: &str = "log";
/// `log/checkpoint`: the latest signed checkpoint note.
pub const CHECKPOINT_FILE: &str = "checkpoint";
/// `log/operator.vkey`: the operator's note verifier key, one line.
pub const VKEY_FILE: &str = "operator.vkey";

/// Largest hash tile: 256 hashes of 32 bytes.
const MAX_HASH_TILE_BYTES: u64 = TILE_WIDTH as u64 * HASH_SIZE as u64;
/// Largest entry bundle: 256 entries of at most 65,535 bytes, each behind a 2-byte length.
const MAX_BUNDLE_BYTES: u64 = TILE_WIDTH as u64 * (2 + MAX_ENTRY_SIZE as u64);
/// A verifier key string is about 100 bytes; anything much larger is not one.
const MAX_VKEY_BYTES: u64 = 4096;

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReport {
    /// Tree size of the exported checkpoint.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
    /// The size of the export found in the directory, when this run extended it incrementally.
    pub previous_size: Option<u64>,
    /// Hash tiles and entry bundles written.
    pub tiles_written: u64,
    /// Bytes written, tiles plus `checkpoint` and `operator.vkey` when they changed.
    pub bytes_written: u64,
}

/// Why an export was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the stored tree: {0}")]
    Tree(#[from] TreeReadError),
    #[error("the ledger has no signed checkpoint yet: run `sunshine init`")]
    NoCheckpoint,
    #[error("entry 0 is not a usable genesis entry: {0}")]
    Genesis(String),
    #[error("the latest stored checkpoint does not verify against the genesis key: {0}")]
    Checkpoint(NoteError),
    #[error(
        "the latest stored checkpoint (size {size}) signs root {signed}, the stored tree hashes to {computed}"
    )]
    RootMismatch {
        size: u64,
        signed: Hash,
        computed: Hash,
    },
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} belongs to a different log ({reason}); refusing to export over it", path.display())]
    ForeignExport { path: PathBuf, reason: String },
    #[error(
        "{} is at size {exported}, ahead of this ledger (size {current}); refusing to roll the export back",
        path.display()
    )]
    ExportAhead {
        path: PathBuf,
        exported: u64,
        current: u64,
    },
    #[error(
        "{} (size {old_size}) is not a prefix of this ledger at size {new_size}: {reason}; refusing to overwrite a forked export",
        path.display()
    )]
    Inconsistent {
        path: PathBuf,
        old_size: u64,
        new_size: u64,
        reason: String,
    },
    #[error("entry bundle {path}: {source}")]
    Bundle { path: String, source: TileError },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes the published log layout of the ledger in `store` under `dir/log/`.
///
/// Written, in this order: `operator.vkey` (from the genesis entry), every tile the latest
/// checkpoint's tree publishes (entry bundles, then hash tiles level by level), and finally
/// `checkpoint`. The checkpoint goes last and every file is replaced atomically (written under
/// a temporary name in the same directory, synced, then renamed), so a reader — or a static
/// server serving the directory while we write — never sees a half tile nor a checkpoint whose
/// tiles are not all in place, and an interrupted export is simply redone by the next run.
///
/// Incremental: when `dir/log/checkpoint` exists it must verify under this ledger's operator
/// key and origin, be no larger than the current tree, and be consistent with it (an RFC 9162
/// consistency proof from the stored tree is checked); then only the tiles
/// [`tiles::tiles_touched`] names are written. Anything else is refused rather than
/// overwritten: an export of another log, a newer one, or a fork. When a partial tile becomes
/// full, the old `.p/<W>` file is left in place: C2SP tlog-tiles lets logs keep serving partial
/// tiles (they are prefixes of the full tile, so they stay correct), and keeping them means a
/// client still holding an older checkpoint can fetch exactly the tiles it names.
///
/// Memory holds one tile at a time, whatever the size of the log. `bar` gets the number of
/// tiles to write as its length and advances per tile.
pub async fn export(
    store: &Store,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<ExportReport, ExportError> {
    let (size, note) = store
        .latest_checkpoint()
        .await?
        .ok_or(ExportError::NoCheckpoint)?;
    let (origin, key) = genesis_identity(store).await?;
    let vkey = note::vkey_string(&origin, &key);
    let cp = Checkpoint::verify(&note, &vkey).map_err(ExportError::Checkpoint)?;
    if cp.size != size {
        return Err(ExportError::Corrupt(format!(
            "the checkpoint stored for size {size} says size {}",
            cp.size
        )));
    }
    // Never publish a checkpoint the tiles we are about to write would contradict.
    let computed = store.with_nodes(|r| merkle::tree_hash(size, r)).await?;
    if computed != cp.root {
        return Err(ExportError::RootMismatch {
            size,
            signed: cp.root,
            computed,
        });
    }

    let log = dir.join(LOG_PREFIX);
    let previous = previous_export(store, &log, &vkey, &cp).await?;
    let tiles = match previous {
        Some(old) => tiles::tiles_touched(old, size),
        None => tiles::tiles_for_size(size),
    };
    bar.set_length(tiles.len() as u64);

    let mut report = ExportReport {
        size,
        root: cp.root,
        previous_size: previous,
        tiles_written: 0,
        bytes_written: 0,
    };
    let vkey_line = format!("{vkey}\n");
    report.bytes_written += write_if_changed(&log.join(VKEY_FILE), vkey_line.into_bytes()).await?;

    let mut dirs = BTreeSet::new();
    for tile in &tiles {
        let bytes = tile_bytes(store, tile).await?;
        let path = log.join(tile.path());
        if let Some(parent) = path.parent() {
            dirs.insert(parent.to_owned());
        }
        report.bytes_written += bytes.len() as u64;
        write_file(path, bytes).await?;
        report.tiles_written += 1;
        bar.inc(1);
    }
    // The renames above must be durable before the checkpoint that points at them is.
    sync_dirs(dirs).await?;
    report.bytes_written += write_if_changed(&log.join(CHECKPOINT_FILE), note.into_bytes()).await?;
    sync_dirs(BTreeSet::from([log])).await?;
    Ok(report)
}

/// The origin and operator key named by the genesis entry (entry 0), which is what
/// `log/operator.vkey` publishes.
async fn genesis_identity(
    store: &Store,
) -> Result<(String, ed25519_dalek::VerifyingKey), ExportError> {
    let row = store
        .entry(0)
        .await?
        .ok_or_else(|| ExportError::Genesis("the log has no entry 0".into()))?;
    let sealed = SealedEntry::open(row.leaf).map_err(|e| ExportError::Genesis(e.to_string()))?;
    let signed = &sealed.entry.submission;
    if signed.submission.kind != Kind::Genesis {
        return Err(ExportError::Genesis(format!(
            "entry 0 is a {} entry",
            signed.submission.kind
        )));
    }
    let body: GenesisBody = from_value_at(signed.submission.body.clone(), "body")
        .map_err(|e| ExportError::Genesis(e.to_string()))?;
    if body.operator_key != signed.submission.key || !signed.signature_valid() {
        return Err(ExportError::Genesis(
            "it is not signed by the operator key it names".into(),
        ));
    }
    if !note::is_valid_key_name(&body.origin) {
        return Err(ExportError::Genesis(format!(
            "origin {:?} cannot name a note key",
            body.origin
        )));
    }
    Ok((body.origin, *body.operator_key.verifying_key()))
}

/// The size of the export already in `log`, if there is one this run may extend; an error if
/// there is one it must not touch.
async fn previous_export(
    store: &Store,
    log: &Path,
    vkey: &str,
    cp: &Checkpoint,
) -> Result<Option<u64>, ExportError> {
    let cp_path = log.join(CHECKPOINT_FILE);
    let vkey_path = log.join(VKEY_FILE);
    let old_note = read_optional(&cp_path, note::MAX_NOTE_SIZE as u64)
        .await
        .map_err(io_err(&cp_path))?;
    let Some(old_note) = old_note else {
        // No checkpoint: nothing was completely exported here. A verifier key of another log
        // still means the directory is someone else's.
        if let Some(old_vkey) = read_optional(&vkey_path, MAX_VKEY_BYTES)
            .await
            .map_err(io_err(&vkey_path))?
            && String::from_utf8_lossy(&old_vkey).trim_end() != vkey
        {
            return Err(ExportError::ForeignExport {
                path: vkey_path,
                reason: "it names a different operator key or origin".into(),
            });
        }
        return Ok(None);
    };
    let foreign = |reason: String| ExportError::ForeignExport {
        path: cp_path.clone(),
        reason,
    };
    let old_note =
        String::from_utf8(old_note).map_err(|_| foreign("the checkpoint is not UTF-8".into()))?;
    let old = Checkpoint::verify(&old_note, vkey)
        .map_err(|e| foreign(format!("it does not verify under {vkey}: {e}")))?;
    if old.size > cp.size {
        return Err(ExportError::ExportAhead {
            path: cp_path,
            exported: old.size,
            current: cp.size,
        });
    }
    let proof = store
        .with_nodes(|r| merkle::consistency_proof(old.size, cp.size, r))
        .await?;
    merkle::verify_consistency(old.size, cp.size, &old.root, &cp.root, &proof).map_err(|e| {
        ExportError::Inconsistent {
            path: cp_path.clone(),
            old_size: old.size,
            new_size: cp.size,
            reason: e.to_string(),
        }
    })?;
    Ok(Some(old.size))
}

/// The published bytes of one tile, read from the store in one query. Shared with the live
/// server (`GET /log/tile/...`), so the files an export writes and the bytes the server sends
/// are the same function of the store. The caller makes sure the tree has the tile
/// ([`tiles::is_published`]).
pub async fn tile_bytes(store: &Store, tile: &TileRef) -> Result<Vec<u8>, ExportError> {
    let width = u64::from(tile.width);
    let first = tile
        .index
        .checked_mul(u64::from(TILE_WIDTH))
        .ok_or_else(|| ExportError::Corrupt(format!("tile {tile} is beyond any tree")))?;
    match tile.kind {
        TileKind::Entries => {
            let rows = store.entries_range(first, width).await?;
            if rows.len() as u64 != width {
                return Err(ExportError::Corrupt(format!(
                    "{} entries stored from seq {first}, the tree has {width}",
                    rows.len()
                )));
            }
            let mut leaves = Vec::with_capacity(rows.len());
            for (seq, row) in (first..).zip(&rows) {
                // A bundle that disagrees with its level-0 tile would fail every audit: catch a
                // damaged row here rather than publish it.
                if row.seq != seq || leaf_hash(&row.leaf).as_bytes()[..] != row.leaf_hash[..] {
                    return Err(ExportError::Corrupt(format!(
                        "entry {seq}: stored row does not match its leaf hash or position"
                    )));
                }
                leaves.push(row.leaf.as_slice());
            }
            tiles::encode_bundle(&leaves).map_err(|source| ExportError::Bundle {
                path: tile.path(),
                source,
            })
        }
        TileKind::Hashes(level) => {
            let tree_level = u32::from(level) * u32::from(TILE_HEIGHT);
            let tree_level = u8::try_from(tree_level)
                .ok()
                .filter(|l| *l < 64)
                .ok_or_else(|| ExportError::Corrupt(format!("tile {tile} is beyond any tree")))?;
            let end = first + width;
            let hashes = store.node_range(tree_level, first, end).await?;
            if hashes.len() as u64 != width {
                return Err(ExportError::Corrupt(format!(
                    "{} tree nodes stored at level {tree_level} indices {first}..{end}, the tree has {width}",
                    hashes.len()
                )));
            }
            let mut out = Vec::with_capacity(hashes.len() * HASH_SIZE);
            for h in &hashes {
                out.extend_from_slice(h.as_bytes());
            }
            Ok(out)
        }
    }
}

/// Reads a file of at most `cap` bytes; `None` if it does not exist.
async fn read_optional(path: &Path, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || read_capped(&path, cap))
        .await
        .map_err(io::Error::other)?
}

/// Writes `bytes` to `path` unless it already holds exactly them; returns the bytes written.
async fn write_if_changed(path: &Path, bytes: Vec<u8>) -> Result<u64, ExportError> {
    let current = read_optional(path, bytes.len() as u64)
        .await
        .unwrap_or(None);
    if current.as_deref() == Some(bytes.as_slice()) {
        return Ok(0);
    }
    let n = bytes.len() as u64;
    write_file(path.to_owned(), bytes).await?;
    Ok(n)
}

/// [`write_atomic`] off the async threads.
async fn write_file(path: PathBuf, bytes: Vec<u8>) -> Result<(), ExportError> {
    let p = path.clone();
    tokio::task::spawn_blocking(move || write_atomic(&p, &bytes))
        .await
        .map_err(io::Error::other)
        .and_then(|r| r)
        .map_err(|source| ExportError::Io { path, source })
}

/// Replaces `path` with `bytes` so that readers see the old file or the new one, never a part:
/// write a temporary file in the same directory (same file system, so the rename is atomic),
/// sync it, rename it over `path`.
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a file path",
        ));
    };
    std::fs::create_dir_all(parent)?;
    // The pid keeps two exporters from sharing a temporary file; the dot keeps it out of
    // directory listings a file server might generate.
    let tmp = parent.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes renames into these directories durable (a no-op where directories cannot be synced).
async fn sync_dirs(dirs: BTreeSet<PathBuf>) -> Result<(), ExportError> {
    tokio::task::spawn_blocking(move || {
        for d in dirs {
            #[cfg(unix)]
            std::fs::File::open(&d)
                .and_then(|f| f.sync_all())
                .map_err(|source| ExportError::Io {
                    path: d.clone(),
                    source,
                })?;
            #[cfg(not(unix))]
            let _ = d;
        }
        Ok(())
    })
    .await
    .map_err(|e| ExportError::Io {
        path: PathBuf::new(),
        source: io::Error::other(e),
    })?
}

// ---------------------------------------------------------------------------------------------
// Audit of an exported directory
// ---------------------------------------------------------------------------------------------

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
    let mut auditor = Auditor::new();
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
            auditor.entry_prepared(row).map_err(|e| locate(e, size))?;
            if auditor.size() == 1 {
                check_genesis(&auditor, &origin, &key, vkey)?;
            }
        }
    }
    auditor
        .checkpoint(size, &note)
        .map_err(|e| locate(e, size))?;
    let (mut report, _state) = auditor.finish().map_err(|e| locate(e, size))?;

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
    Ok(report)
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

/// The RFC 9162 root of a power-of-two run of hashes (a full tile, or an aligned part of one):
/// hash pairwise, level by level.
fn subtree_root(mut layer: Vec<Hash>) -> Hash {
    debug_assert!(layer.len().is_power_of_two());
    while layer.len() > 1 {
        layer = layer
            .chunks_exact(2)
            .map(|p| node_hash(&p[0], &p[1]))
            .collect();
    }
    layer.first().copied().unwrap_or_else(merkle::empty_root)
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
fn read_capped(path: &Path, cap: u64) -> io::Result<Option<Vec<u8>>> {
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
    use crate::ledger::merkle::MemoryNodes;

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

    #[test]
    fn atomic_writes_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/c");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("c")]);
    }

    #[test]
    fn subtree_root_is_the_rfc_root() {
        let leaves: Vec<Hash> = (0u8..8).map(|i| leaf_hash(&[i])).collect();
        let nodes = MemoryNodes::from_leaf_hashes(leaves.clone());
        assert_eq!(subtree_root(leaves), merkle::tree_hash(8, &nodes).unwrap());
    }
}
