//! `sunshine witness`: run a C2SP tlog-witness that cosigns a log's checkpoints after checking
//! each is consistent with the last one it cosigned (`api::witness`).
//!
//! A witness directory holds `witness.key` (the Ed25519 seed as hex, mode 0600, never
//! overwritten), `witness.pub`, `witness.vkey` (the `cosignature/v1` verifier key, type 0x04,
//! which logs and verifiers configure) and `witness.db` (the state: per log, the latest
//! cosigned checkpoint; plus refused requests kept as evidence).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::keyfile;
use crate::api;
use crate::api::witness::Witness;
use crate::ledger::SecretKey;
use crate::ledger::cosignature::{Cosigner, CosigningKey};
use crate::ledger::note::is_valid_key_name;
use crate::ledger::witness::TrustedLog;
use crate::store::witness::WitnessStore;

/// Deadline for a connection's request head, against clients that trickle headers.
const HEADER_TIMEOUT_SECS: u64 = 10;

#[derive(Args, Debug)]
pub struct WitnessArgs {
    #[command(subcommand)]
    pub command: WitnessCommand,
}

#[derive(Subcommand, Debug)]
pub enum WitnessCommand {
    /// Make a witness key and state database in DIR and print the verifier key.
    Init(InitArgs),
    /// Answer POST /add-checkpoint for the logs given with --log.
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The witness directory (created if missing; an existing key is never overwritten).
    #[arg(long)]
    pub dir: PathBuf,
    /// The cosigner name, a schema-less URL such as `witness.example.org/w1`.
    #[arg(long)]
    pub name: String,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The witness directory made by `sunshine witness init`.
    #[arg(long)]
    pub dir: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "SUNSHINE_WITNESS_BIND", default_value = "127.0.0.1:8081")]
    pub bind: String,
    /// A log's verifier key (`<origin>+<id>+<key>`, as published in `log/operator.vkey`);
    /// repeat for several logs or keys.
    #[arg(long = "log", required = true)]
    pub logs: Vec<String>,
}

pub fn key_path(dir: &Path) -> PathBuf {
    keyfile::key_path(dir, "witness")
}

pub fn vkey_path(dir: &Path) -> PathBuf {
    dir.join("witness.vkey")
}

pub fn db_path(dir: &Path) -> PathBuf {
    dir.join("witness.db")
}

pub async fn run(args: &WitnessArgs) -> anyhow::Result<()> {
    match &args.command {
        WitnessCommand::Init(a) => init(a).await,
        WitnessCommand::Serve(a) => serve(a).await,
    }
}

async fn init(a: &InitArgs) -> anyhow::Result<()> {
    if !is_valid_key_name(&a.name) {
        bail!(
            "--name {:?}: a cosigner name must be non-empty with no spaces or '+'",
            a.name
        );
    }
    let secret = SecretKey::generate();
    let cosigner = Cosigner::new(&a.name, *secret.public().verifying_key())?;
    keyfile::write_new(&a.dir, "witness", &secret)?;
    let vkey = cosigner.vkey();
    std::fs::write(vkey_path(&a.dir), format!("{vkey}\n"))
        .with_context(|| format!("writing {}", vkey_path(&a.dir).display()))?;
    WitnessStore::open(&db_path(&a.dir), true).await?;
    println!("{vkey}");
    Ok(())
}

/// The witness's cosigning key, checked against the verifier key it published.
pub fn load_key(dir: &Path) -> anyhow::Result<CosigningKey> {
    let secret = keyfile::read(&key_path(dir))?;
    let vkey = std::fs::read_to_string(vkey_path(dir))
        .with_context(|| format!("reading {}", vkey_path(dir).display()))?;
    let published: Cosigner = vkey.parse().with_context(|| {
        format!(
            "{} is not a cosigner verifier key",
            vkey_path(dir).display()
        )
    })?;
    if published.key() != secret.public().verifying_key() {
        bail!(
            "{} does not belong to {}",
            vkey_path(dir).display(),
            key_path(dir).display()
        );
    }
    Ok(CosigningKey::new(
        published.name(),
        secret.signing_key().clone(),
    )?)
}

async fn serve(a: &ServeArgs) -> anyhow::Result<()> {
    let key = load_key(&a.dir)?;
    let logs = TrustedLog::from_vkeys(&a.logs).context("--log")?;
    if let Err(e) = api::connections::raise_open_files() {
        tracing::warn!(error = %e, "cannot raise the open-file limit");
    }
    let store = WitnessStore::open(&db_path(&a.dir), false).await?;
    let listener = tokio::net::TcpListener::bind(&a.bind)
        .await
        .with_context(|| format!("binding {}", a.bind))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "witness {} listening on http://{addr}",
        key.cosigner().vkey()
    );
    for l in &logs {
        tracing::info!(origin = %l.origin, keys = l.keys.len(), "witnessing");
    }
    let w = Arc::new(Witness { key, logs, store });
    api::listener::run(
        listener,
        api::witness::app(w),
        Duration::from_secs(HEADER_TIMEOUT_SECS),
        api::shutdown_signal(),
    )
    .await;
    Ok(())
}
