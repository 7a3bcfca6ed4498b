//! `sunshine site build`: the static export — every page in both languages, the published log
//! under `log/` (via [`crate::export`]), the feeds, the downloads and the assets, as files any
//! static host can serve.
//!
//! Incremental, through `DIR/.site-manifest.json`: which program rendered the pages (a digest
//! of its executable), the log size and checkpoint they reflect, how many entry pages exist,
//! and for every other file either a digest of its bytes or a fingerprint of its inputs.
//!
//! - Nothing new (same renderer, same views size, same latest checkpoint): nothing is read
//!   beyond those two facts and nothing is written.
//! - New entries: entry pages are rendered for the new entries only (an entry page never
//!   changes: its proof is in the first checkpoint covering it, and organisation and regulator
//!   names never change). Pages that list what they read ([`fingerprint`]: a receipt reads its
//!   donation, its trace and its organisation's name) are rendered only when that changed.
//!   Every other page is rendered again and written only when its digest changed, so a file
//!   nothing touched keeps its bytes and its mtime. Files the previous build wrote that no
//!   longer exist are deleted.
//! - A new renderer: every page is rendered, and still only files whose bytes changed are
//!   written (compared with the manifest's digest, or with the file on disk).
//!
//! Overwriting a file costs far more than creating one on common file systems (ext4 flushes
//! a replaced file's data early), so leaving unchanged files alone is what keeps rebuilds
//! cheap. A build interrupted part way leaves a marker file; the next build then compares
//! against the files on disk instead of trusting the manifest.
//!
//! Pages are rendered and written by worker threads pulling batches from one queue, so no more
//! than a chunk of pages is ever held in memory; reading the next chunk of entries from the
//! store, and exporting the log, overlap rendering. A batch keeps to one directory and one
//! language (creating a file locks its directory, so workers in different directories do not
//! wait on each other).

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::i18n::Lang;
use super::snapshot::Snapshot;
use super::source::{self, ProofSource, SourceError};
use super::{
    Page, SITE_CSS, VERIFY_JS, all_pages, data, entry_seq, feed, pages, render, render_entry,
    split_lang,
};
use crate::export::{self, ExportError, ExportReport};
use crate::store::{Store, StoredEntry};

/// The manifest's file name in the output directory.
pub const MANIFEST_FILE: &str = ".site-manifest.json";
/// Present while a build is writing: its manifest cannot be trusted.
pub const IN_PROGRESS_FILE: &str = ".site-build-in-progress";
/// Entries read from the store per rendering round (bounds memory on large logs).
const ENTRY_CHUNK: u64 = 4096;
/// Entries per rendering job within a round.
const ENTRY_BATCH: usize = 256;
/// Most pages per job: enough to keep a worker in one directory for a while, few enough to
/// spread the work evenly.
const PAGE_BATCH: usize = 256;
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
    /// Files left alone because their bytes or their inputs had not changed, or, when nothing
    /// was new, every file of the previous build except entry pages.
    pub unchanged: usize,
    /// Entry pages written (both languages).
    pub entry_pages_written: usize,
    /// Pages rendered (both languages, entry pages included): what a build cost, beside what
    /// it wrote.
    pub rendered: usize,
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
    /// The verifier key of the log the pages came from.
    vkey: String,
    /// The log size the pages reflect (the views' size).
    #[serde(default)]
    size: u64,
    /// Digest of the latest checkpoint note when the pages were built.
    #[serde(default)]
    checkpoint: String,
    /// Entry pages exist for seqs below this (they are not listed in `files`).
    entry_pages: u64,
    /// Path -> [`digest`] of the bytes of every other file whose inputs are not listed.
    files: BTreeMap<String, String>,
    /// Path -> [`fingerprint`] of the inputs of every page that lists them.
    #[serde(default)]
    inputs: BTreeMap<String, String>,
}

impl Manifest {
    /// Every non-entry file the manifest lists.
    fn paths(&self) -> impl Iterator<Item = &String> {
        self.files.keys().chain(self.inputs.keys())
    }

    fn has(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.inputs.contains_key(path)
    }
}

/// A file's digest for change detection: half a SHA-256 (collisions are not a concern for
/// telling our own outputs apart, and the manifest stays small).
fn digest(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
}

/// A digest of everything `page` is rendered from, for the pages that can list it cheaply:
/// with the same renderer, equal fingerprints mean equal bytes, so an incremental build
/// compares these instead of rendering. `None` for pages that read too much of the snapshot
/// to list (indexes, organisations, projects): those are rendered and compared by digest.
pub fn fingerprint(snap: &Snapshot, page: &Page) -> Option<String> {
    let inputs = match page {
        Page::Receipt(org, no) => pages::receipt::inputs(snap, org, no)?,
        _ => return None,
    };
    Some(digest(&inputs))
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

/// The manifest in `dir` (empty when there is none). Manifests of earlier versions listed
/// entry pages in `files`; those are counted by `entry_pages` now.
fn read_manifest(dir: &Path) -> Manifest {
    let mut m: Manifest = std::fs::read(dir.join(MANIFEST_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    m.files.retain(|p, _| entry_seq(split_lang(p).1).is_none());
    m
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

/// How the manifest keeps track of a file.
enum Track {
    /// By a digest of its bytes.
    Bytes,
    /// By this fingerprint of its inputs.
    Inputs(String),
    /// Not at all: entry pages, counted by the manifest's `entry_pages`.
    Entry,
}

/// One file this build produced (or, by its inputs, knew it need not produce again).
struct Put {
    path: String,
    /// The manifest's record of it: `(true, fingerprint)` or `(false, digest)`.
    record: Option<(bool, String)>,
    /// Bytes written, or `None` when the file already held them.
    written: Option<u64>,
    /// Whether the page was rendered (not skipped by its fingerprint).
    rendered: bool,
}

/// Writes files that changed since the previous build.
struct Writer {
    dir: PathBuf,
    /// The previous build's manifest.
    old: Manifest,
    /// Whether `old` describes the files on disk (no build was interrupted since).
    trusted: bool,
    /// Whether `old` was written by this renderer for this log, so equal fingerprints mean
    /// equal bytes.
    same_renderer: bool,
}

impl Writer {
    /// Whether `path` may hold a file from an earlier build. When the manifest is trusted and
    /// does not know the path, it is new: written without looking (a full build into an empty
    /// directory reads nothing back).
    fn may_exist(&self, path: &str) -> bool {
        !self.trusted
            || self.old.has(path)
            || entry_seq(split_lang(path).1).is_some_and(|seq| seq < self.old.entry_pages)
    }

    /// Whether the page at `path` last rendered from inputs with this fingerprint, by this
    /// renderer, and is still there untouched.
    fn inputs_unchanged(&self, path: &str, fingerprint: &str) -> bool {
        self.trusted
            && self.same_renderer
            && self.old.inputs.get(path).is_some_and(|f| f == fingerprint)
    }

    fn put(&self, path: String, bytes: &[u8], track: Track) -> Result<Put, BuildError> {
        let (record, same) = match track {
            Track::Bytes => {
                let d = digest(bytes);
                let same = match self.old.files.get(&path) {
                    Some(old) if self.trusted => *old == d,
                    _ => self.same_on_disk(&path, bytes),
                };
                (Some((false, d)), same)
            }
            Track::Inputs(f) => (Some((true, f)), self.same_on_disk(&path, bytes)),
            Track::Entry => (None, self.same_on_disk(&path, bytes)),
        };
        let written = if same {
            None
        } else {
            write_file(&self.dir, &path, bytes)?;
            Some(bytes.len() as u64)
        };
        Ok(Put {
            path,
            record,
            written,
            rendered: true,
        })
    }

    fn same_on_disk(&self, path: &str, bytes: &[u8]) -> bool {
        self.may_exist(path) && std::fs::read(self.dir.join(path)).is_ok_and(|b| b == bytes)
    }
}

/// Runs `f` over `items` on [`workers`] threads pulling from one queue (jobs differ widely in
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
    /// Pages in one directory, in one language.
    Pages(Lang, Vec<Page>),
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
    let dir = |p: &Page| p.path().rsplit_once('/').map(|(d, _)| d.to_owned());
    let mut batch: Vec<Page> = Vec::new();
    let mut flush = |batch: &mut Vec<Page>| {
        // Both languages' jobs side by side: two workers taking them are in two directories.
        out.extend(Lang::ALL.map(|l| Job::Pages(l, batch.clone())));
        batch.clear();
    };
    for page in all_pages(snap) {
        if batch.len() == PAGE_BATCH || batch.first().is_some_and(|b| dir(b) != dir(&page)) {
            flush(&mut batch);
        }
        batch.push(page);
    }
    if !batch.is_empty() {
        flush(&mut batch);
    }
    out
}

fn run_job(snap: &Snapshot, w: &Writer, job: &Job) -> Result<Vec<Put>, BuildError> {
    Ok(match job {
        Job::Pages(lang, pages) => {
            let mut out = Vec::with_capacity(pages.len());
            for page in pages {
                let path = format!("{}{}", lang.dir(), page.path());
                let fp = fingerprint(snap, page);
                if let Some(f) = fp.as_deref().filter(|f| w.inputs_unchanged(&path, f)) {
                    out.push(Put {
                        record: Some((true, f.to_owned())),
                        path,
                        written: None,
                        rendered: false,
                    });
                    continue;
                }
                if let Some(html) = render(snap, *lang, page, None) {
                    let track = fp.map_or(Track::Bytes, Track::Inputs);
                    out.push(w.put(path, html.as_bytes(), track)?);
                }
            }
            out
        }
        Job::Feed(lang) => {
            let feed = feed::render(snap, *lang);
            vec![w.put(
                format!("{}feed.atom", lang.dir()),
                feed.as_bytes(),
                Track::Bytes,
            )?]
        }
        Job::Asset(path, text) => vec![w.put((*path).to_owned(), text.as_bytes(), Track::Bytes)?],
        Job::Data => {
            let tables = data::tables(snap);
            let put = |path: String, bytes: &[u8]| w.put(path, bytes, Track::Bytes);
            let mut out = vec![put("data/index.json".into(), &data::index(&tables))?];
            for (name, t) in &tables {
                out.push(put(format!("data/{name}.csv"), &t.csv())?);
                out.push(put(format!("data/{name}.json"), &t.json())?);
            }
            out
        }
    })
}

/// Renders and writes both languages' pages of stored entries `rows`, a batch per job.
fn entry_pages(
    snap: &Snapshot,
    proofs: &ProofSource,
    w: &Writer,
    rows: &[StoredEntry],
) -> Result<Vec<Put>, BuildError> {
    let batches: Vec<(usize, &[StoredEntry])> = rows.chunks(ENTRY_BATCH).enumerate().collect();
    run_jobs(&batches, |(i, rows)| {
        let docs = rows
            .iter()
            .map(|r| proofs.doc(r))
            .collect::<Result<Vec<_>, _>>()?;
        // Neighbouring batches take the languages in opposite orders, so two workers on them
        // mostly create files in different directories.
        let mut langs = Lang::ALL;
        if i % 2 == 1 {
            langs.reverse();
        }
        let mut out = Vec::with_capacity(docs.len() * langs.len());
        for lang in langs {
            for doc in &docs {
                let path = format!("{}{}", lang.dir(), pages::entry_path(doc.meta.seq));
                out.push(w.put(path, render_entry(snap, lang, doc).as_bytes(), Track::Entry)?);
            }
        }
        Ok(out)
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
            unchanged: old.paths().count(),
            ..BuildReport::default()
        });
    }

    let snap = Arc::new(source::snapshot(store).await?);
    tracing::debug!(elapsed = ?started.elapsed(), "snapshot read");
    let same_renderer =
        old.vkey == snap.vkey && old.renderer == renderer() && !renderer().is_empty();
    let mut report = BuildReport {
        size: snap.as_of,
        ..BuildReport::default()
    };
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    std::fs::write(&in_progress, b"").map_err(io_error(&in_progress))?;
    // The log is written (with a sync per tile) while the pages render.
    let export = {
        let (store, dir) = (store.clone(), dir.to_owned());
        tokio::spawn(async move { export::export(&store, &dir, &ProgressBar::hidden()).await })
    };

    // Entry pages the previous build wrote with this renderer stay as they are.
    let first_new = if same_renderer {
        old.entry_pages.min(snap.as_of)
    } else {
        0
    };
    let writer = Arc::new(Writer {
        dir: dir.to_owned(),
        old,
        trusted: !interrupted,
        same_renderer,
    });
    let mut files = BTreeMap::new();
    let mut inputs = BTreeMap::new();
    let mut record = |puts: Vec<Put>, report: &mut BuildReport| {
        for put in puts {
            let entry = put.record.is_none();
            report.rendered += usize::from(put.rendered);
            match put.written {
                Some(n) => {
                    report.bytes_written += n;
                    if entry {
                        report.entry_pages_written += 1;
                    } else {
                        report.written += 1;
                    }
                    report.written_paths.push(put.path.clone());
                }
                None if !entry => report.unchanged += 1,
                None => {}
            }
            match put.record {
                Some((true, f)) => inputs.insert(put.path, f),
                Some((false, d)) => files.insert(put.path, d),
                None => None,
            };
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
                record(puts, &mut report);
            }
            let (snap, proofs, writer) = (snap.clone(), proofs.clone(), writer.clone());
            rendering = Some(tokio::task::spawn_blocking(move || {
                entry_pages(&snap, &proofs, &writer, &rows)
            }));
            from += limit;
            bar.inc(limit);
        }
        if let Some(task) = rendering {
            let puts = task
                .await
                .map_err(|e| BuildError::Worker(e.to_string()))??;
            record(puts, &mut report);
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
    record(puts, &mut report);
    bar.set_position(bar.length().unwrap_or(0));
    tracing::debug!(elapsed = ?started.elapsed(), "pages written");
    report.log = Some(
        export
            .await
            .map_err(|e| BuildError::Worker(e.to_string()))??,
    );
    tracing::debug!(elapsed = ?started.elapsed(), "log exported");

    // What the previous build wrote and this one did not is gone from the site: listed files,
    // and entry pages past this log's size (another log's, in this directory before).
    let gone_entries = (snap.as_of..writer.old.entry_pages)
        .flat_map(|seq| Lang::ALL.map(|l| format!("{}{}", l.dir(), pages::entry_path(seq))));
    let gone: Vec<String> = writer
        .old
        .paths()
        .filter(|p| !files.contains_key(*p) && !inputs.contains_key(*p))
        .cloned()
        .chain(gone_entries)
        .collect();
    for path in gone {
        let full = dir.join(&path);
        match std::fs::remove_file(&full) {
            Ok(()) => report.deleted_paths.push(path),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&full)(e)),
        }
    }

    let manifest = Manifest {
        renderer: renderer().to_owned(),
        vkey: snap.vkey.clone(),
        size: snap.as_of,
        checkpoint,
        entry_pages: snap.as_of,
        files,
        inputs,
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
