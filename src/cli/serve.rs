//! `sunshine serve`: the HTTP API on one address until Ctrl-C or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::Global;
use crate::api::cosigning::WitnessEndpoint;
use crate::api::{self, ApiConfig};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SUNSHINE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// How far a submission's `time` may be from the server clock, in seconds, either way.
    #[arg(long, env = "SUNSHINE_NONCE_WINDOW_SECS", default_value_t = api::NONCE_WINDOW_SECS)]
    pub nonce_window_secs: u64,
    /// Body limit of one submission, in bytes.
    #[arg(long, env = "SUNSHINE_MAX_SUBMISSION_BYTES", default_value_t = api::MAX_SUBMISSION_BYTES)]
    pub max_submission_bytes: usize,
    /// Body limit of a JSON Lines batch, in bytes.
    #[arg(long, env = "SUNSHINE_MAX_BATCH_BYTES", default_value_t = api::MAX_BATCH_BYTES)]
    pub max_batch_bytes: usize,
    /// Whole-request deadline, in seconds (slow clients are cut off with 408).
    #[arg(long, env = "SUNSHINE_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Deadline for a request's line and headers, in seconds (slow senders are disconnected).
    #[arg(long, env = "SUNSHINE_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Write requests per second per client IP, sustained (0: no limit).
    #[arg(long, env = "SUNSHINE_WRITE_RATE", default_value_t = ApiConfig::default().write_rate_per_sec)]
    pub write_rate: u32,
    /// Write requests a client may make at once before the sustained rate applies.
    #[arg(long, env = "SUNSHINE_WRITE_BURST", default_value_t = ApiConfig::default().write_burst)]
    pub write_burst: u32,
    /// Most single submissions in one group commit.
    #[arg(long, env = "SUNSHINE_MAX_GROUP", default_value_t = api::MAX_GROUP)]
    pub max_group: usize,
    /// Most connections held at once. At the cap a newcomer takes the slot of a connection
    /// with no request in flight (one that never sent a request first, then the longest idle);
    /// when every connection is busy it is answered 503 at once. Lowered to fit the open-file
    /// limit (less 128 descriptors for the database and files).
    #[arg(long, env = "SUNSHINE_MAX_CONNECTIONS", default_value_t = api::connections::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// A witness to ask for cosignatures: `VKEY=URL` (its `cosignature/v1` verifier key and
    /// submission prefix); repeat for several. Environment: comma-separated.
    #[arg(long = "witness", env = "SUNSHINE_WITNESSES", value_delimiter = ',')]
    pub witnesses: Vec<WitnessEndpoint>,
    /// Cosignatures `/log/checkpoint` requires (default: a majority of the witnesses).
    #[arg(long, env = "SUNSHINE_WITNESS_QUORUM")]
    pub witness_quorum: Option<usize>,
    /// The least time between two checkpoints sent to the witnesses, in milliseconds: a busy
    /// log signs a checkpoint per group commit, and asking witnesses about each would cost
    /// more than the appends; the cosigned checkpoint then trails the newest by about this.
    #[arg(long, env = "SUNSHINE_WITNESS_INTERVAL_MS",
          default_value_t = api::cosigning::DEFAULT_ROUND_INTERVAL.as_millis() as u64)]
    pub witness_interval_ms: u64,
}

impl ServeArgs {
    pub fn config(&self) -> anyhow::Result<ApiConfig> {
        let n = self.witnesses.len();
        let quorum = self.witness_quorum.unwrap_or(n / 2 + 1);
        if n > 0 && !(1..=n).contains(&quorum) {
            anyhow::bail!("--witness-quorum {quorum}: must be between 1 and the {n} witnesses");
        }
        if n == 0 && self.witness_quorum.is_some() {
            anyhow::bail!("--witness-quorum needs at least one --witness");
        }
        Ok(ApiConfig {
            nonce_window_secs: self.nonce_window_secs,
            max_submission_bytes: self.max_submission_bytes,
            max_batch_bytes: self.max_batch_bytes,
            request_timeout: Duration::from_secs(self.request_timeout_secs.max(1)),
            header_timeout: Duration::from_secs(self.header_timeout_secs.max(1)),
            write_rate_per_sec: self.write_rate,
            write_burst: self.write_burst,
            max_group: self.max_group,
            witnesses: self.witnesses.clone(),
            witness_quorum: quorum,
            witness_interval: Duration::from_millis(self.witness_interval_ms),
            max_connections: self.max_connections,
            ..ApiConfig::default()
        })
    }
}

pub async fn run(g: &Global, args: &ServeArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    // Before anything opens a file: sockets and database files share the one limit.
    match api::connections::raise_open_files() {
        Ok(files) => tracing::info!(soft = files.soft, hard = files.hard, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "cannot raise the open-file limit"),
    }
    let service = Arc::new(super::init::open_service(g).await?);
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, db = %g.db, "serving the ledger API");
    eprintln!("listening on http://{addr}");
    api::serve(listener, service, config, api::shutdown_signal()).await?;
    eprintln!("stopped; every accepted append is committed");
    Ok(())
}
