//! `sunshine append`: appends signed submissions, all or none.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::{Global, json_documents, read_input};
use crate::ledger::SignedSubmission;

#[derive(Args, Debug)]
pub struct AppendArgs {
    /// Input file (one signed submission, or JSON Lines); standard input if absent or `-`.
    pub input: Option<PathBuf>,
}

pub async fn run(g: &Global, args: &AppendArgs) -> anyhow::Result<()> {
    let input = read_input(args.input.as_deref())?;
    let docs = json_documents(&input)?;
    let mut subs = Vec::with_capacity(docs.len());
    let mut lines = Vec::with_capacity(docs.len());
    for (line, doc) in docs {
        let sub =
            SignedSubmission::from_json(doc.as_bytes()).with_context(|| format!("line {line}"))?;
        subs.push(sub);
        lines.push(line);
    }
    let service = super::init::open_service(g).await?;
    let appended = service.append(subs).await.map_err(|e| match e.index() {
        Some(i) => anyhow::anyhow!(
            "line {}: {e}; nothing was appended",
            lines.get(i).copied().unwrap_or(0)
        ),
        None => anyhow::anyhow!("{e}; nothing was appended"),
    })?;
    service.close().await?;
    for a in &appended {
        println!(
            "{}",
            serde_json::json!({"seq": a.seq, "leaf_hash": a.leaf_hash})
        );
    }
    eprintln!(
        "appended {} entr{}",
        appended.len(),
        if appended.len() == 1 { "y" } else { "ies" }
    );
    Ok(())
}
