//! A spreadsheet file's first sheet as rows of [`Cell`]s, numbered as the spreadsheet numbers
//! them: the header is row 1 whatever the line endings, and an xlsx row keeps its sheet number.
//!
//! Two formats, told apart by their first bytes: xlsx (a ZIP archive; read with `calamine`,
//! whose date cells carry their calendar date) and CSV, which is decoded first. Excel's "CSV UTF-8"
//! starts with a byte-order mark, plain UTF-8 has none, and "CSV" saved on Chinese Windows is
//! GB18030 (of which GBK is a subset): a file that is not UTF-8 but decodes as GB18030 is read as
//! such and says so, since a wrong guess would put wrong characters in a signed ledger.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use time::{Date, Month};

use super::cells::Cell;

/// What the file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Xlsx,
    CsvUtf8,
    CsvUtf8Bom,
    CsvGb18030,
}

impl Format {
    /// A sentence for the report ("read as GB18030").
    pub fn describe(self) -> &'static str {
        match self {
            Format::Xlsx => "read as an Excel workbook (.xlsx), first sheet",
            Format::CsvUtf8 => "read as CSV in UTF-8",
            Format::CsvUtf8Bom => "read as CSV in UTF-8 (with byte-order mark)",
            Format::CsvGb18030 => "read as GB18030 (CSV saved on Chinese Windows)",
        }
    }
}

/// A data row.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// 1-based, the header's row being 1 when it is the sheet's first.
    pub row: u64,
    pub cells: Vec<Cell>,
}

/// A row the reader could not split into cells (broken CSV quoting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRow {
    pub row: u64,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Sheet {
    pub format: Format,
    /// Row number of the header.
    pub header_row: u64,
    /// The column names, trimmed and lower case.
    pub header: Vec<String>,
    pub rows: Vec<Result<SheetRow, BrokenRow>>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error(
        "the file is neither an .xlsx workbook nor CSV text in UTF-8 or GB18030 (save it as .xlsx or \"CSV UTF-8\")"
    )]
    NotText,
    #[error("the workbook cannot be read: {0}")]
    Xlsx(String),
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error("the file has no header row")]
    Empty,
}

/// xlsx files are ZIP archives.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
    if bytes.starts_with(ZIP_MAGIC) {
        // The workbook reader panics on some malformed files (calamine 0.38 overflows reading a
        // cell reference of many letters, found by tests/fuzz_decoders.rs): a file from outside
        // gets an error, never a panic. Nothing is shared with the reader, so nothing is left
        // half-changed by an unwind.
        std::panic::catch_unwind(|| read_xlsx(bytes))
            .unwrap_or_else(|_| Err(SheetError::Xlsx("its content is malformed".into())))
    } else {
        read_csv(bytes)
    }
}

/// The text of a CSV file and the encoding it was in.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Format), SheetError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (Cow::Borrowed(s), Format::CsvUtf8Bom))
            .map_err(|_| SheetError::NotText);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(s), Format::CsvUtf8));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|s| (s, Format::CsvGb18030))
        .ok_or(SheetError::NotText)
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, SheetError> {
    let (text, format) = decode(bytes)?;
    // One line ending for the line count, so a CRLF file (as Excel writes) and an LF file give
    // the same row numbers. CR inside a quoted cell becomes LF too.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // The CSV reader's own line count misses blank lines, and a record's offset is where the
    // blank lines before it start: count the lines up to its first character instead.
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    let line_at = |byte: u64| {
        let start = usize::try_from(byte).unwrap_or(usize::MAX);
        let skipped = text
            .get(start..)
            .map_or(0, |rest| rest.len() - rest.trim_start_matches('\n').len());
        newlines.partition_point(|&n| n < start + skipped) as u64 + 1
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header: Option<(u64, Vec<String>)> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let row = e.position().map_or(0, |p| line_at(p.byte()));
                rows.push(Err(BrokenRow {
                    row,
                    message: format!("not a CSV row: {e}"),
                }));
                continue;
            }
        };
        let row = record.position().map_or(0, |p| line_at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if header.is_none() {
            header = Some((
                row,
                record.iter().map(|h| h.trim().to_lowercase()).collect(),
            ));
            continue;
        }
        let cells = record
            .iter()
            .map(|f| {
                if f.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(f.to_owned())
                }
            })
            .collect();
        rows.push(Ok(SheetRow { row, cells }));
    }
    let (header_row, header) = header.ok_or(SheetError::Empty)?;
    Ok(Sheet {
        format,
        header_row,
        header,
        rows,
    })
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, SheetError> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| SheetError::Xlsx(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(SheetError::NoSheet)?
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut header: Option<(u64, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (i, data) in range.rows().enumerate() {
        let row = u64::from(first_row) + i as u64 + 1;
        // Cells left of the used range are empty; keep columns where the sheet has them.
        let cells: Vec<Cell> = std::iter::repeat_n(Cell::Empty, first_col as usize)
            .chain(data.iter().map(cell))
            .collect();
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        if header.is_none() {
            let names = cells
                .iter()
                .map(|c| match c {
                    Cell::Text(s) => s.trim().to_lowercase(),
                    Cell::Empty => String::new(),
                    other => format!("{other:?}"),
                })
                .collect();
            header = Some((row, names));
            continue;
        }
        rows.push(Ok(SheetRow { row, cells }));
    }
    let (header_row, header) = header.ok_or(SheetError::Empty)?;
    Ok(Sheet {
        format: Format::Xlsx,
        header_row,
        header,
        rows,
    })
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Month::try_from(m)
                .ok()
                .and_then(|m| Date::from_calendar_date(i32::from(y), m, d).ok())
                .map_or_else(
                    || Cell::Error(format!("{y}-{m:02}-{d:02} is not a calendar date")),
                    Cell::Date,
                )
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => Cell::Text(s.split('T').next().unwrap_or(s).to_owned()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// The spreadsheet's name of a 0-based column (A, B, ..., Z, AA, ...).
pub fn column_letters(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook whose cell reference overflows the reader's column arithmetic (found by the
    /// fuzz test; tests/vectors/xlsx_reader_overflow.xlsx).
    #[test]
    fn a_workbook_that_makes_the_reader_panic_is_refused() {
        let bytes = include_bytes!("../../tests/vectors/xlsx_reader_overflow.xlsx");
        assert_eq!(
            read(bytes).err(),
            Some(SheetError::Xlsx("its content is malformed".into()))
        );
    }

    #[test]
    fn column_letters_as_spreadsheets_name_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    fn rows_of(bytes: &[u8]) -> (Format, Vec<(u64, Vec<Cell>)>) {
        let sheet = read(bytes).unwrap();
        let rows = sheet
            .rows
            .into_iter()
            .map(|r| r.map(|r| (r.row, r.cells)).unwrap())
            .collect();
        (sheet.format, rows)
    }

    #[test]
    fn crlf_and_lf_number_rows_alike_with_the_header_as_row_1() {
        let lf = "a,b\n1,2\n\n3,\"x\ny\"\n4,5\n";
        let crlf = lf.replace('\n', "\r\n");
        let (f, rows) = rows_of(lf.as_bytes());
        assert_eq!(f, Format::CsvUtf8);
        let numbers: Vec<u64> = rows.iter().map(|r| r.0).collect();
        // Row 3 is blank; the quoted cell spans lines 4 and 5.
        assert_eq!(numbers, vec![2, 4, 6]);
        let (_, rows_crlf) = rows_of(crlf.as_bytes());
        assert_eq!(rows, rows_crlf);
        assert_eq!(rows[1].1[1], Cell::Text("x\ny".into()));
    }

    #[test]
    fn encodings_are_detected_and_reported() {
        let text = "donor_display,amount\r\n张*,1000\r\n";
        let (gb, _, bad) = encoding_rs::GB18030.encode(text);
        assert!(!bad);
        // Independent truth: 张 is D5C5 in GB2312/GBK/GB18030.
        assert_eq!(&gb[22..24], b"\xD5\xC5");
        let (f, rows) = rows_of(&gb);
        assert_eq!(f, Format::CsvGb18030);
        assert_eq!(
            rows,
            vec![(2, vec![Cell::Text("张*".into()), Cell::Text("1000".into())])]
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        let (f, rows_bom) = rows_of(&bom);
        assert_eq!(f, Format::CsvUtf8Bom);
        assert_eq!(rows, rows_bom);
        assert_eq!(
            read(b"\xFF\xFE\x00\xD8a\x00").unwrap_err(),
            SheetError::NotText
        );
    }
}
