//! `sunshine bench --processes 1,2,4`: durable appends through N `sunshine serve` processes
//! sharing one database, as a deployment with N stateless servers behind a load balancer runs.
//!
//! For each N: a fresh ledger (on the PostgreSQL server named by `--db postgres://...`, as a
//! new database dropped afterwards; otherwise a SQLite file in the work directory), N server
//! processes of this very binary on loopback ports, and `--clients` keep-alive clients spread
//! over them posting `--requests` pre-signed single submissions. Then the ledger is audited,
//! timed, and checked to hold exactly what was answered 200. Clients, servers and the database
//! all share this machine's cores, so the figures are a floor, not a ceiling.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use super::Global;
use super::bench::{BenchArgs, Parties};
use super::bench_http::drive;
use super::progress::progress;
use crate::append::service::LedgerService;
use crate::replay::store_audit::audit_store;
use crate::store::{Backend, Store, database_url};

/// A server process of this binary; killed when dropped.
pub(super) struct ServerProcess {
    child: Child,
    pub(super) addr: SocketAddr,
}

impl ServerProcess {
    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    pub(super) fn start(url: &str, keys: &Path) -> anyhow::Result<ServerProcess> {
        let exe = std::env::current_exe().context("locating this binary")?;
        let mut child = Command::new(exe)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", url)
            .env_remove("DATABASE_READ_URL")
            .env("SUNSHINE_KEYS", keys)
            .env("SUNSHINE_WRITE_RATE", "0")
            .env("RUST_LOG", "warn")
            .stderr(Stdio::piped())
            .spawn()
            .context("starting sunshine serve")?;
        let stderr = child.stderr.take().context("server stderr")?;
        let mut lines = BufReader::new(stderr).lines();
        let addr = loop {
            let Some(line) = lines.next().transpose()? else {
                bail!("sunshine serve exited before listening");
            };
            if let Some(url) = line.strip_prefix("listening on http://") {
                break url
                    .parse()
                    .with_context(|| format!("server address {url:?}"))?;
            }
            eprintln!("server: {line}");
        };
        // Keep reading its log so a full pipe never blocks the server.
        std::thread::spawn(move || {
            lines
                .map_while(Result::ok)
                .for_each(|l| eprintln!("server: {l}"))
        });
        Ok(ServerProcess { child, addr })
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Every answered append is already committed; nothing is lost by stopping hard.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fresh ledger database for one measurement: a new database beside the one `--db` names on
/// a PostgreSQL server, or a file in the work directory.
pub(super) async fn fresh_ledger_url(g: &Global, work: &Path, tag: &str) -> anyhow::Result<String> {
    let base = database_url(&g.db);
    if Backend::of(&base)? != Backend::Postgres {
        let path = work.join(format!("{tag}.db"));
        return Ok(database_url(path.to_str().context("path is not UTF-8")?));
    }
    let (server, query) = base.split_once('?').unwrap_or((&base, ""));
    let (server, db) = server.rsplit_once('/').context("--db names no database")?;
    let name = format!("{db}_bench_{}_{tag}", std::process::id());
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Ok(format!("{server}/{name}{query}"))
}

pub async fn run(g: &Global, args: &BenchArgs) -> anyhow::Result<()> {
    let (_tmp, work) = super::bench::workdir(args, "sunshine-bench-servers")?;
    let parties = Parties::new()?;
    let keys = work.join("keys");
    if !super::keyfile::key_path(&keys, "operator").exists() {
        super::keyfile::write_new(&keys, "operator", &parties.operator)?;
    }
    let n = args.requests;
    let clients = args.clients;
    let bodies = parties.request_bodies(n)?;
    let mut rows = Vec::new();
    for &procs in &args.processes {
        let url = fresh_ledger_url(g, &work, &format!("p{procs}")).await?;
        let store = Store::open(&url, true).await?;
        if store.size().await? > 0 {
            bail!("{url} already holds a ledger");
        }
        let service =
            LedgerService::open(store.clone(), crate::ledger::SecretKey::from_seed([1; 32]))
                .await?;
        for s in parties.setup() {
            service.append(vec![s]).await?;
        }
        drop(service);
        let servers = (0..procs)
            .map(|_| ServerProcess::start(&url, &keys))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let addrs = servers.iter().map(|s| s.addr).collect();
        eprintln!("{procs} server process(es), {clients} clients, {n} submissions ...");
        let driven = drive(addrs, bodies.clone(), clients).await?;
        drop(servers);
        driven.all_ok()?;
        let size = store.size().await?;
        if size != 2 + driven.ok() {
            bail!(
                "the log holds {size} entries, {} were answered 200",
                driven.ok()
            );
        }
        let bar = progress(size, "audit");
        let start = Instant::now();
        let report = audit_store(&store, &bar).await?;
        let audit_rate = report.size as f64 / start.elapsed().as_secs_f64();
        bar.finish_and_clear();
        store.close().await;
        if Backend::of(&url)? == Backend::Postgres {
            Store::drop_database(&url).await?;
        }
        println!("{procs} process(es):");
        driven.print();
        rows.push((procs, driven.appends_per_sec(), audit_rate));
    }
    println!(
        "sunshine bench --processes: {n} single submissions, {clients} clients, database {}",
        if Backend::of(&database_url(&g.db))? == Backend::Postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("  processes   durable appends/s   audit entries/s");
    for (procs, rate, audit) in rows {
        println!("  {procs:>9}   {rate:>17.0}   {audit:>15.0}");
    }
    Ok(())
}
