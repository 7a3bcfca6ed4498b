//! `sunshine verify-proof FILE --log-vkey VKEY [--witness VKEY ...] [--quorum K]`: check a
//! donor's `.tlog-proof` file offline (C2SP tlog-proof, `ledger::tlog_proof`) and say in plain
//! words what it proves.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::ledger::SealedEntry;
use crate::ledger::cosignature::Cosigner;
use crate::ledger::tlog_proof::TlogProof;
use crate::money::Body;
use crate::replay::state::parse_entry_body;

#[derive(Args, Debug)]
pub struct VerifyProofArgs {
    /// The `.tlog-proof` file.
    pub file: PathBuf,
    /// The log's verifier key, as published in `log/operator.vkey`.
    #[arg(long)]
    pub log_vkey: String,
    /// A witness's `cosignature/v1` verifier key; repeat for each witness you trust.
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// Valid cosignatures required (default: all the witnesses given).
    #[arg(long)]
    pub quorum: Option<usize>,
}

/// The `--witness VKEY` arguments, each refused with its value if it is no cosigner vkey.
pub(super) fn parse_witnesses(vkeys: &[String]) -> anyhow::Result<Vec<Cosigner>> {
    vkeys
        .iter()
        .map(|w| {
            w.parse::<Cosigner>()
                .with_context(|| format!("--witness {w}"))
        })
        .collect()
}

pub fn run(a: &VerifyProofArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("reading {}", a.file.display()))?;
    let witnesses = parse_witnesses(&a.witnesses)?;
    let quorum = a.quorum.unwrap_or(witnesses.len());
    if quorum > witnesses.len() {
        bail!(
            "--quorum {quorum} is more than the {} witnesses given",
            witnesses.len()
        );
    }
    let proof = TlogProof::parse(&text).with_context(|| a.file.display().to_string())?;
    let v = proof
        .verify(a.log_vkey.trim(), &witnesses, quorum)
        .with_context(|| format!("{} does not verify", a.file.display()))?;
    let leaf = proof.extra.as_deref().unwrap_or_default();
    println!(
        "OK: entry {} is in the log {} of {} entries (root {}),",
        proof.index,
        v.checkpoint.origin,
        v.checkpoint.size,
        v.checkpoint.root.to_hex()
    );
    if v.witnesses.is_empty() {
        println!("signed by the operator; no witness cosignature was required.");
    } else {
        println!(
            "signed by the operator and cosigned by {} of your witnesses: {}.",
            v.witnesses.len(),
            v.witnesses.join(", ")
        );
    }
    describe(leaf);
    Ok(())
}

/// The entry in plain words: for a donation, what was given to whom, and the receipt. Only
/// called after the proof verified, so these are the logged bytes.
fn describe(leaf: &[u8]) {
    let parsed = SealedEntry::open(leaf.to_vec())
        .ok()
        .and_then(|e| parse_entry_body(&e).ok().map(|b| (e, b)));
    match parsed {
        Some((e, Body::Donation(d))) => {
            let value = match (&d.amount, &d.currency) {
                (Some(a), Some(c)) => format!("{a} {c}"),
                _ => "goods".to_owned(),
            };
            println!(
                "It records a donation of {value} from {} to {}, receipt {}, received on {}.",
                d.donor_display.as_str(),
                e.entry.submission.submission.author,
                d.receipt_no,
                d.received_on,
            );
        }
        Some((e, _)) => println!(
            "It records a {:?} entry by {}.",
            e.entry.submission.submission.kind, e.entry.submission.submission.author
        ),
        None => println!("The entry does not parse as a ledger v1 entry."),
    }
    println!(
        "The entry, exactly as logged:\n{}",
        String::from_utf8_lossy(leaf)
    );
}
