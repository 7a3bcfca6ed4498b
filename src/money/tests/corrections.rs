//! Corrections: voids and amendments change every figure, the trace, and never the original.

use serde_json::json;

use crate::ledger::{Author, Currency, Kind};

use super::testkit::*;
use crate::money::books::funds::FundKey;
use crate::money::types::Money;

#[test]
fn voided_and_amended_donations_change_balances_and_trace() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let other = k.register(2, "foundation", false);
    k.project(&a, "P1", "教育");
    let p1 = FundKey {
        org: a.clone(),
        project: Some(id("P1")),
        currency: Currency::CNY,
    };
    let r1 = k
        .as_org(&a, Kind::Donation, cash("R1", Some("P1"), "1000.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Donation, cash("R2", Some("P1"), "500.00", "CNY"))
        .unwrap();
    let d = k
        .as_org(&a, Kind::Disbursement, pay(Some("P1"), "1200.00", "CNY"))
        .unwrap();
    let r3 = k
        .as_org(&a, Kind::Donation, cash("R3", None, "50.00", "CNY"))
        .unwrap();

    // Voiding R1 would leave the 1200.00 disbursement unpaid: refused as an overdraft.
    let before = k.view_rows();
    let e = k.as_org(&a, Kind::Correction, void(r1)).unwrap_err();
    assert_eq!((e.code(), e.field()), ("overdraft", "body.target"));
    assert!(matches!(e, crate::money::MoneyError::Replay { at_seq, .. } if at_seq == d));
    assert_eq!(k.view_rows(), before);

    // Amending R1 down to 600.00 would too (600 + 500 < 1200).
    let mut small = cash("R1", Some("P1"), "600.00", "CNY");
    assert_eq!(
        k.as_org(&a, Kind::Correction, amend(r1, small.clone()))
            .unwrap_err()
            .code(),
        "overdraft"
    );
    // 800.00 is fine: P1 holds 800 + 500 - 1200 = 100.
    small["amount"] = json!("800.00");
    let am = k.as_org(&a, Kind::Correction, amend(r1, small)).unwrap();
    assert_eq!(k.state.balance(&p1), m("100.00"));
    let t1 = k.trace(&a, &id("R1")).unwrap();
    assert_eq!(
        (t1.amount, t1.spent_total),
        (Some(m("800.00")), m("800.00"))
    );
    let t2 = k.trace(&a, &id("R2")).unwrap();
    assert_eq!(
        (t2.spent_total, t2.unspent_total),
        (m("400.00"), m("100.00"))
    );
    assert_eq!(
        k.state.org_year_figures_for(&a, 2026)[0].income,
        m("1350.00")
    );
    let rows = k.view_rows();
    assert!(
        rows[&format!("entry/{r1}")].contains(&format!("\"amended_by\":[{am}]")),
        "{}",
        rows[&format!("entry/{r1}")]
    );

    // Voiding the unspent unrestricted R3 removes it from balances and trace; the row stays.
    k.as_org(&a, Kind::Correction, void(r3)).unwrap();
    assert_eq!(
        k.state.balance(&FundKey {
            org: a.clone(),
            project: None,
            currency: Currency::CNY
        }),
        Money::ZERO
    );
    assert!(k.trace(&a, &id("R3")).is_none());
    let rows = k.view_rows();
    assert!(rows[&format!("donation/{a}/R3")].contains("\"status\":\"voided\""));
    // Its receipt number stays taken; correcting it again is refused.
    let e = k
        .as_org(&a, Kind::Donation, cash("R3", None, "50.00", "CNY"))
        .unwrap_err();
    assert_eq!(e.code(), "duplicate_receipt");
    assert!(e.is_conflict());
    assert_eq!(
        k.as_org(
            &a,
            Kind::Correction,
            amend(r3, cash("R3", None, "5.00", "CNY"))
        )
        .unwrap_err()
        .code(),
        "already_voided"
    );

    // Voiding the amendment restores 1000.00 for R1.
    let v = k.as_org(&a, Kind::Correction, void(am)).unwrap();
    assert_eq!(k.state.balance(&p1), m("300.00"));
    assert_eq!(k.trace(&a, &id("R1")).unwrap().amount, Some(m("1000.00")));
    // A voided correction cannot be targeted; voiding the void brings the amendment back.
    assert_eq!(
        k.as_org(&a, Kind::Correction, void(am)).unwrap_err().code(),
        "voided_correction"
    );
    k.as_org(&a, Kind::Correction, void(v)).unwrap();
    assert_eq!(k.state.balance(&p1), m("100.00"));

    // Another organisation may not correct A's entries; a regulator may.
    let e = k.as_org(&other, Kind::Correction, void(d)).unwrap_err();
    assert_eq!((e.code(), e.field()), ("not_author", "author"));
    k.submit(Kind::Correction, &Author::Regulator(reg_id()), void(d))
        .unwrap();
    assert_eq!(k.state.balance(&p1), m("1300.00"));

    // An amendment keeps the receipt number; a correction is never amended.
    let e = k
        .as_org(
            &a,
            Kind::Correction,
            amend(r1, cash("R1X", Some("P1"), "1.00", "CNY")),
        )
        .unwrap_err();
    assert_eq!(e.code(), "amend_changes_id");
    assert_eq!(
        k.as_org(
            &a,
            Kind::Correction,
            amend(am, cash("R1", None, "1.00", "CNY"))
        )
        .unwrap_err()
        .code(),
        "not_correctable"
    );
    assert_eq!(
        k.as_org(&a, Kind::Correction, void(1)).unwrap_err().code(),
        "not_correctable"
    );
    assert_eq!(
        k.as_org(&a, Kind::Correction, void(9999))
            .unwrap_err()
            .code(),
        "unknown_entry"
    );
    // Amendment bodies are checked like any body, under body.amended.
    let mut bad = cash("R1", Some("P1"), "800.00", "CNY");
    bad["donor_display"] = json!("张三");
    let e = k.as_org(&a, Kind::Correction, amend(r1, bad)).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("unmasked_name", "body.amended.donor_display")
    );

    // Replaying the log gives the same views.
    assert_eq!(k.replay().view_rows(), k.view_rows());
}

#[test]
fn correcting_a_lottery_grant_after_its_announcement_needs_the_announcement_voided_first() {
    let mut k = Kit::new();
    let admin = k.register(1, "lottery_administrator", false);
    let a = k.register(2, "social_service_org", false);
    k.project(&a, "P1", "扶老");
    let g = k
        .as_org(&admin, Kind::LotteryGrant, json!({"grant_id": "G1", "fiscal_year": 2026, "recipient_org": a.as_str(),
            "recipient_project": "P1", "amount": "100.00", "currency": "CNY", "purpose": "养老服务", "granted_on": "2026-03-01"}))
        .unwrap();
    let ann = json!({"fiscal_year": 2026, "currency": "CNY", "raised": "100.00",
        "allocated": [{"purpose": "养老服务", "amount": "100.00"}], "carried_forward": "0.00",
        "announced_on": "2026-05-31", "document": h(3)});
    let an = k.as_org(&admin, Kind::LotteryAnnounce, ann).unwrap();
    assert_eq!(
        k.as_org(&admin, Kind::Correction, void(g))
            .unwrap_err()
            .code(),
        "figures_mismatch"
    );
    k.as_org(&admin, Kind::Correction, void(an)).unwrap();
    k.as_org(&admin, Kind::Correction, void(g)).unwrap();
    let ann2 = json!({"fiscal_year": 2026, "currency": "CNY", "raised": "100.00", "allocated": [],
        "carried_forward": "100.00", "announced_on": "2026-05-31", "document": h(4)});
    k.as_org(&admin, Kind::LotteryAnnounce, ann2).unwrap();
    assert_eq!(k.replay().view_rows(), k.view_rows());
}
