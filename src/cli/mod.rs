//! The `sunshine` command line: one file per subcommand, each a thin adapter over the crate.

pub mod append;
pub mod audit;
pub mod bench;
pub mod bench_http;
pub mod bench_scale;
pub mod bench_servers;
pub mod bench_witness;
pub mod demo;
pub mod export;
pub mod import;
pub mod init;
pub mod keyfile;
pub mod keygen;
pub mod migrate;
pub mod monitor;
pub mod progress;
pub mod prove;
pub mod report;
pub mod report_goods;
pub mod report_sides;
pub mod report_trusts;
pub mod sealed_key;
pub mod serve;
pub mod sign;
pub mod site;
pub mod verify_proof;
pub mod witness;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Where the ledger and keys live; shared by every subcommand.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Ledger database: a path to a SQLite file, a sqlite: URL, or a postgres:// URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "data/ledger.db",
        global = true
    )]
    pub db: String,
    /// Optional read replica for pages, proofs and tiles (postgres:// URL); default: --db.
    #[arg(long, env = "DATABASE_READ_URL", global = true)]
    pub read_db: Option<String>,
    /// Directory of key files (private keys *.key, mode 0600; public keys *.pub).
    #[arg(long, env = "SUNSHINE_KEYS", default_value = "keys", global = true)]
    pub keys: PathBuf,
}

#[derive(Parser, Debug)]
#[command(
    name = "sunshine",
    version,
    about = "Sunshine Ledger (阳光慈善账本): a verifiable ledger of charity money"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the database, the operator key pair and the genesis entry.
    Init(init::InitArgs),
    /// Make a key pair for an author.
    Keygen(keygen::KeygenArgs),
    /// Sign unsigned submissions (JSON or JSON Lines) with an author's key.
    Sign(sign::SignArgs),
    /// Append signed submissions (JSON or JSON Lines), all or none.
    Append(append::AppendArgs),
    /// Print an inclusion or consistency proof with the checkpoint it is relative to.
    Prove(prove::ProveArgs),
    /// Replay and verify the whole ledger (database or exported directory).
    Audit(audit::AuditArgs),
    /// Write the published log layout (checkpoint, tiles, entry bundles, operator key) to a directory.
    Export(export::ExportArgs),
    /// What donors and regulators read: donation trace, ratio figures, late disclosures, balances.
    Report(report::ReportArgs),
    /// Measure append and audit throughput beside raw Ed25519 and SQLite limits.
    Bench(bench::BenchArgs),
    /// Build a realistic, deterministic demo ledger in a new database (keys from the seed).
    Demo(demo::DemoArgs),
    /// Import donations or disbursements from a spreadsheet (xlsx or CSV; docs/IMPORT.md), all or none.
    Import(import::ImportArgs),
    /// Serve the HTTP API (submissions, entries, proofs, checkpoint and tiles).
    Serve(serve::ServeArgs),
    /// Copy a ledger between databases (SQLite <-> PostgreSQL) and verify the copy.
    Migrate(migrate::MigrateArgs),
    /// The public disclosure site: `site build --out DIR` writes it as static files.
    Site(site::SiteArgs),
    /// Run a C2SP tlog-witness: `witness init --dir DIR --name NAME`, `witness serve`.
    Witness(witness::WitnessArgs),
    /// Check a `.tlog-proof` file offline against the log key and the witnesses you trust.
    VerifyProof(verify_proof::VerifyProofArgs),
    /// Follow a published log (checkpoint and tiles only), replay it, compare with the API.
    Monitor(monitor::MonitorArgs),
}

/// Reads a whole input: a file path, or standard input for `-` or no path.
pub fn read_input(path: Option<&std::path::Path>) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    use std::io::Read;
    match path {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::read(p).with_context(|| format!("reading {}", p.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading standard input")?;
            Ok(buf)
        }
    }
}

/// Splits input into JSON documents: one object, or JSON Lines (blank lines skipped).
/// Returns (1-based line number, text) pairs so errors can point at the line.
pub fn json_documents(input: &[u8]) -> anyhow::Result<Vec<(usize, &str)>> {
    let text =
        std::str::from_utf8(input).map_err(|e| anyhow::anyhow!("input is not UTF-8: {e}"))?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        anyhow::bail!("input is empty");
    }
    // A single (possibly pretty-printed) JSON document parses whole; otherwise treat as lines.
    if serde_json::from_str::<serde_json::Value>(trimmed).is_ok() {
        return Ok(vec![(1, trimmed)]);
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect())
}

/// A `--as-of YYYY-MM-DD` option's value, with the reason when it is not a calendar date.
pub(crate) fn parse_day(s: &str) -> Result<time::Date, String> {
    crate::ledger::time::parse_date(s).map_err(|e| format!("{s}: {e}"))
}
