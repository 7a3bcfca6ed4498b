//! Welfare-lottery money in full (issue 14): receipts back the announced `raised`, the
//! execution by purpose is checked against usage, and a welfare institution that is not a
//! charity receives and reports grants. Shares and rates are worked by hand in the comments.

use serde_json::{Value, json};

use super::testkit::*;
use crate::ledger::{Kind, Uscc};

fn grant(
    id: &str,
    year: i32,
    to: &Uscc,
    project: Option<&str>,
    amount: &str,
    purpose: &str,
) -> Value {
    let mut b = json!({"grant_id": id, "fiscal_year": year, "recipient_org": to.as_str(),
        "amount": amount, "currency": "CNY", "purpose": purpose, "granted_on": "2026-02-01"});
    if let Some(p) = project {
        b["recipient_project"] = json!(p);
    }
    b
}

fn usage(admin: &Uscc, id: &str, amount: &str) -> Value {
    json!({"administrator": admin.as_str(), "grant_id": id, "amount": amount, "currency": "CNY",
        "used_for": "项目执行", "used_on": "2026-04-01", "evidence": [h(5)]})
}

fn receive(year: i32, amount: &str) -> Value {
    json!({"fiscal_year": year, "amount": amount, "currency": "CNY", "source": "云南省财政厅",
        "document": h(6), "received_on": "2026-01-20"})
}

fn announce(raised: &str, executed: Option<Value>) -> Value {
    let mut b = json!({"fiscal_year": 2026, "currency": "CNY", "raised": raised,
        "allocated": [{"purpose": "养老服务", "amount": "60000.00"},
                      {"purpose": "儿童福利", "amount": "10000.00"},
                      {"purpose": "残疾人福利", "amount": "30000.00"}],
        "carried_forward": "20000.00", "announced_on": "2026-05-31", "document": h(3)});
    if let Some(x) = executed {
        b["executed"] = x;
    }
    b
}

struct World {
    k: Kit,
    admin: Uscc,
    charity: Uscc,
    home: Uscc,
}

fn world() -> World {
    let mut k = Kit::new();
    let admin = k.register(1, "lottery_administrator", false);
    let charity = k.register(2, "social_service_org", false);
    let home = k.register(3, "welfare_institution", false);
    k.project(&charity, "P1", "扶老");
    World {
        k,
        admin,
        charity,
        home,
    }
}

#[test]
fn a_welfare_institution_that_is_not_a_charity_receives_and_reports_a_grant() {
    let World {
        mut k,
        admin,
        charity,
        home,
    } = world();
    // A charity's grant still goes into one of its projects.
    let e = k
        .as_org(
            &admin,
            Kind::LotteryGrant,
            grant("G0", 2026, &charity, None, "1.00", "养老服务"),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("wrong_org_type", "body.recipient_project")
    );
    // The institution receives it itself, reports its usage, and cannot overuse it.
    k.as_org(
        &admin,
        Kind::LotteryGrant,
        grant("G3", 2026, &home, None, "30000.00", "残疾人福利"),
    )
    .unwrap();
    k.as_org(&home, Kind::LotteryUsage, usage(&admin, "G3", "7500.00"))
        .unwrap();
    let e = k
        .as_org(&home, Kind::LotteryUsage, usage(&admin, "G3", "22500.01"))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("grant_overuse", "body.amount"));
    // Not a charity: it has no ratio figures to fail.
    let id = crate::money::types::Ident::parse("G3").unwrap();
    assert_eq!(
        k.state.lottery_grant(&admin, &id).unwrap().remaining(),
        d("22500.00")
    );
    let figures = crate::money::regulator::compliance(&k.state, None);
    assert!(figures.iter().all(|c| c.org != home));
}

#[test]
fn an_announcement_agrees_with_the_money_received_and_its_execution_with_the_usage() {
    let World {
        mut k,
        admin,
        charity,
        home,
    } = world();
    for (id, to, project, amount, purpose) in [
        ("G1", &charity, Some("P1"), "60000.00", "养老服务"),
        ("G2", &charity, Some("P1"), "10000.00", "儿童福利"),
        ("G3", &home, None, "30000.00", "残疾人福利"),
    ] {
        k.as_org(
            &admin,
            Kind::LotteryGrant,
            grant(id, 2026, to, project, amount, purpose),
        )
        .unwrap();
    }
    k.as_org(
        &charity,
        Kind::LotteryUsage,
        usage(&admin, "G1", "45000.00"),
    )
    .unwrap();
    k.as_org(
        &charity,
        Kind::LotteryUsage,
        usage(&admin, "G2", "10000.00"),
    )
    .unwrap();
    k.as_org(&home, Kind::LotteryUsage, usage(&admin, "G3", "7500.00"))
        .unwrap();
    // Only the administrator records money received.
    let e = k
        .as_org(&charity, Kind::LotteryReceive, receive(2026, "1.00"))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("wrong_org_type", "author"));
    k.as_org(&admin, Kind::LotteryReceive, receive(2026, "80000.00"))
        .unwrap();
    k.as_org(&admin, Kind::LotteryReceive, receive(2026, "40000.00"))
        .unwrap();

    // 80,000.00 + 40,000.00 = 120,000.00 received: 125,000.00 raised is refused.
    let e = k
        .as_org(&admin, Kind::LotteryAnnounce, announce("125000.00", None))
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("figures_mismatch", "body.raised"));
    assert!(e.to_string().contains("120000.00"), "{e}");
    assert!(
        e.to_string().contains("彩票公益金管理办法"),
        "cites its source: {e}"
    );

    let executed = |elderly: &str| {
        json!([{"purpose": "养老服务", "amount": elderly},
               {"purpose": "儿童福利", "amount": "10000.00"},
               {"purpose": "残疾人福利", "amount": "7500.00"}])
    };
    let e = k
        .as_org(
            &admin,
            Kind::LotteryAnnounce,
            announce("120000.00", Some(executed("40000.00"))),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.executed[0].amount")
    );
    let mut short = executed("45000.00");
    short.as_array_mut().unwrap().pop();
    let e = k
        .as_org(
            &admin,
            Kind::LotteryAnnounce,
            announce("120000.00", Some(short)),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("figures_mismatch", "body.executed"));
    k.as_org(
        &admin,
        Kind::LotteryAnnounce,
        announce("120000.00", Some(executed("45000.00"))),
    )
    .unwrap();
    // The year is closed to further receipts.
    let e = k
        .as_org(&admin, Kind::LotteryReceive, receive(2026, "1.00"))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("year_announced", "body.fiscal_year")
    );

    // Granted 100,000.00: shares 0.6 / 0.1 / 0.3. Used 45,000 + 10,000 + 7,500 = 62,500.00:
    // execution 0.625 overall, 0.75 / 1 / 0.25 by purpose; 30,000.00 to the institution.
    let years = k.state.books().lottery_years();
    assert_eq!(years.len(), 1);
    let y = &years[0];
    assert_eq!(
        (
            y.granted,
            y.used,
            y.execution_rate,
            y.raised_status.as_str()
        ),
        (m("100000.00"), m("62500.00"), Some(d("0.625")), "checked")
    );
    assert_eq!(y.received, Some(m("120000.00")));
    assert_eq!(y.granted_to_welfare_institutions, m("30000.00"));
    let by: Vec<_> = y
        .by_purpose
        .iter()
        .map(|p| (p.purpose.as_str(), p.share, p.execution_rate))
        .collect();
    assert_eq!(
        by,
        vec![
            ("养老服务", Some(d("0.6")), Some(d("0.75"))),
            ("儿童福利", Some(d("0.1")), Some(d("1"))),
            ("残疾人福利", Some(d("0.3")), Some(d("0.25"))),
        ]
    );
    let rows = k.view_rows();
    let row = &rows[&format!("lottery_execution/{admin}/2026/CNY")];
    assert!(row.contains("\"execution_rate\":\"0.625\""), "{row}");
    assert_eq!(k.replay().view_rows(), rows);
}

#[test]
fn an_announcement_without_receipts_keeps_its_raised_as_declared() {
    let World {
        mut k,
        admin,
        charity,
        ..
    } = world();
    k.as_org(
        &admin,
        Kind::LotteryGrant,
        grant("G0", 2025, &charity, Some("P1"), "10000.00", "养老服务"),
    )
    .unwrap();
    let b = json!({"fiscal_year": 2025, "currency": "CNY", "raised": "12000.00",
        "allocated": [{"purpose": "养老服务", "amount": "10000.00"}],
        "carried_forward": "2000.00", "announced_on": "2026-03-31", "document": h(3)});
    k.as_org(&admin, Kind::LotteryAnnounce, b).unwrap();
    let years = k.state.books().lottery_years();
    assert_eq!(
        (
            years[0].raised_status.as_str(),
            years[0].received,
            years[0].raised_announced
        ),
        ("declared", None, Some(m("12000.00")))
    );
    // Nothing used yet: execution 0.
    assert_eq!(years[0].execution_rate, Some(d("0")));
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
