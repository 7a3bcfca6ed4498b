//! Organisations over time: every expected figure is worked out by hand in the comments.

use serde_json::{Value, json};

use super::testkit::{Kit, cash, d, h, m, pay, void};
use crate::ledger::{Kind, Uscc};
use crate::money::error::MoneyError;
use crate::money::regulator::compliance::{Basis, Status};
use crate::money::regulator::{OrgCompliance, compliance};
use crate::money::views::keys;

use crate::money::regulator::sides::{AmountItem, Side, difference_of};
use crate::money::views::rows::{self, ComplianceRow};

fn refused(r: Result<u64, MoneyError>, code: &str, field: &str) -> MoneyError {
    match r {
        Ok(seq) => panic!("entry {seq} was accepted; expected {code} at {field}"),
        Err(e) => {
            assert_eq!((e.code(), e.field()), (code, field), "{e}");
            e
        }
    }
}

fn status_change(org: &Uscc, change: &str, on: &str) -> Value {
    json!({"org": org.as_str(), "change": change, "effective_on": on, "decision": h(21)})
}

fn donation_on(receipt: &str, amount: &str, on: &str) -> Value {
    let mut v = cash(receipt, None, amount, "CNY");
    v["received_on"] = json!(on);
    v
}

fn spend_on(category: &str, amount: &str, on: &str) -> Value {
    let mut v = pay(None, amount, "CNY");
    v["category"] = json!(category);
    v["paid_on"] = json!(on);
    if category != "programme" {
        v["payee_type"] = json!("organisation");
        v["payee_display"] = json!("某物业公司");
    }
    v
}

fn row(k: &Kit, org: &Uscc, year: i32) -> OrgCompliance {
    match compliance(&k.state, None)
        .into_iter()
        .find(|c| &c.org == org && c.year == year)
    {
        Some(c) => c,
        None => panic!("no compliance row for {org} {year}"),
    }
}

const SPEND_REV: &str = "charitable_spending_vs_prior_revenue";
const SPEND_NA: &str = "charitable_spending_vs_prior_net_assets";

fn figure<'a>(c: &'a OrgCompliance, id: &str) -> &'a crate::money::regulator::compliance::Figure {
    match c.figures.iter().find(|f| f.id == id) {
        Some(f) => f,
        None => panic!("no figure {id} in {:#?}", c.figures),
    }
}

/// The 2024 and 2025 books of a foundation: 1,000,000.00 received in 2024, then in 2025
/// 300,000.00 spent on programmes and 10,000.00 on administration.
fn foundation_books(k: &mut Kit, org: &Uscc) {
    k.as_org(
        org,
        Kind::Donation,
        donation_on("R1", "1000000.00", "2024-03-01"),
    )
    .expect("2024 donation");
    k.as_org(
        org,
        Kind::Disbursement,
        spend_on("programme", "300000.00", "2025-05-25"),
    )
    .expect("2025 programme");
    k.as_org(
        org,
        Kind::Disbursement,
        spend_on("administration", "10000.00", "2025-05-25"),
    )
    .expect("2025 administration");
}

#[test]
fn each_year_is_judged_with_the_status_in_force_on_its_last_day() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    foundation_books(&mut k, &a);
    // Without status, 2025 is banded by 2024 year-end net assets 1,000,000.00 (< 4,000,000:
    // 8%): 300,000.00 / 1,000,000.00 = 0.30 >= 0.08, a pass.
    let before = row(&k, &a, 2025);
    assert!(!before.public_fundraising);
    assert_eq!(figure(&before, SPEND_NA).status, Status::Pass);

    // Revoking a status it never had changes nothing, and is refused.
    refused(
        k.as_reg(
            Kind::OrgFundraising,
            status_change(&a, "revoked", "2025-06-01"),
        ),
        "status_unchanged",
        "body.change",
    );
    k.as_reg(
        Kind::OrgFundraising,
        status_change(&a, "granted", "2025-06-01"),
    )
    .expect("granted");
    // 2025 now has status (in force on 31 December 2025): the public-fundraising foundation
    // rule, 70% of 2024 revenue 1,000,000.00 = 700,000.00; 300,000.00 is 0.30, a failure.
    let after = row(&k, &a, 2025);
    assert!(after.public_fundraising);
    let s = figure(&after, SPEND_REV);
    assert_eq!((s.status, s.value), (Status::Fail, Some(d("0.3000"))));
    assert_eq!(s.threshold, Some(d("0.70")));
    // Admin 10,000.00 / total 310,000.00 = 0.032258.. -> 0.0323 <= 0.10.
    let admin = figure(&after, "admin_cost_ratio");
    assert_eq!(
        (admin.status, admin.value),
        (Status::Pass, Some(d("0.0323")))
    );
    // 2024 ended before the grant: still judged without status.
    assert!(!row(&k, &a, 2024).public_fundraising);

    // Granted twice is refused too; a change dated before the last one is out of order.
    refused(
        k.as_reg(
            Kind::OrgFundraising,
            status_change(&a, "granted", "2025-09-01"),
        ),
        "status_unchanged",
        "body.change",
    );
    let e = refused(
        k.as_reg(
            Kind::OrgFundraising,
            status_change(&a, "revoked", "2025-01-01"),
        ),
        "bad_dates",
        "body.effective_on",
    );
    assert!(e.to_string().contains("2025-06-01"), "{e}");
    refused(
        k.as_reg(
            Kind::OrgFundraising,
            status_change(&super::testkit::org_id(9), "granted", "2025-01-01"),
        ),
        "unknown_org",
        "body.org",
    );
    // Revoked on 31 December 2025: 2025 ends without status again.
    let revoke = k
        .as_reg(
            Kind::OrgFundraising,
            status_change(&a, "revoked", "2025-12-31"),
        )
        .expect("revoked");
    assert!(!row(&k, &a, 2025).public_fundraising);

    // A regulator voids the revocation: the grant is in force again, and a replay agrees.
    k.as_reg(Kind::Correction, void(revoke)).expect("void");
    assert!(row(&k, &a, 2025).public_fundraising);
    assert_eq!(k.replay().view_rows(), k.view_rows());
    let timeline = k.view_rows()[&keys::ORG_TIME.key(&[&a])].clone();
    assert!(timeline.contains("\"change\":\"granted\""), "{timeline}");
}

#[test]
fn public_fundraising_needs_the_status_on_the_day_of_the_entry() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", true);
    let public = |id: &str| {
        let mut p = super::testkit::project_body(id, "教育");
        p["public_fundraising"] = json!(true);
        p["fundraising_filing_no"] = json!("53000020260001");
        p
    };
    k.as_org(&a, Kind::ProjectOpen, public("P1"))
        .expect("held at registration");
    // Revoked from 2026-03-01; the kit records on 2026-06-01.
    k.as_reg(
        Kind::OrgFundraising,
        status_change(&a, "revoked", "2026-03-01"),
    )
    .expect("revoked");
    refused(
        k.as_org(&a, Kind::ProjectOpen, public("P2")),
        "no_public_fundraising",
        "body.public_fundraising",
    );
    // A change before the registration (2020-01-01) is refused.
    refused(
        k.as_reg(
            Kind::OrgFundraising,
            status_change(&a, "granted", "2019-12-31"),
        ),
        "bad_dates",
        "body.effective_on",
    );
}

#[test]
fn a_registration_change_applies_from_its_date() {
    let mut k = Kit::new();
    let a = k.register(1, "social_group", false);
    let change = |extra: Value| {
        let mut v = json!({"org": a.as_str(), "effective_on": "2025-07-01", "decision": h(22)});
        for (key, val) in extra.as_object().into_iter().flatten() {
            v[key] = val.clone();
        }
        v
    };
    let e = refused(
        k.as_reg(Kind::OrgChange, change(json!({}))),
        "invalid_body",
        "body",
    );
    assert!(e.to_string().contains("at least one"), "{e}");
    refused(
        k.as_reg(
            Kind::OrgChange,
            change(json!({"org_type": "trust_company"})),
        ),
        "wrong_org_type",
        "body.org_type",
    );
    k.as_reg(
        Kind::OrgChange,
        change(json!({"org_type": "foundation", "name": "测试基金会一号"})),
    )
    .expect("change");
    let in_year = |y| k.state.books().org_facts_in_year(&a, y).expect("facts");
    let y2024 = in_year(2024);
    let y2025 = in_year(2025);
    assert_eq!(y2024.org_type.as_str(), "social_group");
    assert_eq!(y2024.name.as_str(), "测试基金会1");
    assert_eq!(y2025.org_type.as_str(), "foundation");
    assert_eq!(y2025.name.as_str(), "测试基金会一号");
    // The registration entry itself still says what it said.
    assert_eq!(
        k.state.org(&a).map(|o| o.register.org_type.as_str()),
        Some("social_group")
    );
    let mut earlier = change(json!({"region": "110000"}));
    earlier["effective_on"] = json!("2025-06-30");
    refused(
        k.as_reg(Kind::OrgChange, earlier),
        "bad_dates",
        "body.effective_on",
    );
}

fn opening(as_of: &str, net: &str, restricted: &str, unrestricted: &str) -> Value {
    json!({"as_of": as_of, "currency": "CNY", "net_assets": net, "restricted": restricted,
           "unrestricted": unrestricted, "document": h(23)})
}

/// Issue 14: a foundation with a 100,000,000.00 endowment was banded as if it had only what
/// passed through the ledger.
#[test]
fn an_opening_balance_bands_the_first_year_by_real_net_assets() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    refused(
        k.as_org(
            &a,
            Kind::OrgOpening,
            opening("2024-12-31", "100000000.00", "30000000.00", "69999999.99"),
        ),
        "opening_balance",
        "body.net_assets",
    );
    refused(
        k.as_org(
            &a,
            Kind::OrgOpening,
            opening("2024-06-30", "100000000.00", "30000000.00", "70000000.00"),
        ),
        "bad_dates",
        "body.as_of",
    );
    // Registered 2020-01-01: a balance of 2019 was another body's.
    refused(
        k.as_org(
            &a,
            Kind::OrgOpening,
            opening("2019-12-31", "100000000.00", "30000000.00", "70000000.00"),
        ),
        "bad_dates",
        "body.as_of",
    );
    k.as_org(
        &a,
        Kind::OrgOpening,
        opening("2024-12-31", "100000000.00", "30000000.00", "70000000.00"),
    )
    .expect("opening");
    refused(
        k.as_org(
            &a,
            Kind::OrgOpening,
            opening("2025-12-31", "1.00", "0.00", "1.00"),
        ),
        "duplicate_opening",
        "body.as_of",
    );
    k.as_org(
        &a,
        Kind::Donation,
        donation_on("R1", "7000000.00", "2025-01-10"),
    )
    .expect("donation");
    k.as_org(
        &a,
        Kind::Disbursement,
        spend_on("programme", "5000000.00", "2025-05-25"),
    )
    .expect("programme");

    let figures = k.state.org_year_figures();
    let y2024 = figures.iter().find(|f| f.year == 2024).expect("2024 row");
    assert_eq!(y2024.opening_net_assets, Some(m("100000000.00")));
    assert_eq!(y2024.net_assets_year_end, m("100000000.00"));
    // 100,000,000.00 + 7,000,000.00 - 5,000,000.00.
    let y2025 = figures.iter().find(|f| f.year == 2025).expect("2025 row");
    assert_eq!(y2025.net_assets_year_end, m("102000000.00"));

    // Band >= 60,000,000: 6% of 100,000,000.00 = 6,000,000.00; 5,000,000.00 is 0.05, short.
    let c = row(&k, &a, 2025);
    let s = figure(&c, SPEND_NA);
    assert_eq!((s.status, s.threshold), (Status::Fail, Some(d("0.06"))));
    assert_eq!(s.bases[0].base, Some(d("100000000.00")));
    assert_eq!(s.value, Some(d("0.0500")));
    // The opening year is not the ledger's to judge.
    assert!(compliance(&k.state, None).iter().all(|c| c.year != 2024));
    assert_eq!(k.replay().view_rows(), k.view_rows());
}

fn report(year: i32, audited: Option<Value>, audit_report: bool) -> Value {
    let mut r = json!({"year": year, "work_report": h(1), "financial_report": h(2),
        "published_on": "2026-05-20",
        "figures": {"currency": "CNY", "income": "1200000.00", "charitable_spending": "900000.00",
            "administrative_costs": "100000.00", "fundraising_costs": "0.00",
            "total_spending": "1050000.00", "net_assets_year_end": "5000000.00"}});
    if let Some(a) = audited {
        r["audited"] = a;
    }
    if audit_report {
        r["audit_report"] = json!(h(3));
    }
    r
}

fn audited_2024() -> Value {
    json!({"total_revenue": "1200000.00", "donations": "1000000.00",
        "government_grants": "100000.00", "investment_income": "50000.00",
        "service_income": "50000.00", "other_income": "0.00",
        "charitable_expenditure": "900000.00", "management_costs": "100000.00",
        "total_expenditure": "1050000.00", "net_assets_year_end": "5000000.00"})
}

#[test]
fn audited_figures_are_used_and_shown_beside_the_ledgers_with_differences_flagged() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", true);
    k.as_org(
        &a,
        Kind::Donation,
        donation_on("R1", "1000000.00", "2024-03-01"),
    )
    .expect("2024 donation");
    k.as_org(
        &a,
        Kind::Disbursement,
        spend_on("programme", "800000.00", "2025-05-25"),
    )
    .expect("2025 programme");
    // On the ledger's own 2024 revenue, 1,000,000.00: 800,000.00 / 1,000,000.00 = 0.80 passes.
    assert_eq!(figure(&row(&k, &a, 2025), SPEND_REV).status, Status::Pass);

    let mut bad = audited_2024();
    bad["other_income"] = json!("0.01");
    let e = refused(
        k.as_org(&a, Kind::ReportAnnual, report(2024, Some(bad), true)),
        "parts_mismatch",
        "body.audited.total_revenue",
    );
    // 1,000,000 + 100,000 + 50,000 + 50,000 + 0.01.
    assert!(e.to_string().contains("1200000.01"), "{e}");
    let mut over = audited_2024();
    over["total_expenditure"] = json!("999999.99");
    refused(
        k.as_org(&a, Kind::ReportAnnual, report(2024, Some(over), true)),
        "parts_mismatch",
        "body.audited.total_expenditure",
    );
    refused(
        k.as_org(
            &a,
            Kind::ReportAnnual,
            report(2024, Some(audited_2024()), false),
        ),
        "audit_report_missing",
        "body.audit_report",
    );
    k.as_org(
        &a,
        Kind::ReportAnnual,
        report(2024, Some(audited_2024()), true),
    )
    .expect("report");

    // On the audited 2024 revenue, 1,200,000.00: 70% = 840,000.00; 800,000.00 / 1,200,000.00
    // = 0.6666.. -> 0.6667, a failure.
    let c = row(&k, &a, 2025);
    let s = figure(&c, SPEND_REV);
    assert_eq!((s.status, s.value), (Status::Fail, Some(d("0.6667"))));
    assert_eq!(s.decided_by, Some(Basis::PriorYear));
    assert_eq!(s.bases[0].base, Some(d("1200000.00")));

    let y2024 = c.sides.iter().find(|y| y.year == 2024).expect("2024 sides");
    assert_eq!(y2024.used, Side::Audited);
    assert_eq!(y2024.ledger.revenue, m("1000000.00"));
    assert_eq!(
        y2024.audited.as_ref().map(|a| a.revenue),
        Some(m("1200000.00"))
    );
    // audited - ledger: revenue 1,200,000 - 1,000,000; donations agree (1,000,000 each);
    // charitable 900,000 - 0; admin 100,000 - 0; total 1,050,000 - 0; net assets
    // 5,000,000 - 1,000,000.
    assert_eq!(difference_of(y2024, "revenue"), Some(d("200000.00")));
    assert_eq!(difference_of(y2024, "donations"), None);
    assert_eq!(
        difference_of(y2024, "charitable_spending"),
        Some(d("900000.00"))
    );
    assert_eq!(difference_of(y2024, "admin_costs"), Some(d("100000.00")));
    assert_eq!(
        difference_of(y2024, "total_spending"),
        Some(d("1050000.00"))
    );
    assert_eq!(
        difference_of(y2024, "net_assets_year_end"),
        Some(d("4000000.00"))
    );
    assert_eq!(y2024.differences.len(), 5);
    let y2025 = c.sides.iter().find(|y| y.year == 2025).expect("2025 sides");
    assert_eq!((y2025.used, y2025.audited.is_none()), (Side::Ledger, true));
    assert!(y2025.differences.is_empty());

    // The stored row reads back as its type, to the same bytes and the same differences; a
    // difference is spelled as the untyped writer spelled it (item and labels as strings).
    let key = keys::COMPLIANCE.key(&[&a, &2025, &"CNY"]);
    let stored = crate::money::regulator::view_rows(&k.state, None)
        .remove(&key)
        .expect("the 2025 compliance row");
    let back: ComplianceRow = rows::read(&key, &stored).expect("reads as its type");
    assert_eq!(back, c);
    let again = rows::typed_family(&key).map(|t| t.again(&key, &stored));
    assert_eq!(again, Some(Ok(stored.clone())));
    assert!(
        stored.contains(
            r#"{"audited":"1200000.00","difference":"200000.00","item":"revenue","label_en":"Total revenue","label_zh":"收入合计","ledger":"1000000.00"}"#
        ),
        "{stored}"
    );
    let by_item: Vec<_> = y2024.differences.iter().map(|x| x.item).collect();
    assert_eq!(
        by_item,
        [
            AmountItem::Revenue,
            AmountItem::CharitableSpending,
            AmountItem::AdminCosts,
            AmountItem::TotalSpending,
            AmountItem::NetAssetsYearEnd
        ]
    );
    // An item no row names, or a difference written as "1.5", does not read.
    for (from, to) in [
        (r#""item":"revenue""#, r#""item":"income""#),
        (r#""difference":"200000.00""#, r#""difference":"1.5""#),
    ] {
        let bad = stored.replacen(from, to, 1);
        assert_ne!(bad, stored);
        let e = rows::check(&key, &bad).expect_err(to);
        assert_eq!(e.key, key);
    }

    // A report without audited figures still reads and means what it did.
    let mut k2 = Kit::new();
    let b = k2.register(2, "foundation", true);
    k2.as_org(&b, Kind::ReportAnnual, report(2024, None, false))
        .expect("plain report");
    let text = &k2.view_rows()[&keys::REPORT.key(&[&b, &2024])];
    assert!(!text.contains("audited"), "{text}");
    assert_eq!(k.replay().view_rows(), k.view_rows());
}

#[test]
fn the_rule_table_parses_and_cites_what_was_checked() {
    let t = match crate::money::rules::org_time::table() {
        Ok(t) => t,
        Err(e) => panic!("rules/org_time.json: {e}"),
    };
    for code in [
        "status_unchanged",
        "year_status",
        "registration_change",
        "opening_balance",
        "parts_mismatch",
        "audit_report_missing",
    ] {
        assert!(t.rule(code).is_some(), "{code}");
        assert!(
            !crate::money::rules::org_time::cite(code).is_empty(),
            "{code}"
        );
    }
    assert!(crate::money::rules::org_time::cite("status_unchanged").contains("第二十二条"));
    // The revocation article and the registration regulations' articles were not retrieved.
    assert!(crate::money::rules::org_time::cite("status_unchanged").contains("[unconfirmed]"));
    assert!(crate::money::rules::org_time::cite("registration_change").contains("[unconfirmed]"));
}
