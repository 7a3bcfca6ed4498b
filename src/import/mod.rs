//! A charity's spreadsheet of donations or disbursements, checked row by row against the
//! ledger as it stands and turned into unsigned submissions: what `sunshine import`, `sunshine
//! import --check` and `POST /api/v1/import:check` share, so the page and the command line
//! refuse the same rows for the same reasons.
//!
//! - [`cells`]: one cell as an amount, a date, text or a flag (pure).
//! - [`sheet`]: a file's first sheet as numbered rows of cells (xlsx, CSV in UTF-8 or GB18030).
//! - [`columns`]: the columns of each kind of sheet and the body a row becomes.
//! - [`template`]: the xlsx template with drop-down lists, written from the same column tables.
//!
//! Nothing here signs or writes. [`check`] admits each row, in order, on a copy of the state,
//! exactly as an append will (the signature is the only thing an append checks that this does
//! not); a refused row leaves the copy unchanged, so every later row is still checked.

pub mod cells;
pub mod columns;
pub mod sheet;
pub mod template;

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::Signature;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use columns::SheetKind;
use columns::{Column, RowCells};
use sheet::{Format, Sheet, SheetError};

use crate::ledger::submission::FORMAT_VERSION;
use crate::ledger::{
    Author, Entry, Kind, Nonce, PublicKey, SealedEntry, Sig, SignedSubmission, Submission,
    Timestamp, Uscc,
};
use crate::replay::state::{AdmitError, State};

/// One reason a row (or the header) cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: u64,
    /// The column at fault, by its name in the header, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The cell (`C3`), for an xlsx or CSV cell that has a place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Stable snake_case rule code (`amount_decimals`, `overdraft`, `duplicate`, ...).
    pub code: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        if let Some(c) = &self.cell {
            write!(f, " ({c})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A row that passed every check, as the submission it becomes once signed.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub row: u64,
    pub submission: Submission,
}

/// What a check found: the rows that would be appended, and every problem.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: Format,
    /// [`Format::describe`], for people.
    pub read_as: &'static str,
    pub kind: SheetKind,
    /// Data rows in the file (blank rows not counted).
    pub total: usize,
    pub rows: Vec<Checked>,
    /// Sorted by row; empty means every row can be appended.
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Sum of the amounts per currency of the rows that would be appended.
    pub fn totals(&self) -> BTreeMap<String, rust_decimal::Decimal> {
        let mut totals = BTreeMap::<String, rust_decimal::Decimal>::new();
        for r in &self.rows {
            let b = &r.submission.body;
            if let (Some(a), Some(c)) = (b["amount"].as_str(), b["currency"].as_str())
                && let Ok(a) = a.parse::<rust_decimal::Decimal>()
            {
                *totals.entry(c.to_owned()).or_default() += a;
            }
        }
        totals
    }
}

/// Why a file was not checked row by row at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Sheet(#[from] SheetError),
    /// The header is wrong (an unknown, doubled or missing column): no row can be read.
    #[error("{0}")]
    Header(Problem),
    #[error(
        "cannot tell donations (a receipt_no column) from disbursements (payee_type, category); say which"
    )]
    UnknownKind,
    #[error("the file has no data rows")]
    NoRows,
}

/// What the rows become: whose, signed by which key, at what time.
#[derive(Debug, Clone)]
pub struct Signer<'a> {
    pub org: &'a Uscc,
    pub key: PublicKey,
    /// The submissions' `time`, and the recording time the check assumes.
    pub time: Timestamp,
}

/// A header column → the sheet column it is in.
struct Layout {
    index: BTreeMap<&'static str, usize>,
}

fn layout(kind: SheetKind, sheet: &Sheet) -> Result<Layout, FileError> {
    let cols = kind.columns();
    let header_problem = |i: Option<usize>, column: Option<&str>, code: &str, message: String| {
        FileError::Header(Problem {
            row: sheet.header_row,
            column: column.map(str::to_owned),
            cell: i.map(|i| format!("{}{}", sheet::column_letters(i), sheet.header_row)),
            code: code.to_owned(),
            message,
        })
    };
    let mut index = BTreeMap::new();
    for (i, h) in sheet.header.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        let Some(c) = cols
            .iter()
            .find(|c| h == c.name || c.alias.is_some_and(|a| h == a))
        else {
            let known: Vec<&str> = cols.iter().map(|c| c.name).collect();
            return Err(header_problem(
                Some(i),
                Some(h),
                "unknown_column",
                format!(
                    "unknown column {h:?} for {}s; the columns are {}",
                    kind.name(),
                    known.join(", ")
                ),
            ));
        };
        if index.insert(c.name, i).is_some() {
            return Err(header_problem(
                Some(i),
                Some(c.name),
                "duplicate_column",
                format!("column {} appears twice", c.name),
            ));
        }
    }
    let missing: Vec<&str> = cols
        .iter()
        .filter(|c| c.required && !index.contains_key(c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(header_problem(
            None,
            None,
            "missing_column",
            format!("missing column(s) {}", missing.join(", ")),
        ));
    }
    Ok(Layout { index })
}

struct Cells<'a> {
    layout: &'a Layout,
    cells: &'a [cells::Cell],
}

impl RowCells for Cells<'_> {
    fn cell(&self, column: &str) -> &cells::Cell {
        self.layout
            .index
            .get(column)
            .and_then(|&i| self.cells.get(i))
            .unwrap_or(&cells::Cell::Empty)
    }
}

impl Layout {
    fn place(&self, column: &str, row: u64) -> (Option<String>, Option<String>) {
        let name = Some(column.to_owned());
        match self.index.get(column) {
            Some(&i) => (name, Some(format!("{}{row}", sheet::column_letters(i)))),
            None => (name, None),
        }
    }
}

/// Reads and checks a whole file; `kind` is detected from the header when absent.
pub fn check(
    state: &State,
    bytes: &[u8],
    kind: Option<SheetKind>,
    signer: &Signer<'_>,
) -> Result<Report, FileError> {
    let sheet = sheet::read(bytes)?;
    let kind = kind
        .or_else(|| columns::detect(&sheet.header))
        .ok_or(FileError::UnknownKind)?;
    let layout = layout(kind, &sheet)?;
    let total = sheet.rows.len();
    if total == 0 {
        return Err(FileError::NoRows);
    }
    let entry_kind = match kind {
        SheetKind::Donation => Kind::Donation,
        SheetKind::Disbursement => Kind::Disbursement,
    };
    let mut state = state.clone();
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let width = sheet.header.len();
    for row in &sheet.rows {
        let row = match row {
            Ok(r) => r,
            Err(broken) => {
                problems.push(Problem {
                    row: broken.row,
                    column: None,
                    cell: None,
                    code: "csv".into(),
                    message: broken.message.clone(),
                });
                continue;
            }
        };
        if let Some(extra) = row.cells.iter().skip(width).position(|c| !c.is_empty()) {
            let i = width + extra;
            problems.push(Problem {
                row: row.row,
                column: None,
                cell: Some(format!("{}{}", sheet::column_letters(i), row.row)),
                code: "extra_cell".into(),
                message: "a cell right of the last named column (give the column a name, or empty the cell)".into(),
            });
            continue;
        }
        let cells = Cells {
            layout: &layout,
            cells: &row.cells,
        };
        let body = match columns::body(kind, &cells) {
            Ok(b) => b,
            Err(bad) => {
                for (column, e) in bad {
                    let (column, cell) = layout.place(column, row.row);
                    problems.push(Problem {
                        row: row.row,
                        column,
                        cell,
                        code: e.code.to_owned(),
                        message: e.message,
                    });
                }
                continue;
            }
        };
        let source = match kind {
            SheetKind::Donation => {
                format!("receipt\0{}", body["receipt_no"].as_str().unwrap_or(""))
            }
            SheetKind::Disbursement => format!("row\0{}\0{body}", row.row),
        };
        let submission = Submission {
            v: FORMAT_VERSION,
            kind: entry_kind,
            author: Author::Org(signer.org.clone()),
            key: signer.key,
            time: signer.time,
            nonce: row_nonce(signer.org, kind, &source),
            body,
        };
        match admit(&mut state, &submission, signer.time) {
            Ok(()) => rows.push(Checked {
                row: row.row,
                submission,
            }),
            Err(e) => {
                let (code, message, field) = rule(&e, kind, &submission);
                let column = field_column(kind.columns(), &field);
                let (column, cell) = match column {
                    Some(c) => layout.place(c, row.row),
                    None => (None, None),
                };
                problems.push(Problem {
                    row: row.row,
                    column,
                    cell,
                    code,
                    message,
                });
            }
        }
    }
    problems.sort_by_key(|p| p.row);
    Ok(Report {
        format: sheet.format,
        read_as: sheet.format.describe(),
        kind,
        total,
        rows,
        problems,
    })
}

/// Admits an unsigned submission on `state` as an append at `now` would; the signature is left
/// to the append, which checks it before anything else.
fn admit(state: &mut State, submission: &Submission, now: Timestamp) -> Result<(), AdmitError> {
    let unsigned = SignedSubmission {
        submission: submission.clone(),
        sig: Sig(Signature::from_bytes(&[0; 64])),
    };
    let entry = Entry {
        seq: state.size(),
        prev: state.last_hash(),
        recorded_at: now,
        submission: unsigned,
    };
    match SealedEntry::seal(entry) {
        // Sheets hold donations and disbursements, never corrections: no earlier entry is read.
        Ok(sealed) => state.admit(&sealed, []).map(drop),
        // Only an entry over the size limit fails to seal; the money check names nothing better.
        Err(e) => Err(AdmitError::Money(
            crate::money::error::MoneyError::malformed("body", e),
        )),
    }
}

/// The refusal's code, sentence and JSON path, in the sheet's words.
fn rule(e: &AdmitError, kind: SheetKind, sub: &Submission) -> (String, String, String) {
    let field = e.field().to_owned();
    match e {
        AdmitError::DuplicateNonce { .. } => {
            let message = match kind {
                SheetKind::Donation => format!(
                    "receipt_no {} was already imported (duplicate)",
                    sub.body["receipt_no"].as_str().unwrap_or("?")
                ),
                SheetKind::Disbursement => {
                    "this row was already imported from this row number (duplicate)".to_owned()
                }
            };
            let field = match kind {
                SheetKind::Donation => "body.receipt_no".to_owned(),
                SheetKind::Disbursement => field,
            };
            ("duplicate".into(), message, field)
        }
        AdmitError::Money(m) => (
            m.code().to_owned(),
            e.to_string()
                .replacen("body.in_kind.", "", 1)
                .replacen("body.", "", 1),
            field,
        ),
        AdmitError::Authority(_) => ("key_not_allowed".into(), e.to_string(), field),
        other => ("ledger".into(), other.to_string(), field),
    }
}

/// The column a JSON path (`body.in_kind.quantity`, `body.evidence[0]`) comes from.
fn field_column(columns: &[Column], field: &str) -> Option<&'static str> {
    let rest = field.strip_prefix("body.")?;
    let rest = rest.strip_prefix("in_kind.").unwrap_or(rest);
    let name = rest.split(['.', '[']).next()?;
    columns.iter().find(|c| c.name == name).map(|c| c.name)
}

/// The nonce of a row: the same row of the same organisation always gets the same one, so a
/// file imported twice is refused as a duplicate instead of counted twice.
fn row_nonce(org: &Uscc, kind: SheetKind, source: &str) -> Nonce {
    let digest = Sha256::new()
        .chain_update(b"sunshine-import/v1\0")
        .chain_update(org.as_str())
        .chain_update([0])
        .chain_update(source.as_bytes())
        .finalize();
    let prefix = match kind {
        SheetKind::Donation => "csv-don-",
        SheetKind::Disbursement => "csv-dis-",
    };
    format!("{prefix}{}", &hex::encode(digest)[..40])
        .parse()
        .unwrap_or_else(|_| Nonce::random())
}
