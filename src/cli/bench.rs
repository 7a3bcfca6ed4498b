//! `sunshine bench`: append and audit throughput, each beside a raw limit measured in the same run
//! on the same bytes (a plain Ed25519 verify loop; a plain SQLite insert). Figures are medians over
//! `--runs` repetitions, because the machines are shared and noisy; ratios are what to compare.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use sqlx::Connection;

use super::Global;
use super::progress::progress;
use crate::append::service::LedgerService;
use crate::ledger::{
    Author, Entry, Hash, Kind, SealedEntry, SecretKey, SignedSubmission, Timestamp, Uscc,
    submission,
};
use crate::replay::store_audit::audit_store;
use crate::store::{Backend, Store, database_url};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Entries in the benchmark ledger.
    #[arg(long, default_value_t = 100_000, value_parser = at_least_one::<u64>())]
    pub size: u64,
    /// Submissions per append (one durable commit and one signed checkpoint each).
    #[arg(long, default_value_t = 1_000, value_parser = at_least_one::<u64>())]
    pub batch: u64,
    /// Repetitions of each measurement; the median is reported.
    #[arg(long, default_value_t = 3, value_parser = at_least_one::<usize>())]
    pub runs: usize,
    /// Working directory for the benchmark databases (default: a fresh temporary directory).
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Benchmark the HTTP API instead: single submissions from concurrent clients on loopback.
    #[arg(long)]
    pub http: bool,
    /// With --http: concurrent clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 64, value_parser = at_least_one::<usize>())]
    pub clients: usize,
    /// With --http or --processes: single submissions to post in total.
    #[arg(long, default_value_t = 20_000, value_parser = at_least_one::<u64>())]
    pub requests: u64,
    /// With --http: also run with this many loopback witnesses (quorum a majority) and print
    /// the cosigned checkpoint's lag; 0 leaves the witnessed run out.
    #[arg(long, default_value_t = 3)]
    pub witnesses: usize,
    /// With --witnesses: the server's least time between two checkpoints sent to the
    /// witnesses, in milliseconds (`serve --witness-interval-ms`; default the server's).
    #[arg(long)]
    pub witness_interval_ms: Option<u64>,
    /// With --witnesses: run each witness as a `sunshine witness serve` process on loopback (as
    /// deployed) instead of in this process, and measure its CPU time apart from the log's.
    #[arg(long)]
    pub witness_processes: bool,
    /// Run this many `sunshine serve` processes on one database (e.g. 1,2,4), each count in
    /// turn, and measure durable appends through all of them (HTTP, like --http). With
    /// `--db postgres://...` the ledgers are fresh databases on that server.
    #[arg(long, value_delimiter = ',', value_parser = at_least_one::<usize>())]
    pub processes: Vec<usize>,
    /// Build the demo ledger at this scale (donations; other entries come with them) and
    /// report each command's time and peak memory on it, `--requests` HTTP appends included.
    #[arg(long, value_parser = at_least_one::<u64>())]
    pub scale: Option<u64>,
    /// With --scale and --workdir: measure the demo ledger an earlier run left in the working
    /// directory (`ledger.db`, `keys/`) instead of building it again; the demo's row is left
    /// out. The run appends to it (the HTTP appends, one more entry): give it a copy.
    #[arg(long, requires_all = ["scale", "workdir"])]
    pub reuse: bool,
}

/// A count that must be at least 1: a benchmark of nothing has no rate, only a division by zero,
/// so `--size 0` and the like are refused by name before anything runs.
fn at_least_one<T: TryFrom<u64> + Clone + Send + Sync + 'static>()
-> clap::builder::RangedU64ValueParser<T> {
    clap::builder::RangedU64ValueParser::<T>::new().range(1..)
}

/// The parties of the benchmark ledger, from fixed seeds so runs are comparable.
pub(super) struct Parties {
    pub(super) operator: SecretKey,
    regulator: SecretKey,
    regulator_id: Uscc,
    org: SecretKey,
    org_id: Uscc,
}

impl Parties {
    pub(super) fn new() -> anyhow::Result<Parties> {
        Ok(Parties {
            operator: SecretKey::from_seed([1; 32]),
            regulator: SecretKey::from_seed([2; 32]),
            regulator_id: Uscc::with_check("11440000MB0000001").context("regulator code")?,
            org: SecretKey::from_seed([3; 32]),
            org_id: Uscc::with_check("53440000MJ0000001").context("organisation code")?,
        })
    }

    /// Genesis and the organisation's registration.
    pub(super) fn setup(&self) -> Vec<SignedSubmission> {
        let genesis = serde_json::json!({"origin": "bench.local/sunshine", "operator_key": self.operator.public(),
            "regulators": [{"id": self.regulator_id, "name": "基准测试民政厅", "key": self.regulator.public()}]});
        let register = serde_json::json!({"org": self.org_id, "name": "基准测试基金会", "org_type": "foundation",
            "region": "440000", "public_fundraising": true, "registered_on": "2020-01-01", "keys": [self.org.public()]});
        vec![
            sign_body(Kind::Genesis, Author::Operator, &self.operator, genesis),
            sign_body(
                Kind::OrgRegister,
                Author::Regulator(self.regulator_id.clone()),
                &self.regulator,
                register,
            ),
        ]
    }

    /// The `i`-th benchmark entry: a cash donation to the organisation, so the money rules run
    /// for every entry as they do in production.
    pub(super) fn entry(&self, i: u64) -> SignedSubmission {
        donation_submission(&self.org_id, &self.org, &format!("B{i:010}"), i)
    }

    /// The first `n` benchmark entries as JSON request bodies, signed before the clock starts
    /// (the HTTP benchmarks post them).
    pub(super) fn request_bodies(&self, n: u64) -> anyhow::Result<std::sync::Arc<Vec<Vec<u8>>>> {
        Ok(std::sync::Arc::new(Self::bodies(&self.entries(n))?))
    }

    /// The first `n` benchmark entries, signed.
    pub(super) fn entries(&self, n: u64) -> Vec<SignedSubmission> {
        eprintln!("signing {n} submissions ...");
        (0..n).map(|i| self.entry(i)).collect()
    }

    /// `subs` as JSON request bodies.
    pub(super) fn bodies(subs: &[SignedSubmission]) -> anyhow::Result<Vec<Vec<u8>>> {
        Ok(subs
            .iter()
            .map(serde_json::to_vec)
            .collect::<Result<_, _>>()?)
    }
}

/// A cash donation of today to `org`, signed by `key`; `i` varies the amount and commitment.
pub(super) fn donation_submission(
    org: &Uscc,
    key: &SecretKey,
    receipt_no: &str,
    i: u64,
) -> SignedSubmission {
    let today = crate::ledger::time::format_date(Timestamp::now().date());
    let commitment = crate::ledger::Hash::sha256(&i.to_be_bytes());
    let body = serde_json::json!({"receipt_no": receipt_no, "received_on": today, "form": "cash",
        "amount": format!("{}.{:02}", 10 + i % 5000, i % 100), "currency": "CNY", "donor_type": "individual",
        "donor_display": "李*", "receipt": "issued", "commitment": commitment});
    sign_body(Kind::Donation, Author::Org(org.clone()), key, body)
}

pub(super) fn sign_body(
    kind: Kind,
    author: Author,
    key: &SecretKey,
    body: serde_json::Value,
) -> SignedSubmission {
    submission::draft(
        kind,
        author,
        key,
        body.as_object().cloned().unwrap_or_default(),
    )
    .sign(key)
}

pub(super) fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

async fn raw_sqlite_insert(path: &Path, leaves: &[Vec<u8>], batch: usize) -> anyhow::Result<f64> {
    let url = database_url(path.to_str().context("work directory path is not UTF-8")?);
    let opts: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
    let opts = opts
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    sqlx::query("CREATE TABLE raw (seq INTEGER PRIMARY KEY, leaf BLOB NOT NULL)")
        .execute(&mut conn)
        .await?;
    let start = Instant::now();
    for (c, chunk) in leaves.chunks(batch).enumerate() {
        let mut tx = conn.begin().await?;
        for (i, leaf) in chunk.iter().enumerate() {
            sqlx::query("INSERT INTO raw (seq, leaf) VALUES (?, ?)")
                .bind((c * batch + i) as i64)
                .bind(leaf.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(leaves.len() as f64 / start.elapsed().as_secs_f64())
}

pub(super) fn raw_verify_loop(subs: &[SignedSubmission], messages: &[Vec<u8>]) -> f64 {
    let start = Instant::now();
    let mut ok = 0usize;
    // The library's own strict check, not ours: the baseline stays put when ours gets faster.
    for (s, m) in subs.iter().zip(messages) {
        let key = s.submission.key.verifying_key();
        ok += usize::from(key.verify_strict(m, &s.sig.0).is_ok());
    }
    let rate = subs.len() as f64 / start.elapsed().as_secs_f64();
    // Keep the loop's result observable so it cannot be optimised away.
    if ok != subs.len() {
        eprintln!("warning: {} benchmark signatures failed", subs.len() - ok);
    }
    rate
}

/// The benchmark's working directory: `--workdir`, or a fresh temporary one (kept alive by the
/// returned guard for the run).
pub(super) fn workdir(
    args: &BenchArgs,
    prefix: &str,
) -> anyhow::Result<(tempfile::TempDir, PathBuf)> {
    let tmp = tempfile::Builder::new().prefix(prefix).tempdir()?;
    let work = args
        .workdir
        .clone()
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    Ok((tmp, work))
}

pub async fn run(g: &Global, args: &BenchArgs) -> anyhow::Result<()> {
    if !args.processes.is_empty() {
        return super::bench_servers::run(g, args).await;
    }
    if args.http {
        return super::bench_http::run(args).await;
    }
    if let Some(scale) = args.scale {
        return super::bench_scale::run(args, scale).await;
    }
    let runs = args.runs;
    let (_tmp, work) = workdir(args, "sunshine-bench")?;
    let parties = Parties::new()?;
    let setup = parties.setup();

    eprintln!("preparing {} signed submissions ...", args.size);
    let bar = progress(args.size, "sign");
    let subs: Vec<SignedSubmission> = (0..args.size)
        .map(|i| {
            bar.inc(1);
            parties.entry(i)
        })
        .collect();
    bar.finish_and_clear();
    let messages: Vec<Vec<u8>> = subs.iter().map(|s| s.submission.signing_bytes()).collect();
    // The leaf bytes the ledger will store, for the raw insert baseline.
    let leaves: Vec<Vec<u8>> = subs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let e = Entry {
                seq: i as u64,
                prev: Hash::ZERO,
                recorded_at: Timestamp::now(),
                submission: s.clone(),
            };
            SealedEntry::seal(e).map(|s| s.leaf)
        })
        .collect::<Result<_, _>>()?;
    let mean_leaf = leaves.iter().map(Vec::len).sum::<usize>() as f64 / leaves.len().max(1) as f64;

    let (mut verify, mut insert, mut append, mut commits, mut audit) =
        (vec![], vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        eprintln!("run {}/{runs}", run + 1);
        verify.push(raw_verify_loop(&subs, &messages));
        insert.push(
            raw_sqlite_insert(
                &work.join(format!("raw-{run}.db")),
                &leaves,
                args.batch as usize,
            )
            .await?,
        );

        let url =
            super::bench_servers::fresh_ledger_url(g, &work, &format!("ledger-{run}")).await?;
        let store = Store::open(&url, true).await?;
        let service = LedgerService::open(store.clone(), SecretKey::from_seed([1; 32])).await?;
        for s in &setup {
            service.append(vec![s.clone()]).await?;
        }
        let bar = progress(args.size, "append");
        let start = Instant::now();
        let batches = subs.chunks(args.batch as usize);
        let n_commits = batches.len() as u64;
        service
            .append_batches(batches.map(|chunk| {
                bar.inc(chunk.len() as u64);
                chunk.to_vec()
            }))
            .await?;
        let secs = start.elapsed().as_secs_f64();
        bar.finish_and_clear();
        append.push(args.size as f64 / secs);
        commits.push(n_commits as f64 / secs);

        let total = store.size().await?;
        let bar = progress(total, "audit");
        let start = Instant::now();
        let report = audit_store(&store, &bar).await?;
        audit.push(report.size as f64 / start.elapsed().as_secs_f64());
        bar.finish_and_clear();
        store.close().await;
        if store.backend() == Backend::Postgres {
            Store::drop_database(&url).await?;
        }
    }
    let (verify, insert, append, commits, audit) = (
        median(verify),
        median(insert),
        median(append),
        median(commits),
        median(audit),
    );
    println!(
        "sunshine bench: {} entries (mean leaf {mean_leaf:.0} bytes), batches of {}, median of {runs} run(s), ledger on {}",
        args.size,
        args.batch,
        if Backend::of(&database_url(&g.db))? == Backend::Postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    println!("  raw Ed25519 verify loop      {verify:>12.0} signatures/s (one core)");
    println!("  raw SQLite insert (durable)  {insert:>12.0} rows/s");
    println!(
        "  append (verify, rules, tree, checkpoint, durable commit; batches checked, admitted and written in a pipeline)"
    );
    println!("                               {append:>12.0} entries/s   {commits:.1} commits/s");
    println!(
        "                               = {:.2} x raw insert, {:.2} x raw verify",
        append / insert,
        append / verify
    );
    println!("  audit (full replay, batch verify, tree, checkpoints, nodes)");
    println!(
        "                               {audit:>12.0} entries/s   = {:.2} x raw verify",
        audit / verify
    );
    Ok(())
}
