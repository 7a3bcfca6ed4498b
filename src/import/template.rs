//! The xlsx template a charity fills in: the header row, one example row, and the allowed
//! values of every coded column as a drop-down list, all from [`super::columns`].
//!
//! Dates are real date cells (`yyyy-mm-dd`) and amounts real number cells (`#,##0.00`), which
//! is what a finance officer's spreadsheet has; the importer reads both exactly. A second sheet
//! lists the columns, for whoever fills it in; the importer reads only the first.

use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, Workbook, XlsxError};
use time::Date;

use super::columns::{Example, Reading, SheetKind};

/// Rows the drop-down lists and cell formats cover below the header.
const FORMATTED_ROWS: u32 = 2000;

/// The template's bytes; `today` is the example row's date.
pub fn template(kind: SheetKind, today: Date) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let money_fmt = Format::new().set_num_format("#,##0.00");
    let sheet = book.add_worksheet();
    sheet.set_name(match kind {
        SheetKind::Donation => "donations",
        SheetKind::Disbursement => "disbursements",
    })?;
    sheet.set_freeze_panes(1, 0)?;
    let example_date = ExcelDateTime::from_ymd(
        u16::try_from(today.year()).unwrap_or(2026),
        u8::from(today.month()),
        today.day(),
    )?;
    for (i, c) in kind.columns().iter().enumerate() {
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, c.name, &bold)?;
        sheet.set_column_width(col, (c.name.len() as f64 + 4.0).max(14.0))?;
        match c.reading {
            Reading::Date => {
                sheet.set_column_format(col, &date_fmt)?;
            }
            Reading::Amount => {
                sheet.set_column_format(col, &money_fmt)?;
            }
            _ => {}
        }
        match c.example {
            Example::None => {}
            Example::Text(t) => {
                sheet.write_string(1, col, t)?;
            }
            Example::Number(x) => {
                sheet.write_number_with_format(1, col, x, &money_fmt)?;
            }
            Example::Today => {
                sheet.write_datetime_with_format(1, col, &example_date, &date_fmt)?;
            }
            Example::Flag(b) => {
                sheet.write_string(1, col, if b { "true" } else { "false" })?;
            }
        }
        let allowed = match (c.allowed, c.reading) {
            (Some(values), _) => Some(values()),
            (None, Reading::Flag) => Some(vec!["true", "false"]),
            _ => None,
        };
        if let Some(values) = allowed {
            let list = DataValidation::new()
                .allow_list_strings(&values)?
                .set_error_title("Not an allowed value")?
                .set_error_message(format!("{}: one of {}", c.name, values.join(", ")))?;
            sheet.add_data_validation(1, col, FORMATTED_ROWS, col, &list)?;
        }
    }
    let notes = book.add_worksheet();
    notes.set_name("columns")?;
    for (j, h) in ["column", "required", "allowed values"].iter().enumerate() {
        notes.write_string_with_format(0, j as u16, *h, &bold)?;
    }
    for (i, c) in kind.columns().iter().enumerate() {
        let row = i as u32 + 1;
        notes.write_string(row, 0, c.name)?;
        notes.write_string(row, 1, if c.required { "yes" } else { "no" })?;
        let allowed = match (c.allowed, c.reading) {
            (Some(values), _) => values().join(", "),
            (None, Reading::Amount) => "an amount: 1200.50, 1,200.50 or 1000".into(),
            (None, Reading::Date) => "a date: 2026-03-01, 2026/3/1 or 2026年3月1日".into(),
            (None, Reading::Flag) => "true or false".into(),
            (None, Reading::List) => "SHA-256 hashes separated by ;".into(),
            (None, Reading::Text) => String::new(),
        };
        notes.write_string(row, 2, allowed)?;
    }
    notes.set_column_width(0, 24)?;
    notes.set_column_width(2, 60)?;
    book.save_to_buffer()
}
