//! Property-based fuzzing of every decoder that reads outside bytes (issue 18): the JCS / I-JSON
//! reader, submissions and entry bodies, checkpoints, signed notes, verifier keys and
//! cosignatures, tile paths and entry bundles, tlog-proof files, the tlog-witness request and
//! answer bodies, and spreadsheet import (CSV and xlsx).
//!
//! Each decoder gets arbitrary bytes and mutations of a valid input (bytes flipped, inserted,
//! deleted, truncated). None may panic; each input is either refused with an error, or parsed
//! into a value whose encoding gives the input's bytes back (for formats with one spelling) or
//! a fixed point (JSON and CSV, whose spacing and quoting are free: encoding the value, reading
//! that and encoding again gives the same bytes and the same value).
//!
//! `cargo test` runs 256 cases per decoder; `SUNSHINE_FUZZ_CASES=1000000 cargo test --test
//! fuzz_decoders` runs a long campaign (a few minutes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::str::FromStr;

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};
use sunshine_ledger::import::sheet::{self, Format};
use sunshine_ledger::import::{SheetKind, Signer, cells::Cell, template};
use sunshine_ledger::ledger::cosignature::{Cosigner, CosigningKey};
use sunshine_ledger::ledger::hash::Hash;
use sunshine_ledger::ledger::note::{self, Checkpoint};
use sunshine_ledger::ledger::submission::SignedSubmission;
use sunshine_ledger::ledger::tiles::{self, TileRef};
use sunshine_ledger::ledger::tlog_proof::TlogProof;
use sunshine_ledger::ledger::witness::{self, AddCheckpoint};
use sunshine_ledger::ledger::{Author, Kind, SecretKey, jcs};
use sunshine_ledger::money::bodies::parse_body;
use sunshine_ledger::replay::state::State;

/// Cases per decoder: 256, or `SUNSHINE_FUZZ_CASES` for a long run.
fn config() -> ProptestConfig {
    let cases = std::env::var("SUNSHINE_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        // A long run should not stop at proptest's default cap on rejected cases.
        max_global_rejects: cases.saturating_mul(4),
        ..ProptestConfig::default()
    }
}

/// Bytes that matter to the formats here, mixed with any byte.
fn a_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        any::<u8>(),
        proptest::sample::select(
            b"\n \"{}[],:0123456789-+./=AZaz\\\xe2\x80\x94\xef\xbb\xbfx".to_vec()
        ),
    ]
}

/// `seed` with up to 8 random edits, or arbitrary bytes.
fn bytes_like(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let edits = proptest::collection::vec((0u8..5, any::<Index>(), a_byte()), 0..8);
    let mutated = edits.prop_map(move |edits| {
        let mut b = seed.clone();
        for (op, at, byte) in edits {
            let i = at.index(b.len() + 1);
            match op {
                0 if i < b.len() => b[i] = byte,
                1 => b.insert(i, byte),
                2 if i < b.len() => {
                    b.remove(i);
                }
                3 => b.truncate(i),
                _ => {
                    // Duplicate a stretch: repeated lines and members.
                    let end = (i + usize::from(byte)).min(b.len());
                    let stretch = b[i.min(end)..end].to_vec();
                    b.splice(i..i, stretch);
                }
            }
        }
        b
    });
    prop_oneof![
        4 => mutated,
        1 => proptest::collection::vec(a_byte(), 0..300),
    ]
}

fn text_like(seed: String) -> impl Strategy<Value = String> {
    bytes_like(seed.into_bytes()).prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn checkpoint() -> Checkpoint {
    Checkpoint {
        origin: "example.org/sunshine".into(),
        size: 1234,
        root: Hash::sha256(b"root"),
    }
}

/// A checkpoint signed by the log and cosigned by a witness.
fn cosigned_note() -> String {
    let cp = checkpoint();
    let signed = cp.sign(&signing_key()).unwrap();
    let witness = CosigningKey::new("witness.example", SigningKey::from_bytes(&[8; 32])).unwrap();
    let line = witness.sign(&cp.to_text(), 1_700_000_000).unwrap();
    sunshine_ledger::ledger::cosignature::add_signature_lines(&signed, &line)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signature line as the signed-note spec spells it.
fn sig_line(s: &note::SigLine<'_>) -> String {
    let mut blob = s.key_id.to_be_bytes().to_vec();
    blob.extend_from_slice(&s.sig);
    format!("\u{2014} {} {}\n", s.name, b64(&blob))
}

fn donation_body() -> Value {
    json!({"receipt_no": "JZ-2026-0001", "project": "P-1", "received_on": "2025-03-01",
           "form": "cash", "amount": "10.00", "currency": "CNY", "donor_type": "individual",
           "donor_display": "张*", "receipt": "issued", "commitment": "ab".repeat(32)})
}

fn project_body() -> Value {
    json!({"id": "P-1", "title": "助学", "purpose": "教育", "region": "440100",
           "target": "1000.00", "currency": "CNY", "start": "2026-01-01",
           "description": "助学金"})
}

fn signed_submission() -> SignedSubmission {
    let key = SecretKey::from_seed([3; 32]);
    common::sub(
        Kind::Donation,
        Author::Org(common::org_id()),
        &key,
        donation_body(),
    )
}

proptest! {
    #![proptest_config(config())]

    /// JSON text: refused, or its canonical form (RFC 8785) reads back as the same value and
    /// is its own canonical form.
    #[test]
    fn jcs_reader(input in bytes_like(signed_submission().to_value().to_string().into_bytes())) {
        if let Ok(v) = jcs::parse_unique(&input)
            && jcs::check_numbers(&v, "").is_ok()
            && let Ok(canonical) = jcs::canonical_value(&v)
        {
            let again = jcs::parse_unique(&canonical).expect("canonical JSON reads");
            prop_assert_eq!(&again, &v);
            prop_assert_eq!(jcs::canonical_value(&again).unwrap(), canonical);
        }
    }

    /// A signed submission: refused with a field, or read into one whose JSON reads back as
    /// the same submission.
    #[test]
    fn submission_reader(input in bytes_like(signed_submission().to_value().to_string().into_bytes())) {
        match SignedSubmission::from_json(&input) {
            Ok(s) => {
                let text = s.to_value().to_string();
                let again = SignedSubmission::from_json(text.as_bytes()).expect("re-encoded reads");
                prop_assert_eq!(again.to_value().to_string(), text);
                prop_assert_eq!(again.submission.signing_bytes(), s.submission.signing_bytes());
            }
            Err(e) => prop_assert!(!e.message.is_empty()),
        }
    }

    /// Entry bodies of every kind: refused with a path under `body`, or read into a body whose
    /// JSON reads back as the same body.
    #[test]
    fn body_reader(
        kind in proptest::sample::select(Kind::ALL.to_vec()),
        input in prop_oneof![
            bytes_like(donation_body().to_string().into_bytes()),
            bytes_like(project_body().to_string().into_bytes()),
        ],
    ) {
        let Ok(v) = serde_json::from_slice::<Value>(&input) else { return Ok(()) };
        match parse_body(kind, &v) {
            Ok(body) => {
                let w = serde_json::to_value(&body).unwrap();
                let again = parse_body(kind, &w).expect("re-encoded body reads");
                prop_assert_eq!(serde_json::to_value(&again).unwrap(), w);
            }
            Err(e) => prop_assert!(e.field().starts_with("body"), "{}", e.field()),
        }
    }

    /// Checkpoint texts: refused, or the checkpoint's own text followed by extension lines.
    #[test]
    fn checkpoint_reader(input in text_like(format!("{}ext line\n", checkpoint().to_text()))) {
        if let Ok(cp) = Checkpoint::parse(&input) {
            let own = cp.to_text();
            prop_assert!(input.starts_with(&own), "{input:?}");
            let extensions = &input[own.len()..];
            prop_assert!(extensions.split_terminator('\n').all(|l| !l.is_empty()));
            prop_assert!(extensions.is_empty() || extensions.ends_with('\n'));
        }
    }

    /// Signed notes: refused, or split into a text and signature lines that spell the note
    /// again; checking a signature never panics.
    #[test]
    fn note_reader(input in text_like(cosigned_note())) {
        if let Ok((text, sigs)) = note::split_note(&input) {
            let spelled: String = sigs.iter().map(sig_line).collect();
            prop_assert_eq!(format!("{text}\n{spelled}"), input.clone());
        }
        let vkey = note::vkey_string("example.org/sunshine", &signing_key().verifying_key());
        let _ = Checkpoint::verify(&input, &vkey);
        let witness: Cosigner = CosigningKey::new("witness.example", SigningKey::from_bytes(&[8; 32]))
            .unwrap()
            .cosigner()
            .clone();
        let _ = witness.verify(&input);
    }

    /// Verifier keys, the log's and a witness's: refused, or spelled back exactly, less what
    /// each reader forgives by design (a key file's final newline; white space around a key
    /// given on the command line).
    #[test]
    fn vkey_reader(
        input in prop_oneof![
            text_like(note::vkey_string("example.org/sunshine", &signing_key().verifying_key())),
            text_like(CosigningKey::new("w.example", SigningKey::from_bytes(&[8; 32])).unwrap().cosigner().vkey()),
        ],
    ) {
        if let Ok((name, key)) = note::parse_vkey(&input) {
            prop_assert_eq!(note::vkey_string(&name, &key), input.strip_suffix('\n').unwrap_or(&input));
        }
        if let Ok(c) = Cosigner::from_str(&input) {
            prop_assert_eq!(c.vkey(), input.trim());
        }
    }

    /// Tile paths: refused, or the one spelling of the tile.
    #[test]
    fn tile_path_reader(
        input in prop_oneof![
            text_like(TileRef::hashes(0, 1_234_567, 5).path()),
            text_like(TileRef::entries(300, 256).path()),
            text_like(tiles::tile_path(2, 7, None)),
        ],
    ) {
        if let Ok(t) = tiles::parse_tile_path(&input) {
            prop_assert_eq!(t.path(), input);
        }
    }

    /// Entry bundles: refused, or encoded back to the same bytes.
    #[test]
    fn bundle_reader(
        input in bytes_like(tiles::encode_bundle(&[b"abc", b"", &[0xAB; 300]]).unwrap()),
    ) {
        if let Ok(entries) = tiles::decode_bundle(&input) {
            prop_assert_eq!(tiles::encode_bundle(&entries).unwrap(), input);
        }
    }

    /// tlog-proof files: refused with a line number, or encoded back to the same bytes.
    #[test]
    fn tlog_proof_reader(
        input in text_like(TlogProof {
            extra: Some(b"leaf bytes".to_vec()),
            index: 41,
            proof: vec![Hash::sha256(b"a"), Hash::sha256(b"b")],
            checkpoint: cosigned_note(),
        }.encode()),
    ) {
        if let Ok(p) = TlogProof::parse(&input) {
            prop_assert_eq!(p.encode(), input);
        }
    }

    /// tlog-witness `add-checkpoint` bodies and 409 size bodies: refused, or encoded back.
    #[test]
    fn witness_request_reader(
        input in prop_oneof![
            text_like(AddCheckpoint::encode(1200, &[Hash::sha256(b"a"), Hash::sha256(b"b")], &cosigned_note())),
            text_like("1234\n".to_owned()),
        ],
    ) {
        if let Ok(req) = witness::parse_add_checkpoint(&input) {
            prop_assert_eq!(AddCheckpoint::encode(req.old_size, &req.proof, req.checkpoint), input.clone());
        }
        if let Some(n) = witness::parse_size_body(&input) {
            prop_assert_eq!(format!("{n}\n"), input);
        }
    }

    /// CSV files: refused, or read into a header and cells that, written out as CSV again,
    /// read back the same.
    #[test]
    fn csv_reader(
        input in prop_oneof![
            bytes_like(
                "receipt_no,received_on,amount,donor_type,donor_display\n\
                 JZ-1,2026-01-02,\"1,200.50\",individual,张*\n\
                 \n\
                 JZ-2,2026-01-03,10,organisation,\"基金会, \"\"甲\"\"\"\r\n"
                    .as_bytes()
                    .to_vec()
            ),
            bytes_like(b"\xEF\xBB\xBFa,b\n\xd5\xc5,\"x\ny\"\n".to_vec()),
        ],
    ) {
        let Ok(first) = sheet::read(&input) else { return Ok(()) };
        prop_assert!(first.format != Format::Xlsx || input.starts_with(b"PK"));
        let again = sheet::read(&write_csv(&first)).expect("CSV written from a sheet reads");
        prop_assert_eq!(&again.header, &first.header);
        prop_assert_eq!(cells_of(&again), cells_of(&first));
    }

    /// The whole import check of a donation sheet (cells to amounts, dates and codes, rows to
    /// bodies, bodies against an empty ledger): a file-level error, or a report whose every
    /// problem names its row, a rule code and a reason.
    #[test]
    fn import_check(
        input in bytes_like(
            "receipt_no,received_on,form,amount,currency,donor_type,donor_display,receipt\n\
             JZ-1,2026-01-02,cash,\"1,200.50\",CNY,individual,张*,issued\n\
             JZ-2,2026/1/3,cash,10,CNY,organisation,基金会,waived\n"
                .as_bytes()
                .to_vec()
        ),
    ) {
        let org = common::org_id();
        let signer = Signer {
            org: &org,
            key: SecretKey::from_seed([3; 32]).public(),
            time: "2026-02-01T00:00:00Z".parse().unwrap(),
        };
        if let Ok(report) = sunshine_ledger::import::check(&State::default(), &input, None, &signer) {
            for p in &report.problems {
                prop_assert!(p.row >= 1 && !p.code.is_empty() && !p.message.is_empty(), "{p:?}");
            }
        }
    }

    /// xlsx workbooks (ZIP archives) from outside: refused or read, never a panic.
    #[test]
    fn xlsx_reader(input in bytes_like(template::template(SheetKind::Donation, time::macros::date!(2026 - 01 - 02)).unwrap())) {
        let _ = sheet::read(&input);
    }
}

/// The sheet's header and readable rows as CSV: UTF-8 with a BOM, every cell quoted (so a first
/// cell that begins with U+FEFF is not taken for a second encoding mark).
fn write_csv(s: &sheet::Sheet) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(&s.header).unwrap();
    for cells in cells_of(s) {
        w.write_record(cells.iter().map(|c| match c {
            Cell::Text(t) => t.as_str(),
            _ => "",
        }))
        .unwrap();
    }
    w.into_inner().unwrap()
}

fn cells_of(s: &sheet::Sheet) -> Vec<Vec<Cell>> {
    s.rows
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|r| r.cells.clone())
        .collect()
}

/// Every seed the mutations start from is valid, so unedited seeds (about a tenth of the cases)
/// exercise each decoder's accepting side, not only its refusals.
#[test]
fn every_seed_is_accepted() {
    let submission = signed_submission().to_value().to_string();
    jcs::parse_unique(submission.as_bytes()).unwrap();
    SignedSubmission::from_json(submission.as_bytes()).unwrap();
    parse_body(Kind::Donation, &donation_body()).unwrap();
    parse_body(Kind::ProjectOpen, &project_body()).unwrap();
    Checkpoint::parse(&format!("{}ext line\n", checkpoint().to_text())).unwrap();
    note::split_note(&cosigned_note()).unwrap();
    let vkey = note::vkey_string("example.org/sunshine", &signing_key().verifying_key());
    assert_eq!(
        Checkpoint::verify(&cosigned_note(), &vkey).unwrap(),
        checkpoint()
    );
    note::parse_vkey(&vkey).unwrap();
    let witness = CosigningKey::new("w.example", SigningKey::from_bytes(&[8; 32])).unwrap();
    Cosigner::from_str(&witness.cosigner().vkey()).unwrap();
    tiles::parse_tile_path(&TileRef::hashes(0, 1_234_567, 5).path()).unwrap();
    tiles::parse_tile_path(&TileRef::entries(300, 256).path()).unwrap();
    tiles::decode_bundle(&tiles::encode_bundle(&[b"abc", b""]).unwrap()).unwrap();
    let proof = TlogProof {
        extra: Some(b"leaf bytes".to_vec()),
        index: 41,
        proof: vec![Hash::sha256(b"a")],
        checkpoint: cosigned_note(),
    };
    TlogProof::parse(&proof.encode()).unwrap();
    witness::parse_add_checkpoint(&AddCheckpoint::encode(1, &[], &cosigned_note())).unwrap();
    assert_eq!(witness::parse_size_body("1234\n"), Some(1234));
    let csv = sheet::read(b"receipt_no,amount\nJZ-1,\"1,200.50\"\n").unwrap();
    assert_eq!(cells_of(&csv).len(), 1);
    let xlsx =
        template::template(SheetKind::Donation, time::macros::date!(2026 - 01 - 02)).unwrap();
    assert_eq!(sheet::read(&xlsx).unwrap().format, Format::Xlsx);
}
