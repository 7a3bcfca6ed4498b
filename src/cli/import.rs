//! `sunshine import`: an organisation's donations or disbursements from CSV, all or none.
//!
//! The column layouts are in docs/CSV.md. Every row becomes one submission signed with the
//! organisation's key. Before anything is written, each row is checked on a copy of the ledger
//! state, in file order, exactly as the append will check it; every bad row (a cell that does not
//! parse, or a money rule that refuses it) is listed with its line number, and then nothing is
//! appended. Nonces are derived from the organisation and the receipt number (donations) or from
//! the row's content and line (disbursements), so importing the same file twice is refused as a
//! duplicate instead of being counted twice.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Global, keyfile};
use crate::append::service::LedgerService;
use crate::ledger::submission::FORMAT_VERSION;
use crate::ledger::{
    Author, Entry, Kind, Nonce, SealedEntry, SecretKey, SignedSubmission, Submission, Timestamp,
    Uscc,
};
use crate::replay::state::AdmitError;

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CsvKind {
    Donation,
    Disbursement,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The CSV file (UTF-8, first line the column names; see docs/CSV.md).
    pub input: PathBuf,
    /// What the rows are; detected from the columns when absent.
    #[arg(long, value_enum)]
    pub kind: Option<CsvKind>,
    /// The organisation (unified social credit code) the rows belong to.
    #[arg(long)]
    pub org: Uscc,
    /// The organisation's private key file (e.g. keys/demo/foundation-01.key).
    #[arg(long)]
    pub key: PathBuf,
}

/// (column, also accepted as, required)
const DONATION_COLUMNS: &[(&str, &str, bool)] = &[
    ("receipt_no", "", true),
    ("project", "", false),
    ("received_on", "", true),
    ("form", "", false),
    ("amount", "", false),
    ("currency", "", false),
    ("description", "", false),
    ("quantity", "", false),
    ("unit", "", false),
    ("valuation_proof", "valuation_hash", false),
    ("donor_type", "", true),
    ("donor_display", "", true),
    ("named_with_consent", "", false),
    ("receipt", "", true),
    ("commitment", "donor_commitment", true),
    ("restricted_until_year", "", false),
];

const DISBURSEMENT_COLUMNS: &[(&str, &str, bool)] = &[
    ("project", "", false),
    ("amount", "", true),
    ("currency", "", false),
    ("category", "", true),
    ("purpose", "", true),
    ("payee_type", "", true),
    ("payee_display", "", true),
    ("evidence", "", true),
    ("paid_on", "", true),
    ("related_party", "", false),
];

/// A row that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// A row read from the file, as the body it becomes.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub line: u64,
    pub body: Value,
    /// What the nonce is derived from.
    nonce_source: String,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", bad_rows_message(.rows, *.total))]
    BadRows { rows: Vec<BadRow>, total: usize },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

fn bad_rows_message(rows: &[BadRow], total: usize) -> String {
    let mut s = format!(
        "{} of {total} rows cannot be imported; nothing was appended:",
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
    pub kind: CsvKind,
    pub first_seq: u64,
    pub rows: usize,
    /// Sum of the amounts per currency.
    pub totals: BTreeMap<String, Decimal>,
}

fn columns(kind: CsvKind) -> &'static [(&'static str, &'static str, bool)] {
    match kind {
        CsvKind::Donation => DONATION_COLUMNS,
        CsvKind::Disbursement => DISBURSEMENT_COLUMNS,
    }
}

/// Reads the file into bodies. File-level problems (not UTF-8, unknown or missing columns) are
/// errors; row-level ones are bad rows.
pub fn parse_csv(
    input: &[u8],
    kind: Option<CsvKind>,
) -> anyhow::Result<(CsvKind, Vec<Result<CsvRow, BadRow>>)> {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    if std::str::from_utf8(input).is_err() {
        bail!("the file is not UTF-8 (save it as \"CSV UTF-8\"; GBK is not read)");
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .context("reading the column names")?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let kind = match kind {
        Some(k) => k,
        None if headers.iter().any(|h| h == "receipt_no") => CsvKind::Donation,
        None if headers.iter().any(|h| h == "payee_type" || h == "category") => {
            CsvKind::Disbursement
        }
        None => bail!(
            "cannot tell donations (a receipt_no column) from disbursements (payee_type, \
             category); pass --kind"
        ),
    };
    let cols = columns(kind);
    let mut index: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let Some((name, ..)) = cols
            .iter()
            .find(|(name, alias, _)| h == name || (!alias.is_empty() && h == alias))
        else {
            let known: Vec<&str> = cols.iter().map(|c| c.0).collect();
            bail!(
                "line 1: unknown column {h:?} for {}s; the columns are {}",
                kind_name(kind),
                known.join(", ")
            );
        };
        if index.insert(name, i).is_some() {
            bail!("line 1: column {name} appears twice");
        }
    }
    let missing: Vec<&str> = cols
        .iter()
        .filter(|(name, _, required)| *required && !index.contains_key(name))
        .map(|c| c.0)
        .collect();
    if !missing.is_empty() {
        bail!("line 1: missing column(s) {}", missing.join(", "));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rows.push(Err(BadRow {
                    line,
                    reason: format!("not a CSV row: {e}"),
                }));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |name: &str| -> Option<&str> {
            index
                .get(name)
                .and_then(|&i| record.get(i))
                .filter(|s| !s.is_empty())
        };
        let parsed = match kind {
            CsvKind::Donation => donation_body(&cell),
            CsvKind::Disbursement => disbursement_body(&cell),
        };
        rows.push(match parsed {
            Ok(body) => {
                let nonce_source = match kind {
                    CsvKind::Donation => format!("receipt\0{}", cell("receipt_no").unwrap_or("")),
                    CsvKind::Disbursement => {
                        let fields: Vec<&str> = record.iter().collect();
                        format!("row\0{line}\0{}", fields.join("\u{1f}"))
                    }
                };
                Ok(CsvRow {
                    line,
                    body,
                    nonce_source,
                })
            }
            Err(reason) => Err(BadRow { line, reason }),
        });
    }
    Ok((kind, rows))
}

fn kind_name(kind: CsvKind) -> &'static str {
    match kind {
        CsvKind::Donation => "donation",
        CsvKind::Disbursement => "disbursement",
    }
}

fn flag(cell: Option<&str>, column: &str) -> Result<bool, String> {
    match cell.map(str::to_lowercase).as_deref() {
        None | Some("false" | "no" | "n" | "0" | "否") => Ok(false),
        Some("true" | "yes" | "y" | "1" | "是") => Ok(true),
        Some(other) => Err(format!("{column}: {other:?} is not true/false")),
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), json!(v));
    }
}

fn donation_body<'a>(cell: &dyn Fn(&str) -> Option<&'a str>) -> Result<Value, String> {
    let mut m = Map::new();
    put(&mut m, "receipt_no", cell("receipt_no"));
    put(&mut m, "project", cell("project"));
    put(&mut m, "received_on", cell("received_on"));
    let form = cell("form").unwrap_or("cash");
    m.insert("form".into(), json!(form));
    put(&mut m, "amount", cell("amount"));
    if cell("amount").is_some() {
        m.insert("currency".into(), json!(cell("currency").unwrap_or("CNY")));
    } else {
        put(&mut m, "currency", cell("currency"));
    }
    let goods = ["description", "quantity", "unit", "valuation_proof"];
    if form == "in_kind" || goods.iter().any(|g| cell(g).is_some()) {
        let mut k = Map::new();
        put(&mut k, "description", cell("description"));
        put(&mut k, "quantity", cell("quantity"));
        put(&mut k, "unit", cell("unit"));
        put(&mut k, "valuation_proof", cell("valuation_proof"));
        m.insert("in_kind".into(), Value::Object(k));
    }
    put(&mut m, "donor_type", cell("donor_type"));
    put(&mut m, "donor_display", cell("donor_display"));
    if flag(cell("named_with_consent"), "named_with_consent")? {
        m.insert("named_with_consent".into(), json!(true));
    }
    put(&mut m, "receipt", cell("receipt"));
    put(&mut m, "commitment", cell("commitment"));
    if let Some(y) = cell("restricted_until_year") {
        let y: u32 = y
            .parse()
            .map_err(|_| format!("restricted_until_year: {y:?} is not a year"))?;
        m.insert("restricted_until_year".into(), json!(y));
    }
    Ok(Value::Object(m))
}

fn disbursement_body<'a>(cell: &dyn Fn(&str) -> Option<&'a str>) -> Result<Value, String> {
    let mut m = Map::new();
    put(&mut m, "project", cell("project"));
    put(&mut m, "amount", cell("amount"));
    m.insert("currency".into(), json!(cell("currency").unwrap_or("CNY")));
    put(&mut m, "category", cell("category"));
    put(&mut m, "purpose", cell("purpose"));
    put(&mut m, "payee_type", cell("payee_type"));
    put(&mut m, "payee_display", cell("payee_display"));
    let evidence: Vec<&str> = cell("evidence")
        .unwrap_or("")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    m.insert("evidence".into(), json!(evidence));
    put(&mut m, "paid_on", cell("paid_on"));
    if flag(cell("related_party"), "related_party")? {
        m.insert("related_party".into(), json!(true));
    }
    Ok(Value::Object(m))
}

/// The nonce of a row: the same row of the same organisation always gets the same one.
fn row_nonce(org: &Uscc, kind: CsvKind, source: &str) -> Nonce {
    let digest = Sha256::new()
        .chain_update(b"sunshine-import/v1\0")
        .chain_update(org.as_str())
        .chain_update([0])
        .chain_update(source.as_bytes())
        .finalize();
    let prefix = match kind {
        CsvKind::Donation => "csv-don-",
        CsvKind::Disbursement => "csv-dis-",
    };
    format!("{prefix}{}", &hex::encode(digest)[..40])
        .parse()
        .unwrap_or_else(|_| Nonce::random())
}

/// Why the ledger refuses a row, in the words of the CSV (column names, not JSON paths).
fn reason(e: &AdmitError, kind: CsvKind, row: &CsvRow) -> String {
    match e {
        AdmitError::DuplicateNonce { .. } => match kind {
            CsvKind::Donation => format!(
                "receipt_no {} was already imported (duplicate)",
                row.body["receipt_no"].as_str().unwrap_or("?")
            ),
            CsvKind::Disbursement => {
                "this row was already imported from this line (duplicate)".to_owned()
            }
        },
        other => other
            .to_string()
            .replacen("body.in_kind.", "", 1)
            .replacen("body.", "", 1),
    }
}

/// Signs every row and appends all of them at `now`, or none: every bad row is reported.
pub async fn import(
    service: &LedgerService,
    org: &Uscc,
    key: &SecretKey,
    input: &[u8],
    kind: Option<CsvKind>,
    now: Timestamp,
) -> Result<Imported, ImportError> {
    let (kind, rows) = parse_csv(input, kind)?;
    let total = rows.len();
    if total == 0 {
        return Err(anyhow::anyhow!("the file has no rows").into());
    }
    let entry_kind = match kind {
        CsvKind::Donation => Kind::Donation,
        CsvKind::Disbursement => Kind::Disbursement,
    };
    let mut bad = Vec::new();
    let mut good: Vec<(CsvRow, SignedSubmission)> = Vec::new();
    // Rows are checked in order on a copy of the state, as the append will check them; a refused
    // row leaves the copy unchanged, so every later row is still checked.
    let mut state = service.current_state().await.map_err(anyhow::Error::from)?;
    for row in rows {
        let row = match row {
            Ok(r) => r,
            Err(b) => {
                bad.push(b);
                continue;
            }
        };
        let sub = Submission {
            v: FORMAT_VERSION,
            kind: entry_kind,
            author: Author::Org(org.clone()),
            key: key.public(),
            time: now,
            nonce: row_nonce(org, kind, &row.nonce_source),
            body: row.body.clone(),
        }
        .sign(key);
        let entry = Entry {
            seq: state.size(),
            prev: state.last_hash(),
            recorded_at: now,
            submission: sub.clone(),
        };
        let checked = SealedEntry::seal(entry)
            .map_err(|e| e.to_string())
            .and_then(|sealed| state.admit(&sealed).map_err(|e| reason(&e, kind, &row)));
        match checked {
            Ok(()) => good.push((row, sub)),
            Err(reason) => bad.push(BadRow {
                line: row.line,
                reason,
            }),
        }
    }
    if !bad.is_empty() {
        bad.sort_by_key(|b| b.line);
        return Err(ImportError::BadRows { rows: bad, total });
    }
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    for (row, _) in &good {
        if let (Some(a), Some(c)) = (row.body["amount"].as_str(), row.body["currency"].as_str())
            && let Ok(a) = a.parse::<Decimal>()
        {
            *totals.entry(c.to_owned()).or_default() += a;
        }
    }
    let lines: Vec<u64> = good.iter().map(|(r, _)| r.line).collect();
    let subs: Vec<SignedSubmission> = good.into_iter().map(|(_, s)| s).collect();
    let n = subs.len();
    let appended = service.append_at(subs, now).await.map_err(|e| {
        // Another writer got in between the check and the append.
        match e.index() {
            Some(i) => ImportError::BadRows {
                rows: vec![BadRow {
                    line: lines.get(i).copied().unwrap_or(0),
                    reason: e.to_string(),
                }],
                total,
            },
            None => ImportError::Other(anyhow::anyhow!("{e}; nothing was appended")),
        }
    })?;
    Ok(Imported {
        kind,
        first_seq: appended.first().map_or(0, |a| a.seq),
        rows: n,
        totals,
    })
}

pub async fn run(g: &Global, args: &ImportArgs) -> anyhow::Result<()> {
    let input =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let key = keyfile::read(&args.key)?;
    let service = super::init::open_service(g).await?;
    match import(
        &service,
        &args.org,
        &key,
        &input,
        args.kind,
        Timestamp::now(),
    )
    .await
    {
        Ok(done) => {
            let totals: Vec<String> = done
                .totals
                .iter()
                .map(|(c, a)| format!("{a} {c}"))
                .collect();
            println!(
                "imported {} {}s as entries {}..{} (total {})",
                done.rows,
                kind_name(done.kind),
                done.first_seq,
                done.first_seq + done.rows as u64 - 1,
                if totals.is_empty() {
                    "no amounts".to_owned()
                } else {
                    totals.join(", ")
                }
            );
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
