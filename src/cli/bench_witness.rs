//! `sunshine bench --http --witnesses N` (N = 3 by default, 0 leaves it out): the same clients
//! post the same submissions to the server asking N witnesses on loopback (quorum a majority),
//! which must cost appends next to nothing (appends never wait for witnesses), and the cosigned
//! checkpoint's lag is measured: for every commit, the time from the collector learning of it
//! to the publication of a cosigned checkpoint covering it
//! ([`crate::api::cosigning::Collector::lags_ms`]). The collector's work (rounds, requests,
//! proofs, saves) is counted beside it.
//!
//! The witnesses are real `sunshine witness` servers (their SQLite state is synced on every
//! cosignature). By default they run in this process, so they share its runtime and the cores
//! with the server and the clients, and the CPU time measured for the run includes theirs.
//! With `--witness-processes` each is a `sunshine witness serve` process of its own on loopback,
//! as deployed (a witness is somebody else's machine): they still share the cores, but this
//! process's CPU time is then the log's and the clients' alone, and the witnesses' is measured
//! apart.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::bench::Parties;
use super::bench_http::{Driven, drive};
use crate::api::cosigning::{CosigningCounts, WitnessEndpoint};
use crate::api::witness::Witness;
use crate::api::{self, ApiConfig, AppState};
use crate::append::service::LedgerService;
use crate::ledger::SecretKey;
use crate::ledger::cosignature::{Cosigner, CosigningKey};
use crate::ledger::note;
use crate::ledger::witness::TrustedLog;
use crate::store::Store;
use crate::store::witness::WitnessStore;

/// How long the run waits, after the last append, for the witnesses to cosign the final
/// checkpoint (so its lag is counted too).
const SETTLE_SECS: u64 = 30;

/// One witnessed run: what the clients saw, the lag of every commit in ms, the collector's
/// work, and the witness processes' CPU seconds (`None`: they ran in this process).
pub(super) struct WitnessedRun {
    pub driven: Driven,
    pub lags: Vec<u64>,
    pub counts: CosigningCounts,
    pub witness_cpu: Option<f64>,
}

/// Witnesses serving on loopback, in this process or as child processes.
enum Witnesses {
    InProcess(
        Vec<(
            tokio::sync::oneshot::Sender<()>,
            tokio::task::JoinHandle<()>,
        )>,
    ),
    Processes(Vec<WitnessProcess>),
}

/// A `sunshine witness serve` child process.
struct WitnessProcess {
    child: std::process::Child,
}

impl Drop for WitnessProcess {
    fn drop(&mut self) {
        // A witness survives `kill -9` by design; the bench's are thrown away anyway.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Witnesses {
    /// `n` witnesses of the log `log_vkey`, each with its state in `work/witness-<i>`.
    async fn start(
        n: usize,
        processes: bool,
        work: &Path,
        log_vkey: &str,
    ) -> anyhow::Result<(Witnesses, Vec<WitnessEndpoint>)> {
        let mut endpoints = Vec::new();
        let mut running = Vec::new();
        let mut children = Vec::new();
        for i in 0..n {
            let dir = work.join(format!("witness-{i}"));
            std::fs::create_dir_all(&dir)?;
            let name = format!("bench-w{i}.example");
            if processes {
                let (child, endpoint) = spawn_witness_process(&dir, &name, log_vkey)?;
                children.push(child);
                endpoints.push(endpoint);
                continue;
            }
            let seed = u8::try_from(100 + i).context("too many witnesses")?;
            let key = CosigningKey::new(
                &name,
                SecretKey::from_seed([seed; 32]).signing_key().clone(),
            )?;
            let cosigner = key.cosigner().clone();
            let w = Arc::new(Witness {
                key,
                logs: TrustedLog::from_vkeys(&[log_vkey])?,
                store: WitnessStore::open(&dir.join("witness.db"), true).await?,
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let url = format!("http://{}", listener.local_addr()?);
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            running.push((
                stop,
                tokio::spawn(api::listener::run(
                    listener,
                    api::witness::app(w),
                    Duration::from_secs(5),
                    async move {
                        let _ = stopped.await;
                    },
                )),
            ));
            endpoints.push(WitnessEndpoint { cosigner, url });
        }
        let ws = if processes {
            Witnesses::Processes(children)
        } else {
            Witnesses::InProcess(running)
        };
        Ok((ws, endpoints))
    }

    /// Stops them; answers the CPU seconds the witness processes used (`None` in process).
    async fn stop(self) -> anyhow::Result<Option<f64>> {
        match self {
            Witnesses::InProcess(running) => {
                for (stop, task) in running {
                    let _ = stop.send(());
                    task.await?;
                }
                Ok(None)
            }
            Witnesses::Processes(children) => Ok(Some(
                children
                    .iter()
                    .map(|c| super::bench_http::cpu_secs(Some(c.child.id())))
                    .sum(),
            )),
        }
    }
}

/// `sunshine witness init` then `sunshine witness serve --bind 127.0.0.1:0` in `dir`, with this
/// very binary; the address is read from the line the witness prints when it listens.
fn spawn_witness_process(
    dir: &Path,
    name: &str,
    log_vkey: &str,
) -> anyhow::Result<(WitnessProcess, WitnessEndpoint)> {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().context("finding this program to start witnesses")?;
    let dir_arg = dir.to_str().context("path is not UTF-8")?;
    let init = Command::new(&exe)
        .args(["witness", "init", "--dir", dir_arg, "--name", name])
        .stdin(Stdio::null())
        .output()
        .context("running sunshine witness init")?;
    if !init.status.success() {
        bail!(
            "sunshine witness init failed: {}",
            String::from_utf8_lossy(&init.stderr)
        );
    }
    let vkey = String::from_utf8(init.stdout).context("the witness key is not UTF-8")?;
    let cosigner: Cosigner = vkey.trim().parse().context("the witness key")?;
    let mut child = WitnessProcess {
        child: Command::new(&exe)
            .args([
                "witness",
                "serve",
                "--dir",
                dir_arg,
                "--bind",
                "127.0.0.1:0",
            ])
            .args(["--log", log_vkey])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting sunshine witness serve")?,
    };
    let stderr = child
        .child
        .stderr
        .take()
        .context("the witness's error output")?;
    let mut lines = std::io::BufReader::new(stderr).lines();
    const LISTENING: &str = " listening on ";
    let url = loop {
        let line = lines
            .next()
            .context("the witness stopped before listening")?
            .context("reading the witness's output")?;
        if let Some((_, url)) = line.split_once(LISTENING) {
            break url.trim().to_owned();
        }
    };
    // Keep reading what it logs, so a full pipe never stops it.
    std::thread::spawn(move || lines.for_each(drop));
    Ok((child, WitnessEndpoint { cosigner, url }))
}

/// The server with `witnesses` loopback witnesses on a fresh ledger at `url`, driven by the
/// clients.
#[allow(clippy::too_many_arguments)]
pub(super) async fn ledger_http_witnessed(
    parties: &Parties,
    url: &str,
    work: &Path,
    bodies: Arc<Vec<Vec<u8>>>,
    clients: usize,
    witnesses: usize,
    interval: Duration,
    processes: bool,
) -> anyhow::Result<WitnessedRun> {
    let store = Store::open(url, true).await?;
    let service =
        Arc::new(LedgerService::open(store.clone(), SecretKey::from_seed([1; 32])).await?);
    for s in parties.setup() {
        service.append(vec![s]).await?;
    }
    let (_, note_text) = store
        .latest_checkpoint()
        .await?
        .context("the bench ledger has no checkpoint")?;
    let origin = note_text.lines().next().unwrap_or_default().to_owned();
    let log_vkey = note::vkey_string(&origin, parties.operator.public().verifying_key());
    let (running, endpoints) = Witnesses::start(witnesses, processes, work, &log_vkey).await?;

    let config = ApiConfig {
        write_rate_per_sec: 0,
        witnesses: endpoints,
        witness_quorum: witnesses / 2 + 1,
        witness_interval: interval,
        ..ApiConfig::default()
    };
    let (state, committing) = AppState::new(service, config).await?;
    let collector = state
        .cosigning
        .clone()
        .context("the server started without witnesses")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(api::listener::run(
        listener,
        api::app(state),
        Duration::from_secs(10),
        async move {
            let _ = stopped.await;
        },
    ));
    eprintln!(
        "{clients} clients posting {} single submissions to http://{addr} with {witnesses} witnesses ...",
        bodies.len()
    );
    let driven = drive(vec![addr], bodies, clients).await?;
    let newest = store.size().await?;
    let deadline = Instant::now() + Duration::from_secs(SETTLE_SECS);
    while collector.status().cosigned_size != Some(newest) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if collector.status().cosigned_size != Some(newest) {
        eprintln!("the witnesses had not cosigned the final checkpoint after {SETTLE_SECS} s");
    }
    let _ = stop.send(());
    server.await?;
    committing.await?;
    let witness_cpu = running.stop().await?;
    let lags = collector.lags_ms();
    let counts = collector.counts();
    store.close().await;
    Ok(WitnessedRun {
        driven,
        lags,
        counts,
        witness_cpu,
    })
}
