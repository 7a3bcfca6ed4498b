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
//!
//! Memory follows one organisation, not the log (issue 13, part 5): the pages from the
//! summaries first, then one organisation's unit at a time ([`super::snapshot`]) — its page,
//! project pages, receipt shards and downloads — while the downloads of every donation and
//! every entry are written row by row to temporary files, hashed on the way and put in place
//! only when their digest changed.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::delta::{Delta, Touched};
use super::i18n::Lang;
use super::snapshot::Snapshot;
use super::source::{self, Raised, SourceError};
use super::{
    EXPLORE_JS, NOTFOUND_JS, Page, REGULATOR_JS, SITE_CSS, SUBMIT_JS, VERIFY_JS, VIEW_JS,
    all_pages, corrected, data, feed, render, search, shards, yearly,
};
use crate::ledger::Kind;
use crate::money::views::keys;
use crate::money::views::rows::SpendRow;
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
    /// The organisations whose units were rendered, in build order.
    pub units_rendered: Vec<String>,
    /// Units kept as the previous build made them (nothing new touched them).
    pub units_kept: usize,
    /// Why every unit was rendered, when it was ([`Touched::All`]).
    pub every_unit: Option<String>,
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
    /// What each organisation's unit made, for a later build that does not touch it to keep
    /// ([`super::delta`]).
    #[serde(default)]
    units: BTreeMap<String, UnitRecord>,
    /// [`digest`] of every summary row (records apart), to tell the changed ones.
    #[serde(default)]
    views: BTreeMap<String, String>,
    /// The rows of the download of every entry: all entries below `size`.
    #[serde(default)]
    entries: Option<data::Span>,
    /// The day figures were read on ([`super::supervision::ratios_read_on`]: the newest
    /// entry's date), which every organisation's page shows for the year in progress.
    #[serde(default)]
    read_on: String,
    /// Read from an older build's manifest only: it wrote a page per entry for seqs below this,
    /// in both languages, which this build deletes.
    #[serde(default, skip_serializing)]
    entry_pages: u64,
    /// Read from an older build's manifest only: the pages it tracked by their inputs (a page
    /// per receipt), which this build deletes.
    #[serde(default, skip_serializing)]
    inputs: BTreeMap<String, String>,
}

/// What one organisation's unit made.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct UnitRecord {
    /// Its files (pages, receipt shards, downloads).
    files: Vec<String>,
    /// Its downloads and their rows, for `data/index.json`.
    listed: Vec<(String, usize)>,
    /// Its rows in the download of every donation.
    donations: data::Span,
    /// Money raised by (project, currency): [`Snapshot::raised`] for other units' pages.
    raised: Vec<(String, String, String)>,
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

/// A download being written as it streams: a temporary file beside its place, hashed on the
/// way, put in place by [`Writer::finish_stream`].
pub struct StreamFile {
    path: String,
    tmp: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    hash: Sha256,
    len: u64,
}

impl std::io::Write for StreamFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Writer {
    /// Starts the download at `path`.
    fn stream(&self, path: &str) -> Result<StreamFile, BuildError> {
        let full = self.dir.join(path);
        let name = full.file_name().map(|n| n.to_string_lossy().into_owned());
        let tmp = full.with_file_name(format!(".{}.partial", name.unwrap_or_default()));
        if let Some(parent) = tmp.parent() {
            std::fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        let file = std::fs::File::create(&tmp).map_err(io_error(&tmp))?;
        Ok(StreamFile {
            path: path.to_owned(),
            tmp,
            file: std::io::BufWriter::new(file),
            hash: Sha256::new(),
            len: 0,
        })
    }

    fn stream_error(&self, name: &str) -> impl FnOnce(std::io::Error) -> BuildError + use<> {
        let path = self.dir.join(format!("data/{name}"));
        move |source| BuildError::Write { path, source }
    }

    /// Puts a finished download in place, unless the file there already holds its bytes.
    fn finish_stream(&self, f: StreamFile) -> Result<Put, BuildError> {
        let StreamFile {
            path,
            tmp,
            file,
            hash,
            len,
        } = f;
        file.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_data())
            .map_err(io_error(&tmp))?;
        let digest = hex::encode(&hash.finalize()[..16]);
        let full = self.dir.join(&path);
        let same = match self.old.files.get(&path) {
            Some(old) if self.trusted => *old == digest,
            _ => self.may_exist(&path) && file_digest(&full).is_some_and(|d| d == digest),
        };
        let written = if same {
            std::fs::remove_file(&tmp).map_err(io_error(&tmp))?;
            None
        } else {
            std::fs::rename(&tmp, &full).map_err(io_error(&full))?;
            Some(len)
        };
        Ok(Put {
            path,
            digest,
            written,
        })
    }
}

/// [`digest`] of the file at `path`, read as it streams.
fn file_digest(path: &Path) -> Option<String> {
    let mut hasher = Sha256::new();
    let mut file = std::fs::File::open(path).ok()?;
    std::io::copy(&mut file, &mut hasher).ok()?;
    Some(hex::encode(&hasher.finalize()[..16]))
}

/// Runs `f` over `items` on [`workers`] threads pulling from one queue (jobs differ widely in
/// cost), collecting every result; the first error wins.
fn run_jobs<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> Result<Done, BuildError> + Sync,
) -> Result<Done, BuildError> {
    let next = AtomicUsize::new(0);
    let work = || -> Result<Done, BuildError> {
        let mut out = Done::default();
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
        let mut all = Done::default();
        for h in handles {
            let done = h
                .join()
                .map_err(|_| BuildError::Worker("a worker panicked".into()))??;
            all.extend(done);
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
    /// Part `.1` of [`workers`] parts of one organisation's receipt shards (and its index),
    /// from its unit.
    Shards(String, usize),
    /// The downloads made from the summaries.
    Data,
    /// One organisation's downloads, from its unit.
    OrgData(String),
}

/// What jobs produced: the files, and each download's name and row count for `data/index.json`.
#[derive(Default)]
struct Done {
    puts: Vec<Put>,
    listed: Vec<(String, usize)>,
}

impl Done {
    fn extend(&mut self, other: Done) {
        self.puts.extend(other.puts);
        self.listed.extend(other.listed);
    }
}

/// Jobs rendering `pages`, a batch per directory and language.
fn page_jobs(pages: impl Iterator<Item = Page>, out: &mut Vec<Job>) {
    let dir = |p: &Page| p.path().rsplit_once('/').map(|(d, _)| d.to_owned());
    let mut batch: Vec<Page> = Vec::new();
    let mut flush = |batch: &mut Vec<Page>| {
        // Both languages' jobs side by side: two workers taking them are in two directories.
        out.extend(Lang::ALL.map(|l| Job::Pages(l, batch.clone())));
        batch.clear();
    };
    for page in pages {
        if batch.len() == PAGE_BATCH || batch.first().is_some_and(|b| dir(b) != dir(&page)) {
            flush(&mut batch);
        }
        batch.push(page);
    }
    if !batch.is_empty() {
        flush(&mut batch);
    }
}

/// What renders from the summaries.
fn summary_jobs(snap: &Snapshot) -> Vec<Job> {
    // The data job is the longest: first, so it runs beside the pages rather than after them.
    let mut out = vec![
        Job::Data,
        Job::Asset("static/site.css", SITE_CSS),
        Job::Asset("static/verify.js", VERIFY_JS),
        Job::Asset("static/view.js", VIEW_JS),
        Job::Asset("static/submit.js", SUBMIT_JS),
        Job::Asset("static/explore.js", EXPLORE_JS),
        Job::Asset("static/regulator.js", REGULATOR_JS),
        Job::Asset("static/notfound.js", NOTFOUND_JS),
        Job::Asset("404.html", super::static_404()),
    ];
    out.extend(Lang::ALL.map(Job::Feed));
    page_jobs(
        all_pages(snap).into_iter().filter(|p| p.org().is_none()),
        &mut out,
    );
    out
}

/// What renders from organisation `org`'s unit.
fn unit_jobs(unit: &Snapshot, org: &str) -> Vec<Job> {
    let mut out = vec![Job::OrgData(org.to_owned())];
    out.extend((0..workers()).map(|part| Job::Shards(org.to_owned(), part)));
    page_jobs(
        all_pages(unit).into_iter().filter(|p| p.org() == Some(org)),
        &mut out,
    );
    out
}

/// Puts each table `tables` hands over as CSV and JSON, listing it.
fn put_tables(
    w: &Writer,
    done: &mut Done,
    tables: impl FnOnce(&mut dyn FnMut(String, data::Table) -> bool),
) -> Result<(), BuildError> {
    let mut failed = None;
    tables(&mut |name, t| {
        let written = w
            .put(format!("data/{name}.csv"), &t.csv())
            .and_then(|csv| Ok([csv, w.put(format!("data/{name}.json"), &t.json())?]));
        match written {
            Ok(puts) => done.puts.extend(puts),
            Err(e) => failed = Some(e),
        }
        done.listed.push((name, t.rows.len()));
        failed.is_none()
    });
    failed.map_or(Ok(()), Err)
}

fn run_job(snap: &Snapshot, w: &Writer, job: &Job) -> Result<Done, BuildError> {
    let mut done = Done::default();
    match job {
        Job::Pages(lang, pages) => {
            for page in pages {
                if let Some(html) = render(snap, *lang, page, None) {
                    let path = format!("{}{}", lang.dir(), page.path());
                    done.puts.push(w.put(path, html.as_bytes())?);
                }
            }
        }
        Job::Feed(lang) => {
            let feed = feed::render(snap, *lang);
            done.puts
                .push(w.put(format!("{}feed.atom", lang.dir()), feed.as_bytes())?);
        }
        Job::Asset(path, text) => done.puts.push(w.put((*path).to_owned(), text.as_bytes())?),
        Job::Shards(org, part) => {
            for (path, bytes) in shards::org_files_part(snap, org, *part, workers()) {
                done.puts.push(w.put(path, &bytes)?);
            }
        }
        Job::Data => {
            // One table at a time: a table is built, written and dropped before the next.
            put_tables(w, &mut done, |f| data::summary_tables(snap, f))?;
            done.puts
                .push(w.put(search::INDEX_PATH.into(), &search::index(snap))?);
            for (path, bytes) in corrected::files(snap)
                .into_iter()
                .chain(yearly::files(snap))
            {
                done.puts.push(w.put(path, &bytes)?);
            }
        }
        Job::OrgData(org) => put_tables(w, &mut done, |f| data::unit_tables(snap, org, f))?,
    }
    Ok(done)
}

/// Renders `jobs` from `snap` on the worker threads.
async fn render_jobs(
    snap: Arc<Snapshot>,
    writer: &Arc<Writer>,
    jobs: Vec<Job>,
) -> Result<Done, BuildError> {
    let writer = writer.clone();
    tokio::task::spawn_blocking(move || run_jobs(&jobs, |j| run_job(&snap, &writer, j)))
        .await
        .map_err(|e| BuildError::Worker(e.to_string()))?
}

/// What a spawned task returned, or why it did not.
fn joined<T>(r: Result<Result<T, BuildError>, tokio::task::JoinError>) -> Result<T, BuildError> {
    r.map_err(|e| BuildError::Worker(e.to_string()))?
}

/// Writes the download of every entry, row by row from the store; after `kept`'s rows (every
/// entry below its size, copied from the previous build's file) when given.
async fn write_entries(
    store: &Store,
    snap: &Snapshot,
    w: &Writer,
    kept: Option<(OldDownload, data::Span)>,
) -> Result<(Done, data::Span), BuildError> {
    let mut out = data::Stream::new(
        data::ENTRY_COLUMNS,
        w.stream(&format!("data/{}.csv", data::ENTRIES))?,
        w.stream(&format!("data/{}.json", data::ENTRIES))?,
    )
    .map_err(w.stream_error(data::ENTRIES))?;
    let from = out.mark();
    let mut next = 0;
    if let Some((mut old, span)) = kept {
        old.splice_into(&mut out, span)
            .map_err(w.stream_error(data::ENTRIES))?;
        next = span.rows() as u64;
    }
    let mut rows = store.entries_from(next);
    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
        if row.seq >= snap.as_of {
            break;
        }
        let meta = source::entry_meta(&row)?;
        out.row(&data::entry_cells(snap, &meta))
            .map_err(w.stream_error(data::ENTRIES))?;
    }
    let span = data::Span {
        from,
        to: out.mark(),
    };
    Ok((finish_stream(w, data::ENTRIES, out)?, span))
}

/// A download of the previous build, open for copying spans of its rows into this build's.
struct OldDownload {
    csv: std::fs::File,
    json: std::fs::File,
}

impl OldDownload {
    /// `data/{name}.csv` and `.json` as the previous build wrote them: only when its manifest
    /// is trusted and lists both (a file changed by hand since is the caller's to replace).
    fn open(w: &Writer, name: &str) -> Option<OldDownload> {
        let open = |ext: &str| {
            let path = format!("data/{name}.{ext}");
            w.old.files.contains_key(&path).then_some(())?;
            std::fs::File::open(w.dir.join(path)).ok()
        };
        if !w.trusted {
            return None;
        }
        Some(OldDownload {
            csv: open("csv")?,
            json: open("json")?,
        })
    }

    /// Copies `span`'s rows into `out`, failing when the file holds fewer bytes than it says.
    fn splice_into<W: std::io::Write>(
        &mut self,
        out: &mut data::Stream<W>,
        span: data::Span,
    ) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let before = out.mark();
        self.csv.seek(SeekFrom::Start(span.from.csv))?;
        self.json.seek(SeekFrom::Start(span.from.json))?;
        let csv = (&mut self.csv).take(span.to.csv.saturating_sub(span.from.csv));
        let json = (&mut self.json).take(span.to.json.saturating_sub(span.from.json));
        // The JSON's first row separator is rewritten, so its length may change by one.
        out.splice(csv, json, span.rows())?;
        let after = out.mark();
        if after.csv - before.csv != span.to.csv - span.from.csv {
            return Err(std::io::Error::other(
                "the previous build's download is shorter than its manifest says",
            ));
        }
        Ok(())
    }
}

/// The summary rows pages read (records apart) with a digest of each.
fn view_digests(snap: &Snapshot) -> BTreeMap<String, String> {
    snap.prefixed("")
        .filter(|(k, _)| !keys::SPEND.has(k))
        .map(|(k, v)| {
            let bytes = serde_json::to_vec(v).unwrap_or_default();
            (k.to_owned(), digest(&bytes))
        })
        .collect()
}

/// [`Manifest::read_on`] of `snap`.
fn read_on(snap: &Snapshot) -> String {
    super::supervision::ratios_read_on(snap)
        .map(crate::ledger::time::format_date)
        .unwrap_or_default()
}

/// The fields of a leaf [`plan`] reads.
#[derive(Deserialize)]
struct LeafBody {
    submission: SubmissionBody,
}

#[derive(Deserialize)]
struct SubmissionBody {
    author: String,
    kind: String,
    body: serde_json::Value,
}

/// What this build renders again ([`super::delta`]), and the previous build's downloads to
/// copy untouched rows from (none when every unit is rendered).
async fn plan(
    store: &Store,
    w: &Writer,
    snap: &Snapshot,
    views: &BTreeMap<String, String>,
    judged: &str,
) -> Result<(Touched, Option<(OldDownload, OldDownload)>), BuildError> {
    let old = &w.old;
    let why = if old.files.is_empty() {
        Some("no previous build here")
    } else if !w.trusted {
        Some("the previous build was interrupted")
    } else if renderer().is_empty() || old.renderer != renderer() {
        Some("the pages were rendered by another program")
    } else if old.judged_on != judged {
        Some("obligations are judged on another day")
    } else if old.vkey != snap.vkey || old.size > snap.as_of {
        Some("the pages are of another log")
    } else if old.read_on != read_on(snap) {
        Some("the newest entry is of another day, which every organisation's page shows")
    } else if old.units.is_empty() || old.entries.is_none_or(|e| e.rows() as u64 != old.size) {
        Some("no previous build to keep units of")
    } else {
        None
    };
    if let Some(why) = why {
        return Ok((Touched::All(why.into()), None));
    }
    let (Some(donations), Some(entries)) = (
        OldDownload::open(w, data::DONATIONS),
        OldDownload::open(w, data::ENTRIES),
    ) else {
        return Ok((
            Touched::All("the previous build's downloads are missing".into()),
            None,
        ));
    };
    let mut delta = Delta::default();
    let mut rows = store.entries_from(old.size);
    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
        if row.seq >= snap.as_of {
            break;
        }
        let seq = row.seq;
        let leaf: LeafBody = serde_json::from_slice(&row.leaf).map_err(|e| SourceError::Entry {
            seq,
            reason: e.to_string(),
        })?;
        let sub = leaf.submission;
        match sub.kind.parse::<Kind>() {
            Ok(kind) => delta.entry(seq, kind, &sub.author, &sub.body),
            Err(e) => delta.everything(format!("entry {seq}: {e}")),
        }
    }
    // Money moved between organisations (grants), for whose money a spend can draw on.
    let mut edges = Vec::new();
    for v in snap.typed_values::<SpendRow>(keys::SPEND.prefix()) {
        if v.seq >= old.size {
            delta.spend(&v);
        }
        if let Some(to) = v.to {
            edges.push((v.from.org, to.org));
        }
    }
    for (k, d) in views {
        if old.views.get(k) != Some(d) {
            delta.view(k, snap.view(k));
        }
    }
    for k in old.views.keys().filter(|k| !views.contains_key(*k)) {
        delta.view(k, None);
    }
    let touched = delta.finish(edges.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    Ok((touched, Some((donations, entries))))
}

/// Money raised by project ([`Snapshot::raised`]): kept from the previous build for the
/// organisations this one does not render, summed again for the others.
async fn raised(
    source: &mut source::Source,
    old: &Manifest,
    touched: &Touched,
) -> Result<Raised, BuildError> {
    let Touched::Orgs(orgs) = touched else {
        return Ok(source.raised().await?);
    };
    let mut out = Raised::new();
    for (org, unit) in old.units.iter().filter(|(o, _)| !orgs.contains(*o)) {
        for (project, currency, amount) in &unit.raised {
            let Ok(amount) = amount.parse() else {
                // Not a sum this program wrote: sum everything again.
                return Ok(source.raised().await?);
            };
            out.insert((org.clone(), project.clone(), currency.clone()), amount);
        }
    }
    for org in orgs {
        out.extend(source.raised_of(org).await?);
    }
    Ok(out)
}

/// Takes a rendered unit's files and downloads into `done`, and what it made into `units`.
fn record_unit(
    units: &mut BTreeMap<String, UnitRecord>,
    raised: &Raised,
    done: &mut Done,
    org: String,
    donations: data::Span,
    made: Done,
) {
    // Sorted: workers finish in any order, and the manifest is part of the site's bytes.
    let mut files: Vec<String> = made.puts.iter().map(|p| p.path.clone()).collect();
    files.sort_unstable();
    let mut listed = made.listed.clone();
    listed.sort_unstable();
    let unit = UnitRecord {
        files,
        listed,
        donations,
        raised: raised_of(raised, &org),
    };
    units.insert(org, unit);
    done.extend(made);
}

/// [`Snapshot::raised`] of organisation `org`, for its [`UnitRecord`].
fn raised_of(raised: &Raised, org: &str) -> Vec<(String, String, String)> {
    raised
        .iter()
        .filter(|((o, _, _), _)| o == org)
        .map(|((_, p, c), a)| (p.clone(), c.clone(), a.to_string()))
        .collect()
}

/// Puts a streamed download's two files in place, listing it.
fn finish_stream(
    w: &Writer,
    name: &str,
    stream: data::Stream<StreamFile>,
) -> Result<Done, BuildError> {
    let (rows, csv, json) = stream.finish().map_err(w.stream_error(name))?;
    Ok(Done {
        puts: vec![w.finish_stream(csv)?, w.finish_stream(json)?],
        listed: vec![(name.to_owned(), rows)],
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

    let (mut snap, mut source) = source::summaries(store).await?;
    snap.judged_on = Some(judged_on);
    let views = view_digests(&snap);
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let writer = Arc::new(Writer {
        dir: dir.to_owned(),
        old,
        trusted: !interrupted,
    });
    let (touched, olds) = plan(store, &writer, &snap, &views, &judged).await?;
    tracing::debug!(elapsed = ?started.elapsed(), ?touched, "summaries read");
    snap.raised = raised(&mut source, &writer.old, &touched).await?;
    let snap = Arc::new(snap);
    tracing::debug!(elapsed = ?started.elapsed(), "money raised summed");
    let mut report = BuildReport {
        size: snap.as_of,
        every_unit: match &touched {
            Touched::All(why) => Some(why.clone()),
            Touched::Orgs(_) => None,
        },
        ..BuildReport::default()
    };
    std::fs::write(&in_progress, b"").map_err(io_error(&in_progress))?;
    // The log is written (with a sync per tile) while the pages render.
    let export = {
        let (store, dir) = (store.clone(), dir.to_owned());
        tokio::spawn(async move { export::export(&store, &dir, &ProgressBar::hidden()).await })
    };
    // Rows are copied from the previous build only when some units are kept: whatever renders
    // every unit (a correction among them) may change any row.
    let (mut old_donations, old_entries) = match (olds, &touched) {
        (Some((d, e)), Touched::Orgs(_)) => (Some(d), writer.old.entries.map(|span| (e, span))),
        _ => (None, None),
    };
    // Every entry's row, streamed from the store beside the pages.
    let entries = {
        let (store, snap, writer) = (store.clone(), snap.clone(), writer.clone());
        tokio::spawn(async move { write_entries(&store, &snap, &writer, old_entries).await })
    };

    bar.set_message("pages");
    let orgs = shards::orgs(&snap);
    bar.set_position(0);
    bar.set_length(orgs.len() as u64 + 1);
    let mut done = render_jobs(snap.clone(), &writer, summary_jobs(&snap)).await?;
    bar.inc(1);
    tracing::debug!(elapsed = ?started.elapsed(), "summary pages written");
    // One organisation at a time: its unit is dropped before the next is read. Its donations
    // join the download of every donation in key order, as the organisations come.
    let mut donations = data::Stream::new(
        data::DONATION_COLUMNS,
        writer.stream(&format!("data/{}.csv", data::DONATIONS))?,
        writer.stream(&format!("data/{}.json", data::DONATIONS))?,
    )
    .map_err(writer.stream_error(data::DONATIONS))?;
    let mut units: BTreeMap<String, UnitRecord> = BTreeMap::new();
    // Units kept as the previous build made them.
    let mut kept: Vec<String> = Vec::new();
    // The next unit is read while the last one renders: at most two are held.
    type Rendering = (
        String,
        data::Span,
        tokio::task::JoinHandle<Result<Done, BuildError>>,
    );
    let mut rendering: Option<Rendering> = None;
    for org in &orgs {
        let keep = match (&touched, old_donations.as_mut(), writer.old.units.get(org)) {
            (Touched::Orgs(t), Some(old), Some(unit)) if !t.contains(org) => Some((old, unit)),
            _ => None,
        };
        if let Some((old, unit)) = keep {
            let from = donations.mark();
            old.splice_into(&mut donations, unit.donations)
                .map_err(writer.stream_error(data::DONATIONS))?;
            let mut unit = unit.clone();
            unit.donations = data::Span {
                from,
                to: donations.mark(),
            };
            units.insert(org.clone(), unit);
            kept.push(org.clone());
            bar.inc(1);
            continue;
        }
        let reading = std::time::Instant::now();
        let unit = Arc::new(source.unit(&snap, org).await?);
        tracing::debug!(org, read = ?reading.elapsed(), "unit read");
        let from = donations.mark();
        for d in data::live_donations(&unit) {
            donations
                .row(&data::donation_cells(&unit, &d))
                .map_err(writer.stream_error(data::DONATIONS))?;
        }
        let span = data::Span {
            from,
            to: donations.mark(),
        };
        if let Some((previous, span, handle)) = rendering.take() {
            record_unit(
                &mut units,
                &snap.raised,
                &mut done,
                previous,
                span,
                joined(handle.await)?,
            );
            bar.inc(1);
        }
        report.units_rendered.push(org.clone());
        let jobs = unit_jobs(&unit, org);
        let writer = writer.clone();
        let name = org.clone();
        rendering = Some((
            org.clone(),
            span,
            tokio::spawn(async move {
                let rendering = std::time::Instant::now();
                let done = render_jobs(unit, &writer, jobs).await;
                tracing::debug!(org = name, rendered = ?rendering.elapsed(), "unit rendered");
                done
            }),
        ));
    }
    if let Some((last, span, handle)) = rendering {
        record_unit(
            &mut units,
            &snap.raised,
            &mut done,
            last,
            span,
            joined(handle.await)?,
        );
        bar.inc(1);
    }
    drop(source);
    done.extend(finish_stream(&writer, data::DONATIONS, donations)?);
    let (entries_done, entries_span) = entries
        .await
        .map_err(|e| BuildError::Worker(e.to_string()))??;
    done.extend(entries_done);
    report.units_kept = kept.len();
    let mut files = BTreeMap::new();
    // A kept unit's files stand as the previous build left them.
    for org in &kept {
        let unit = &units[org];
        done.listed.extend(unit.listed.iter().cloned());
        for path in &unit.files {
            if let Some(d) = writer.old.files.get(path) {
                files.insert(path.clone(), d.clone());
                report.unchanged += 1;
            }
        }
    }
    done.listed.sort();
    done.puts
        .push(writer.put("data/index.json".into(), &data::index(&done.listed))?);
    for put in done.puts {
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
        units,
        views,
        entries: Some(entries_span),
        read_on: read_on(&snap),
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
