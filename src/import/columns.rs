//! The columns of a donations sheet and a disbursements sheet, how each cell is read, and the
//! entry body a row becomes (layouts in docs/IMPORT.md, bodies in docs/FORMAT.md §6).
//!
//! The template ([`super::template`]) is written from the same tables, so its header, its
//! example row and its drop-down lists cannot drift from what the importer reads.

use serde_json::{Map, Value, json};
use time::Date;

use super::cells::{self, Cell, CellError};
use crate::money::types::{DonationForm, DonorType, PayeeType, ReceiptStatus, SpendCategory};

/// What a sheet holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    #[value(alias = "donations")]
    Donation,
    #[value(alias = "disbursements")]
    Disbursement,
}

impl SheetKind {
    pub fn name(self) -> &'static str {
        match self {
            SheetKind::Donation => "donation",
            SheetKind::Disbursement => "disbursement",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            SheetKind::Donation => DONATION,
            SheetKind::Disbursement => DISBURSEMENT,
        }
    }
}

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    Text,
    /// Money: [`cells::amount`].
    Amount,
    /// A calendar date: [`cells::date`].
    Date,
    /// Yes or no: [`cells::flag`].
    Flag,
    /// SHA-256 hashes separated by `;` (or `；`, spaces, line breaks).
    List,
}

/// An example value for the template's second row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Example {
    None,
    Text(&'static str),
    Number(f64),
    /// The day the template is made.
    Today,
    Flag(bool),
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// An older name still read.
    pub alias: Option<&'static str>,
    pub required: bool,
    pub reading: Reading,
    /// The wire values a coded column allows (the template's drop-down list).
    pub allowed: Option<fn() -> Vec<&'static str>>,
    pub example: Example,
}

const fn col(name: &'static str, required: bool, reading: Reading, example: Example) -> Column {
    Column {
        name,
        alias: None,
        required,
        reading,
        allowed: None,
        example,
    }
}

const fn coded(
    name: &'static str,
    required: bool,
    allowed: fn() -> Vec<&'static str>,
    example: &'static str,
) -> Column {
    Column {
        name,
        alias: None,
        required,
        reading: Reading::Text,
        allowed: Some(allowed),
        example: Example::Text(example),
    }
}

const fn aka(mut c: Column, alias: &'static str) -> Column {
    c.alias = Some(alias);
    c
}

macro_rules! values_of {
    ($t:ty) => {
        || <$t>::ALL.iter().map(|v| v.as_str()).collect()
    };
}

fn currencies() -> Vec<&'static str> {
    vec!["CNY", "HKD", "USD", "EUR"]
}

/// 64 hex digits: an example hash, plainly not a real one.
const EXAMPLE_HASH: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

const DONATION: &[Column] = &[
    col(
        "receipt_no",
        true,
        Reading::Text,
        Example::Text("JZ2026-000101"),
    ),
    col("project", false, Reading::Text, Example::None),
    col("received_on", true, Reading::Date, Example::Today),
    coded("form", false, values_of!(DonationForm), "cash"),
    col("amount", false, Reading::Amount, Example::Number(1200.5)),
    Column {
        allowed: Some(currencies),
        ..col("currency", false, Reading::Text, Example::Text("CNY"))
    },
    col("description", false, Reading::Text, Example::None),
    col("quantity", false, Reading::Text, Example::None),
    col("unit", false, Reading::Text, Example::None),
    aka(
        col("valuation_proof", false, Reading::Text, Example::None),
        "valuation_hash",
    ),
    coded("donor_type", true, values_of!(DonorType), "individual"),
    col("donor_display", true, Reading::Text, Example::Text("张*")),
    col(
        "named_with_consent",
        false,
        Reading::Flag,
        Example::Flag(false),
    ),
    coded("receipt", true, values_of!(ReceiptStatus), "issued"),
    aka(
        col(
            "commitment",
            true,
            Reading::Text,
            Example::Text(EXAMPLE_HASH),
        ),
        "donor_commitment",
    ),
    col("restricted_until_year", false, Reading::Text, Example::None),
];

const DISBURSEMENT: &[Column] = &[
    col("project", false, Reading::Text, Example::None),
    col("amount", true, Reading::Amount, Example::Number(300.0)),
    Column {
        allowed: Some(currencies),
        ..col("currency", false, Reading::Text, Example::Text("CNY"))
    },
    coded("category", true, values_of!(SpendCategory), "programme"),
    col("purpose", true, Reading::Text, Example::Text("助学金")),
    coded("payee_type", true, values_of!(PayeeType), "individual"),
    col("payee_display", true, Reading::Text, Example::Text("李*")),
    col("evidence", true, Reading::List, Example::Text(EXAMPLE_HASH)),
    col("paid_on", true, Reading::Date, Example::Today),
    col("related_party", false, Reading::Flag, Example::Flag(false)),
];

/// The kind a header names: a `receipt_no` column means donations, `payee_type` or `category`
/// disbursements.
pub fn detect(header: &[String]) -> Option<SheetKind> {
    if header.iter().any(|h| h == "receipt_no") {
        Some(SheetKind::Donation)
    } else if header.iter().any(|h| h == "payee_type" || h == "category") {
        Some(SheetKind::Disbursement)
    } else {
        None
    }
}

/// A cell that cannot be read, by column.
pub type CellProblem = (&'static str, CellError);

/// One row's cells by column name.
pub trait RowCells {
    fn cell(&self, column: &str) -> &Cell;
}

/// Reads a row into the body it becomes; every unreadable cell is reported, not just the first.
pub fn body(kind: SheetKind, row: &dyn RowCells) -> Result<Value, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let mut values: Map<String, Value> = Map::new();
    for c in kind.columns() {
        let cell = row.cell(c.name);
        let read = match c.reading {
            Reading::Text => cells::text(cell).map(|t| t.map(Value::String)),
            Reading::Amount => match cell.is_empty() {
                true => Ok(None),
                false => cells::amount(cell).map(|a| Some(Value::String(a))),
            },
            Reading::Date => match cell.is_empty() {
                true => Ok(None),
                false => cells::date(cell).map(|d| Some(json!(date_string(d)))),
            },
            Reading::Flag => cells::flag(cell).map(|f| f.then_some(Value::Bool(true))),
            Reading::List => cells::text(cell).map(|t| {
                t.map(|t| {
                    let list: Vec<&str> = t
                        .split([';', '；', ',', '\n', ' '])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect();
                    json!(list)
                })
            }),
        };
        match read {
            Ok(Some(v)) => {
                values.insert(c.name.to_owned(), v);
            }
            Ok(None) => {}
            Err(e) => problems.push((c.name, e)),
        }
    }
    if yuan_sign(row.cell("amount"))
        && let Some(cur) = values.get("currency").and_then(Value::as_str)
        && cur != "CNY"
    {
        problems.push((
            "currency",
            CellError {
                code: "amount_sign",
                message: format!("the amount is written with ¥ but the currency is {cur}"),
            },
        ));
    }
    if let Some(y) = values.get("restricted_until_year").and_then(Value::as_str) {
        match y.parse::<u32>() {
            Ok(n) => {
                values.insert("restricted_until_year".into(), json!(n));
            }
            Err(_) => problems.push((
                "restricted_until_year",
                CellError {
                    code: "year",
                    message: format!("{y:?} is not a year"),
                },
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(match kind {
        SheetKind::Donation => donation(values),
        SheetKind::Disbursement => disbursement(values),
    })
}

fn yuan_sign(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(s) if s.trim_start().starts_with(['¥', '￥']))
}

fn date_string(d: Date) -> String {
    crate::ledger::time::format_date(d)
}

/// Moves `keys` from `from` to `to`, in that order, when present.
fn take(from: &mut Map<String, Value>, to: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(v) = from.remove(*k) {
            to.insert((*k).to_owned(), v);
        }
    }
}

fn donation(mut v: Map<String, Value>) -> Value {
    let mut m = Map::new();
    take(&mut v, &mut m, &["receipt_no", "project", "received_on"]);
    let form = v.remove("form").unwrap_or_else(|| json!("cash"));
    let in_kind = form == "in_kind";
    m.insert("form".into(), form);
    let has_amount = v.contains_key("amount");
    take(&mut v, &mut m, &["amount"]);
    match v.remove("currency") {
        Some(c) => {
            m.insert("currency".into(), c);
        }
        None if has_amount => {
            m.insert("currency".into(), json!("CNY"));
        }
        None => {}
    }
    let goods = ["description", "quantity", "unit", "valuation_proof"];
    if in_kind || goods.iter().any(|g| v.contains_key(*g)) {
        let mut k = Map::new();
        take(&mut v, &mut k, &goods);
        m.insert("in_kind".into(), Value::Object(k));
    }
    take(
        &mut v,
        &mut m,
        &[
            "donor_type",
            "donor_display",
            "named_with_consent",
            "receipt",
            "commitment",
            "restricted_until_year",
        ],
    );
    Value::Object(m)
}

fn disbursement(mut v: Map<String, Value>) -> Value {
    let mut m = Map::new();
    take(&mut v, &mut m, &["project", "amount"]);
    m.insert(
        "currency".into(),
        v.remove("currency").unwrap_or_else(|| json!("CNY")),
    );
    take(
        &mut v,
        &mut m,
        &["category", "purpose", "payee_type", "payee_display"],
    );
    m.insert(
        "evidence".into(),
        v.remove("evidence").unwrap_or_else(|| json!([])),
    );
    take(&mut v, &mut m, &["paid_on", "related_party"]);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Row(HashMap<&'static str, Cell>);
    impl RowCells for Row {
        fn cell(&self, column: &str) -> &Cell {
            self.0.get(column).unwrap_or(&Cell::Empty)
        }
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn a_donation_row_in_spreadsheet_spelling_becomes_the_ledger_body() {
        let row = Row(HashMap::from([
            ("receipt_no", text("R-1")),
            ("received_on", text("2026/3/1")),
            ("amount", text("1,200.5")),
            ("donor_type", text("individual")),
            ("donor_display", text("张*")),
            ("receipt", text("issued")),
            ("commitment", text(EXAMPLE_HASH)),
            ("restricted_until_year", Cell::Number(2027.0)),
        ]));
        let body = body(SheetKind::Donation, &row).unwrap();
        assert_eq!(
            body,
            json!({"receipt_no": "R-1", "received_on": "2026-03-01", "form": "cash",
                   "amount": "1200.50", "currency": "CNY", "donor_type": "individual",
                   "donor_display": "张*", "receipt": "issued", "commitment": EXAMPLE_HASH,
                   "restricted_until_year": 2027})
        );
    }

    #[test]
    fn every_bad_cell_of_a_row_is_named() {
        let row = Row(HashMap::from([
            ("amount", text("12.345")),
            ("paid_on", text("3/1/2026")),
            ("related_party", text("maybe")),
        ]));
        let problems = body(SheetKind::Disbursement, &row).unwrap_err();
        let named: Vec<(&str, &str)> = problems.iter().map(|(c, e)| (*c, e.code)).collect();
        assert_eq!(
            named,
            vec![
                ("amount", "amount_decimals"),
                ("paid_on", "date_format"),
                ("related_party", "flag")
            ]
        );
        let usd = Row(HashMap::from([
            ("amount", text("¥100")),
            ("currency", text("USD")),
        ]));
        let problems = body(SheetKind::Disbursement, &usd).unwrap_err();
        assert_eq!(problems[0].0, "currency");
    }

    #[test]
    fn evidence_lists_split_on_any_separator() {
        let row = Row(HashMap::from([("evidence", text("a;b； c\nd"))]));
        let body = body(SheetKind::Disbursement, &row).unwrap();
        assert_eq!(body["evidence"], json!(["a", "b", "c", "d"]));
    }
}
