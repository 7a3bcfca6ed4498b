//! `sunshine sign`: turns unsigned submissions into signed ones.
//!
//! Convenience for hand-written input: `v`, `key`, `time` and `nonce` may be left out and are
//! filled in (version 1, the signing key, now, a random nonce). Everything present is kept as is.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

use super::{Global, json_documents, keyfile, read_input};
use crate::ledger::{Nonce, Submission, Timestamp, jcs};

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Private key file of the author.
    #[arg(long)]
    pub key: PathBuf,
    /// Input file (JSON object or JSON Lines); standard input if absent or `-`.
    pub input: Option<PathBuf>,
}

pub fn run(_g: &Global, args: &SignArgs) -> anyhow::Result<()> {
    let key = keyfile::read(&args.key)?;
    let input = read_input(args.input.as_deref())?;
    let mut out = String::new();
    for (line, doc) in json_documents(&input)? {
        let mut v = jcs::parse_unique(doc.as_bytes())
            .with_context(|| format!("line {line}: malformed JSON"))?;
        let Some(map) = v.as_object_mut() else {
            bail!("line {line}: a submission must be a JSON object")
        };
        if map.contains_key("sig") {
            bail!("line {line}: already signed (has \"sig\")");
        }
        map.entry("v").or_insert(Value::from(1));
        map.entry("key")
            .or_insert_with(|| Value::String(key.public().to_hex()));
        map.entry("time")
            .or_insert_with(|| Value::String(Timestamp::now().to_string()));
        map.entry("nonce")
            .or_insert_with(|| Value::String(Nonce::random().to_string()));
        let sub = Submission::from_value(v).with_context(|| format!("line {line}"))?;
        if sub.key != key.public() {
            bail!(
                "line {line}: \"key\" is not the public key of {}",
                args.key.display()
            );
        }
        let signed = sub.sign(&key);
        out.push_str(&serde_json::to_string(&signed.to_value())?);
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}
