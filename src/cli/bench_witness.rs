//! `sunshine bench --http --witnesses N` (N = 3 by default, 0 leaves it out): the same clients
//! post the same submissions to the server asking N witnesses on loopback (quorum a majority),
//! which must cost appends next to nothing (appends never wait for witnesses), and the cosigned
//! checkpoint's lag is measured: for every checkpoint that reached the quorum, the time from the
//! coordinator first seeing it to the quorum's last cosignature arriving
//! ([`crate::api::cosigning::Collector::lags_ms`]).
//!
//! The witnesses are real `sunshine witness` servers (their SQLite state is synced on every
//! cosignature) in this process, so they share the cores with the server and the clients.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::bench::Parties;
use super::bench_http::{Driven, drive};
use crate::api::cosigning::WitnessEndpoint;
use crate::api::witness::Witness;
use crate::api::{self, ApiConfig, AppState};
use crate::append::service::LedgerService;
use crate::ledger::SecretKey;
use crate::ledger::cosignature::CosigningKey;
use crate::ledger::note;
use crate::ledger::witness::TrustedLog;
use crate::store::Store;
use crate::store::witness::WitnessStore;

/// How long the run waits, after the last append, for the witnesses to cosign the final
/// checkpoint (so its lag is counted too).
const SETTLE_SECS: u64 = 30;

/// The server with `witnesses` loopback witnesses on a fresh ledger at `url`, driven by the
/// clients: what they saw and the lag of every cosigned checkpoint, in ms.
pub(super) async fn ledger_http_witnessed(
    parties: &Parties,
    url: &str,
    work: &Path,
    bodies: Arc<Vec<Vec<u8>>>,
    clients: usize,
    witnesses: usize,
) -> anyhow::Result<(Driven, Vec<u64>)> {
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

    let mut endpoints = Vec::new();
    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..witnesses {
        let dir = work.join(format!("witness-{i}"));
        std::fs::create_dir_all(&dir)?;
        let seed = u8::try_from(100 + i).context("too many witnesses")?;
        let key = CosigningKey::new(
            &format!("bench-w{i}.example"),
            SecretKey::from_seed([seed; 32]).signing_key().clone(),
        )?;
        endpoints.push(WitnessEndpoint {
            cosigner: key.cosigner().clone(),
            url: String::new(),
        });
        let w = Arc::new(Witness {
            key,
            logs: TrustedLog::from_vkeys(&[&log_vkey])?,
            store: WitnessStore::open(&dir.join("witness.db"), true).await?,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        endpoints[i].url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        stops.push(stop);
        tasks.push(tokio::spawn(api::listener::run(
            listener,
            api::witness::app(w),
            Duration::from_secs(5),
            async move {
                let _ = stopped.await;
            },
        )));
    }

    let config = ApiConfig {
        write_rate_per_sec: 0,
        witnesses: endpoints,
        witness_quorum: witnesses / 2 + 1,
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
    for s in stops {
        let _ = s.send(());
    }
    for t in tasks {
        t.await?;
    }
    let lags = collector.lags_ms();
    store.close().await;
    Ok((driven, lags))
}
