//! `sunshine keygen`: a key pair for an author, in clear or sealed under a passphrase.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use super::{Global, keyfile, sealed_key};
use crate::ledger::SecretKey;

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Name of the key files to create (NAME.key or NAME.key.json, and NAME.pub) in the key
    /// directory.
    #[arg(long)]
    pub name: String,
    /// Seal the private key under the passphrase in this file (first line) and write
    /// NAME.key.json, the file the signing page (/submit/) opens, instead of a clear NAME.key.
    #[arg(long)]
    pub passphrase_file: Option<PathBuf>,
    /// Seal this existing clear key file instead of making a new key (needs --passphrase-file).
    #[arg(long, requires = "passphrase_file")]
    pub from: Option<PathBuf>,
}

pub fn run(g: &Global, args: &KeygenArgs) -> anyhow::Result<()> {
    let Some(pass_path) = &args.passphrase_file else {
        let key = SecretKey::generate();
        let path = keyfile::write_new(&g.keys, &args.name, &key)?;
        eprintln!("wrote {} (private, mode 0600) and its .pub", path.display());
        println!("{}", key.public().to_hex());
        return Ok(());
    };
    let pass = std::fs::read_to_string(pass_path)
        .with_context(|| format!("reading {}", pass_path.display()))?;
    let pass = pass.lines().next().unwrap_or("");
    let key = match &args.from {
        Some(p) => keyfile::read(p)?,
        None => SecretKey::generate(),
    };
    let sealed = sealed_key::seal(&key, pass, sealed_key::ITERATIONS)?;
    keyfile::check_name(&args.name)?;
    std::fs::create_dir_all(&g.keys)?;
    let path = g.keys.join(format!("{}.key.json", args.name));
    if path.exists() {
        bail!(
            "{} already exists; private keys are never overwritten",
            path.display()
        );
    }
    let json = serde_json::to_string_pretty(&sealed)?;
    std::fs::write(&path, format!("{json}\n"))
        .with_context(|| format!("writing {}", path.display()))?;
    std::fs::write(
        g.keys.join(format!("{}.pub", args.name)),
        format!("{}\n", key.public().to_hex()),
    )?;
    eprintln!(
        "wrote {} (sealed under the passphrase) and its .pub",
        path.display()
    );
    println!("{}", key.public().to_hex());
    Ok(())
}
