//! `sunshine keygen`: a key pair for an author.

use clap::Args;

use super::{Global, keyfile};
use crate::ledger::SecretKey;

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Name of the key files to create (NAME.key, NAME.pub) in the key directory.
    #[arg(long)]
    pub name: String,
}

pub fn run(g: &Global, args: &KeygenArgs) -> anyhow::Result<()> {
    let key = SecretKey::generate();
    let path = keyfile::write_new(&g.keys, &args.name, &key)?;
    eprintln!("wrote {} (private, mode 0600) and its .pub", path.display());
    println!("{}", key.public().to_hex());
    Ok(())
}
