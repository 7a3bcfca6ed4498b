//! Restricted money spent as restricted (issue 14): refusals with their rule code and field,
//! nothing changed by a refused entry, and the cases that stay allowed. Amounts by hand.

use serde_json::{Value, json};

use crate::ledger::{Currency, Kind, Uscc};

use super::testkit::*;
use crate::money::books::funds::FundKey;
use crate::money::types::Money;

fn bal(k: &Kit, org: &Uscc, project: Option<&str>) -> Money {
    k.state.balance(&FundKey {
        org: org.clone(),
        project: project.map(id),
        currency: Currency::CNY,
    })
}

/// A disbursement of `category` from `project` (or unrestricted money).
fn cost(project: Option<&str>, amount: &str, category: &str) -> Value {
    let mut v = pay(project, amount, "CNY");
    v["category"] = json!(category);
    v["payee_type"] = json!("organisation");
    v["payee_display"] = json!("某物业管理有限公司");
    v
}

#[test]
fn administration_and_fundraising_never_come_from_a_project_donors_restricted() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", true);
    k.project(&a, "P1", "教育");
    k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "5000.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Donation, cash("R2", None, "3000.00", "CNY"))
        .unwrap();
    // Issue 14: a 2,000.00 administration disbursement was paid from the donor's project.
    let msg = refused(
        &mut k,
        &a,
        Kind::Disbursement,
        cost(Some("P1"), "2000.00", "administration"),
        "restricted_to_project",
        "body.category",
    );
    assert!(
        msg.contains("P1") && msg.contains("administration"),
        "{msg}"
    );
    assert!(
        msg.contains("第五十五条"),
        "the refusal cites its article: {msg}"
    );
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        cost(Some("P1"), "10.00", "fundraising"),
        "restricted_to_project",
        "body.category",
    );
    // Allowed: the project's charitable activity from its money, costs from unrestricted money.
    k.as_org(&a, Kind::Disbursement, pay(Some("P1"), "1500.00", "CNY"))
        .unwrap();
    k.as_org(
        &a,
        Kind::Disbursement,
        cost(None, "2000.00", "administration"),
    )
    .unwrap();
    k.as_org(&a, Kind::Disbursement, cost(None, "100.00", "fundraising"))
        .unwrap();
    // 5,000.00 - 1,500.00 = 3,500.00; 3,000.00 - 2,000.00 - 100.00 = 900.00.
    assert_eq!(bal(&k, &a, Some("P1")), m("3500.00"));
    assert_eq!(bal(&k, &a, None), m("900.00"));
    // The donor's trace shows only charitable activity.
    let t = k.trace(&a, &id("R1")).unwrap();
    assert_eq!(t.spent.len(), 1);
    assert_eq!(t.spent[0].category.to_string(), "programme");
}

#[test]
fn a_moved_leftover_and_a_grant_stay_restricted_to_the_receiving_project() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let b = k.register(2, "foundation", false);
    k.project(&a, "P1", "扶老");
    k.project(&a, "P2", "扶老");
    k.project(&b, "Q1", "教育");
    k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "300.00", "CNY"))
        .unwrap();
    k.as_org(&a, Kind::Donation, cash("R9", None, "50.00", "CNY"))
        .unwrap();
    // P1 closes; its 300.00 moves to the similar project P2 of the same organisation.
    k.as_org(
        &a,
        Kind::ProjectClose,
        json!({"project": "P1", "closed_on": "2026-05-30", "summary": "项目结束",
               "leftover": [{"amount": "300.00", "currency": "CNY"}],
               "leftover_to": {"org": a.as_str(), "project": "P2"}}),
    )
    .unwrap();
    assert_eq!(bal(&k, &a, Some("P2")), m("300.00"));
    // Issue 14: the moved leftover was then spent as administration.
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        cost(Some("P2"), "40.00", "administration"),
        "restricted_to_project",
        "body.category",
    );
    // Money granted into a project is restricted to it too.
    k.as_org(&b, Kind::Donation, cash("S1", None, "200.00", "CNY"))
        .unwrap();
    k.as_org(
        &b,
        Kind::GrantTransfer,
        grant(None, &a, "P2", "200.00", "CNY"),
    )
    .unwrap();
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        cost(Some("P2"), "500.00", "fundraising"),
        "restricted_to_project",
        "body.category",
    );
    // Allowed: P2's charitable activity (300.00 + 200.00 = 500.00), administration from the
    // unrestricted 50.00.
    k.as_org(&a, Kind::Disbursement, pay(Some("P2"), "500.00", "CNY"))
        .unwrap();
    k.as_org(
        &a,
        Kind::Disbursement,
        cost(None, "50.00", "administration"),
    )
    .unwrap();
    let t = k.trace(&a, &id("R1")).unwrap();
    assert_eq!((t.spent_total, t.spent.len()), (m("300.00"), 1));
    assert_eq!(t.spent[0].category.to_string(), "programme");
    assert_eq!(t.spent[0].fund.project, Some(id("P2")));
}

#[test]
fn time_restricted_money_waits_for_its_year_and_its_release_shows_then() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let b = k.register(2, "foundation", false);
    k.project(&b, "Q1", "教育");
    // R1 (first in) 600.00 restricted until 2027, then R2 100.00 free to use.
    let mut v = cash("R1", None, "600.00", "CNY");
    v["restricted_until_year"] = json!(2027);
    k.as_org(&a, Kind::Donation, v).unwrap();
    k.as_org(&a, Kind::Donation, cash("R2", None, "100.00", "CNY"))
        .unwrap();
    // 2026: 700.00 held, 100.00 usable. 150.00 is refused as time-restricted (not overdraft).
    let msg = refused(
        &mut k,
        &a,
        Kind::Disbursement,
        pay(None, "150.00", "CNY"),
        "time_restricted",
        "body.amount",
    );
    assert!(msg.contains("100.00") && msg.contains("2027"), "{msg}");
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        cost(None, "150.00", "administration"),
        "time_restricted",
        "body.amount",
    );
    refused(
        &mut k,
        &a,
        Kind::GrantTransfer,
        grant(None, &b, "Q1", "101.00", "CNY"),
        "time_restricted",
        "body.amount",
    );
    // Beyond the whole balance is still an overdraft.
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        pay(None, "700.01", "CNY"),
        "overdraft",
        "body.amount",
    );
    // 100.00 is allowed, and first in, first out passes over the restricted R1: R2 pays.
    k.as_org(&a, Kind::Disbursement, pay(None, "100.00", "CNY"))
        .unwrap();
    assert_eq!(k.trace(&a, &id("R1")).unwrap().spent_total, Money::ZERO);
    assert_eq!(k.trace(&a, &id("R2")).unwrap().spent_total, m("100.00"));

    // 2027: released. Administration may use it (it was restricted in time only).
    k.now = "2027-01-10T02:00:00Z".parse().unwrap();
    let mut admin = cost(None, "600.00", "administration");
    admin["paid_on"] = json!("2027-01-05");
    k.as_org(&a, Kind::Disbursement, admin).unwrap();
    assert_eq!(k.trace(&a, &id("R1")).unwrap().spent_total, m("600.00"));

    // Figures: 2026 revenue 700.00 of which 600.00 restricted to later years; the release
    // shows in 2027, the year it happens.
    let f: Vec<_> = k
        .state
        .org_year_figures()
        .into_iter()
        .filter(|f| f.org == a)
        .map(|f| {
            (
                f.year,
                f.income,
                f.restricted_for_later_years,
                f.released_from_restriction,
            )
        })
        .collect();
    assert_eq!(
        f,
        vec![
            (2026, m("700.00"), m("600.00"), Money::ZERO),
            (2027, Money::ZERO, Money::ZERO, m("600.00")),
        ]
    );
}

#[test]
fn a_closing_project_moves_time_restricted_money_with_its_restriction() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "教育");
    k.project(&a, "P2", "教育");
    let mut v = cash("R1", Some("P1"), "400.00", "CNY");
    v["restricted_until_year"] = json!(2027);
    k.as_org(&a, Kind::Donation, v).unwrap();
    // The restricted money cannot be spent in 2026 even on the project's own activity.
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        pay(Some("P1"), "1.00", "CNY"),
        "time_restricted",
        "body.amount",
    );
    // The close moves all 400.00, restriction included.
    k.as_org(
        &a,
        Kind::ProjectClose,
        json!({"project": "P1", "closed_on": "2026-05-30", "summary": "项目结束",
               "leftover": [{"amount": "400.00", "currency": "CNY"}],
               "leftover_to": {"org": a.as_str(), "project": "P2"}}),
    )
    .unwrap();
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        pay(Some("P2"), "1.00", "CNY"),
        "time_restricted",
        "body.amount",
    );
    k.now = "2027-02-01T02:00:00Z".parse().unwrap();
    let mut later = pay(Some("P2"), "400.00", "CNY");
    later["paid_on"] = json!("2027-01-20");
    k.as_org(&a, Kind::Disbursement, later).unwrap();
    assert_eq!(bal(&k, &a, Some("P2")), Money::ZERO);
    // A replay reaches the same state.
    assert_eq!(k.replay().view_rows(), k.view_rows());
}
