//! `sunshine import`: an organisation's donations or disbursements from CSV (docs/CSV.md).
use super::Global;
use clap::Args;

#[derive(Args, Debug)]
pub struct ImportArgs {}

pub async fn run(_g: &Global, _args: &ImportArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
