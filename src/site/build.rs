//! `sunshine site build`: the static export — every page in both languages, the published log
//! under `log/` (via [`crate::publish::export`]), the receipt shards, the feeds, the downloads and the
//! assets, as files any static host can serve.
//!
//! Entries and receipts have no page each (they were most of the site's bytes): one viewer page
//! per language shows any of them in the browser, from the log's entry bundles and from the
//! receipt shards ([`super::shards`]). So the number of files follows organisations, projects
//! and receipt shards, not entries.
//!
//! Incremental, through `DIR/.site-manifest.json`: which program rendered the pages (a digest
//! of its executable), the log size and checkpoint they reflect, and a digest of every file.
//!
//! - Nothing new (same renderer, same views size, same latest checkpoint): nothing is read
//!   beyond those two facts and nothing is written.
//! - Otherwise every page and shard is rendered again and written only when its digest changed,
//!   so a file nothing touched keeps its bytes and its mtime. Files the previous build wrote
//!   that no longer exist are deleted (an older build's page per entry and per receipt too).
//!
//! Overwriting a file costs far more than creating one on common file systems (ext4 flushes
//! a replaced file's data early), so leaving unchanged files alone is what keeps rebuilds
//! cheap. A build interrupted part way leaves a marker file; the next build then compares
//! against the files on disk instead of trusting the manifest.
//!
//! Pages are rendered and written by worker threads pulling jobs from one queue, while the log
//! is exported. A job keeps to one directory and one language (creating a file locks its
//! directory, so workers in different directories do not wait on each other).

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
use super::source::{self, SourceError};
use super::{
    NOTFOUND_JS, Page, SITE_CSS, SUBMIT_JS, VERIFY_JS, VIEW_JS, all_pages, corrected, data, feed,
    render, shards,
};
use crate::publish::export::{self, ExportError, ExportReport};
use crate::store::Store;

/// The manifest's file name in the output directory.
pub const MANIFEST_FILE: &str = ".site-manifest.json";
/// Present while a build is writing: its manifest cannot be trusted.
pub const IN_PROGRESS_FILE: &str = ".site-build-in-progress";
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
    /// Files written (new or changed): pages, shards and data; not the log.
    pub written: usize,
    /// Files left alone because their bytes had not changed, or, when nothing was new, every
    /// file of the previous build.
    pub unchanged: usize,
    /// Files rendered (both languages): what a build cost, beside what it wrote.
    pub rendered: usize,
    /// Bytes of the files written (pages, shards, data; not the log).
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
    /// The day disclosure obligations were judged on (`YYYY-MM-DD`): pages built on another
    /// day may show other deadlines passed, so they are rendered again.
    #[serde(default)]
    judged_on: String,
    /// Path -> [`digest`] of the bytes of every file.
    files: BTreeMap<String, String>,
    /// Read from an older build's manifest only: it wrote a page per entry for seqs below this,
    /// in both languages, which this build deletes.
    #[serde(default, skip_serializing)]
    entry_pages: u64,
    /// Read from an older build's manifest only: the pages it tracked by their inputs (a page
    /// per receipt), which this build deletes.
    #[serde(default, skip_serializing)]
    inputs: BTreeMap<String, String>,
}

impl Manifest {
    /// Every file the manifest lists (an older build's entry pages aside).
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

/// The manifest in `dir` (empty when there is none).
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
    /// A digest of its bytes, for the manifest.
    digest: String,
    /// Bytes written, or `None` when the file already held them.
    written: Option<u64>,
}

/// Writes files that changed since the previous build.
struct Writer {
    dir: PathBuf,
    /// The previous build's manifest.
    old: Manifest,
    /// Whether `old` describes the files on disk (no build was interrupted since).
    trusted: bool,
}

impl Writer {
    /// Whether `path` may hold a file from an earlier build. When the manifest is trusted and
    /// does not know the path, it is new: written without looking (a full build into an empty
    /// directory reads nothing back).
    fn may_exist(&self, path: &str) -> bool {
        !self.trusted || self.old.has(path)
    }

    fn put(&self, path: String, bytes: &[u8]) -> Result<Put, BuildError> {
        let digest = digest(bytes);
        let same = match self.old.files.get(&path) {
            Some(old) if self.trusted => *old == digest,
            _ => {
                self.may_exist(&path)
                    && std::fs::read(self.dir.join(&path)).is_ok_and(|b| b == bytes)
            }
        };
        let written = if same {
            None
        } else {
            write_file(&self.dir, &path, bytes)?;
            Some(bytes.len() as u64)
        };
        Ok(Put {
            path,
            digest,
            written,
        })
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

/// Everything except the log, one job per file or group of files.
enum Job {
    /// Pages in one directory, in one language.
    Pages(Lang, Vec<Page>),
    Feed(Lang),
    Asset(&'static str, &'static str),
    /// One organisation's receipt shards and index.
    Org(String),
    /// Every CSV and JSON download (one pass over the views makes all the tables).
    Data,
}

/// The static hosts' `404.html`: the same for every ledger, rendered once.
fn static_404() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| super::pages::missing::render_static().into_string())
}

fn jobs(snap: &Snapshot) -> Vec<Job> {
    // The data job is the longest: first, so it runs beside the pages rather than after them.
    let mut out = vec![
        Job::Data,
        Job::Asset("static/site.css", SITE_CSS),
        Job::Asset("static/verify.js", VERIFY_JS),
        Job::Asset("static/view.js", VIEW_JS),
        Job::Asset("static/submit.js", SUBMIT_JS),
        Job::Asset("static/notfound.js", NOTFOUND_JS),
        Job::Asset("404.html", static_404()),
    ];
    out.extend(shards::orgs(snap).into_iter().map(Job::Org));
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
                if let Some(html) = render(snap, *lang, page, None) {
                    out.push(w.put(format!("{}{}", lang.dir(), page.path()), html.as_bytes())?);
                }
            }
            out
        }
        Job::Feed(lang) => {
            let feed = feed::render(snap, *lang);
            vec![w.put(format!("{}feed.atom", lang.dir()), feed.as_bytes())?]
        }
        Job::Asset(path, text) => vec![w.put((*path).to_owned(), text.as_bytes())?],
        Job::Org(org) => shards::org_files(snap, org)
            .into_iter()
            .map(|(path, bytes)| w.put(path, &bytes))
            .collect::<Result<_, _>>()?,
        Job::Data => {
            // One table at a time: the longest lists grow with the log.
            let (mut out, mut listed, mut failed) = (Vec::new(), Vec::new(), None);
            data::for_each_table(snap, |name, t| {
                let written = w
                    .put(format!("data/{name}.csv"), &t.csv())
                    .and_then(|csv| Ok([csv, w.put(format!("data/{name}.json"), &t.json())?]));
                match written {
                    Ok(puts) => out.extend(puts),
                    Err(e) => failed = Some(e),
                }
                listed.push((name, t.rows.len()));
                failed.is_none()
            });
            if let Some(e) = failed {
                return Err(e);
            }
            for (path, bytes) in corrected::files(snap) {
                out.push(w.put(path, &bytes)?);
            }
            out.push(w.put("data/index.json".into(), &data::index(&listed))?);
            out
        }
    })
}

/// Builds (or brings up to date) the static site in `dir`, judging disclosure obligations on
/// today's date in China. `bar` counts entries, then pages.
pub async fn build(
    store: &Store,
    dir: &Path,
    bar: &ProgressBar,
) -> Result<BuildReport, BuildError> {
    build_on(
        store,
        dir,
        bar,
        crate::ledger::Timestamp::now().china_date(),
    )
    .await
}

/// [`build`], judging disclosure obligations on `judged_on` (`site build --as-of`): the same
/// ledger and date give the same bytes, whenever the build runs.
pub async fn build_on(
    store: &Store,
    dir: &Path,
    bar: &ProgressBar,
    judged_on: time::Date,
) -> Result<BuildReport, BuildError> {
    let judged = crate::ledger::time::format_date(judged_on);
    let started = std::time::Instant::now();
    let old = read_manifest(dir);
    let views_size = store.view_size().await?;
    // The cosigned checkpoint gains cosignatures without the log growing: both count.
    let cosigned = store.latest_cosigned().await?.map(|c| c.note);
    let checkpoint = store
        .latest_checkpoint()
        .await?
        .map(|(_, note)| digest(format!("{note}{}", cosigned.unwrap_or_default()).as_bytes()))
        .unwrap_or_default();
    let in_progress = dir.join(IN_PROGRESS_FILE);
    let interrupted = in_progress.exists();
    if !renderer().is_empty()
        && old.renderer == renderer()
        && Some(old.size) == views_size
        && old.checkpoint == checkpoint
        && old.judged_on == judged
        && !interrupted
    {
        tracing::debug!(elapsed = ?started.elapsed(), "nothing new");
        return Ok(BuildReport {
            size: old.size,
            unchanged: old.paths().count(),
            ..BuildReport::default()
        });
    }

    let mut snap = source::snapshot(store).await?;
    snap.judged_on = Some(judged_on);
    let snap = Arc::new(snap);
    tracing::debug!(elapsed = ?started.elapsed(), "snapshot read");
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
    let writer = Arc::new(Writer {
        dir: dir.to_owned(),
        old,
        trusted: !interrupted,
    });

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
    let mut files = BTreeMap::new();
    for put in puts {
        report.rendered += 1;
        match put.written {
            Some(n) => {
                report.bytes_written += n;
                report.written += 1;
                report.written_paths.push(put.path.clone());
            }
            None => report.unchanged += 1,
        }
        files.insert(put.path, put.digest);
    }
    bar.set_position(bar.length().unwrap_or(0));
    tracing::debug!(elapsed = ?started.elapsed(), "pages written");
    report.log = Some(
        export
            .await
            .map_err(|e| BuildError::Worker(e.to_string()))??,
    );
    tracing::debug!(elapsed = ?started.elapsed(), "log exported");

    // What the previous build wrote and this one did not is gone from the site: listed files,
    // and an older build's page per entry.
    let old_entry_pages = (0..writer.old.entry_pages)
        .flat_map(|seq| Lang::ALL.map(|l| format!("{}entries/{seq}.html", l.dir())));
    let gone: Vec<String> = writer
        .old
        .paths()
        .filter(|p| !files.contains_key(*p))
        .cloned()
        .chain(old_entry_pages)
        .collect();
    for path in gone {
        let full = dir.join(&path);
        match std::fs::remove_file(&full) {
            Ok(()) => report.deleted_paths.push(path),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&full)(e)),
        }
    }
    remove_empty_dirs(dir, &report.deleted_paths);

    let manifest = Manifest {
        renderer: renderer().to_owned(),
        vkey: snap.vkey.clone(),
        size: snap.as_of,
        checkpoint,
        judged_on: judged,
        files,
        ..Manifest::default()
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

/// Removes the directories that deleting `deleted` (paths relative to `dir`) left empty, such as
/// an older build's `receipts/{org}/`. A directory still holding anything stays.
fn remove_empty_dirs(dir: &Path, deleted: &[String]) {
    let parents: std::collections::BTreeSet<&str> = deleted
        .iter()
        .filter_map(|p| p.rsplit_once('/').map(|(d, _)| d))
        .collect();
    // Deepest first, so a parent emptied by its child's removal goes too.
    let mut parents: Vec<&str> = parents.into_iter().collect();
    parents.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
    for d in parents {
        // Fails (and is meant to) when the directory is not empty.
        let _ = std::fs::remove_dir(dir.join(d));
    }
}
