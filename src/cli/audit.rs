//! `sunshine audit`: audits the database ([`crate::replay::store_audit`]) or an exported
//! directory ([`crate::publish::dir_audit`]).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::Global;
use super::progress::progress;
use crate::replay::audit::{AuditReport, Auditor, SnapshotCheck};
use crate::replay::store_audit::audit_store_with;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Audit an exported directory (`sunshine export`) instead of the database.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Rebuild every correction from entry 0, not from the replayed books of a later log size
    /// below its target: one more pass over the log per correction, and a check that does not
    /// rely on the rule that picks the later start.
    #[arg(long)]
    pub full: bool,
}

/// What the audit did about corrections: how many it rebuilt, and from where.
fn rebuilt(report: &AuditReport) -> String {
    let all = report.rebuilds.len();
    let zero = report
        .rebuilds
        .iter()
        .filter(|(_, from)| *from == 0)
        .count();
    match all {
        0 => String::new(),
        1 => format!("; 1 correction rebuilt, {zero} from entry 0"),
        _ => format!("; {all} corrections rebuilt, {zero} from entry 0"),
    }
}

pub async fn run(g: &Global, args: &AuditArgs) -> anyhow::Result<()> {
    let auditor = match args.full {
        true => Auditor::new().from_entry_zero(),
        false => Auditor::new(),
    };
    if let Some(dir) = &args.dir {
        let report = crate::publish::dir_audit::audit_dir_with(dir, auditor)
            .with_context(|| format!("auditing {}", dir.display()))?;
        println!(
            "OK: {} entries, root {}, {} tiles checked{}",
            report.size,
            report.root,
            report.nodes,
            rebuilt(&report)
        );
        return Ok(());
    }
    let store = Store::open(&database_url(&g.db), false).await?;
    let size = store.size().await?;
    let bar = progress(size, "audit");
    let result = audit_store_with(&store, &bar, auditor).await;
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
        "OK: {} entries, {} checkpoints, {} tree nodes, {} cached views{snapshot} verified; root {}{}",
        report.size,
        report.checkpoints,
        report.nodes,
        report.views,
        report.root,
        rebuilt(&report)
    );
    Ok(())
}
