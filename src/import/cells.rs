//! One spreadsheet cell read as an amount, a date or text, exactly as a person typed it.
//!
//! Pure: no I/O. The sheet readers ([`super::sheet`]) turn xlsx cells and CSV fields into
//! [`Cell`]s; the row builder asks for each column's reading. A refusal is a [`CellError`] that
//! says why in a sentence and a stable code, and the caller adds the row and column.
//!
//! Amounts never pass through a float on the way in: text is parsed as a decimal, and a number
//! cell (which an xlsx file can only store as an IEEE double) is first spelled with Excel's own
//! precision of 15 significant digits, so `=0.1+0.2` (stored 0.30000000000000004, shown 0.3) is
//! read as 0.30, and a real third decimal is refused instead of rounded.

use rust_decimal::Decimal;
use time::{Date, Month};

/// A cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// An xlsx number cell.
    Number(f64),
    /// An xlsx cell formatted as a date (or date and time); the time of day is dropped, since
    /// spreadsheets keep dates in the local (China) calendar with no zone.
    Date(Date),
    /// An xlsx boolean cell.
    Bool(bool),
    /// An xlsx error cell (`#DIV/0!`, `#REF!`, ...).
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// Why a cell cannot be read as its column needs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CellError {
    /// Stable snake_case code (`amount_decimals`, `date_format`, ...), for pages to translate.
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> CellError {
    CellError {
        code,
        message: message.into(),
    }
}

/// Excel keeps 15 significant decimal digits; a double spelled with them is what the cell shows.
const EXCEL_DIGITS: usize = 15;

/// A number cell as the decimal Excel shows, never the double's binary expansion.
pub fn number_decimal(x: f64) -> Result<Decimal, CellError> {
    if !x.is_finite() {
        return Err(refuse("number", "the cell is not a finite number"));
    }
    let spelled = format!("{x:.*e}", EXCEL_DIGITS - 1);
    Decimal::from_scientific(&spelled)
        .map(|d| d.normalize())
        .map_err(|_| refuse("number", format!("{x} is out of range")))
}

/// The ledger's spelling of an amount: two decimals, no separators.
pub fn ledger_amount(d: Decimal) -> String {
    let mut d = d.normalize();
    d.rescale(2);
    d.to_string()
}

/// An amount cell, in the ledger's spelling (`"1200.50"`).
///
/// Text may have thousands separators (`1,200.50`, groups of exactly three digits), a leading
/// `¥`/`￥`, and zero, one or two decimals. Anything else is refused rather than guessed at:
/// a third decimal, a sign after the digits or in the middle, `1.200,50` (a European spelling
/// that reads as a different number), `1,20`, a minus or accounting brackets.
pub fn amount(cell: &Cell) -> Result<String, CellError> {
    let d = match cell {
        Cell::Number(x) => number_decimal(*x)?,
        Cell::Text(s) => amount_text(s.trim())?,
        Cell::Date(_) => {
            return Err(refuse(
                "amount_format",
                "the cell is a date, not an amount (format it as a number)",
            ));
        }
        other => {
            return Err(refuse(
                "amount_format",
                format!("{other:?} is not an amount"),
            ));
        }
    };
    if d.is_sign_negative() || d.is_zero() {
        return Err(refuse(
            "amount_positive",
            format!("{d} is not a positive amount"),
        ));
    }
    if d.normalize().scale() > 2 {
        return Err(refuse(
            "amount_decimals",
            format!("{d} has more than two decimals (amounts are in yuan and fen)"),
        ));
    }
    Ok(ledger_amount(d))
}

fn amount_text(s: &str) -> Result<Decimal, CellError> {
    let digits = s
        .strip_prefix('¥')
        .or_else(|| s.strip_prefix('￥'))
        .unwrap_or(s)
        .trim_start();
    if digits.contains(['¥', '￥']) {
        return Err(refuse(
            "amount_sign",
            format!(
                "{s:?}: a currency sign may only stand before the amount (or leave it out and use the currency column)"
            ),
        ));
    }
    if digits.starts_with(['-', '(', '−']) {
        return Err(refuse(
            "amount_positive",
            format!("{s:?} is not a positive amount"),
        ));
    }
    let bad = || {
        refuse(
            "amount_format",
            format!("{s:?} is not an amount like 1200.50, 1,200.50 or 1000"),
        )
    };
    if digits.is_empty()
        || !digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Err(bad());
    }
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if let Some(f) = frac {
        if f.contains(['.', ',']) {
            return Err(refuse(
                "amount_separator",
                format!("{s:?}: separators are ambiguous (write 1,200.50 or 1200.50)"),
            ));
        }
        if f.is_empty() {
            return Err(bad());
        }
        if f.len() > 2 {
            return Err(refuse(
                "amount_decimals",
                format!(
                    "{s:?} has more than two decimals (amounts are in yuan and fen; a '.' is never a thousands separator)"
                ),
            ));
        }
    }
    if int.contains(',') {
        let mut groups = int.split(',');
        let first = groups.next().unwrap_or("");
        let ok = (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3);
        if !ok {
            return Err(refuse(
                "amount_separator",
                format!("{s:?}: thousands separators must group three digits (1,200.50)"),
            ));
        }
    }
    if int.is_empty() {
        return Err(bad());
    }
    let plain: String = digits.chars().filter(|&c| c != ',').collect();
    plain.parse::<Decimal>().map_err(|_| bad())
}

/// A date cell, as a calendar date.
///
/// Text may be `YYYY-MM-DD`, `YYYY/M/D` or `YYYY年M月D日` (months and days with or without a
/// leading zero in the last two); an xlsx date cell is taken as it is. A bare number is refused:
/// it is a date only if the sheet formats it as one, and guessing would turn 20260301 or 45000
/// into some date nobody meant.
pub fn date(cell: &Cell) -> Result<Date, CellError> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Text(s) => date_text(s.trim()),
        Cell::Number(x) => Err(refuse(
            "date_format",
            format!("{x} is a number, not a date (format the cell as a date, or write 2026-03-01)"),
        )),
        other => Err(refuse("date_format", format!("{other:?} is not a date"))),
    }
}

fn date_text(s: &str) -> Result<Date, CellError> {
    let bad = || {
        refuse(
            "date_format",
            format!("{s:?} is not a date like 2026-03-01, 2026/3/1 or 2026年3月1日"),
        )
    };
    let parts: Vec<&str> = if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年').ok_or_else(bad)?;
        let (m, d) = rest.split_once('月').ok_or_else(bad)?;
        vec![y, m, d]
    } else if s.contains('/') {
        s.split('/').collect()
    } else {
        let p: Vec<&str> = s.split('-').collect();
        // The ISO form is the ledger's own spelling: two-digit month and day.
        if p.len() == 3 && (p[1].len() != 2 || p[2].len() != 2) {
            return Err(bad());
        }
        p
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let number = |p: &str, max_len: usize| -> Result<u32, CellError> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    if y.len() != 4 {
        return Err(bad());
    }
    let year = number(y, 4)?;
    let month = number(m, 2)?;
    let day = number(d, 2)?;
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| refuse("date_invalid", format!("{s:?}: there is no month {month}")))?;
    let year = i32::try_from(year).map_err(|_| bad())?;
    u8::try_from(day)
        .ok()
        .and_then(|d| Date::from_calendar_date(year, month, d).ok())
        .ok_or_else(|| {
            refuse(
                "date_invalid",
                format!("{s:?} is not a day of the calendar"),
            )
        })
}

/// A text column's cell: text as typed; a number as Excel shows it (`200`, `1.5`).
pub fn text(cell: &Cell) -> Result<Option<String>, CellError> {
    Ok(match cell {
        Cell::Empty => None,
        Cell::Text(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Cell::Number(x) => Some(number_decimal(*x)?.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Date(d) => Some(crate::ledger::time::format_date(*d)),
        Cell::Error(e) => {
            return Err(refuse(
                "cell_error",
                format!("the cell holds the spreadsheet error {e}"),
            ));
        }
    })
}

/// A yes/no column's cell; empty is no.
pub fn flag(cell: &Cell) -> Result<bool, CellError> {
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(x) if *x == 0.0 => Ok(false),
        Cell::Number(x) if *x == 1.0 => Ok(true),
        _ => match text(cell)?.map(|s| s.to_lowercase()).as_deref() {
            None | Some("false" | "no" | "n" | "0" | "否") => Ok(false),
            Some("true" | "yes" | "y" | "1" | "是") => Ok(true),
            Some(other) => Err(refuse(
                "flag",
                format!("{other:?} is not true/false (also yes/no, 是/否)"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn amounts_as_spreadsheets_write_them_are_read_exactly() {
        for (typed, ledger) in [
            ("1,200.50", "1200.50"),
            ("1000", "1000.00"),
            ("88.8", "88.80"),
            ("0.01", "0.01"),
            ("1,234,567.89", "1234567.89"),
            ("¥1,000", "1000.00"),
            ("￥ 35.5", "35.50"),
            (" 12.00 ", "12.00"),
        ] {
            assert_eq!(amount(&t(typed)).as_deref(), Ok(ledger), "{typed}");
        }
    }

    #[test]
    fn number_cells_are_read_at_excel_precision_not_through_the_double() {
        // 0.1 + 0.2 is 0.30000000000000004 as a double; Excel stores and shows 0.3.
        assert_eq!(amount(&Cell::Number(0.1 + 0.2)).as_deref(), Ok("0.30"));
        assert_eq!(amount(&Cell::Number(88.8)).as_deref(), Ok("88.80"));
        assert_eq!(amount(&Cell::Number(1000.0)).as_deref(), Ok("1000.00"));
        assert_eq!(amount(&Cell::Number(1200.5)).as_deref(), Ok("1200.50"));
        // 4.35 * 100 = 434.99999999999994 as a double: still 4.35 to Excel.
        assert_eq!(
            amount(&Cell::Number(434.999_999_999_999_94 / 100.0)).as_deref(),
            Ok("4.35")
        );
        assert_eq!(
            amount(&Cell::Number(9_999_999_999_999.99)).as_deref(),
            Ok("9999999999999.99")
        );
        assert_eq!(
            amount(&Cell::Number(0.125)).unwrap_err().code,
            "amount_decimals"
        );
        assert_eq!(
            amount(&Cell::Number(1.0 / 3.0)).unwrap_err().code,
            "amount_decimals"
        );
        assert_eq!(amount(&Cell::Number(f64::NAN)).unwrap_err().code, "number");
    }

    #[test]
    fn doubtful_amounts_are_refused_with_the_reason() {
        for (typed, code) in [
            ("1.5.0", "amount_separator"),
            ("1.200,50", "amount_separator"),
            ("1,20.50", "amount_separator"),
            ("1,2000", "amount_separator"),
            (",100", "amount_separator"),
            ("12.345", "amount_decimals"),
            ("1.234", "amount_decimals"),
            ("1000¥", "amount_sign"),
            ("1,000元¥", "amount_sign"),
            ("¥1,000¥", "amount_sign"),
            ("$100", "amount_format"),
            ("100 元", "amount_format"),
            ("-5.00", "amount_positive"),
            ("(5.00)", "amount_positive"),
            ("0", "amount_positive"),
            ("0.00", "amount_positive"),
            ("1e3", "amount_format"),
            ("12.", "amount_format"),
            (".5", "amount_format"),
            ("", "amount_format"),
        ] {
            assert_eq!(amount(&t(typed)).map_err(|e| e.code), Err(code), "{typed}");
        }
        assert_eq!(
            amount(&Cell::Date(date!(2026 - 03 - 01))).unwrap_err().code,
            "amount_format"
        );
    }

    #[test]
    fn dates_in_the_three_spellings_and_as_date_cells() {
        let d = date!(2026 - 03 - 01);
        for typed in [
            "2026-03-01",
            "2026/3/1",
            "2026/03/01",
            "2026年3月1日",
            "2026年03月01日",
        ] {
            assert_eq!(date(&t(typed)), Ok(d), "{typed}");
        }
        assert_eq!(date(&Cell::Date(d)), Ok(d));
        assert_eq!(date(&t("2024/2/29")), Ok(date!(2024 - 02 - 29)));
    }

    #[test]
    fn other_dates_are_refused() {
        for (typed, code) in [
            ("2026-3-1", "date_format"),
            ("3/1/2026", "date_format"),
            ("01/03/2026", "date_format"),
            ("2026.3.1", "date_format"),
            ("26/3/1", "date_format"),
            ("2026年3月1", "date_format"),
            ("2026/3/1/2", "date_format"),
            ("2026/+3/1", "date_format"),
            ("2026/13/1", "date_invalid"),
            ("2025/2/29", "date_invalid"),
            ("2026-02-30", "date_invalid"),
            ("", "date_format"),
        ] {
            assert_eq!(date(&t(typed)).map_err(|e| e.code), Err(code), "{typed}");
        }
        assert_eq!(
            date(&Cell::Number(46082.0)).unwrap_err().code,
            "date_format"
        );
    }

    #[test]
    fn text_and_flags() {
        assert_eq!(text(&Cell::Number(200.0)), Ok(Some("200".into())));
        assert_eq!(text(&Cell::Number(1.5)), Ok(Some("1.5".into())));
        assert_eq!(text(&t("  ")), Ok(None));
        assert_eq!(
            text(&Cell::Error("#REF!".into())).unwrap_err().code,
            "cell_error"
        );
        assert_eq!(flag(&t("是")), Ok(true));
        assert_eq!(flag(&Cell::Bool(true)), Ok(true));
        assert_eq!(flag(&Cell::Empty), Ok(false));
        assert_eq!(flag(&t("maybe")).unwrap_err().code, "flag");
    }
}
