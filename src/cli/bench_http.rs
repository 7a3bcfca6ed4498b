//! `sunshine bench --http`: durable appends through the HTTP API, as clients see them.
//!
//! Starts the real server (`api::serve`, rate limit off) on a loopback port against a fresh
//! ledger in a temporary directory, then `--clients` concurrent clients, each on its own
//! keep-alive connection, post `--requests` pre-signed single submissions one after another and
//! time each request. Every 200 is a durable append (group commit), so requests per second is
//! durable appends per second. Clients and server share this machine's cores, which is the
//! honest worst case for the server; a remote client would leave it more CPU.
//!
//! Beside it, in the same run and on the same cores: a plain Ed25519 verify loop over the same
//! submissions, and the same clients posting the same bodies to a loopback server that only
//! reads them and answers 200 (the raw HTTP limit). Figures are medians over `--runs`.
//!
//! The client is a minimal HTTP/1.1 writer/reader over a TCP stream, enough for our own server
//! on loopback, so the binary does not carry a general HTTP client for a benchmark.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::bench::{BenchArgs, Parties, median};
use crate::api::cosigning::CosigningCounts;
use crate::api::{self, ApiConfig};
use crate::append::service::LedgerService;
use crate::ledger::SecretKey;
use crate::store::{Store, database_url};

/// Largest response the bench client reads (a receipt is a few KiB).
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    async fn open(addr: std::net::SocketAddr) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
        })
    }

    /// POSTs `body` as JSON and returns the status, reading (and discarding) the response body.
    async fn post(&mut self, path: &str, body: &[u8]) -> anyhow::Result<u16> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let w = self.stream.get_mut();
        w.write_all(head.as_bytes()).await?;
        w.write_all(body).await?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().context("content-length")?;
            }
        }
        if length > MAX_RESPONSE_BYTES {
            bail!("response of {length} bytes");
        }
        let mut buf = vec![0u8; length];
        self.stream.read_exact(&mut buf).await?;
        Ok(status)
    }
}

pub(super) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

pub async fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let (_tmp, work) = super::bench::workdir(args, "sunshine-bench-http")?;
    let parties = Parties::new()?;
    let n = args.requests;
    let clients = args.clients;
    let runs = args.runs;
    let subs = parties.entries(n);
    let messages: Vec<Vec<u8>> = subs.iter().map(|s| s.submission.signing_bytes()).collect();
    let bodies = Arc::new(Parties::bodies(&subs)?);

    let interval = args.witness_interval_ms.map_or(
        crate::api::cosigning::DEFAULT_ROUND_INTERVAL,
        Duration::from_millis,
    );
    let mut measured: Vec<Measured> = Vec::with_capacity(runs);
    for run in 0..runs {
        eprintln!("run {}/{runs}", run + 1);
        let verify = super::bench::raw_verify_loop(&subs, &messages);
        let raw = raw_http(bodies.clone(), clients).await?;
        let plain = async {
            let db = work.join(format!("http-{run}.db"));
            let url = database_url(db.to_str().context("path is not UTF-8")?);
            let cpu = cpu_secs(None);
            let (driven, commits, size) =
                ledger_http(&parties, &url, bodies.clone(), clients).await?;
            let cpu = cpu_secs(None) - cpu;
            driven.all_ok()?;
            anyhow::Ok((driven, commits, size, cpu))
        };
        let witnessed = async {
            if args.witnesses == 0 {
                return anyhow::Ok(None);
            }
            let dir = work.join(format!("witnessed-{run}"));
            std::fs::create_dir_all(&dir)?;
            let db = dir.join("ledger.db");
            let url = database_url(db.to_str().context("path is not UTF-8")?);
            let cpu = cpu_secs(None);
            let run = super::bench_witness::ledger_http_witnessed(
                &parties,
                &url,
                &dir,
                bodies.clone(),
                clients,
                args.witnesses,
                interval,
                args.witness_processes,
            )
            .await?;
            let cpu = cpu_secs(None) - cpu;
            let (w, mut lags, counts) = (run.driven, run.lags, run.counts);
            w.all_ok()?;
            lags.sort_unstable();
            let lags: Vec<Duration> = lags.into_iter().map(Duration::from_millis).collect();
            let per_append = |secs: f64| secs / w.ok().max(1) as f64 * 1e6;
            Ok(Some(Witnessed {
                appends: w.appends_per_sec(),
                cpu_per_append_us: per_append(cpu),
                witness_cpu_per_append_us: run.witness_cpu.map(per_append),
                lag_p50: percentile(&lags, 0.50),
                lag_p99: percentile(&lags, 0.99),
                commits: lags.len(),
                per_sec: counts_per_sec(&counts, w.secs),
                counts,
            }))
        };
        // Alternate which goes first, so neither always meets a warmer (or busier) machine.
        let ((driven, commits, size, cpu), witnessed) = if run % 2 == 0 {
            let p = plain.await?;
            (p, witnessed.await?)
        } else {
            let w = witnessed.await?;
            (plain.await?, w)
        };
        if let Some(w) = &witnessed {
            eprintln!(
                "  run {}: {:.0}/s without witnesses, {:.0}/s with = {:.2} x",
                run + 1,
                driven.appends_per_sec(),
                w.appends,
                w.appends / driven.appends_per_sec()
            );
        }
        measured.push(Measured {
            verify,
            raw: raw.appends_per_sec(),
            appends: driven.appends_per_sec(),
            cpu_per_append_us: cpu / driven.ok().max(1) as f64 * 1e6,
            p50: percentile(&driven.latencies, 0.50),
            p99: percentile(&driven.latencies, 0.99),
            per_commit: driven.ok() as f64 / commits.max(1) as f64,
            size,
            witnessed,
        });
    }
    let pick = |f: fn(&Measured) -> f64| median(measured.iter().map(f).collect());
    let (verify, raw, appends) = (pick(|m| m.verify), pick(|m| m.raw), pick(|m| m.appends));
    println!(
        "sunshine bench --http: {n} single submissions, {clients} concurrent clients on loopback, median of {runs} run(s)"
    );
    println!(
        "  {:<28}{verify:>10.0} signatures/s (one core)",
        "raw Ed25519 verify loop"
    );
    println!(
        "  {:<28}{raw:>10.0} requests/s (body read, answered 200; same clients and bodies)",
        "raw loopback HTTP"
    );
    println!(
        "  {:<28}{appends:>10.0} /s   = {:.2} x raw HTTP, {:.2} x raw verify",
        "durable appends",
        appends / raw,
        appends / verify
    );
    println!(
        "  {:<28}p50 {:.1} ms   p99 {:.1} ms",
        "latency",
        pick(|m| m.p50),
        pick(|m| m.p99)
    );
    println!(
        "  {:<28}{:>10.1} entries per commit; log size {}",
        "group commit",
        pick(|m| m.per_commit),
        measured.last().map_or(0, |m| m.size)
    );
    let cpu = pick(|m| m.cpu_per_append_us);
    println!(
        "  {:<28}{cpu:>10.0} us per append (process CPU, user + system, clients included)",
        "CPU"
    );
    let ws: Vec<(&Measured, &Witnessed)> = measured
        .iter()
        .filter_map(|m| m.witnessed.as_ref().map(|w| (m, w)))
        .collect();
    if !ws.is_empty() {
        let pick = |f: fn(&Witnessed) -> f64| median(ws.iter().map(|(_, w)| f(w)).collect());
        let with = pick(|w| w.appends);
        let ratios: Vec<f64> = ws.iter().map(|(m, w)| w.appends / m.appends).collect();
        println!(
            "  {:<28}{with:>10.0} /s   = {:.2} x without witnesses (median of the runs' ratios {:.2}: {})",
            format!(
                "durable appends, {} witnesses{}",
                args.witnesses,
                if args.witness_processes {
                    " (processes)"
                } else {
                    ""
                }
            ),
            with / appends,
            median(ratios.clone()),
            ratios
                .iter()
                .map(|r| format!("{r:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let wcpu = pick(|w| w.cpu_per_append_us);
        if args.witness_processes {
            println!(
                "  {:<28}{wcpu:>10.0} us per append = {:.2} x without (this process: the log with all its witness work, and the clients)",
                "CPU with witnesses",
                wcpu / cpu
            );
            let apart = pick(|w| w.witness_cpu_per_append_us.unwrap_or(0.0));
            println!(
                "  {:<28}{apart:>10.0} us per append (the {} `sunshine witness serve` processes' own, on the same cores)",
                "CPU of the witnesses", args.witnesses
            );
        } else {
            println!(
                "  {:<28}{wcpu:>10.0} us per append = {:.2} x without (the witnesses' own work included: they run in this process)",
                "CPU with witnesses",
                wcpu / cpu
            );
        }
        println!(
            "  {:<28}p50 {:.1} ms   p99 {:.1} ms   (from each commit to a cosigned checkpoint covering it; {} commits, quorum {}, interval {} ms)",
            "cosigned checkpoint lag",
            pick(|w| w.lag_p50),
            pick(|w| w.lag_p99),
            ws.last().map_or(0, |(_, w)| w.commits),
            args.witnesses / 2 + 1,
            interval.as_millis()
        );
        let per = |f: fn(&CosigningCounts) -> f64| {
            median(ws.iter().map(|(_, w)| f(&w.per_sec)).collect())
        };
        let last = ws.last().map(|(_, w)| w.counts).unwrap_or_default();
        println!(
            "  {:<28}{:.0} rounds/s, {:.0} requests/s, {:.0} proofs/s, {:.0} saves/s (last run: {} rounds, {} requests, {} proofs, {} cosignatures, {} saves)",
            "cosigning work",
            per(|c| c.rounds as f64),
            per(|c| c.requests as f64),
            per(|c| c.proofs as f64),
            per(|c| c.saves as f64),
            last.rounds,
            last.requests,
            last.proofs,
            last.cosignatures,
            last.saves
        );
    }
    Ok(())
}

/// The CPU time so far (user + system, all threads) of this process (`None`) or of process
/// `pid`, in seconds; 0 where `/proc` is not there. Its unit is USER_HZ, 100 a second on Linux.
pub(super) fn cpu_secs(pid: Option<u32>) -> f64 {
    let path = pid.map_or("/proc/self/stat".to_owned(), |p| format!("/proc/{p}/stat"));
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses and may hold spaces): state is
    // field 3, utime and stime are fields 14 and 15.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// `counts` as rates over the clients' `secs`.
fn counts_per_sec(c: &CosigningCounts, secs: f64) -> CosigningCounts {
    let r = |v: u64| (v as f64 / secs.max(1e-9)).round() as u64;
    CosigningCounts {
        rounds: r(c.rounds),
        requests: r(c.requests),
        proofs: r(c.proofs),
        cosignatures: r(c.cosignatures),
        saves: r(c.saves),
    }
}

/// One run's figures with witnesses.
struct Witnessed {
    appends: f64,
    /// This process: the log and the clients, and the witnesses when they run in it.
    cpu_per_append_us: f64,
    /// The witness processes, when they run apart.
    witness_cpu_per_append_us: Option<f64>,
    lag_p50: f64,
    lag_p99: f64,
    /// Commits whose lag was measured.
    commits: usize,
    counts: CosigningCounts,
    /// `counts` per second of the clients' run (the work done while appends were measured is
    /// most of it; the rest is the final checkpoint's round).
    per_sec: CosigningCounts,
}

/// One run's figures.
struct Measured {
    verify: f64,
    raw: f64,
    appends: f64,
    cpu_per_append_us: f64,
    p50: f64,
    p99: f64,
    per_commit: f64,
    size: u64,
    witnessed: Option<Witnessed>,
}

/// The real server (`api::serve`, rate limit off) on a loopback port against a fresh ledger at
/// `url`, driven by the clients: what they saw, the commits (checkpoints after the setup's
/// two) and the log size afterwards.
async fn ledger_http(
    parties: &Parties,
    url: &str,
    bodies: Arc<Vec<Vec<u8>>>,
    clients: usize,
) -> anyhow::Result<(Driven, usize, u64)> {
    let store = Store::open(url, true).await?;
    let service =
        Arc::new(LedgerService::open(store.clone(), SecretKey::from_seed([1; 32])).await?);
    for s in parties.setup() {
        service.append(vec![s]).await?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let config = ApiConfig {
        write_rate_per_sec: 0,
        ..ApiConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(api::serve(listener, service, config, async move {
        let _ = stopped.await;
    }));
    eprintln!(
        "{clients} clients posting {} single submissions to http://{addr} ...",
        bodies.len()
    );
    let driven = drive(vec![addr], bodies, clients).await?;
    let _ = stop.send(());
    server.await??;
    let commits = Store::collect(store.checkpoints())
        .await?
        .len()
        .saturating_sub(2);
    let size = store.size().await?;
    store.close().await;
    Ok((driven, commits, size))
}

/// The baseline: the same clients posting the same bodies to a loopback server that only reads
/// each body and answers 200, so the ratio shows what the ledger costs over HTTP itself on
/// these cores.
async fn raw_http(bodies: Arc<Vec<Vec<u8>>>, clients: usize) -> anyhow::Result<Driven> {
    let router = axum::Router::new().route(
        "/api/v1/submissions",
        axum::routing::post(|body: axum::body::Bytes| async move {
            (
                axum::http::StatusCode::OK,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                format!("{{\"bytes\":{}}}", body.len()),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let driven = drive(vec![addr], bodies, clients).await?;
    let _ = stop.send(());
    server.await??;
    driven.all_ok()?;
    Ok(driven)
}

/// What the clients saw.
pub(super) struct Driven {
    latencies: Vec<Duration>,
    failed: u64,
    pub(super) secs: f64,
}

impl Driven {
    pub(super) fn ok(&self) -> u64 {
        self.latencies.len() as u64 - self.failed
    }

    pub(super) fn appends_per_sec(&self) -> f64 {
        self.ok() as f64 / self.secs
    }

    pub(super) fn print(&self) {
        println!(
            "  durable appends      {:>10.0} /s   ({} answered 200, {} refused, {:.1} s)",
            self.appends_per_sec(),
            self.ok(),
            self.failed,
            self.secs
        );
        println!(
            "  latency              p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms",
            percentile(&self.latencies, 0.50),
            percentile(&self.latencies, 0.99),
            percentile(&self.latencies, 1.0)
        );
    }

    pub(super) fn all_ok(&self) -> anyhow::Result<()> {
        if self.failed > 0 {
            bail!("{} requests were not answered 200", self.failed);
        }
        Ok(())
    }
}

/// `clients` concurrent clients, each on its own keep-alive connection to one of `addrs` in
/// turn (as a load balancer would spread them), post `bodies` as single submissions.
pub(super) async fn drive(
    addrs: Vec<std::net::SocketAddr>,
    bodies: Arc<Vec<Vec<u8>>>,
    clients: usize,
) -> anyhow::Result<Driven> {
    if addrs.is_empty() {
        bail!("no server to post to");
    }
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let (bodies, next) = (bodies.clone(), next.clone());
        let addr = addrs[c % addrs.len()];
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await?;
            let mut latencies = Vec::new();
            let mut failed = 0u64;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(body) = bodies.get(i as usize) else {
                    break;
                };
                let t = Instant::now();
                let status = conn.post("/api/v1/submissions", body).await?;
                latencies.push(t.elapsed());
                failed += u64::from(status != 200);
            }
            anyhow::Ok((latencies, failed))
        }));
    }
    let mut latencies = Vec::with_capacity(bodies.len());
    let mut failed = 0;
    for t in tasks {
        let (l, f) = t.await??;
        latencies.extend(l);
        failed += f;
    }
    let secs = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Ok(Driven {
        latencies,
        failed,
        secs,
    })
}
