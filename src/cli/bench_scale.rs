//! `sunshine bench --scale N`: what the product costs in time and memory at a ledger size.
//!
//! It builds the deterministic demo ledger at scale N (N donations among the other kinds of
//! entry), then runs each command a user runs on it as a child process of this binary and
//! reports wall time and peak resident memory: `demo`, `audit`, `export`, `audit --dir`,
//! `serve` (time until `/healthz` answers, resident memory after start and after `--requests`
//! HTTP appends), `site build` (with bytes on disk apart from `log/`, per entry), and `site build`
//! again after one more entry (what publishing a new entry costs). Beside them, the
//! limits measured in the same run: `export` streams the log and holds nothing, so its time and
//! memory are the floor for anything that reads every entry, and the database file's size is
//! what the log itself costs on disk.
//!
//! Memory is each process's own high-water mark (`VmHWM`), which a child reports on exit when
//! [`PEAK_RSS_ENV`] is set: exact, where sampling from outside could miss a late peak.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::bench::{BenchArgs, donation_submission};
use super::bench_http::drive;
use super::bench_servers::ServerProcess;
use crate::store::{Store, database_url};

/// When set, `sunshine` prints its peak resident memory to stderr on exit (see [`peak_rss`]).
pub const PEAK_RSS_ENV: &str = "SUNSHINE_REPORT_PEAK_RSS";
const PEAK_RSS_PREFIX: &str = "peak_rss_kib=";

/// How long a started server gets to answer `/healthz` before the benchmark gives up.
const START_TIMEOUT: Duration = Duration::from_secs(600);

/// A field of `/proc/{pid}/status` in KiB (`VmRSS`, `VmHWM`); `None` off Linux.
pub fn proc_status_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Prints this process's peak resident memory if [`PEAK_RSS_ENV`] asks for it.
pub fn peak_rss() {
    if std::env::var_os(PEAK_RSS_ENV).is_some()
        && let Some(kib) = proc_status_kib("self", "VmHWM")
    {
        eprintln!("{PEAK_RSS_PREFIX}{kib}");
    }
}

/// One command's cost.
struct Cost {
    secs: f64,
    peak_kib: u64,
}

impl Cost {
    fn row(&self, what: &str, entries: u64) {
        println!(
            "  {what:<28} {:>8.1} s   peak {:>7.0} MiB   {:>6.0} bytes/entry",
            self.secs,
            mib(self.peak_kib),
            self.peak_kib as f64 * 1024.0 / entries.max(1) as f64
        );
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Runs this binary with `args` on the benchmark ledger; its time and peak memory.
fn child(work: &Path, args: &[&str]) -> anyhow::Result<Cost> {
    let exe = std::env::current_exe().context("locating this binary")?;
    let start = Instant::now();
    let out = Command::new(exe)
        .arg("--db")
        .arg(work.join("ledger.db"))
        .arg("--keys")
        .arg(work.join("keys"))
        .args(args)
        .env(PEAK_RSS_ENV, "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .with_context(|| format!("running sunshine {}", args.join(" ")))?;
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("sunshine {} failed: {stderr}", args.join(" "));
    }
    let peak_kib = stderr
        .lines()
        .find_map(|l| l.strip_prefix(PEAK_RSS_PREFIX)?.parse().ok())
        .context("the child did not report its peak memory (not Linux?)")?;
    Ok(Cost { secs, peak_kib })
}

/// Bytes of the files under `dir`, apart from the subtree `skip`.
fn bytes_under(dir: &Path, skip: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let path = e.path();
        let meta = e.metadata()?;
        if meta.is_dir() {
            if path != skip {
                total += bytes_under(&path, skip)?;
            }
        } else {
            total += meta.len();
        }
    }
    Ok(total)
}

/// Asks `GET /healthz` until it answers 200.
fn wait_healthy(addr: SocketAddr, deadline: Instant) -> anyhow::Result<()> {
    loop {
        let answered = TcpStream::connect(addr).and_then(|mut s| {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")?;
            let mut head = [0u8; 12];
            s.read_exact(&mut head)?;
            Ok(head.ends_with(b"200"))
        });
        if matches!(answered, Ok(true)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the server did not answer /healthz in time");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The first demo organisation and its signing key (`keys/demo/orgs.tsv`).
fn demo_org(keys: &Path) -> anyhow::Result<(crate::ledger::Uscc, crate::ledger::SecretKey)> {
    let tsv = std::fs::read_to_string(keys.join("demo/orgs.tsv"))?;
    let line = tsv
        .lines()
        .nth(1)
        .context("orgs.tsv lists no organisation")?;
    let mut cols = line.split('\t');
    let (name, uscc) = (cols.next(), cols.next());
    let (Some(name), Some(uscc)) = (name, uscc) else {
        bail!("orgs.tsv: malformed line {line:?}");
    };
    let key = super::keyfile::read(&keys.join(format!("demo/{name}.key")))?;
    Ok((uscc.parse().context("orgs.tsv: organisation code")?, key))
}

/// A receipt number no earlier run on the same ledger used: `--reuse` measures a ledger an
/// earlier run appended to, and a receipt number it already holds is refused (20,000 refusals
/// measured nothing but the refusal path).
fn run_receipt(size: u64, n: &str) -> String {
    format!("B{size}-{n}")
}

pub async fn run(args: &BenchArgs, scale: u64) -> anyhow::Result<()> {
    let (_tmp, work) = super::bench::workdir(args, "sunshine-bench-scale")?;
    let db = work.join("ledger.db");
    let demo = if args.reuse {
        if !db.exists() {
            bail!("--reuse: {} does not exist", db.display());
        }
        None
    } else {
        if db.exists() {
            bail!(
                "{} exists: give --workdir an empty directory (or --reuse it)",
                db.display()
            );
        }
        let scale_arg = scale.to_string();
        eprintln!("demo at scale {scale} ...");
        Some(child(
            &work,
            &["demo", "--seed", "1", "--scale", &scale_arg],
        )?)
    };
    let store = Store::open(&database_url(&path_str(&db)?), false).await?;
    let entries = store.size().await?;
    store.close().await;
    let db_bytes = std::fs::metadata(&db)?.len();
    eprintln!("{entries} entries; audit ...");
    let audit = child(&work, &["audit"])?;
    let export_dir = work.join("export");
    let export = child(&work, &["export", &path_str(&export_dir)?])?;
    eprintln!("audit --dir ...");
    let audit_dir = child(&work, &["audit", "--dir", &path_str(&export_dir)?])?;

    eprintln!("serve ...");
    let url = database_url(&path_str(&db)?);
    let (server, start_secs, rss_started) = start_server(&url, &work.join("keys"))?;
    let pid = server.pid().to_string();
    let (org, key) = demo_org(&work.join("keys"))?;
    let subs: Vec<_> = (0..args.requests)
        .map(|i| donation_submission(&org, &key, &run_receipt(entries, &i.to_string()), i))
        .collect();
    let bodies = std::sync::Arc::new(super::bench::Parties::bodies(&subs)?);
    eprintln!("{} HTTP appends ...", args.requests);
    let driven = drive(vec![server.addr], bodies, args.clients).await?;
    driven.all_ok()?;
    let rss_after = proc_status_kib(&pid, "VmRSS").context("reading the server's memory")?;
    let hwm = proc_status_kib(&pid, "VmHWM").context("reading the server's memory")?;
    // Killed, as after a crash: the appends since the demo's snapshot are replayed at the
    // next start (a server stopped by a signal writes a snapshot on its way out).
    drop(server);
    eprintln!("serve again after kill -9 ...");
    let (server, restart_secs, rss_restarted) = start_server(&url, &work.join("keys"))?;
    drop(server);
    eprintln!("corrections ...");
    let (near, far) = corrections(&work, &url, &org, &key, &run_receipt(entries, "0")).await?;
    eprintln!("serve with no snapshot (replays the whole log) ...");
    let store = Store::open(&url, false).await?;
    store.clear_snapshots().await?;
    store.close().await;
    let (server, replay_secs, rss_replayed) = start_server(&url, &work.join("keys"))?;
    drop(server);
    // The site shows the demo and the HTTP appends: its figures per entry count them all.
    let store = Store::open(&database_url(&path_str(&db)?), false).await?;
    let site_entries = store.size().await?;
    store.close().await;

    eprintln!("site build ...");
    let site_dir = work.join("site");
    let site = child(&work, &["site", "build", "--out", &path_str(&site_dir)?])?;
    let site_bytes = bytes_under(&site_dir, &site_dir.join("log"))?;
    eprintln!("one new entry, site build again ...");
    let one = work.join("one-donation.json");
    let sub = donation_submission(&org, &key, &run_receipt(entries, "SITE"), args.requests);
    std::fs::write(&one, serde_json::to_vec(&sub)?)?;
    child(&work, &["append", &path_str(&one)?])?;
    let site_again = child(&work, &["site", "build", "--out", &path_str(&site_dir)?])?;

    let made = match demo {
        Some(_) => "demo, seed 1",
        None => "a demo ledger made before, reused",
    };
    println!("sunshine bench --scale {scale}: {entries} entries ({made}), SQLite");
    println!(
        "  raw: ledger database        {:>8.0} MiB on disk   {:>6.0} bytes/entry",
        db_bytes as f64 / 1048576.0,
        db_bytes as f64 / entries.max(1) as f64
    );
    export.row("raw: export (streams)", entries);
    if let Some(demo) = demo {
        demo.row("demo", entries);
    }
    audit.row("audit", entries);
    audit_dir.row("audit --dir", entries);
    println!(
        "  raw: serve, no snapshot      {replay_secs:>8.2} s   RSS {:>7.0} MiB after start (replays the whole log)",
        mib(rss_replayed)
    );
    println!(
        "  serve: start to /healthz     {start_secs:>8.2} s   RSS {:>7.0} MiB after start (from the demo's snapshot)",
        mib(rss_started)
    );
    println!(
        "  serve: after kill -9         {restart_secs:>8.2} s   RSS {:>7.0} MiB after start (the newest snapshot, then the appends after it)",
        mib(rss_restarted)
    );
    println!(
        "  serve: after {} HTTP appends     RSS {:>7.0} MiB (peak {:.0} MiB), {:.0} appends/s",
        driven.ok(),
        mib(rss_after),
        mib(hwm),
        driven.appends_per_sec()
    );
    near.cost
        .row(&format!("correction ({} back)", near.back), site_entries);
    far.cost.row(
        &format!("raw: correction ({} back)", far.back),
        site_entries,
    );
    site.row(
        &format!("site build ({site_entries} entries)"),
        site_entries,
    );
    site_again.row("site build, one new entry", site_entries);
    println!(
        "  site on disk apart from log/ {:>8.0} MiB   {:>6.0} bytes/entry",
        site_bytes as f64 / 1048576.0,
        site_bytes as f64 / site_entries.max(1) as f64
    );
    Ok(())
}

/// A correction appended with `sunshine append`: what it cost, and how many entries before it
/// its target is (the entries its rebuild replays, from the newest kept snapshot at or below
/// the target, or from entry 0).
struct Corrected {
    cost: Cost,
    back: String,
}

/// Amends two of `org`'s donations upward, each in a `sunshine append` of its own: `recent`
/// (a receipt this run appended, above the newest start snapshot: its rebuild starts from a
/// snapshot) and the organisation's first donation (below every kept snapshot: its rebuild
/// starts from entry 0, as every correction's did before snapshots were kept for them).
async fn corrections(
    work: &Path,
    url: &str,
    org: &crate::ledger::Uscc,
    key: &crate::ledger::SecretKey,
    recent: &str,
) -> anyhow::Result<(Corrected, Corrected)> {
    let store = Store::open(url, false).await?;
    let size = store.size().await?;
    let mut reader = store.views_reader().await?;
    let recent_key = crate::money::keys::DONATION.key(&[org, &recent]);
    let near = reader
        .records_among(std::slice::from_ref(&recent_key))
        .await?
        .remove(&recent_key)
        .map(|(value, _)| value)
        .with_context(|| format!("{recent_key} is not stored"))?;
    let mut first: Option<(u64, String)> = None;
    {
        use futures_util::TryStreamExt;
        let mut rows = reader.records_under(&crate::money::keys::DONATION.under(&[org]));
        while let Some((_, value)) = rows.try_next().await? {
            let seq = crate::money::records::row_seq(&value);
            if value.contains("\"amount\"")
                && value.contains("\"status\":\"live\"")
                && let Some(seq) = seq
                && first.as_ref().is_none_or(|(s, _)| seq < *s)
            {
                first = Some((seq, value));
            }
        }
    }
    drop(reader);
    store.close().await;
    let (_, far) = first.context("the organisation has no live cash donation")?;
    let mut done = Vec::new();
    for (n, row) in [near, far].into_iter().enumerate() {
        let (target, body) = amended_upward(&row)?;
        let sub = super::bench::sign_body(
            crate::ledger::Kind::Correction,
            crate::ledger::Author::Org(org.clone()),
            key,
            serde_json::json!({"target": target, "action": "amend", "notice": "金额更正（基准测试）",
                "amended": body}),
        );
        let file = work.join(format!("correction-{n}.json"));
        std::fs::write(&file, serde_json::to_vec(&sub)?)?;
        let cost = child(work, &["append", &path_str(&file)?])?;
        let back = size + n as u64 - target;
        done.push(Corrected {
            cost,
            back: match back {
                0..10_000 => back.to_string(),
                _ => format!("{}k", back / 1000),
            },
        });
    }
    let far = done.pop().context("two corrections")?;
    let near = done.pop().context("two corrections")?;
    Ok((near, far))
}

/// The seq of the donation in a stored donation row, and its body with the amount one yuan
/// higher: the row is the body with what the ledger adds (seq, organisation, recording time,
/// status) beside it.
fn amended_upward(row: &str) -> anyhow::Result<(u64, serde_json::Value)> {
    let mut body: serde_json::Map<String, serde_json::Value> = serde_json::from_str(row)?;
    let seq = body
        .remove("seq")
        .and_then(|s| s.as_u64())
        .context("the donation row has no seq")?;
    for added in ["org", "recorded_at", "status"] {
        body.remove(added);
    }
    let amount: rust_decimal::Decimal = body
        .get("amount")
        .and_then(|a| a.as_str())
        .context("the donation row has no amount")?
        .parse()?;
    body.insert(
        "amount".into(),
        format!("{:.2}", amount + rust_decimal::Decimal::ONE).into(),
    );
    Ok((seq, serde_json::Value::Object(body)))
}

/// Starts `sunshine serve` on `url`; answers it, the seconds until `/healthz` answered, and its
/// resident memory then (KiB).
fn start_server(url: &str, keys: &Path) -> anyhow::Result<(ServerProcess, f64, u64)> {
    let started = Instant::now();
    let server = ServerProcess::start(url, keys)?;
    wait_healthy(server.addr, started + START_TIMEOUT)?;
    let secs = started.elapsed().as_secs_f64();
    let rss = proc_status_kib(&server.pid().to_string(), "VmRSS")
        .context("reading the server's memory")?;
    Ok((server, secs, rss))
}

fn path_str(p: &Path) -> anyhow::Result<String> {
    p.to_str()
        .map(str::to_owned)
        .with_context(|| format!("{} is not UTF-8", PathBuf::from(p).display()))
}
