//! `sunshine audit`: audits the database ([`crate::replay::store_audit`]) or an exported
//! directory ([`crate::publish::dir_audit`]).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Global;
use super::progress::progress;
use crate::replay::audit::SnapshotCheck;
use crate::replay::store_audit::audit_store;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Audit an exported directory (`sunshine export`) instead of the database.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

pub async fn run(g: &Global, args: &AuditArgs) -> anyhow::Result<()> {
    if let Some(dir) = &args.dir {
        let report = crate::publish::dir_audit::audit_dir(dir)
            .with_context(|| format!("auditing {}", dir.display()))?;
        println!(
            "OK: {} entries, root {}, {} tiles checked",
            report.size, report.root, report.nodes
        );
        return Ok(());
    }
    let store = Store::open(&database_url(&g.db), false).await?;
    let size = store.size().await?;
    let bar = progress(size, "audit");
    let result = audit_store(&store, &bar).await;
    bar.finish_and_clear();
    let report = result?;
    let matched: Vec<String> = report
        .snapshots
        .iter()
        .filter_map(|c| match c {
            SnapshotCheck::Matched(size) => Some(size.to_string()),
            _ => None,
        })
        .collect();
    let mut snapshot = match matched.as_slice() {
        [] => String::new(),
        [one] => format!(", the start snapshot at size {one}"),
        many => format!(", the start snapshots at sizes {}", many.join(", ")),
    };
    for c in &report.snapshots {
        if let SnapshotCheck::OtherVersion { size, version } = c {
            snapshot.push_str(&format!(
                " (the start snapshot at size {size} is of version {version}, which this build \
                 neither reads nor checks)"
            ));
        }
    }
    println!(
        "OK: {} entries, {} checkpoints, {} tree nodes, {} cached views{snapshot} verified; root {}",
        report.size, report.checkpoints, report.nodes, report.views, report.root
    );
    Ok(())
}
