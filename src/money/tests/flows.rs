//! Scenario tests of funds, balances, trace and figures, with hand-computed expectations.

use serde_json::json;

use crate::ledger::{Currency, Kind, Uscc};

use super::testkit::*;
use crate::money::books::funds::FundKey;
use crate::money::types::Money;

fn fund(org: &Uscc, project: Option<&str>) -> FundKey {
    FundKey {
        org: org.clone(),
        project: project.map(id),
        currency: Currency::CNY,
    }
}

fn bal(k: &Kit, org: &Uscc, project: Option<&str>) -> Money {
    k.state.balance(&fund(org, project))
}

#[test]
fn restricted_and_unrestricted_funds_are_kept_apart() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "教育");
    k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "1000.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Donation, cash("R2", None, "500.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Donation, cash("R3", Some("P1"), "300.00", "CNY"))
        .unwrap();
    let d1 = k
        .as_org(&a, Kind::Disbursement, pay(Some("P1"), "1200.00", "CNY"))
        .unwrap();
    let mut admin = pay(None, "50.00", "CNY");
    admin["category"] = json!("administration");
    admin["payee_type"] = json!("organisation");
    admin["payee_display"] = json!("某会计师事务所");
    k.as_org(&a, Kind::Disbursement, admin).unwrap();

    assert_eq!(bal(&k, &a, Some("P1")), m("100.00"));
    assert_eq!(bal(&k, &a, None), m("450.00"));
    // The project's 100.00 cannot pay 200.00 even though the organisation holds 550.00.
    let e = k
        .as_org(&a, Kind::Disbursement, pay(Some("P1"), "200.00", "CNY"))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("overdraft", "body.amount"));

    let f = k.state.org_year_figures_for(&a, 2026);
    assert_eq!(f.len(), 1);
    let f = &f[0];
    assert_eq!(f.income, m("1800.00"));
    assert_eq!(f.donation_income, m("1800.00"));
    assert_eq!(f.charitable_spending, m("1200.00"));
    assert_eq!(f.administrative_costs, m("50.00"));
    assert_eq!(f.total_spending, m("1250.00"));
    assert_eq!(f.net_assets_year_end, m("550.00"));
    assert!(!f.explanation_present);

    // FIFO: the 1200.00 took all of R1 (1000.00) and 200.00 of R3.
    let t1 = k.trace(&a, &id("R1")).unwrap();
    assert_eq!(t1.spent.len(), 1);
    assert_eq!((t1.spent[0].seq, t1.spent[0].amount), (d1, m("1000.00")));
    assert_eq!(t1.unspent_total, Money::ZERO);
    let t3 = k.trace(&a, &id("R3")).unwrap();
    assert_eq!(t3.spent_total, m("200.00"));
    assert_eq!(t3.unspent_total, m("100.00"));
    assert_eq!(t3.unspent[0].fund, fund(&a, Some("P1")));
    // The unrestricted donation paid the administrative cost.
    let t2 = k.trace(&a, &id("R2")).unwrap();
    assert_eq!(t2.spent_total, m("50.00"));
    assert_eq!(t2.unspent_total, m("450.00"));

    let rows = k.view_rows();
    assert_eq!(
        rows[&format!("balance/{a}/project/P1/CNY")],
        r#"{"balance":"100.00"}"#
    );
    assert_eq!(
        rows[&format!("org_total/{a}/CNY")],
        r#"{"lottery_unused":"0.00","restricted":"100.00","total":"550.00","unrestricted":"450.00"}"#
    );
    assert_eq!(
        rows["totals/year/2026/CNY"],
        r#"{"disbursed":"1250.00","donations":"1800.00","granted":"0.00"}"#
    );
    assert_eq!(
        rows["totals/purpose/教育/2026/CNY"],
        r#"{"disbursed":"1200.00","donations":"1300.00","granted":"0.00"}"#
    );
}

#[test]
fn overdraft_is_refused_and_nothing_changes() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "教育");
    k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "100.00", "CNY"))
        .unwrap();
    let before = k.view_rows();
    let seq_before = k.state.last_seq();
    let e = k
        .as_org(&a, Kind::Disbursement, pay(Some("P1"), "100.01", "CNY"))
        .unwrap_err();
    assert_eq!(e.code(), "overdraft");
    assert!(!e.is_conflict() && !e.is_malformed());
    // Another currency is another fund: the CNY money cannot pay USD.
    let e = k
        .as_org(&a, Kind::Disbursement, pay(Some("P1"), "1.00", "USD"))
        .unwrap_err();
    assert_eq!(e.code(), "overdraft");
    assert_eq!(k.view_rows(), before);
    assert_eq!(k.state.last_seq(), seq_before);
    k.as_org(&a, Kind::Disbursement, pay(Some("P1"), "100.00", "CNY"))
        .unwrap();
    assert_eq!(bal(&k, &a, Some("P1")), Money::ZERO);
}

#[test]
fn in_kind_donations_count_only_with_a_valuation() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "救灾");
    let goods = |receipt: &str| {
        json!({"receipt_no": receipt, "project": "P1", "received_on": "2026-05-20", "form": "in_kind",
               "in_kind": {"description": "矿泉水", "quantity": "1200", "unit": "箱"},
               "donor_type": "organisation", "donor_display": "某饮料有限公司", "receipt": "issued", "commitment": h(4)})
    };
    // Without a valuation proof: quantity only, no amount, nothing counted.
    k.as_org(&a, Kind::Donation, goods("G1")).unwrap();
    assert_eq!(bal(&k, &a, Some("P1")), Money::ZERO);
    let t = k.trace(&a, &id("G1")).unwrap();
    assert_eq!((t.amount, t.spent.len()), (None, 0));
    // An amount without the proof is refused.
    let mut v = goods("G2");
    v["amount"] = json!("800.00");
    v["currency"] = json!("CNY");
    let e = k.as_org(&a, Kind::Donation, v.clone()).unwrap_err();
    assert_eq!((e.code(), e.field()), ("donation_form", "body.amount"));
    // With the proof, the fair value counts as in-kind income and in the fund.
    v["in_kind"]["valuation_proof"] = json!(h(5));
    k.as_org(&a, Kind::Donation, v).unwrap();
    assert_eq!(bal(&k, &a, Some("P1")), m("800.00"));
    // A valued proof with no amount is refused too.
    let mut w = goods("G3");
    w["in_kind"]["valuation_proof"] = json!(h(5));
    assert_eq!(
        k.as_org(&a, Kind::Donation, w).unwrap_err().code(),
        "donation_form"
    );
    let f = &k.state.org_year_figures_for(&a, 2026)[0];
    assert_eq!(
        (f.in_kind_income, f.donation_income, f.income),
        (m("800.00"), Money::ZERO, m("800.00"))
    );
    // Cash never carries goods.
    let mut c = cash("C1", None, "1.00", "CNY");
    c["in_kind"] = json!({"description": "x", "quantity": "1", "unit": "个"});
    assert_eq!(
        k.as_org(&a, Kind::Donation, c).unwrap_err().field(),
        "body.in_kind"
    );
}

#[test]
fn a_transfer_is_traced_across_two_organisations() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let b = k.register(2, "social_service_org", false);
    k.project(&a, "PA", "教育");
    k.project(&b, "PB", "教育");
    k.as_org(&a, Kind::Donation, cash("R1", Some("PA"), "1000.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Donation, cash("R2", Some("PA"), "500.00", "CNY"))
        .unwrap();
    let d1 = k
        .as_org(&a, Kind::Disbursement, pay(Some("PA"), "600.00", "CNY"))
        .unwrap();
    let t = k
        .as_org(
            &a,
            Kind::GrantTransfer,
            grant(Some("PA"), &b, "PB", "700.00", "CNY"),
        )
        .unwrap();
    k.as_org(&b, Kind::Donation, cash("B9", Some("PB"), "200.00", "CNY"))
        .unwrap();
    let d2 = k
        .as_org(&b, Kind::Disbursement, pay(Some("PB"), "500.00", "CNY"))
        .unwrap();
    let d3 = k
        .as_org(&b, Kind::Disbursement, pay(Some("PB"), "250.00", "CNY"))
        .unwrap();

    // PA: 1500 - 600 - 700 = 200 (all R2). PB: 700 + 200 - 750 = 150 (all B9).
    assert_eq!(bal(&k, &a, Some("PA")), m("200.00"));
    assert_eq!(bal(&k, &b, Some("PB")), m("150.00"));

    // R1 1000: 600 in d1; 400 moved by t, then spent in d2 at B.
    let r1 = k.trace(&a, &id("R1")).unwrap();
    let spent: Vec<_> = r1
        .spent
        .iter()
        .map(|s| (s.seq, s.fund.org.clone(), s.amount, s.via.clone()))
        .collect();
    assert_eq!(
        spent,
        vec![
            (d1, a.clone(), m("600.00"), vec![]),
            (d2, b.clone(), m("400.00"), vec![t])
        ]
    );
    assert_eq!(r1.moved.len(), 1);
    assert_eq!((r1.moved[0].seq, r1.moved[0].amount), (t, m("400.00")));
    assert_eq!(r1.unspent_total, Money::ZERO);
    // R2 500: 300 moved by t; at B 100 in d2 and 200 in d3; 200 still in PA.
    let r2 = k.trace(&a, &id("R2")).unwrap();
    let spent: Vec<_> = r2.spent.iter().map(|s| (s.seq, s.amount)).collect();
    assert_eq!(spent, vec![(d2, m("100.00")), (d3, m("200.00"))]);
    assert_eq!(r2.unspent.len(), 1);
    assert_eq!(
        (r2.unspent[0].fund.clone(), r2.unspent[0].amount),
        (fund(&a, Some("PA")), m("200.00"))
    );
    // B9 200: queued behind the transferred money, 50 spent in d3, 150 left.
    let b9 = k.trace(&b, &id("B9")).unwrap();
    assert_eq!(
        (b9.spent_total, b9.unspent_total),
        (m("50.00"), m("150.00"))
    );

    // A grant is an expense for the giver and income for the receiver.
    let fa = &k.state.org_year_figures_for(&a, 2026)[0];
    assert_eq!(
        (fa.income, fa.charitable_spending, fa.net_assets_year_end),
        (m("1500.00"), m("1300.00"), m("200.00"))
    );
    let fb = &k.state.org_year_figures_for(&b, 2026)[0];
    assert_eq!(
        (fb.grant_income, fb.income, fb.charitable_spending),
        (m("700.00"), m("900.00"), m("750.00"))
    );
    assert_eq!(fb.net_assets_year_end, m("150.00"));

    // A grant to oneself, or beyond the balance, is refused.
    let e = k
        .as_org(
            &a,
            Kind::GrantTransfer,
            grant(Some("PA"), &a, "PA", "1.00", "CNY"),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("self_transfer", "body.to_org"));
    let e = k
        .as_org(
            &a,
            Kind::GrantTransfer,
            grant(Some("PA"), &b, "PB", "200.01", "CNY"),
        )
        .unwrap_err();
    assert_eq!(e.code(), "overdraft");
    let e = k
        .as_org(
            &a,
            Kind::GrantTransfer,
            grant(Some("PA"), &b, "NOPE", "1.00", "CNY"),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("unknown_project", "body.to_project")
    );
}

#[test]
fn a_closed_project_refuses_donations_and_its_leftover_goes_to_a_similar_project() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let b = k.register(2, "foundation", false);
    k.project(&a, "P1", "扶老");
    k.project(&a, "P2", "教育");
    k.project(&b, "Q1", "扶老");
    k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "300.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Disbursement, pay(Some("P1"), "120.00", "CNY"))
        .unwrap();
    let close = |leftover: &str, org: &Uscc, to: &str| {
        json!({"project": "P1", "closed_on": "2026-05-30", "summary": "项目结束",
               "leftover": [{"amount": leftover, "currency": "CNY"}],
               "leftover_to": {"org": org.as_str(), "project": to}})
    };
    let e = k
        .as_org(&a, Kind::ProjectClose, close("100.00", &b, "Q1"))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("leftover_mismatch", "body.leftover")
    );
    let e = k
        .as_org(&a, Kind::ProjectClose, close("180.00", &a, "P2"))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("dissimilar_project", "body.leftover_to.project")
    );
    let mut no_dest = close("180.00", &b, "Q1");
    no_dest.as_object_mut().unwrap().remove("leftover_to");
    assert!(
        k.as_org(&a, Kind::ProjectClose, no_dest)
            .unwrap_err()
            .is_malformed()
    );
    let c = k
        .as_org(&a, Kind::ProjectClose, close("180.00", &b, "Q1"))
        .unwrap();

    assert_eq!(bal(&k, &a, Some("P1")), Money::ZERO);
    assert_eq!(bal(&k, &b, Some("Q1")), m("180.00"));
    let e = k
        .as_org(&a, Kind::Donation, cash("R2", Some("P1"), "10.00", "CNY"))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("project_closed", "body.project"));
    let e = k
        .as_org(
            &a,
            Kind::ProjectClose,
            json!({"project": "P1", "closed_on": "2026-05-30", "summary": "再次"}),
        )
        .unwrap_err();
    assert_eq!(e.code(), "project_closed");
    // The trace follows the leftover into the other organisation's project.
    let t = k.trace(&a, &id("R1")).unwrap();
    assert_eq!(
        (t.moved[0].seq, t.moved[0].kind, t.moved[0].amount),
        (c, Kind::ProjectClose, m("180.00"))
    );
    assert_eq!(t.unspent[0].fund, fund(&b, Some("Q1")));
    // Close event for the deadline rules.
    let ev = k.state.disclosure_events();
    let p = ev
        .projects
        .iter()
        .find(|p| p.project.as_str() == "P1")
        .unwrap();
    assert_eq!(p.closed.as_ref().map(|d| d.seq), Some(c));
}

#[test]
fn restricted_until_later_year_is_reported_in_both_years() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let mut v = cash("R1", None, "600.00", "CNY");
    v["restricted_until_year"] = json!(2028);
    k.as_org(&a, Kind::Donation, v).unwrap();
    let mut bad = cash("R2", None, "1.00", "CNY");
    bad["restricted_until_year"] = json!(2026);
    assert_eq!(
        k.as_org(&a, Kind::Donation, bad).unwrap_err().code(),
        "bad_dates"
    );
    let f = k.state.org_year_figures();
    let years: Vec<_> = f
        .iter()
        .map(|f| {
            (
                f.year,
                f.restricted_for_later_years,
                f.released_from_restriction,
                f.net_assets_year_end,
            )
        })
        .collect();
    assert_eq!(
        years,
        vec![
            (2026, m("600.00"), Money::ZERO, m("600.00")),
            (2027, Money::ZERO, Money::ZERO, m("600.00")),
            (2028, Money::ZERO, m("600.00"), m("600.00")),
        ]
    );
}
