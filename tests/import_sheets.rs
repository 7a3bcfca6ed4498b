//! `sunshine import` with spreadsheets as Excel and WPS write them (issue 20): xlsx files made
//! here with a real writer (number cells, date cells, a double that is not its decimal), CSV in
//! GB18030 with CRLF and with a BOM, the template read back, and `--check` through the binary
//! leaving the database as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{TestLedger, bin, dump};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use sha2::Digest;
use sunshine_ledger::cli::import::{ImportError, check_file, import};
use sunshine_ledger::import::sheet::Format as Read;
use sunshine_ledger::import::{FileError, SheetKind, template};
use sunshine_ledger::ledger::{SealedEntry, Timestamp};
use time::macros::date;

fn commitment(n: u32) -> String {
    hex::encode(sha2::Sha256::digest(format!("receipt secret {n}")))
}

/// The bodies of the entries from `from` on.
async fn bodies_from(t: &TestLedger, from: u64) -> Vec<Value> {
    use futures_util::TryStreamExt;
    let rows: Vec<_> = t.store().entries_from(from).try_collect().await.unwrap();
    rows.into_iter()
        .map(|r| {
            SealedEntry::open(r.leaf)
                .unwrap()
                .entry
                .submission
                .submission
                .body
        })
        .collect()
}

const HEADER: [&str; 8] = [
    "receipt_no",
    "received_on",
    "amount",
    "donor_type",
    "donor_display",
    "receipt",
    "commitment",
    "named_with_consent",
];

/// A donations workbook as a finance officer's spreadsheet holds it.
fn donations_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_fmt = Format::new().set_num_format("yyyy/m/d");
    for (i, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, i as u16, *h).unwrap();
    }
    let rows: [(&str, Value, Value); 5] = [
        // A date cell and a number cell of 1000.
        ("X-1", json!(["date", 2026, 3, 1]), json!(1000.0)),
        // Text date in Chinese, the double nearest 88.8.
        ("X-2", json!("2026年3月2日"), json!(88.8)),
        // Slash date, text amount with a thousands separator.
        ("X-3", json!("2026/3/3"), json!("1,200.50")),
        // 0.1 + 0.2: the double is 0.30000000000000004; Excel shows (and means) 0.3.
        ("X-4", json!("2026-03-04"), json!(0.1 + 0.2)),
        // A date cell with a time of day: the day counts.
        ("X-5", json!(["datetime", 2026, 3, 5]), json!("35")),
    ];
    for (r, (no, on, amount)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *no).unwrap();
        match on {
            Value::String(s) => {
                sheet.write_string(r, 1, s).unwrap();
            }
            Value::Array(a) => {
                let (y, m, d) = (
                    a[1].as_u64().unwrap(),
                    a[2].as_u64().unwrap(),
                    a[3].as_u64().unwrap(),
                );
                let mut dt = ExcelDateTime::from_ymd(y as u16, m as u8, d as u8).unwrap();
                if a[0] == "datetime" {
                    dt = dt.and_hms(14, 30, 0).unwrap();
                }
                sheet
                    .write_datetime_with_format(r, 1, &dt, &date_fmt)
                    .unwrap();
            }
            _ => unreachable!(),
        }
        match amount {
            Value::String(s) => sheet.write_string(r, 2, s).unwrap(),
            v => sheet.write_number(r, 2, v.as_f64().unwrap()).unwrap(),
        };
        sheet.write_string(r, 3, "individual").unwrap();
        sheet.write_string(r, 4, "张*").unwrap();
        sheet.write_string(r, 5, "issued").unwrap();
        sheet.write_string(r, 6, commitment(r)).unwrap();
        sheet.write_boolean(r, 7, r == 1).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn xlsx_number_and_date_cells_are_read_exactly_and_appended() {
    let t = TestLedger::new().await;
    let size = t.service.state().await.size();
    let now = Timestamp::now();
    let done = import(&t.service, &t.org_id, &t.org, &donations_xlsx(), None, now)
        .await
        .unwrap();
    assert_eq!(done.kind, SheetKind::Donation);
    assert_eq!(done.rows, 5);
    // Hand-computed: 1000.00 + 88.80 + 1200.50 + 0.30 + 35.00.
    assert_eq!(done.totals["CNY"], "2324.60".parse::<Decimal>().unwrap());
    let bodies = bodies_from(&t, size).await;
    let got: Vec<(&str, &str, &str)> = bodies
        .iter()
        .map(|b| {
            (
                b["receipt_no"].as_str().unwrap(),
                b["received_on"].as_str().unwrap(),
                b["amount"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("X-1", "2026-03-01", "1000.00"),
            ("X-2", "2026-03-02", "88.80"),
            ("X-3", "2026-03-03", "1200.50"),
            ("X-4", "2026-03-04", "0.30"),
            ("X-5", "2026-03-05", "35.00"),
        ]
    );
    assert_eq!(bodies[0]["named_with_consent"], json!(true));
    assert!(bodies[1].get("named_with_consent").is_none());
    assert_eq!(bodies[0]["currency"], "CNY");
}

/// A disbursements file as "CSV" on Chinese Windows writes it: GB18030, CRLF.
fn gb18030_crlf(text: &str) -> Vec<u8> {
    let crlf = text.replace('\n', "\r\n");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&crlf);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    bytes.into_owned()
}

#[tokio::test]
async fn gb18030_crlf_csv_names_the_right_rows_and_cells() {
    let t = TestLedger::new().await;
    let now = Timestamp::now();
    // Money to spend first.
    let day = sunshine_ledger::ledger::time::format_date(now.date());
    let csv = format!(
        "receipt_no,received_on,amount,donor_type,donor_display,receipt,commitment\n\
         G-1,{day},\"5,000\",organisation,某科技有限公司,issued,{}\n",
        commitment(1)
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(csv.replace('\n', "\r\n").as_bytes());
    let done = import(&t.service, &t.org_id, &t.org, &bom, None, now)
        .await
        .unwrap();
    assert_eq!(done.read_as, Read::CsvUtf8Bom.describe());
    assert_eq!(done.totals["CNY"], "5000.00".parse::<Decimal>().unwrap());

    let ev = commitment(9);
    let text = format!(
        "payee_type,payee_display,amount,category,purpose,evidence,paid_on\n\
         individual,李*,300,programme,助学金,{ev},{day}\n\
         \n\
         group,红星村困难家庭,\"1,200.505\",programme,助学金,{ev},{day}\n\
         organisation,某物业公司,100.00,administration,办公租金,{ev},3/1/2026\n\
         organisation,某物业公司,99999.00,administration,办公租金,{ev},{day}\n\
         organisation,某物业公司,100¥,programme,\"多行\n说明\",{ev},{day}\n\
         individual,王*,1.5,programme,助学金,{ev},{day}\n"
    );
    let bytes = gb18030_crlf(&text);
    let snapshot = dump(&t.url).await;
    let err = import(&t.service, &t.org_id, &t.org, &bytes, None, now)
        .await
        .unwrap_err();
    let ImportError::BadRows { rows, total } = &err else {
        panic!("{err}")
    };
    assert_eq!(*total, 6, "{err}");
    // Row 3 is blank; row 7's quoted purpose spans two lines, so the last row is 9.
    let places: Vec<(u64, Option<&str>, Option<&str>, &str)> = rows
        .iter()
        .map(|p| {
            (
                p.row,
                p.column.as_deref(),
                p.cell.as_deref(),
                p.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        places,
        vec![
            (4, Some("amount"), Some("C4"), "amount_decimals"),
            (5, Some("paid_on"), Some("G5"), "date_format"),
            (6, Some("amount"), Some("C6"), "overdraft"),
            (7, Some("amount"), Some("C7"), "amount_sign"),
        ],
        "{err}"
    );
    assert_eq!(snapshot, dump(&t.url).await, "nothing written");

    // The same text with LF and in UTF-8 gives the same rows and places.
    let state = t.service.current_state().await.unwrap();
    let lf = check_file(
        &state,
        &t.org_id,
        t.org.public(),
        text.as_bytes(),
        None,
        now,
    )
    .unwrap();
    let crlf = check_file(&state, &t.org_id, t.org.public(), &bytes, None, now).unwrap();
    assert_eq!(lf.problems, crlf.problems);
    assert_eq!(crlf.format, Read::CsvGb18030);
    assert_eq!(lf.format, Read::CsvUtf8);
    let ok: Vec<u64> = crlf.rows.iter().map(|r| r.row).collect();
    assert_eq!(ok, vec![2, 9]);
    // The Chinese text survived the decoding.
    assert_eq!(crlf.rows[0].submission.body["payee_display"], "李*");
    assert_eq!(crlf.rows[1].submission.body["amount"], "1.50");
}

#[tokio::test]
async fn the_template_read_back_gives_its_example_row() {
    let t = TestLedger::new().await;
    let now = Timestamp::now();
    let state = t.service.current_state().await.unwrap();
    let today = now.date();
    let day = sunshine_ledger::ledger::time::format_date(today);
    for (kind, example) in [
        (
            SheetKind::Donation,
            json!({"receipt_no": "JZ2026-000101", "received_on": day, "form": "cash",
                   "amount": "1200.50", "currency": "CNY", "donor_type": "individual",
                   "donor_display": "张*", "receipt": "issued",
                   "commitment": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"}),
        ),
        (
            SheetKind::Disbursement,
            json!({"amount": "300.00", "currency": "CNY", "category": "programme",
                   "purpose": "助学金", "payee_type": "individual", "payee_display": "李*",
                   "evidence": ["00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"],
                   "paid_on": day}),
        ),
    ] {
        let xlsx = template::template(kind, today).unwrap();
        let report = check_file(&state, &t.org_id, t.org.public(), &xlsx, None, now).unwrap();
        assert_eq!(report.format, Read::Xlsx);
        assert_eq!(report.kind, kind);
        assert_eq!(report.total, 1);
        match kind {
            // The example donation can be appended as it is.
            SheetKind::Donation => {
                assert!(report.ok(), "{:?}", report.problems);
                assert_eq!(report.rows[0].row, 2);
                assert_eq!(report.rows[0].submission.body, example);
            }
            // The example payment has no money to come from in an empty ledger: the check says
            // so at the amount cell, and that is the only problem.
            SheetKind::Disbursement => {
                let p: Vec<(u64, &str, Option<&str>)> = report
                    .problems
                    .iter()
                    .map(|p| (p.row, p.code.as_str(), p.cell.as_deref()))
                    .collect();
                assert_eq!(p, vec![(2, "overdraft", Some("B2"))]);
            }
        }
    }
    // The drop-down lists are in the file, with the ledger's wire values.
    let xlsx = template::template(SheetKind::Disbursement, date!(2026 - 03 - 01)).unwrap();
    let sheet_xml = unzip_member(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains("<formula1>\"programme,administration,fundraising\"</formula1>"),
        "{sheet_xml}"
    );
    assert!(sheet_xml.contains("<formula1>\"individual,group,organisation\"</formula1>"));
    assert_eq!(
        check_file(&state, &t.org_id, t.org.public(), b"a,b\n1,2\n", None, now).unwrap_err(),
        FileError::UnknownKind
    );
}

/// One member of a ZIP archive, as text.
fn unzip_member(zip: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn check_and_template_through_the_binary() {
    let t = TestLedger::new().await;
    let keys = t.keys_dir();
    let dir = t.dir.path();
    let run = |args: &[&str]| {
        Command::new(bin())
            .args(["--db", &t.url, "--keys", keys.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let xlsx = dir.join("template.xlsx");
    let out = Command::new(bin())
        .args(["import", "--template", "donations"])
        .stdout(std::fs::File::create(&xlsx).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK\x03\x04"));

    let snapshot = dump(&t.url).await;
    let org = t.org_id.to_string();
    // The template's example row passes, with the organisation's key found in the ledger.
    let out = run(&["import", "--check", xlsx.to_str().unwrap(), "--org", &org]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("row 2: ok, receipt JZ2026-000101, 1200.50 CNY"),
        "{stdout}"
    );
    assert!(stdout.contains("1 of 1 row(s) can be appended"), "{stdout}");

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "receipt_no,received_on,amount,donor_type,donor_display,receipt,commitment\r\n\
             B-1,2026/3/1,12.345,individual,张*,issued,{c}\r\n\
             B-2,01/03/2026,10,individual,张*,issued,{c}\r\n\
             B-3,2026/3/1,10,individual,张*,issued,{c}\r\n",
            c = commitment(1)
        ),
    )
    .unwrap();
    let out = run(&["import", "--check", bad.to_str().unwrap(), "--org", &org]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("read as CSV in UTF-8"), "{stdout}");
    assert!(
        stdout.contains("row 2, column amount (C2): \"12.345\" has more than two decimals"),
        "{stdout}"
    );
    assert!(
        stdout.contains("row 3, column received_on (B3): \"01/03/2026\" is not a date"),
        "{stdout}"
    );
    assert!(
        stdout.contains("row 4: ok, receipt B-3, 10.00 CNY"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 of 3 row(s) can be appended (total 10.00 CNY); 2 problem(s)"),
        "{stdout}"
    );
    assert_eq!(snapshot, dump(&t.url).await, "--check writes nothing");

    // A clear key sealed under a passphrase by keygen opens to the same key.
    let pass = dir.join("pass.txt");
    std::fs::write(&pass, "correct horse battery\n").unwrap();
    let out = run(&[
        "keygen",
        "--name",
        "org-sealed",
        "--from",
        keys.join("org.key").to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sealed: sunshine_ledger::cli::sealed_key::SealedKey =
        serde_json::from_slice(&std::fs::read(keys.join("org-sealed.key.json")).unwrap()).unwrap();
    assert_eq!(sealed.public, t.org.public());
    assert!(
        !std::fs::read_to_string(keys.join("org-sealed.key.json"))
            .unwrap()
            .contains(&t.org.to_hex())
    );
    let opened = sunshine_ledger::cli::sealed_key::open(&sealed, "correct horse battery").unwrap();
    assert_eq!(opened.to_hex(), t.org.to_hex());
    assert!(sunshine_ledger::cli::sealed_key::open(&sealed, "wrong horse battery").is_err());
    let again = run(&[
        "keygen",
        "--name",
        "org-sealed",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert!(!again.status.success(), "a sealed key is never overwritten");
}
