//! `sunshine site build`: the static export — every page in both languages, the published log
//! under `log/` (via [`crate::export`]), the feeds, the downloads and the assets, as files any
//! static host can serve.
//!
//! Incremental: `DIR/.site-manifest.json` records the content hash of every file this build
//! wrote (except entry pages) and how many entry pages exist. A rebuild renders entry pages only
//! for new entries (an entry page never changes: its proof is in the first checkpoint covering
//! it), re-renders everything else, and writes a file only when its bytes changed, so a file
//! nothing touched keeps its bytes and its mtime. Pages render on every core.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::i18n::Lang;
use super::snapshot::{EntryDoc, Snapshot};
use super::source::{self, ProofSource, SourceError};
use super::{Page, SITE_CSS, VERIFY_JS, all_pages, data, feed, pages, render, render_entry};
use crate::export::{self, ExportError, ExportReport};
use crate::store::Store;

/// The manifest's file name in the output directory.
pub const MANIFEST_FILE: &str = ".site-manifest.json";
/// Entries read from the store per rendering round (bounds memory on large logs).
const ENTRY_CHUNK: u64 = 4096;
/// Threads writing files at once.
const WRITER_THREADS: usize = 8;

/// Why the site could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("exporting the log: {0}")]
    Export(#[from] ExportError),
    #[error("writing {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// The log size the pages reflect.
    pub size: u64,
    /// Files written (new or changed), pages and data, excluding the log.
    pub written: usize,
    /// Files rendered whose bytes had not changed (left alone).
    pub unchanged: usize,
    /// Entry pages written (both languages).
    pub entry_pages_written: usize,
    /// Paths of the files written (relative to the output directory), for tests and logs.
    pub written_paths: Vec<String>,
    pub log: Option<ExportReport>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    /// The verifier key of the log the pages came from: another log means a full rebuild.
    vkey: String,
    /// Entry pages exist for seqs below this.
    entry_pages: u64,
    /// Path -> hex SHA-256 of every other file written.
    files: BTreeMap<String, String>,
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn read_manifest(dir: &Path) -> Manifest {
    std::fs::read(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
    let path = dir.join(rel);
    let io = |source| BuildError::Write {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, bytes).map_err(io)
}

/// Runs `f` over `items` on every core, keeping order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| scope.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// Every file except entry pages and the log, as (path, bytes).
pub fn site_files(snap: &Snapshot) -> Vec<(String, Vec<u8>)> {
    let pages: Vec<(Lang, Page)> = all_pages(snap)
        .into_iter()
        .flat_map(|p| Lang::ALL.map(|l| (l, p.clone())))
        .collect();
    let mut out: Vec<(String, Vec<u8>)> = parallel(&pages, |(lang, page)| {
        render(snap, *lang, page, None)
            .map(|html| (format!("{}{}", lang.dir(), page.path()), html.into_bytes()))
    })
    .into_iter()
    .flatten()
    .collect();
    for lang in Lang::ALL {
        out.push((
            format!("{}feed.atom", lang.dir()),
            feed::render(snap, lang).into_bytes(),
        ));
    }
    out.push(("static/site.css".into(), SITE_CSS.as_bytes().to_vec()));
    out.push(("static/verify.js".into(), VERIFY_JS.as_bytes().to_vec()));
    let tables = data::tables(snap);
    out.push(("data/index.json".into(), data::index(&tables)));
    for (name, t) in &tables {
        out.push((format!("data/{name}.csv"), t.csv()));
        out.push((format!("data/{name}.json"), t.json()));
    }
    out
}

/// Both languages' pages of each entry document.
pub fn entry_files(snap: &Snapshot, docs: &[EntryDoc]) -> Vec<(String, Vec<u8>)> {
    parallel(docs, |doc| {
        Lang::ALL.map(|lang| {
            (
                format!("{}{}", lang.dir(), pages::entry_path(doc.meta.seq)),
                render_entry(snap, lang, doc).into_bytes(),
            )
        })
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Builds (or brings up to date) the static site in `dir`. `bar` counts entry pages then files.
pub async fn build(
    store: &Store,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<BuildReport, BuildError> {
    let started = std::time::Instant::now();
    let snap = source::snapshot(store).await?;
    tracing::debug!(elapsed = ?started.elapsed(), "snapshot read");
    let old = read_manifest(dir);
    let mut manifest = Manifest {
        vkey: snap.vkey.clone(),
        entry_pages: old.entry_pages,
        files: BTreeMap::new(),
    };
    let same_log = old.vkey == snap.vkey;
    if !same_log || old.entry_pages > snap.as_of {
        manifest.entry_pages = 0;
    }
    let mut report = BuildReport {
        size: snap.as_of,
        ..BuildReport::default()
    };
    report.log = Some(export::export(store, dir, &ProgressBar::hidden()).await?);
    tracing::debug!(elapsed = ?started.elapsed(), "log exported");

    // Entry pages for entries that have none yet, a chunk at a time.
    bar.set_length(snap.as_of - manifest.entry_pages);
    bar.set_message("entries");
    if manifest.entry_pages < snap.as_of {
        let proofs = ProofSource::load(store, &snap).await?;
        let mut from = manifest.entry_pages;
        while from < snap.as_of {
            let limit = ENTRY_CHUNK.min(snap.as_of - from);
            let rows = store.entries_range(from, limit).await?;
            let docs = rows
                .into_iter()
                .map(|r| proofs.doc(r))
                .collect::<Result<Vec<_>, _>>()?;
            let files = entry_files(&snap, &docs);
            tracing::trace!(elapsed = ?started.elapsed(), from, "entry chunk rendered");
            write_all(dir, &files.iter().collect::<Vec<_>>())?;
            report.entry_pages_written += files.len();
            report
                .written_paths
                .extend(files.into_iter().map(|(p, _)| p));
            from += limit;
            bar.inc(limit);
        }
        manifest.entry_pages = snap.as_of;
    }
    tracing::debug!(elapsed = ?started.elapsed(), "entry pages written");

    bar.set_message("pages");
    let files = site_files(&snap);
    tracing::debug!(elapsed = ?started.elapsed(), "pages rendered");
    bar.set_position(0);
    bar.set_length(files.len() as u64);
    let hashes = parallel(&files, |(_, b)| digest(b));
    let mut changed: Vec<&(String, Vec<u8>)> = Vec::new();
    for (file, hash) in files.iter().zip(hashes) {
        let path = &file.0;
        let same = same_log && old.files.get(path) == Some(&hash) && dir.join(path).is_file();
        if same {
            report.unchanged += 1;
        } else {
            changed.push(file);
        }
        manifest.files.insert(path.clone(), hash);
    }
    write_all(dir, &changed)?;
    tracing::debug!(elapsed = ?started.elapsed(), "pages written");
    bar.set_position(files.len() as u64);
    report.written = changed.len();
    report
        .written_paths
        .extend(changed.into_iter().map(|(p, _)| p.clone()));
    let bytes = serde_json::to_vec(&manifest).unwrap_or_default();
    write_file(dir, MANIFEST_FILE, &bytes)?;
    Ok(report)
}

fn write_all(dir: &Path, files: &[&(String, Vec<u8>)]) -> Result<(), BuildError> {
    // Creating many small files waits on the file system more than on the CPU: more writers
    // than cores keep it busy.
    let writers = WRITER_THREADS.max(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let chunk = files.len().div_ceil(writers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| scope.spawn(|| c.iter().try_for_each(|(p, b)| write_file(dir, p, b))))
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().unwrap_or(Ok(())))
    })
}
