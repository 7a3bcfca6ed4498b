//! `sunshine site build --out DIR`: the public disclosure site as static files
//! ([`crate::site::build`]), brought up to date incrementally when DIR holds an earlier build.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::Global;
use super::audit::progress;
use crate::site::build::build;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct SiteArgs {
    #[command(subcommand)]
    pub command: SiteCommand,
}

#[derive(Subcommand, Debug)]
pub enum SiteCommand {
    /// Write every page (zh and en), the published log, feeds, downloads and assets to a directory.
    Build {
        /// Output directory (created if missing); an earlier build there is updated in place.
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(g: &Global, args: &SiteArgs) -> anyhow::Result<()> {
    let SiteCommand::Build { out } = &args.command;
    let store = Store::open(&database_url(&g.db), false).await?;
    let started = std::time::Instant::now();
    let bar = progress(0, "site");
    let result = build(&store, out, &bar).await;
    bar.finish_and_clear();
    let r = result.with_context(|| format!("building the site in {}", out.display()))?;
    let log = r
        .log
        .as_ref()
        .map(|l| format!("{} log tiles written", l.tiles_written))
        .unwrap_or_default();
    println!(
        "site for log size {} in {}: {} entry pages written, {} other files written, {} unchanged, {log}; {:.1}s",
        r.size,
        out.display(),
        r.entry_pages_written,
        r.written,
        r.unchanged,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
