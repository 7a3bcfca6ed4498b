//! Static export of the published log layout.
//!
//! The spec's "Published log layout" (C2SP tlog-tiles under a `log/` prefix) is what mirrors,
//! witnesses and auditors consume: a directory any static file server can serve. This module is
//! only an adapter — file I/O and store reads. What the bytes mean lives in the pure core:
//! [`crate::ledger::tiles`] (paths and bundle framing), [`crate::ledger::merkle`] (hashes and
//! proofs) and [`crate::ledger::note`] (checkpoints and verifier keys).
//!
//! [`export`] writes `log/checkpoint`, `log/operator.vkey`, every hash tile and every entry
//! bundle from the database, one tile in memory at a time, each file written atomically, and
//! incrementally when the directory already holds an earlier export of the same log;
//! [`super::dir_audit`] re-verifies such a directory from its files alone.

use std::collections::BTreeSet;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;

use super::dir_audit::{MAX_VKEY_BYTES, read_capped};
use super::tiles::tile_bytes;
use crate::ledger::authority::GenesisBody;
use crate::ledger::merkle;
use crate::ledger::note::{self, Checkpoint, NoteError};
use crate::ledger::submission::from_value_at;
use crate::ledger::tiles::{self, TileError};
use crate::ledger::{Hash, Kind, SealedEntry};
use crate::store::{Store, StoreError, TreeReadError};

/// The prefix every published path lives under (spec, "Published log layout").
pub const LOG_PREFIX: &str = "log";
/// `log/checkpoint`: the latest signed checkpoint note.
pub const CHECKPOINT_FILE: &str = "checkpoint";
/// `log/operator.vkey`: the operator's note verifier key, one line.
pub const VKEY_FILE: &str = "operator.vkey";

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReport {
    /// Tree size of the newest checkpoint, whose tiles were written.
    pub size: u64,
    /// Tree size of the checkpoint published as `log/checkpoint` when it is the newest
    /// witness-cosigned one ([`super::cosigned`]); `None` when it is the newest operator-signed
    /// one.
    pub cosigned: Option<u64>,
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
    #[error("the saved cosigned checkpoint of size {size} cannot be published: {reason}")]
    Cosigned { size: u64, reason: String },
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
/// checkpoint's tree publishes (entry bundles, then hash tiles level by level) plus the partial
/// tiles of the published checkpoint, `witnesses` when it is cosigned, and finally
/// `checkpoint`: the newest witness-cosigned checkpoint when the log has one, else the newest
/// operator-signed one ([`super::cosigned`]). The checkpoint goes last and every file is replaced atomically (written under
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

    let published = super::cosigned::choose(store, &vkey, &cp, note).await?;

    let log = dir.join(LOG_PREFIX);
    let previous = previous_export(store, &log, &vkey, &cp).await?;
    let mut tiles = match previous {
        Some(old) => tiles::tiles_touched(old, size),
        None => tiles::tiles_for_size(size),
    };
    tiles.extend(published.own_partial_tiles(size));
    bar.set_length(tiles.len() as u64);

    let mut report = ExportReport {
        size,
        cosigned: published.policy.is_some().then_some(published.size),
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
    if previous.is_some_and(|old| old > published.size) {
        // An operator-signed checkpoint from before the witnesses is newer than the cosigned
        // one: keep it rather than take `log/checkpoint` back to a smaller tree.
        tracing::warn!(
            cosigned = published.size,
            "log/checkpoint is newer than the cosigned checkpoint; left as it is"
        );
        report.cosigned = None;
    } else {
        if let Some(policy) = published.policy {
            report.bytes_written += write_if_changed(
                &log.join(super::cosigned::WITNESSES_FILE),
                policy.into_bytes(),
            )
            .await?;
        }
        report.bytes_written +=
            write_if_changed(&log.join(CHECKPOINT_FILE), published.note.into_bytes()).await?;
    }
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
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

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
}
