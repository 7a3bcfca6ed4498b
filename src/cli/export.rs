//! `sunshine export DIR`: writes the published log layout (`DIR/log/...`) for static hosting.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Global;
use super::progress::progress;
use crate::publish::export::export;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Directory to write into (created if missing). Holding an earlier export of the same log,
    /// it is brought up to date by writing only the tiles that changed.
    pub dir: PathBuf,
}

pub async fn run(g: &Global, args: &ExportArgs) -> anyhow::Result<()> {
    let store = Store::open(&database_url(&g.db), false).await?;
    // The exporter sets the length once it knows how many tiles it has to write.
    let bar = progress(0, "export");
    let result = export(&store, &args.dir, &bar).await;
    bar.finish_and_clear();
    let report = result.with_context(|| format!("exporting to {}", args.dir.display()))?;
    let how = match report.previous_size {
        Some(old) if old == report.size => "already up to date".to_owned(),
        Some(old) => format!("extended from size {old}"),
        None => "full export".to_owned(),
    };
    println!(
        "exported {} entries, root {} to {} ({how}): {} tiles, {} bytes written",
        report.size,
        report.root,
        args.dir.display(),
        report.tiles_written,
        report.bytes_written
    );
    if let Some(size) = report.cosigned {
        println!(
            "log/checkpoint is the newest witness-cosigned checkpoint (size {size}); \
             log/witnesses holds the policy it meets"
        );
    }
    Ok(())
}
