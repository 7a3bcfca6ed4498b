//! Trusts, lottery grants, reports, and the body-level rules: future dates, personal data,
//! duplicates, malformed bodies.

use serde_json::{Value, json};

use crate::ledger::{Author, Kind};

use super::bodies::parse_body;
use super::testkit::*;
use super::types::{Ident, Money};

fn id(s: &str) -> Ident {
    Ident::parse(s).unwrap()
}

fn trust_body(trustee: &crate::ledger::Uscc) -> Value {
    json!({"trust_id": "T2026-01", "name": "阳光助学慈善信托", "trustee": trustee.as_str(),
        "settlors": [{"settlor_type": "individual", "display": "王*", "commitment": h(1)},
                     {"settlor_type": "organisation", "display": "某科技有限公司", "commitment": h(2)}],
        "supervisor": "某律师事务所", "purpose": "教育", "property": "1000000.00", "currency": "CNY",
        "term_start": "2026-01-10", "term_end": "2036-01-09", "filing_no": "YN-2026-001",
        "filing_authority": "云南省民政厅", "signed_on": "2026-01-03", "filed_on": "2026-01-08"})
}

fn trust_pay(amount: &str, paid_on: &str) -> Value {
    json!({"trust_id": "T2026-01", "amount": amount, "currency": "CNY", "purpose": "奖学金",
        "payee_type": "group", "payee_display": "某县中学32名学生", "evidence": [h(6)], "paid_on": paid_on})
}

#[test]
fn a_trust_through_its_life() {
    let mut k = Kit::new();
    let trustee = k.register(1, "trust_company", false);
    let stranger = k.register(2, "foundation", false);
    // Only a regulator files; the trustee must exist.
    assert_eq!(
        k.as_org(&trustee, Kind::TrustFile, trust_body(&trustee))
            .unwrap_err()
            .code(),
        "not_author"
    );
    assert_eq!(
        k.as_reg(Kind::TrustFile, trust_body(&org_id(99)))
            .unwrap_err()
            .code(),
        "unknown_org"
    );
    let mut unmasked = trust_body(&trustee);
    unmasked["settlors"][0]["display"] = json!("王小明");
    assert_eq!(
        k.as_reg(Kind::TrustFile, unmasked).unwrap_err().field(),
        "body.settlors[0].display"
    );
    k.as_reg(Kind::TrustFile, trust_body(&trustee)).unwrap();
    assert_eq!(
        k.as_reg(Kind::TrustFile, trust_body(&trustee))
            .unwrap_err()
            .code(),
        "duplicate_trust"
    );

    k.as_org(
        &trustee,
        Kind::TrustDisburse,
        trust_pay("300000.00", "2026-03-01"),
    )
    .unwrap();
    k.as_org(
        &trustee,
        Kind::TrustDisburse,
        trust_pay("200000.00", "2026-04-01"),
    )
    .unwrap();
    assert_eq!(
        k.as_org(
            &stranger,
            Kind::TrustDisburse,
            trust_pay("1.00", "2026-04-01")
        )
        .unwrap_err()
        .code(),
        "not_owner"
    );
    let e = k
        .as_org(
            &trustee,
            Kind::TrustDisburse,
            trust_pay("500000.01", "2026-05-01"),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("overdraft", "body.amount"));
    let mut usd = trust_pay("1.00", "2026-05-01");
    usd["currency"] = json!("USD");
    assert_eq!(
        k.as_org(&trustee, Kind::TrustDisburse, usd)
            .unwrap_err()
            .code(),
        "currency_mismatch"
    );
    assert_eq!(
        k.state.trust(&id("T2026-01")).unwrap().balance,
        m("500000.00")
    );

    // The yearly report: only once the year is over, and it must agree with the ledger.
    let report = |disbursed: &str| {
        json!({"trust_id": "T2026-01", "year": 2026, "document": h(7), "disbursed": disbursed,
               "closing_balance": "500000.00", "reported_on": "2027-01-20"})
    };
    assert_eq!(
        k.as_org(&trustee, Kind::TrustReport, report("500000.00"))
            .unwrap_err()
            .code(),
        "future_date"
    );
    k.now = "2027-01-25T02:00:00Z".parse().unwrap();
    assert_eq!(
        k.as_org(&trustee, Kind::TrustReport, report("400000.00"))
            .unwrap_err()
            .code(),
        "figures_mismatch"
    );
    let r = k
        .as_org(&trustee, Kind::TrustReport, report("500000.00"))
        .unwrap();
    assert_eq!(
        k.as_org(&trustee, Kind::TrustReport, report("500000.00"))
            .unwrap_err()
            .code(),
        "duplicate_trust_report"
    );

    // Trust property is not the trustee's: no figures for the trustee.
    assert!(k.state.org_year_figures_for(&trustee, 2026).is_empty());
    let ev = k.state.disclosure_events();
    let t = &ev.trusts[0];
    assert_eq!(
        t.filed.date,
        crate::ledger::time::parse_date("2026-01-08").unwrap()
    );
    assert_eq!(t.reports[&2026].seq, r);
}

fn lottery_grant(grant_id: &str, to: &crate::ledger::Uscc, amount: &str, purpose: &str) -> Value {
    json!({"grant_id": grant_id, "fiscal_year": 2026, "recipient_org": to.as_str(), "recipient_project": "P1",
           "amount": amount, "currency": "CNY", "purpose": purpose, "granted_on": "2026-02-01"})
}

#[test]
fn a_lottery_grant_through_its_life() {
    let mut k = Kit::new();
    let admin = k.register(1, "lottery_administrator", false);
    let a = k.register(2, "social_service_org", false);
    k.project(&a, "P1", "扶老");
    // Only an administrator grants.
    assert_eq!(
        k.as_org(
            &a,
            Kind::LotteryGrant,
            lottery_grant("G0", &a, "1.00", "养老服务")
        )
        .unwrap_err()
        .code(),
        "wrong_org_type"
    );
    k.as_org(
        &admin,
        Kind::LotteryGrant,
        lottery_grant("G1", &a, "50000.00", "养老服务"),
    )
    .unwrap();
    k.as_org(
        &admin,
        Kind::LotteryGrant,
        lottery_grant("G2", &a, "20000.00", "社会救助"),
    )
    .unwrap();
    assert_eq!(
        k.as_org(
            &admin,
            Kind::LotteryGrant,
            lottery_grant("G1", &a, "1.00", "养老服务")
        )
        .unwrap_err()
        .code(),
        "duplicate_grant"
    );

    let usage = |amount: &str| {
        json!({"administrator": admin.as_str(), "grant_id": "G1", "amount": amount, "currency": "CNY",
               "used_for": "社区养老食堂运营", "used_on": "2026-04-01", "evidence": [h(5)]})
    };
    k.as_org(&a, Kind::LotteryUsage, usage("30000.00")).unwrap();
    k.as_org(&a, Kind::LotteryUsage, usage("15000.00")).unwrap();
    let e = k
        .as_org(&a, Kind::LotteryUsage, usage("5000.01"))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("grant_overuse", "body.amount"));
    assert_eq!(
        k.state
            .lottery_grant(&admin, &id("G1"))
            .unwrap()
            .remaining(),
        d("5000.00")
    );
    assert_eq!(
        k.as_org(&admin, Kind::LotteryUsage, usage("1.00"))
            .unwrap_err()
            .code(),
        "not_owner"
    );

    // The announcement must agree with the grants: per purpose, and raised = allocated + carried.
    let announce = |elderly: &str, carried: &str| {
        json!({"fiscal_year": 2026, "currency": "CNY", "raised": "100000.00",
               "allocated": [{"purpose": "养老服务", "amount": elderly}, {"purpose": "社会救助", "amount": "20000.00"}],
               "carried_forward": carried, "announced_on": "2026-05-31", "document": h(3)})
    };
    let e = k
        .as_org(
            &admin,
            Kind::LotteryAnnounce,
            announce("40000.00", "40000.00"),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.allocated[0].amount")
    );
    let e = k
        .as_org(
            &admin,
            Kind::LotteryAnnounce,
            announce("50000.00", "20000.00"),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.carried_forward")
    );
    let mut missing = announce("50000.00", "50000.00");
    missing["allocated"] = json!([{"purpose": "养老服务", "amount": "50000.00"}]);
    assert_eq!(
        k.as_org(&admin, Kind::LotteryAnnounce, missing)
            .unwrap_err()
            .field(),
        "body.allocated"
    );
    k.as_org(
        &admin,
        Kind::LotteryAnnounce,
        announce("50000.00", "30000.00"),
    )
    .unwrap();
    assert_eq!(
        k.as_org(
            &admin,
            Kind::LotteryAnnounce,
            announce("50000.00", "30000.00")
        )
        .unwrap_err()
        .code(),
        "duplicate_announcement"
    );
    // An announced year takes no more grants.
    assert_eq!(
        k.as_org(
            &admin,
            Kind::LotteryGrant,
            lottery_grant("G3", &a, "1.00", "养老服务")
        )
        .unwrap_err()
        .code(),
        "year_announced"
    );

    // Recipient figures: 70000 income, 45000 charitable spending, 25000 unused.
    let f = &k.state.org_year_figures_for(&a, 2026)[0];
    assert_eq!(
        (
            f.lottery_income,
            f.charitable_spending,
            f.net_assets_year_end
        ),
        (m("70000.00"), m("45000.00"), m("25000.00"))
    );
    let ev = k.state.disclosure_events();
    assert_eq!(ev.lottery_years.len(), 1);
    assert_eq!(
        (
            ev.lottery_years[0].grants,
            ev.lottery_years[0].announced.is_some()
        ),
        (2, true)
    );
    assert!(
        k.view_rows()[&format!("org_total/{a}/CNY")].contains("\"lottery_unused\":\"25000.00\"")
    );
}

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
        super::bodies::checks::check_static(
            &parse_body(Kind::Disbursement, &p).unwrap(),
            "body",
            NOW.parse().unwrap()
        )
        .unwrap_err()
        .field(),
        "body.evidence"
    );
}
