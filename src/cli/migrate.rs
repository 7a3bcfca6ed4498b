//! `sunshine migrate`: copies a ledger between databases — SQLite to PostgreSQL when a
//! deployment outgrows one machine, or back — and proves the copy is the same ledger.
//!
//! The copy is row for row in one transaction ([`Store::copy_into`]); then the destination is
//! audited from scratch (every signature, the tree, every checkpoint, the cached views) and its
//! newest checkpoint must be the source's, byte for byte, so the same root is signed.

use anyhow::{Context, bail};
use clap::Args;

use super::Global;
use super::progress::progress;
use crate::replay::store_audit::audit_store;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct MigrateArgs {
    /// The ledger to copy: a SQLite path, sqlite: URL or postgres:// URL.
    #[arg(long)]
    pub from: String,
    /// Where to copy it (created if missing; must hold no ledger).
    #[arg(long)]
    pub to: String,
}

pub async fn run(_g: &Global, args: &MigrateArgs) -> anyhow::Result<()> {
    let src = Store::open(&database_url(&args.from), false)
        .await
        .with_context(|| format!("opening the source {}", args.from))?;
    let dst = Store::open(&database_url(&args.to), true)
        .await
        .with_context(|| format!("opening the destination {}", args.to))?;
    let Some((size, note)) = src.latest_checkpoint().await? else {
        bail!("the source holds no ledger");
    };
    let bar = progress(size, "copy");
    let copied = src
        .copy_into(&dst, |table, n| {
            if table == "entries" {
                bar.inc(n);
            }
        })
        .await?;
    bar.finish_and_clear();
    eprintln!("copied {copied} rows; auditing the copy ...");
    let copy = dst.latest_checkpoint().await?;
    if copy.as_ref() != Some(&(size, note.clone())) {
        bail!("the copy's newest checkpoint differs from the source's");
    }
    let bar = progress(size, "audit");
    let report = audit_store(&dst, &bar).await;
    bar.finish_and_clear();
    let report = report?;
    // The audit checked that this checkpoint signs the copy's own tree root, and it is the
    // source's checkpoint byte for byte: the two trees have the same root.
    if report.size != size {
        bail!(
            "the copy audits {} entries, the source has {size}",
            report.size
        );
    }
    println!(
        "OK: copied {} entries; the copy audits clean and has the source's checkpoint root {}",
        report.size, report.root
    );
    src.close().await;
    dst.close().await;
    Ok(())
}
