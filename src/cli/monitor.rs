//! `sunshine monitor --url URL | --dir DIR --state DIR [--api URL] [--witness VKEY ... --quorum K]
//! [--follow --interval S]`: follow a published log and report any inconsistency
//! ([`crate::publish::monitor`]). Exits non-zero with the report on the first one.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;

use crate::ledger::witness_policy::WitnessPolicy;
use crate::publish::monitor::{Monitor, RoundReport, Source};

#[derive(Args, Debug)]
pub struct MonitorArgs {
    /// The log's base URL (its checkpoint is `URL/log/checkpoint`): a live server or a static
    /// site.
    #[arg(long, conflicts_with = "dir", required_unless_present = "dir")]
    pub url: Option<String>,
    /// An exported directory (`DIR/log/checkpoint`), read in place.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Where the monitor keeps the pinned operator key, the last checkpoint it saw and (with
    /// --url) its mirror of the tiles.
    #[arg(long)]
    pub state: PathBuf,
    /// The operator's API to compare with the replay (default: --url; none with --dir).
    #[arg(long)]
    pub api: Option<String>,
    /// A witness whose cosignature counts (`cosignature/v1` verifier key); repeat per witness.
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// Cosignatures every checkpoint must carry (default: all the witnesses given).
    #[arg(long)]
    pub quorum: Option<usize>,
    /// Keep going: a round every --interval seconds until an inconsistency (or Ctrl-C).
    #[arg(long)]
    pub follow: bool,
    /// Seconds between rounds with --follow.
    #[arg(long, default_value_t = 60)]
    pub interval: u64,
}

pub async fn run(a: &MonitorArgs) -> anyhow::Result<()> {
    let source = match (&a.url, &a.dir) {
        (Some(u), None) => Source::Url(u.clone()),
        (None, Some(d)) => Source::Dir(d.clone()),
        _ => bail!("give one of --url or --dir"),
    };
    let policy = if a.witnesses.is_empty() {
        None
    } else {
        let ws = super::verify_proof::parse_witnesses(&a.witnesses)?;
        let k = a.quorum.unwrap_or(ws.len());
        Some(WitnessPolicy::new(k, ws).context("--witness/--quorum")?)
    };
    let api = a.api.clone().or_else(|| a.url.clone());
    let monitor = Monitor::new(source, a.state.clone(), api, policy);
    loop {
        let report = monitor.round().await.context("INCONSISTENT")?;
        print_round(&report);
        if !a.follow {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(a.interval.max(1))) => {}
            _ = crate::api::shutdown_signal() => return Ok(()),
        }
    }
}

fn print_round(r: &RoundReport) {
    let since = match r.previous {
        Some(p) if p == r.size => "unchanged since the last round".to_owned(),
        Some(p) => format!("consistent with the {p} entries seen before"),
        None => "first round: operator key pinned".to_owned(),
    };
    let witnesses = r
        .cosignatures
        .map(|n| format!(", {n} witness cosignatures"))
        .unwrap_or_default();
    let api = match (r.api_checked, r.api_size) {
        (Some(n), _) => format!("; the API agrees ({n} answers compared)"),
        (None, Some(s)) => format!("; the API's views are at size {s}, not compared this round"),
        (None, None) => String::new(),
    };
    println!(
        "OK: {} entries replayed, root {} ({since}{witnesses}); {} files fetched{api}",
        r.size, r.root, r.fetched
    );
}
