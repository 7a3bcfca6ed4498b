//! Trusts, lottery grants, reports, and the body-level rules: future dates, personal data,
//! duplicates, malformed bodies.

use serde_json::{Value, json};

use crate::ledger::{Author, Kind};

use super::testkit::*;
use crate::money::bodies::parse_body;
use crate::money::types::Money;

#[test]
fn future_dates_are_refused() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    // Recorded 2026-06-01 04:00 UTC: China's date is 2026-06-01; one day of allowance.
    let mut v = cash("R1", None, "1.00", "CNY");
    v["received_on"] = json!("2026-06-02");
    k.as_org(&a, Kind::Donation, v.clone()).unwrap();
    v["receipt_no"] = json!("R2");
    v["received_on"] = json!("2026-06-03");
    let e = k.as_org(&a, Kind::Donation, v).unwrap_err();
    assert_eq!((e.code(), e.field()), ("future_date", "body.received_on"));
    let mut p = pay(None, "1.00", "CNY");
    p["paid_on"] = json!("2027-01-01");
    assert_eq!(
        k.as_org(&a, Kind::Disbursement, p).unwrap_err().field(),
        "body.paid_on"
    );
    // An annual report only for a year that is over.
    let report = json!({"year": 2026, "work_report": h(1), "financial_report": h(2), "published_on": "2026-05-01",
        "figures": {"currency": "CNY", "income": "0.00", "charitable_spending": "0.00", "administrative_costs": "0.00",
                    "fundraising_costs": "0.00", "total_spending": "0.00", "net_assets_year_end": "0.00"}});
    assert_eq!(
        k.as_org(&a, Kind::ReportAnnual, report).unwrap_err().code(),
        "year_not_over"
    );
    // Planned project dates may be in the future.
    let mut pr = project_body("P9", "教育");
    pr["start"] = json!("2027-01-01");
    pr["end"] = json!("2026-12-31");
    assert_eq!(
        k.as_org(&a, Kind::ProjectOpen, pr.clone())
            .unwrap_err()
            .code(),
        "bad_dates"
    );
    pr["end"] = json!("2027-12-31");
    k.as_org(&a, Kind::ProjectOpen, pr).unwrap();
}

#[test]
fn personal_data_is_refused_everywhere() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let with = |field: &str, value: Value| {
        let mut v = cash("R1", None, "1.00", "CNY");
        v[field] = value;
        v
    };
    let e = k
        .as_org(&a, Kind::Donation, with("donor_display", json!("张三")))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("unmasked_name", "body.donor_display")
    );
    let e = k
        .as_org(
            &a,
            Kind::Donation,
            with("donor_display", json!("13812345678")),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("personal_data", "body.donor_display")
    );
    let e = k
        .as_org(
            &a,
            Kind::Donation,
            with("receipt_no", json!("110105194912310021")),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("personal_data", "body.receipt_no"));
    // In a disbursement's purpose, with separators.
    let mut p = pay(None, "1.00", "CNY");
    p["purpose"] = json!("联系人电话 139-1234-5678");
    assert_eq!(
        k.as_org(&a, Kind::Disbursement, p).unwrap_err().field(),
        "body.purpose"
    );
    // Beneficiaries are never named, consent or not.
    let mut p = pay(None, "1.00", "CNY");
    p["payee_display"] = json!("李小红");
    assert_eq!(
        k.as_org(&a, Kind::Disbursement, p).unwrap_err().code(),
        "unmasked_name"
    );
    // Named with consent, an individual donor may appear; anonymous donors are "爱心人士".
    let mut v = cash("R1", None, "1.00", "CNY");
    v["donor_display"] = json!("张三");
    v["named_with_consent"] = json!(true);
    k.as_org(&a, Kind::Donation, v).unwrap();
    let mut v = cash("R2", None, "1.00", "CNY");
    v["donor_type"] = json!("anonymous");
    v["donor_display"] = json!("张*");
    assert_eq!(
        k.as_org(&a, Kind::Donation, v.clone()).unwrap_err().code(),
        "unmasked_name"
    );
    v["donor_display"] = json!("爱心人士");
    k.as_org(&a, Kind::Donation, v).unwrap();
}

#[test]
fn duplicate_ids_are_conflicts() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let b = k.register(2, "foundation", false);
    k.project(&a, "P1", "教育");
    k.as_org(&a, Kind::Donation, cash("R1", None, "1.00", "CNY"))
        .unwrap();
    let e = k
        .as_org(&a, Kind::Donation, cash("R1", None, "2.00", "CNY"))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field(), e.is_conflict()),
        ("duplicate_receipt", "body.receipt_no", true)
    );
    // Receipt numbers and project ids are per organisation.
    k.as_org(&b, Kind::Donation, cash("R1", None, "1.00", "CNY"))
        .unwrap();
    k.project(&b, "P1", "教育");
    assert_eq!(
        k.as_org(&a, Kind::ProjectOpen, project_body("P1", "教育"))
            .unwrap_err()
            .code(),
        "duplicate_project"
    );
    let reg = json!({"org": a.as_str(), "name": "重复", "org_type": "foundation", "region": "530000",
        "public_fundraising": false, "registered_on": "2020-01-01", "keys": []});
    assert_eq!(
        k.as_reg(Kind::OrgRegister, reg).unwrap_err().code(),
        "duplicate_org"
    );
}

#[test]
fn public_fundraising_needs_status_and_a_filing_number() {
    let mut k = Kit::new();
    let plain = k.register(1, "foundation", false);
    let public = k.register(2, "foundation", true);
    let mut p = project_body("P1", "救灾");
    p["public_fundraising"] = json!(true);
    assert_eq!(
        k.as_org(&public, Kind::ProjectOpen, p.clone())
            .unwrap_err()
            .code(),
        "filing_required"
    );
    p["fundraising_filing_no"] = json!("53100000500021676KA26001");
    assert_eq!(
        k.as_org(&plain, Kind::ProjectOpen, p.clone())
            .unwrap_err()
            .code(),
        "no_public_fundraising"
    );
    k.as_org(&public, Kind::ProjectOpen, p).unwrap();
    // A disaster campaign may start before its filing and add it by update.
    let mut e = project_body("E1", "救灾");
    e["public_fundraising"] = json!(true);
    e["emergency"] = json!(true);
    k.as_org(&public, Kind::ProjectOpen, e).unwrap();
    k.now = "2026-06-05T04:00:00Z".parse().unwrap();
    let upd = json!({"project": "E1", "as_of": "2026-06-05", "progress": "已完成备案", "document": h(2),
        "fundraising_filing_no": "53100000500021676KA26002", "raised": "0.00"});
    k.as_org(&public, Kind::ProjectUpdate, upd).unwrap();
    let ev = k.state.disclosure_events();
    let e1 = ev
        .projects
        .iter()
        .find(|p| p.project.as_str() == "E1")
        .unwrap();
    assert!(e1.emergency);
    assert_eq!(e1.filing_recorded_at, Some(k.now));
    assert_eq!(e1.updates.len(), 1);
}

#[test]
fn reports_explanations_and_related_parties_feed_the_deadline_rules() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.as_org(&a, Kind::Donation, cash("R1", None, "100.00", "CNY"))
        .unwrap();
    let mut p = pay(None, "30.00", "CNY");
    p["related_party"] = json!(true);
    p["payee_type"] = json!("organisation");
    p["payee_display"] = json!("理事长关联公司");
    let rp = k.as_org(&a, Kind::Disbursement, p).unwrap();
    let report = json!({"year": 2025, "work_report": h(1), "financial_report": h(2), "published_on": "2026-05-20",
        "figures": {"currency": "CNY", "income": "10.00", "charitable_spending": "0.00", "administrative_costs": "0.00",
                    "fundraising_costs": "0.00", "total_spending": "0.00", "net_assets_year_end": "10.00"}});
    let r = k.as_org(&a, Kind::ReportAnnual, report.clone()).unwrap();
    assert_eq!(
        k.as_org(&a, Kind::ReportAnnual, report).unwrap_err().code(),
        "duplicate_report"
    );
    k.as_org(&a, Kind::Explanation, json!({"year": 2025, "subject": "年度慈善活动支出比例", "text": "当年项目延期", "published_on": "2026-05-21"}))
        .unwrap();
    let ev = k.state.disclosure_events();
    assert_eq!(
        (
            ev.annual_reports[0].year,
            ev.annual_reports[0].published.seq
        ),
        (2025, r)
    );
    assert_eq!(ev.related_party[0].paid.seq, rp);
    assert_eq!(ev.related_party[0].amount, m("30.00"));
    let f = k.state.org_year_figures();
    let y2025: Vec<_> = f.iter().filter(|f| f.year == 2025).collect();
    assert_eq!(y2025.len(), 1);
    assert!(y2025[0].explanation_present);
    assert_eq!(y2025[0].annual_report_seq, Some(r));
    assert_eq!(y2025[0].net_assets_year_end, Money::ZERO);
}

#[test]
fn org_keys_needs_a_known_org_and_non_orgs_cannot_act_as_orgs() {
    let mut k = Kit::new();
    let key = crate::ledger::SecretKey::from_seed([77; 32])
        .public()
        .to_hex();
    let e = k
        .as_reg(
            Kind::OrgKeys,
            json!({"org": org_id(5).as_str(), "add": [key]}),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("unknown_org", "body.org"));
    let a = k.register(5, "foundation", false);
    k.as_reg(Kind::OrgKeys, json!({"org": a.as_str(), "add": [key]}))
        .unwrap();
    let e = k
        .submit(
            Kind::Donation,
            &Author::Regulator(reg_id()),
            cash("R1", None, "1.00", "CNY"),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("not_an_org", "author"));
}

#[test]
fn malformed_bodies_are_400s_naming_the_field() {
    let good = cash("R1", None, "1.00", "CNY");
    let cases: Vec<(Value, &str)> = vec![
        (json!([]), "body"),
        (json!({}), "body"),
        (
            {
                let mut v = good.clone();
                v["amount"] = json!(1.5);
                v
            },
            "body.amount",
        ),
        (
            {
                let mut v = good.clone();
                v["amount"] = json!("1.5");
                v
            },
            "body.amount",
        ),
        (
            {
                let mut v = good.clone();
                v["amount"] = json!("-1.00");
                v
            },
            "body.amount",
        ),
        (
            {
                let mut v = good.clone();
                v["currency"] = json!("cny");
                v
            },
            "body.currency",
        ),
        (
            {
                let mut v = good.clone();
                v["extra"] = json!(1);
                v
            },
            "body.extra",
        ),
        (
            {
                let mut v = good.clone();
                v["form"] = json!("crypto");
                v
            },
            "body.form",
        ),
        (
            {
                let mut v = good.clone();
                v["received_on"] = json!("2026/05/20");
                v
            },
            "body.received_on",
        ),
        (
            {
                let mut v = good.clone();
                v["commitment"] = json!("ABC");
                v
            },
            "body.commitment",
        ),
        (
            {
                let mut v = good.clone();
                v["receipt_no"] = json!("a/b");
                v
            },
            "body.receipt_no",
        ),
        (
            {
                let mut v = good.clone();
                v["donor_display"] = json!("x".repeat(65));
                v
            },
            "body.donor_display",
        ),
        (
            {
                let mut v = good.clone();
                v["donor_display"] = json!("  ");
                v
            },
            "body.donor_display",
        ),
        (
            {
                let mut v = good.clone();
                v["donor_display"] = json!("a\u{0}b");
                v
            },
            "body.donor_display",
        ),
        (
            {
                let mut v = good.clone();
                v["restricted_until_year"] = json!(99999);
                v
            },
            "body.restricted_until_year",
        ),
        (
            {
                let mut v = good.clone();
                v["named_with_consent"] = json!("yes");
                v
            },
            "body.named_with_consent",
        ),
    ];
    for (v, field) in cases {
        let e = parse_body(Kind::Donation, &v).unwrap_err();
        assert!(e.is_malformed(), "{v}: {e}");
        assert_eq!(e.field(), field, "{v}: {e}");
    }
    // Every kind survives junk without panicking.
    let junk = [
        json!({}),
        json!({"a": "b"}),
        json!({"id": 1, "amount": {}, "year": -5}),
        json!(null),
        json!("x".repeat(100_000)),
    ];
    for kind in Kind::ALL {
        for j in &junk {
            assert!(parse_body(*kind, j).is_err(), "{kind} {j}");
        }
    }
    let mut p = pay(None, "1.00", "CNY");
    p["evidence"] = json!([]);
    assert_eq!(
        crate::money::bodies::checks::check_static(
            &parse_body(Kind::Disbursement, &p).unwrap(),
            "body",
            NOW.parse().unwrap()
        )
        .unwrap_err()
        .field(),
        "body.evidence"
    );
}
