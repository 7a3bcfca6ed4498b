//! `sunshine site build`: the static export — every page in both languages, the published log
//! under `log/` (via [`crate::export`]), the feeds, the downloads and the assets, as files any
//! static host can serve.
//!
//! Incremental, through `DIR/.site-manifest.json`: which program rendered the pages (a digest
//! of its executable, so a new binary renders everything again), the log size and checkpoint
//! they reflect, and a digest of every file written.
//!
//! - Nothing new (same renderer, same views size, same latest checkpoint): nothing is read
//!   beyond those two facts and nothing is written.
//! - New entries: entry pages are rendered for the new entries only (an entry page never
//!   changes: its proof is in the first checkpoint covering it); every other page is rendered
//!   again and written only when its digest changed, so a file nothing touched keeps its bytes
//!   and its mtime. Files the previous build wrote that no longer exist are deleted.
//! - A new renderer: every page is rendered, and still only changed files are written.
//!
//! Overwriting a file costs far more than creating one on common file systems (ext4 flushes
//! a replaced file's data early), so leaving unchanged files alone is what keeps rebuilds
//! cheap. A build interrupted part way leaves a marker file; the next build then compares
//! against the files on disk instead of trusting the manifest's digests.
//!
//! Pages are rendered, hashed and written by worker threads pulling from one queue, so no more
//! than a chunk of pages is ever held in memory, and reading the next chunk of entries from
//! the store overlaps rendering the last.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::i18n::Lang;
use super::snapshot::{EntryDoc, Snapshot};
use super::source::{self, ProofSource, SourceError};
use super::{
    Page, SITE_CSS, VERIFY_JS, all_pages, data, entry_seq, feed, pages, render, render_entry,
    split_lang,
};
use crate::export::{self, ExportError, ExportReport};
use crate::store::Store;

/// The manifest's file name in the output directory.
pub const MANIFEST_FILE: &str = ".site-manifest.json";
/// Present while a build is writing: its manifest digests cannot be trusted.
pub const IN_PROGRESS_FILE: &str = ".site-build-in-progress";
/// Entries read from the store per rendering round (bounds memory on large logs).
const ENTRY_CHUNK: u64 = 4096;
/// Fewest worker threads: creating files waits on the file system as well as the CPU, so
/// more workers than cores keep both busy.
const MIN_WORKERS: usize = 4;

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
    #[error("a rendering worker failed: {0}")]
    Worker(String),
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// The log size the pages reflect.
    pub size: u64,
    /// Files written (new or changed), pages and data, excluding entry pages and the log.
    pub written: usize,
    /// Files rendered whose bytes had not changed (left alone), or, when nothing was new,
    /// every file of the previous build.
    pub unchanged: usize,
    /// Entry pages written (both languages).
    pub entry_pages_written: usize,
    /// Bytes of the files written (pages, entry pages, data; not the log).
    pub bytes_written: u64,
    /// Paths of the files written (relative to the output directory), for tests and logs.
    pub written_paths: Vec<String>,
    /// Files of the previous build that no longer exist, deleted.
    pub deleted_paths: Vec<String>,
    pub log: Option<ExportReport>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    /// The program that rendered the pages ([`renderer`]); another one renders them again.
    #[serde(default)]
    renderer: String,
    /// The verifier key of the log the pages came from: another log means a full rebuild.
    vkey: String,
    /// The log size the pages reflect (the views' size).
    #[serde(default)]
    size: u64,
    /// Digest of the latest checkpoint note when the pages were built.
    #[serde(default)]
    checkpoint: String,
    /// Entry pages exist for seqs below this.
    entry_pages: u64,
    /// Path -> [`digest`] of every file written, entry pages included.
    files: BTreeMap<String, String>,
}

/// A file's digest for change detection: half a SHA-256 (collisions are not a concern for
/// telling our own outputs apart, and the manifest stays small).
fn digest(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// Identifies the program rendering the pages: a digest of its own executable, so any new
/// build of it counts as a new renderer. `/proc/self/exe` is the running file even if it has
/// since been replaced on disk. Empty when unknown, which never matches a manifest.
pub fn renderer() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let file = std::fs::File::open("/proc/self/exe")
            .or_else(|_| std::env::current_exe().and_then(std::fs::File::open));
        let mut hasher = Sha256::new();
        file.and_then(|mut f| std::io::copy(&mut f, &mut hasher))
            .map(|_| hex::encode(&hasher.finalize()[..16]))
            .unwrap_or_default()
    })
}

fn read_manifest(dir: &Path) -> Manifest {
    std::fs::read(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Write {
        path: path.to_owned(),
        source,
    }
}

/// Writes `bytes` to `dir/rel`, creating its directory only when it is missing (one system
/// call per file in the common case).
fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), BuildError> {
    let path = dir.join(rel);
    match std::fs::write(&path, bytes) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io_error(&path))?;
            }
            std::fs::write(&path, bytes).map_err(io_error(&path))
        }
        r => r.map_err(io_error(&path)),
    }
}

/// One file this build produced.
struct Put {
    path: String,
    digest: String,
    /// Bytes written, or `None` when the file already held them.
    written: Option<u64>,
}

/// Writes files that changed since the previous build.
struct Writer {
    dir: PathBuf,
    /// The previous build's digests, by path.
    old: BTreeMap<String, String>,
    /// Whether `old` describes the files on disk (no build was interrupted since).
    trusted: bool,
}

impl Writer {
    fn put(&self, path: String, bytes: &[u8]) -> Result<Put, BuildError> {
        let digest = digest(bytes);
        let same = match self.old.get(&path) {
            Some(d) if self.trusted => *d == digest,
            // Unknown to a trusted manifest: a new file. Otherwise ask the disk.
            None if self.trusted => false,
            _ => std::fs::read(self.dir.join(&path)).is_ok_and(|b| b == bytes),
        };
        if same {
            return Ok(Put {
                path,
                digest,
                written: None,
            });
        }
        write_file(&self.dir, &path, bytes)?;
        Ok(Put {
            path,
            digest,
            written: Some(bytes.len() as u64),
        })
    }
}

/// Runs `f` over `items` on [`workers`] threads pulling from one queue (pages differ widely in
/// cost), collecting every result; the first error wins.
fn run_jobs<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> Result<Vec<Put>, BuildError> + Sync,
) -> Result<Vec<Put>, BuildError> {
    let next = AtomicUsize::new(0);
    let work = || -> Result<Vec<Put>, BuildError> {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return Ok(out);
            };
            out.extend(f(item)?);
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers()).map(|_| scope.spawn(work)).collect();
        let mut all = Vec::new();
        for h in handles {
            let puts = h
                .join()
                .map_err(|_| BuildError::Worker("a worker panicked".into()))??;
            all.extend(puts);
        }
        Ok(all)
    })
}

/// Threads rendering and writing pages.
pub fn workers() -> usize {
    MIN_WORKERS.max(std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Everything except entry pages and the log, one job per file or group of files.
enum Job {
    Page(Lang, Page),
    Feed(Lang),
    Asset(&'static str, &'static str),
    /// Every CSV and JSON download (one pass over the views makes all the tables).
    Data,
}

fn jobs(snap: &Snapshot) -> Vec<Job> {
    // The data job is the longest: first, so it runs beside the pages rather than after them.
    let mut out = vec![
        Job::Data,
        Job::Asset("static/site.css", SITE_CSS),
        Job::Asset("static/verify.js", VERIFY_JS),
    ];
    out.extend(Lang::ALL.map(Job::Feed));
    for page in all_pages(snap) {
        out.extend(Lang::ALL.map(|l| Job::Page(l, page.clone())));
    }
    out
}

fn run_job(snap: &Snapshot, w: &Writer, job: &Job) -> Result<Vec<Put>, BuildError> {
    Ok(match job {
        Job::Page(lang, page) => match render(snap, *lang, page, None) {
            Some(html) => vec![w.put(format!("{}{}", lang.dir(), page.path()), html.as_bytes())?],
            None => Vec::new(),
        },
        Job::Feed(lang) => {
            let feed = feed::render(snap, *lang);
            vec![w.put(format!("{}feed.atom", lang.dir()), feed.as_bytes())?]
        }
        Job::Asset(path, text) => vec![w.put((*path).to_owned(), text.as_bytes())?],
        Job::Data => {
            let tables = data::tables(snap);
            let mut out = vec![w.put("data/index.json".into(), &data::index(&tables))?];
            for (name, t) in &tables {
                out.push(w.put(format!("data/{name}.csv"), &t.csv())?);
                out.push(w.put(format!("data/{name}.json"), &t.json())?);
            }
            out
        }
    })
}

/// Renders and writes both languages' pages of each entry document.
fn entry_pages(snap: &Snapshot, w: &Writer, docs: &[EntryDoc]) -> Result<Vec<Put>, BuildError> {
    run_jobs(docs, |doc| {
        Lang::ALL
            .into_iter()
            .map(|lang| {
                let path = format!("{}{}", lang.dir(), pages::entry_path(doc.meta.seq));
                w.put(path, render_entry(snap, lang, doc).as_bytes())
            })
            .collect()
    })
}

/// Builds (or brings up to date) the static site in `dir`. `bar` counts entries, then pages.
pub async fn build(
    store: &Store,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<BuildReport, BuildError> {
    let started = std::time::Instant::now();
    let old = read_manifest(dir);
    let views_size = store.view_size().await?;
    let checkpoint = store
        .latest_checkpoint()
        .await?
        .map(|(_, note)| digest(note.as_bytes()))
        .unwrap_or_default();
    let in_progress = dir.join(IN_PROGRESS_FILE);
    let interrupted = in_progress.exists();
    if !renderer().is_empty()
        && old.renderer == renderer()
        && Some(old.size) == views_size
        && old.checkpoint == checkpoint
        && !interrupted
    {
        tracing::debug!(elapsed = ?started.elapsed(), "nothing new");
        return Ok(BuildReport {
            size: old.size,
            unchanged: old.files.len(),
            ..BuildReport::default()
        });
    }

    let snap = Arc::new(source::snapshot(store).await?);
    tracing::debug!(elapsed = ?started.elapsed(), "snapshot read");
    let same_log = old.vkey == snap.vkey;
    let same_renderer = same_log && old.renderer == renderer() && !renderer().is_empty();
    let mut report = BuildReport {
        size: snap.as_of,
        ..BuildReport::default()
    };
    report.log = Some(export::export(store, dir, &ProgressBar::hidden()).await?);
    tracing::debug!(elapsed = ?started.elapsed(), "log exported");
    std::fs::write(&in_progress, b"").map_err(io_error(&in_progress))?;

    let writer = Arc::new(Writer {
        dir: dir.to_owned(),
        old: if same_log { old.files } else { BTreeMap::new() },
        trusted: !interrupted,
    });
    // Entry pages the previous build wrote with this renderer stay as they are.
    let first_new = if same_renderer {
        old.entry_pages.min(snap.as_of)
    } else {
        0
    };
    let mut files: BTreeMap<String, String> = writer
        .old
        .iter()
        .filter(|(p, _)| entry_seq(split_lang(p).1).is_some_and(|seq| seq < first_new))
        .map(|(p, d)| (p.clone(), d.clone()))
        .collect();
    let mut record = |puts: Vec<Put>, entries: bool, report: &mut BuildReport| {
        for put in puts {
            match put.written {
                Some(n) => {
                    report.bytes_written += n;
                    if entries {
                        report.entry_pages_written += 1;
                    } else {
                        report.written += 1;
                    }
                    report.written_paths.push(put.path.clone());
                }
                None if !entries => report.unchanged += 1,
                None => {}
            }
            files.insert(put.path, put.digest);
        }
    };

    // Entry pages, a chunk at a time: the next chunk is read while the last one renders.
    bar.set_length(snap.as_of - first_new);
    bar.set_message("entries");
    if first_new < snap.as_of {
        let proofs = Arc::new(ProofSource::load(store, &snap).await?);
        let mut rendering: Option<tokio::task::JoinHandle<Result<Vec<Put>, BuildError>>> = None;
        let mut from = first_new;
        while from < snap.as_of {
            let limit = ENTRY_CHUNK.min(snap.as_of - from);
            let rows = store.entries_range(from, limit).await?;
            if let Some(task) = rendering.take() {
                let puts = task
                    .await
                    .map_err(|e| BuildError::Worker(e.to_string()))??;
                record(puts, true, &mut report);
            }
            let (snap, proofs, writer) = (snap.clone(), proofs.clone(), writer.clone());
            rendering = Some(tokio::task::spawn_blocking(move || {
                let docs = rows
                    .into_iter()
                    .map(|r| proofs.doc(r))
                    .collect::<Result<Vec<_>, _>>()?;
                entry_pages(&snap, &writer, &docs)
            }));
            from += limit;
            bar.inc(limit);
        }
        if let Some(task) = rendering {
            let puts = task
                .await
                .map_err(|e| BuildError::Worker(e.to_string()))??;
            record(puts, true, &mut report);
        }
    }
    tracing::debug!(elapsed = ?started.elapsed(), "entry pages written");

    bar.set_message("pages");
    let jobs = jobs(&snap);
    bar.set_position(0);
    bar.set_length(jobs.len() as u64);
    let puts = {
        let (snap, writer) = (snap.clone(), writer.clone());
        tokio::task::spawn_blocking(move || run_jobs(&jobs, |j| run_job(&snap, &writer, j)))
            .await
            .map_err(|e| BuildError::Worker(e.to_string()))??
    };
    record(puts, false, &mut report);
    bar.set_position(bar.length().unwrap_or(0));
    tracing::debug!(elapsed = ?started.elapsed(), "pages written");

    // What the previous build wrote and this one did not is gone from the site.
    for path in writer.old.keys().filter(|p| !files.contains_key(*p)) {
        let full = dir.join(path);
        match std::fs::remove_file(&full) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(io_error(&full)(e)),
            _ => report.deleted_paths.push(path.clone()),
        }
    }

    let manifest = Manifest {
        renderer: renderer().to_owned(),
        vkey: snap.vkey.clone(),
        size: snap.as_of,
        checkpoint,
        entry_pages: snap.as_of,
        files,
    };
    let bytes = serde_json::to_vec(&manifest).unwrap_or_default();
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
    std::fs::write(&tmp, bytes).map_err(io_error(&tmp))?;
    let target = dir.join(MANIFEST_FILE);
    std::fs::rename(&tmp, &target).map_err(io_error(&target))?;
    std::fs::remove_file(&in_progress).map_err(io_error(&in_progress))?;
    tracing::debug!(elapsed = ?started.elapsed(), "manifest written");
    Ok(report)
}
