//! `sunshine import`: an organisation's donations or disbursements from a spreadsheet (xlsx or
//! CSV), all or none; `--check` for a dry run and `--template` for a blank workbook.
//!
//! The reading and checking is [`crate::import`], shared with `POST /api/v1/import:check`, so
//! the command line and the browser page refuse the same rows for the same reasons. This file
//! signs and appends. Column layouts are in docs/IMPORT.md.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use rust_decimal::Decimal;

use super::{Global, keyfile};
use crate::append::service::LedgerService;
use crate::import::{self, FileError, Problem, Report, SheetKind, Signer};
use crate::ledger::{Author, PublicKey, SecretKey, SignedSubmission, Timestamp, Uscc};
use crate::replay::state::State;

/// What a sheet holds (the name the command line has always used).
pub type CsvKind = SheetKind;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The spreadsheet: .xlsx, or CSV in UTF-8 (with or without BOM) or GB18030.
    #[arg(required_unless_present = "template")]
    pub input: Option<PathBuf>,
    /// What the rows are; detected from the columns when absent.
    #[arg(long, value_enum)]
    pub kind: Option<SheetKind>,
    /// The organisation (unified social credit code) the rows belong to.
    #[arg(long, required_unless_present = "template")]
    pub org: Option<Uscc>,
    /// The organisation's private key file (e.g. keys/demo/foundation-01.key).
    #[arg(long, required_unless_present_any = ["template", "check"])]
    pub key: Option<PathBuf>,
    /// Report row by row what would be appended and every problem; sign and write nothing.
    /// Without --key, the organisation's newest active key is assumed.
    #[arg(long, conflicts_with = "template")]
    pub check: bool,
    /// Write a blank workbook (header, an example row, drop-down lists) to standard output.
    #[arg(long, value_enum, value_name = "donations|disbursements")]
    pub template: Option<SheetKind>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", bad_rows_message(.rows, *.total))]
    BadRows { rows: Vec<Problem>, total: usize },
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn bad_rows_message(rows: &[Problem], total: usize) -> String {
    let mut s = format!(
        "{} problem(s) in {total} rows; nothing was appended:",
        rows.len()
    );
    for r in rows {
        s.push_str(&format!("\n  {r}"));
    }
    s
}

/// What an import appended.
#[derive(Debug, Clone)]
pub struct Imported {
    pub kind: SheetKind,
    /// What the file was read as ("read as GB18030 ...").
    pub read_as: &'static str,
    pub first_seq: u64,
    pub rows: usize,
    /// Sum of the amounts per currency.
    pub totals: BTreeMap<String, Decimal>,
}

/// Checks the file as `key` would sign it at `now`.
pub fn check_file(
    state: &State,
    org: &Uscc,
    key: PublicKey,
    input: &[u8],
    kind: Option<SheetKind>,
    now: Timestamp,
) -> Result<Report, FileError> {
    import::check(
        state,
        input,
        kind,
        &Signer {
            org,
            key,
            time: now,
        },
    )
}

/// Signs every row and appends all of them at `now`, or none: every problem is reported.
pub async fn import(
    service: &LedgerService,
    org: &Uscc,
    key: &SecretKey,
    input: &[u8],
    kind: Option<SheetKind>,
    now: Timestamp,
) -> Result<Imported, ImportError> {
    let state = service.current_state().await.map_err(anyhow::Error::from)?;
    let report = check_file(&state, org, key.public(), input, kind, now)?;
    if !report.ok() {
        return Err(ImportError::BadRows {
            rows: report.problems,
            total: report.total,
        });
    }
    let totals = report.totals();
    let rows: Vec<u64> = report.rows.iter().map(|r| r.row).collect();
    let subs: Vec<SignedSubmission> = report
        .rows
        .into_iter()
        .map(|r| r.submission.sign(key))
        .collect();
    let n = subs.len();
    let appended = service.append_at(subs, now).await.map_err(|e| {
        // Another writer got in between the check and the append.
        match e.index() {
            Some(i) => ImportError::BadRows {
                rows: vec![Problem {
                    row: rows.get(i).copied().unwrap_or(0),
                    column: None,
                    cell: None,
                    code: "changed".into(),
                    message: e.to_string(),
                }],
                total: report.total,
            },
            None => ImportError::Other(anyhow::anyhow!("{e}; nothing was appended")),
        }
    })?;
    Ok(Imported {
        kind: report.kind,
        read_as: report.read_as,
        first_seq: appended.first().map_or(0, |a| a.seq),
        rows: n,
        totals,
    })
}

fn totals_text(totals: &BTreeMap<String, Decimal>) -> String {
    if totals.is_empty() {
        return "no amounts".to_owned();
    }
    let parts: Vec<String> = totals.iter().map(|(c, a)| format!("{a} {c}")).collect();
    parts.join(", ")
}

/// The organisation's newest key that is not revoked.
fn active_key(state: &State, org: &Uscc) -> anyhow::Result<PublicKey> {
    let holder = Author::Org(org.clone());
    state
        .authority
        .keys()
        .filter(|k| k.holder == holder && k.revoked_at.is_none())
        .max_by_key(|k| k.added_at)
        .map(|k| k.key)
        .with_context(|| format!("{org} has no active key in the ledger"))
}

/// The `--check` report, one line per row.
pub fn check_text(report: &Report) -> String {
    let mut out = format!(
        "{}; {} {} row(s)\n",
        report.read_as,
        report.total,
        report.kind.name()
    );
    let mut lines: Vec<(u64, String)> = report
        .rows
        .iter()
        .map(|r| {
            let b = &r.submission.body;
            let what = match report.kind {
                SheetKind::Donation => {
                    format!("receipt {}", b["receipt_no"].as_str().unwrap_or("?"))
                }
                SheetKind::Disbursement => {
                    format!(
                        "{} to {}",
                        b["purpose"].as_str().unwrap_or("?"),
                        b["payee_display"].as_str().unwrap_or("?")
                    )
                }
            };
            let amount = match (b["amount"].as_str(), b["currency"].as_str()) {
                (Some(a), Some(c)) => format!(", {a} {c}"),
                _ => String::new(),
            };
            (r.row, format!("row {}: ok, {what}{amount}", r.row))
        })
        .collect();
    lines.extend(report.problems.iter().map(|p| (p.row, p.to_string())));
    lines.sort_by_key(|(row, _)| *row);
    for (_, l) in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&format!(
        "{} of {} row(s) can be appended (total {}); {} problem(s). Nothing was signed or written.\n",
        report.rows.len(),
        report.total,
        totals_text(&report.totals()),
        report.problems.len()
    ));
    out
}

pub async fn run(g: &Global, args: &ImportArgs) -> anyhow::Result<()> {
    if let Some(kind) = args.template {
        let today = Timestamp::now().date();
        let bytes = import::template::template(kind, today)
            .map_err(|e| anyhow::anyhow!("writing the template: {e}"))?;
        let mut out = std::io::stdout().lock();
        if out.is_terminal() {
            bail!(
                "the template is an .xlsx file: redirect it, e.g. `sunshine import --template {} > {}.xlsx`",
                kind.name(),
                kind.name()
            );
        }
        out.write_all(&bytes).context("writing the template")?;
        return Ok(());
    }
    let (Some(path), Some(org)) = (&args.input, &args.org) else {
        bail!("give the spreadsheet and --org");
    };
    let input = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let key = args.key.as_deref().map(keyfile::read).transpose()?;
    let service = super::init::open_service(g).await?;
    if args.check {
        let state = service.current_state().await?;
        let public = match &key {
            Some(k) => k.public(),
            None => active_key(&state, org)?,
        };
        let report = check_file(&state, org, public, &input, args.kind, Timestamp::now())?;
        print!("{}", check_text(&report));
        if !report.ok() {
            bail!(
                "{} problem(s); fix them and check again",
                report.problems.len()
            );
        }
        return Ok(());
    }
    let Some(key) = key else {
        bail!("--key is needed to sign (or use --check)");
    };
    let done = import(&service, org, &key, &input, args.kind, Timestamp::now()).await?;
    service.close().await?;
    println!(
        "{}; imported {} {}s as entries {}..{} (total {})",
        done.read_as,
        done.rows,
        done.kind.name(),
        done.first_seq,
        done.first_seq + done.rows as u64 - 1,
        totals_text(&done.totals)
    );
    Ok(())
}
