//! `sunshine site build --out DIR`: the public disclosure site as static files
//! ([`crate::site::build`]), brought up to date incrementally when DIR holds an earlier build.
//! `sunshine site bench --out DIR`: how long a full build and a no-change rebuild take, beside
//! a plain loop writing as many files of the same total size (the file system's own limit), and
//! how many bytes the site takes on disk apart from the log, per entry.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::Global;
use super::progress::progress;
use crate::site::build::{build, build_on, workers};
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct SiteArgs {
    #[command(subcommand)]
    pub command: SiteCommand,
}

#[derive(Subcommand, Debug)]
pub enum SiteCommand {
    /// Write every page (zh and en), the published log, receipt shards, feeds, downloads and
    /// assets to a directory.
    Build {
        /// Output directory (created if missing); an earlier build there is updated in place.
        #[arg(long)]
        out: PathBuf,
        /// The day disclosure obligations are judged on (YYYY-MM-DD); default: today in China
        /// (UTC+8). The same ledger and day give the same pages.
        #[arg(long, value_parser = super::parse_day)]
        as_of: Option<time::Date>,
    },
    /// Time a full build and a no-change rebuild beside a plain loop writing as many files of the
    /// same total size, with CPU time and load average (the machines are shared), and print the
    /// site's size on disk apart from `log/`, per entry.
    Bench {
        /// Working directory: the site goes in DIR/site, the plain loop's files in DIR/raw
        /// (neither may exist yet; both are left for you to inspect or delete).
        #[arg(long)]
        out: PathBuf,
    },
}

/// The site is built from the records and cached views; when they lag the log (a ledger from
/// before records were kept, or appends whose views were never refreshed), the ledger is opened
/// as a server would open it, which writes what is missing, and the views are refreshed.
/// (Appends refresh the views themselves; this is for ledgers that missed it.)
async fn bring_derived_rows_up(g: &Global, store: &Store) -> anyhow::Result<()> {
    let size = store.size().await?;
    if store.view_size().await? == Some(size) && store.record_size().await? == Some(size) {
        return Ok(());
    }
    eprintln!("the cached views lag the log: bringing them up to entry {size} ...");
    // Without the operator's key (a copy of the database built elsewhere) the site is built
    // from what is stored, as of the size the views say.
    match super::init::open_service(g).await {
        Ok(service) => {
            service.refresh_views().await?;
        }
        Err(e) => eprintln!(
            "cannot open the ledger to bring them up ({e:#}); building from what is stored"
        ),
    }
    Ok(())
}

pub async fn run(g: &Global, args: &SiteArgs) -> anyhow::Result<()> {
    let store = Store::open(&database_url(&g.db), false).await?;
    let (out, as_of) = match &args.command {
        SiteCommand::Build { out, as_of } => (out, *as_of),
        SiteCommand::Bench { out } => return bench(&store, out).await,
    };
    let judged_on = as_of.unwrap_or_else(|| crate::ledger::Timestamp::now().china_date());
    bring_derived_rows_up(g, &store).await?;
    let started = std::time::Instant::now();
    let bar = progress(0, "site");
    let result = build_on(&store, out, &bar, judged_on).await;
    bar.finish_and_clear();
    let r = result.with_context(|| format!("building the site in {}", out.display()))?;
    let log = r
        .log
        .as_ref()
        .map(|l| format!("{} log tiles written", l.tiles_written))
        .unwrap_or_default();
    let units = match &r.every_unit {
        Some(why) => format!("every organisation rendered ({why})"),
        None => format!(
            "{} organisations rendered, {} kept",
            r.units_rendered.len(),
            r.units_kept
        ),
    };
    println!(
        "site for log size {} in {}: {} files written, {} unchanged, {units}, {log}; {:.1}s",
        r.size,
        out.display(),
        r.written,
        r.unchanged,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The 1, 5 and 15 minute load averages, as the kernel reports them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// This process's user and system CPU seconds so far (Linux; zero elsewhere). The kernel
/// counts in clock ticks of 1/100 s on every platform we run on.
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Runs `f`, printing its wall and CPU time and the load average around it.
async fn timed<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    let (load, (u0, s0), started) = (load_average(), cpu_seconds(), Instant::now());
    let out = f.await;
    let (u1, s1) = cpu_seconds();
    println!(
        "{what}: {:.2}s wall, {:.2}s user, {:.2}s sys (load average before {load}, after {})",
        started.elapsed().as_secs_f64(),
        u1 - u0,
        s1 - s0,
        load_average()
    );
    out
}

/// Writes `files` files of `bytes` bytes in total under `dir`, 4096 to a directory, on as many
/// threads as the site build uses: what the file system allows, with no rendering at all.
fn plain_writes(dir: &Path, files: u64, bytes: u64) -> anyhow::Result<()> {
    let size = usize::try_from(bytes / files.max(1))?;
    let body = vec![b'x'; size];
    let threads = workers() as u64;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let body = &body;
                scope.spawn(move || -> std::io::Result<()> {
                    for i in (t..files).step_by(usize::try_from(threads).unwrap_or(1)) {
                        let sub = dir.join((i / 4096).to_string());
                        if i % 4096 < threads {
                            std::fs::create_dir_all(&sub)?;
                        }
                        std::fs::write(sub.join(format!("{i}.html")), body)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| anyhow::anyhow!("a writer thread panicked"))??;
        }
        Ok(())
    })
}

/// Files under a directory and their bytes: contents, and blocks the file system allocated.
#[derive(Debug, Default)]
struct Usage {
    files: u64,
    apparent: u64,
    allocated: u64,
}

/// What `dir` holds on disk, not counting `skip` (the log, which the site only republishes) and
/// counting directories' own blocks too, as `du` does.
fn disk_usage(dir: &Path, skip: &Path) -> anyhow::Result<Usage> {
    use std::os::unix::fs::MetadataExt;
    let mut usage = Usage::default();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let e = e?;
            let path = e.path();
            if path == skip {
                continue;
            }
            let meta = e.metadata()?;
            // st_blocks counts 512-byte units whatever the file system's block size.
            usage.allocated += meta.blocks() * 512;
            if meta.is_dir() {
                todo.push(path);
            } else {
                usage.files += 1;
                usage.apparent += meta.len();
            }
        }
    }
    Ok(usage)
}

async fn bench(store: &Store, out: &Path) -> anyhow::Result<()> {
    let (site, raw) = (out.join("site"), out.join("raw"));
    for d in [&site, &raw] {
        anyhow::ensure!(
            !d.exists(),
            "{} exists: the benchmark measures writing from nothing",
            d.display()
        );
    }
    let hidden = indicatif::ProgressBar::hidden();
    let full = timed("full build", build(store, &site, &hidden)).await?;
    let files = full.written_paths.len() as u64;
    println!(
        "  log size {}: {files} files, {:.1} MB, plus {} log tiles",
        full.size,
        full.bytes_written as f64 / 1e6,
        full.log.as_ref().map_or(0, |l| l.tiles_written)
    );
    let usage = disk_usage(&site, &site.join("log"))?;
    let per_entry = |bytes: u64| bytes as f64 / full.size.max(1) as f64;
    println!(
        "  on disk apart from log/: {} files, {:.1} MB allocated ({:.0} bytes per entry), {:.1} MB of contents ({:.0} bytes per entry)",
        usage.files,
        usage.allocated as f64 / 1e6,
        per_entry(usage.allocated),
        usage.apparent as f64 / 1e6,
        per_entry(usage.apparent),
    );
    let again = timed("no-change rebuild", build(store, &site, &hidden)).await?;
    println!("  {} files written", again.written_paths.len());
    timed("plain loop writing as many files, same total size", async {
        plain_writes(&raw, files, full.bytes_written)
    })
    .await?;
    Ok(())
}
