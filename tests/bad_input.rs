//! Bad input through `sunshine append` gets a specific error, and the ledger is byte-for-byte
//! unchanged afterwards, on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{TestLedger, bin, dump, sub};
use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, SecretKey, SignedSubmission};

/// Runs `sunshine append` on `input` and returns (success, stderr).
fn append(t: &TestLedger, input: &str) -> (bool, String) {
    let file = t.dir.path().join("input.jsonl");
    std::fs::write(&file, input).unwrap();
    let out = Command::new(bin())
        .arg("--db")
        .arg(&t.url)
        .arg("--keys")
        .arg(t.keys_dir())
        .arg("append")
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Appends `input`, expecting a refusal mentioning every piece of `expected`, and no change.
async fn refused(t: &TestLedger, input: &str, expected: &[&str]) {
    let before = dump(&t.url).await;
    let (ok, err) = append(t, input);
    assert!(!ok, "append of {input:.200} should fail");
    for e in expected {
        assert!(err.contains(e), "error {err:?} should mention {e:?}");
    }
    assert_eq!(
        dump(&t.url).await,
        before,
        "the ledger changed after a refused append"
    );
}

fn filler_json(t: &TestLedger, i: u64) -> Value {
    t.filler(i).to_value()
}

async fn a_good_append_through_the_cli_works() {
    let t = TestLedger::new().await;
    let line = serde_json::to_string(&filler_json(&t, 1)).unwrap();
    let (ok, err) = append(&t, &line);
    assert!(ok, "{err}");
    assert_eq!(t.store().size().await.unwrap(), 3);
}

async fn malformed_json_is_refused() {
    let t = TestLedger::new().await;
    refused(&t, "{\"v\": 1, \"kind\": ", &["malformed JSON"]).await;
    refused(&t, "[1, 2, 3]", &["JSON object"]).await;
}

async fn duplicate_member_names_are_refused_even_when_the_signed_value_comes_last() {
    let t = TestLedger::new().await;
    let good = serde_json::to_string(&filler_json(&t, 1)).unwrap();
    // serde_json keeps the last of two equal names: the signature would verify over the second.
    let twice = format!("{{\"kind\":\"grant.transfer\",{}", &good[1..]);
    refused(
        &t,
        &twice,
        &["malformed JSON", "duplicate member name \"kind\""],
    )
    .await;
    let nested = good.replacen("\"body\":{", "\"body\":{\"org\":\"x\",", 1);
    assert_ne!(nested, good);
    refused(&t, &nested, &["duplicate member name \"org\""]).await;
}

async fn unknown_kind_is_refused() {
    let t = TestLedger::new().await;
    let mut v = filler_json(&t, 1);
    v["kind"] = json!("org.delete");
    refused(&t, &v.to_string(), &["kind", "unknown entry kind"]).await;
}

async fn wrong_length_keys_and_signatures_are_refused() {
    let t = TestLedger::new().await;
    let mut v = filler_json(&t, 1);
    v["key"] = json!("abcdef");
    refused(&t, &v.to_string(), &["key", "64 lower-case hex"]).await;
    let mut v = filler_json(&t, 1);
    v["sig"] = json!("00ff");
    refused(&t, &v.to_string(), &["sig", "128 lower-case hex"]).await;
    let s = sub(
        Kind::OrgKeys,
        Author::Regulator(t.regulator_id.clone()),
        &t.regulator,
        json!({"org": t.org_id, "add": ["1234"]}),
    );
    refused(&t, &s.to_value().to_string(), &["body.add", "public key"]).await;
}

async fn bad_signature_is_refused() {
    let t = TestLedger::new().await;
    let mut v = filler_json(&t, 1);
    v["nonce"] = json!("another-nonce");
    refused(&t, &v.to_string(), &["signature does not verify"]).await;
}

async fn duplicate_nonce_is_refused_within_and_across_appends() {
    let t = TestLedger::new().await;
    let first = t.filler(1);
    t.service.append(vec![first.clone()]).await.unwrap();
    // Same nonce, fresh signature over a different body.
    let mut again = first.submission.clone();
    again.body = json!({"org": t.org_id, "add": [SecretKey::from_seed([42; 32]).public()]});
    let again = again.sign(&t.regulator);
    refused(
        &t,
        &again.to_value().to_string(),
        &["nonce", "already used"],
    )
    .await;
    // Two lines of one request sharing a nonce: refused as a whole.
    let a = t.filler(5);
    let mut b = t.filler(6).submission;
    b.nonce = a.submission.nonce.clone();
    let b = b.sign(&t.regulator);
    let input = format!("{}\n{}\n", a.to_value(), b.to_value());
    refused(&t, &input, &["line 2", "nonce repeats"]).await;
}

async fn unregistered_and_wrong_role_keys_are_refused() {
    let t = TestLedger::new().await;
    let stranger = SecretKey::from_seed([99; 32]);
    let s = sub(
        Kind::OrgKeys,
        Author::Regulator(t.regulator_id.clone()),
        &stranger,
        json!({"org": t.org_id, "add": [stranger.public()]}),
    );
    refused(&t, &s.to_value().to_string(), &["not registered"]).await;
    // The organisation's own key may not register organisations.
    let s = sub(
        Kind::OrgRegister,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"org": t.org_id, "keys": []}),
    );
    refused(
        &t,
        &s.to_value().to_string(),
        &["may not sign org.register"],
    )
    .await;
}

async fn oversized_entry_is_refused() {
    let t = TestLedger::new().await;
    let s = sub(
        Kind::OrgKeys,
        Author::Regulator(t.regulator_id.clone()),
        &t.regulator,
        json!({"org": t.org_id, "add": [SecretKey::from_seed([8; 32]).public()], "note": "x".repeat(70_000)}),
    );
    refused(&t, &s.to_value().to_string(), &["65535"]).await;
}

async fn fractional_numbers_in_bodies_are_refused() {
    let t = TestLedger::new().await;
    let mut v = filler_json(&t, 1);
    v["body"]["count"] = json!(1.5);
    refused(&t, &v.to_string(), &["body.count", "integers"]).await;
}

/// Text that lies about itself: a right-to-left override in a donor's display name (it would read
/// as another name), and a project title made only of a zero-width space (it would show as
/// nothing). Both refused by field; nothing written.
async fn bidi_controls_and_invisible_text_are_refused() {
    let t = TestLedger::new().await;
    let donation = |display: &str| org_donation(&t, "R-BIDI", display);
    let s = donation("\u{202E}会金基善慈");
    refused(
        &t,
        &s.to_value().to_string(),
        &["body.donor_display", "bidirectional", "U+202E"],
    )
    .await;
    let s = donation("\u{200B}");
    refused(
        &t,
        &s.to_value().to_string(),
        &["body.donor_display", "blank"],
    )
    .await;
    // The same donation with a plain name is accepted: the refusals were the text's.
    let (ok, err) = append(&t, &format!("{}\n", donation("慈善基金会").to_value()));
    assert!(ok, "{err}");
}

/// A cash donation from an organisation (whose name needs no masking) with this receipt number
/// and donor name.
fn org_donation(t: &TestLedger, receipt_no: &str, display: &str) -> SignedSubmission {
    sub(
        Kind::Donation,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"receipt_no": receipt_no, "received_on": "2025-03-01", "form": "cash",
               "amount": "10.00", "currency": "CNY", "donor_type": "organisation",
               "donor_display": display, "receipt": "issued", "commitment": "ab".repeat(32)}),
    )
}

/// Personal data in disguise: every spelling of a phone or ID number that issue 18's attack run
/// got written is refused by field, and nothing is written.
async fn personal_data_in_disguise_is_refused() {
    let t = TestLedger::new().await;
    for spelling in [
        "13812345678",
        "+86 13812345678",
        "+8613812345678",
        "8613812345678",
        "138.1234.5678",
        "(138)1234-5678",
        "138  1234  5678",
        "110105/19491231/002X",
        "1\u{200B}3\u{200B}8\u{200B}1\u{200B}2\u{200B}3\u{200B}4\u{200B}5\u{200B}6\u{200B}7\u{200B}8",
        "١٣٨١٢٣٤٥٦٧٨",
        "一三八一二三四五六七八",
    ] {
        let s = org_donation(&t, "R-PII", &format!("基金会 {spelling}"));
        refused(
            &t,
            &s.to_value().to_string(),
            &["body.donor_display", "personal data"],
        )
        .await;
    }
}

/// Ids are scanned as a whole: a receipt number with an 11-digit run inside is the issuer's
/// serial and is written; a receipt number that is a phone number is refused.
async fn an_id_is_refused_only_when_it_is_a_number_of_a_person() {
    let t = TestLedger::new().await;
    let s = org_donation(&t, "138-1234-5678", "慈善基金会");
    refused(
        &t,
        &s.to_value().to_string(),
        &["body.receipt_no", "personal data"],
    )
    .await;
    let serial = org_donation(&t, "RC13812345678", "慈善基金会");
    let (ok, err) = append(&t, &format!("{}\n", serial.to_value()));
    assert!(ok, "{err}");
    assert_eq!(t.store().size().await.unwrap(), 3);
}

/// Ids that would become odd file names on the static site (`projects/{org}/...html`) are
/// refused by field with the reason.
async fn ids_beginning_with_a_dot_are_refused() {
    let t = TestLedger::new().await;
    for id in ["..", ".hidden", "_draft", "-rf"] {
        let s = sub(
            Kind::ProjectOpen,
            Author::Org(t.org_id.clone()),
            &t.org,
            json!({"id": id, "title": "助学", "purpose": "教育", "region": "440100",
                   "target": "1000.00", "currency": "CNY", "start": "2026-01-01",
                   "description": "助学金"}),
        );
        refused(
            &t,
            &s.to_value().to_string(),
            &["body.id", "must begin with a letter or digit"],
        )
        .await;
    }
}

async fn a_bad_line_in_the_middle_refuses_the_whole_file() {
    let t = TestLedger::new().await;
    let mut bad = filler_json(&t, 2);
    bad["time"] = json!("yesterday");
    let input = format!("{}\n{}\n{}\n", filler_json(&t, 1), bad, filler_json(&t, 3));
    refused(&t, &input, &["line 2", "time"]).await;
}

on_both_backends!(
    a_good_append_through_the_cli_works,
    malformed_json_is_refused,
    duplicate_member_names_are_refused_even_when_the_signed_value_comes_last,
    unknown_kind_is_refused,
    wrong_length_keys_and_signatures_are_refused,
    bad_signature_is_refused,
    duplicate_nonce_is_refused_within_and_across_appends,
    unregistered_and_wrong_role_keys_are_refused,
    oversized_entry_is_refused,
    fractional_numbers_in_bodies_are_refused,
    bidi_controls_and_invisible_text_are_refused,
    personal_data_in_disguise_is_refused,
    an_id_is_refused_only_when_it_is_a_number_of_a_person,
    ids_beginning_with_a_dot_are_refused,
    a_bad_line_in_the_middle_refuses_the_whole_file,
);
