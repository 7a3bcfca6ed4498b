//! `sunshine prove`: inclusion (`--seq N [--size M]`) or consistency (`--from A [--to B]`) proofs,
//! printed as JSON with the signed checkpoint(s) they are relative to.

use clap::Args;

use super::Global;
use crate::publish::proofs;
use crate::store::{Store, database_url};

#[derive(Args, Debug)]
pub struct ProveArgs {
    /// Entry to prove included.
    #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present = "from")]
    pub seq: Option<u64>,
    /// Tree size the inclusion proof is relative to (a checkpointed size; default the latest).
    #[arg(long, requires = "seq")]
    pub size: Option<u64>,
    /// Older tree size of a consistency proof (a checkpointed size).
    #[arg(long)]
    pub from: Option<u64>,
    /// Newer tree size of a consistency proof (default the latest).
    #[arg(long, requires = "from")]
    pub to: Option<u64>,
}

pub async fn run(g: &Global, args: &ProveArgs) -> anyhow::Result<()> {
    let store = Store::open(&database_url(&g.db), false).await?;
    let json = match (args.seq, args.from) {
        (Some(seq), _) => {
            serde_json::to_string_pretty(&proofs::inclusion(&store, seq, args.size).await?)?
        }
        (None, Some(from)) => {
            serde_json::to_string_pretty(&proofs::consistency(&store, from, args.to).await?)?
        }
        (None, None) => anyhow::bail!("give --seq N for inclusion or --from A for consistency"),
    };
    println!("{json}");
    Ok(())
}
