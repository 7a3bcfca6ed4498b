//! A lottery administrator's announcements as `sunshine report late` judges them (issue 14): a
//! hand-built ledger that starts in 2024, where the administrator grants once from fiscal 2023's
//! fund (on 10 January 2024) and once from fiscal 2024's, and announces neither. The ledger
//! judges only the fiscal years from the one it saw the administrator in (`money::duties`), so
//! 2024's announcement is missing and 2023's is not listed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestLedger, sub_at};
use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, SecretKey, Timestamp, Uscc};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fiscal_year_before_the_administrator_joined_is_not_reported_late() {
    let t = TestLedger::new_at(at("2024-01-02T00:00:00Z")).await;
    let admin_key = SecretKey::from_seed([7; 32]);
    let admin = Uscc::with_check("12440000MB0000009").unwrap();
    let append = |subs, on: &str| {
        let when = at(&format!("{on}T03:00:00Z"));
        let service = &t.service;
        async move { service.append_at(subs, when).await.unwrap() }
    };
    let register = sub_at(
        Kind::OrgRegister,
        Author::Regulator(t.regulator_id.clone()),
        &t.regulator,
        json!({"org": admin, "name": "广东省福利彩票公益金管理中心", "org_type": "lottery_administrator",
               "region": "440000", "public_fundraising": false, "registered_on": "2010-01-01",
               "keys": [admin_key.public()]}),
        at("2024-01-02T02:00:00Z"),
    );
    let open = sub_at(
        Kind::ProjectOpen,
        Author::Org(t.org_id.clone()),
        &t.org,
        json!({"id": "P1", "title": "社区养老服务", "purpose": "扶老", "region": "440100",
               "target": "1000000.00", "currency": "CNY", "start": "2024-01-03", "end": "2026-12-31"}),
        at("2024-01-03T02:00:00Z"),
    );
    append(vec![register], "2024-01-02").await;
    append(vec![open], "2024-01-03").await;
    let grant = |id: &str, fiscal_year: i32, on: &str| {
        sub_at(
            Kind::LotteryGrant,
            Author::Org(admin.clone()),
            &admin_key,
            json!({"grant_id": id, "fiscal_year": fiscal_year, "recipient_org": t.org_id,
                   "recipient_project": "P1", "amount": "50000.00", "currency": "CNY",
                   "purpose": "养老服务", "granted_on": on}),
            at(&format!("{on}T02:00:00Z")),
        )
    };
    append(vec![grant("FC2023-099", 2023, "2024-01-10")], "2024-01-10").await;
    append(vec![grant("FC2024-001", 2024, "2024-03-10")], "2024-03-10").await;
    t.service.refresh_views().await.unwrap();

    let late = |as_of: &str| {
        let out = std::process::Command::new(common::bin())
            .arg("--db")
            .arg(&t.url)
            .args(["report", "late", "--json", "--as-of", as_of])
            .output()
            .unwrap();
        let out = common::succeeded("report late", out);
        out.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|o| o.to_string().contains("lottery_announcement"))
            .collect::<Vec<Value>>()
    };
    // Fiscal 2023's announcement would have been due 30 June 2024 (the Measures: by the end of
    // June of the next year), before this judging day; it is not owed in this ledger.
    let found = late("2024-12-31");
    assert!(found.is_empty(), "{found:?}");
    // Fiscal 2024's is due 30 June 2025; on 10 July 2025 it is missing, 10 days late (July 1
    // to 10), and still the only lottery line.
    let found = late("2025-07-10");
    assert_eq!(found.len(), 1, "{found:?}");
    let o = found[0].to_string();
    assert!(
        o.contains("\"year\":2024") && o.contains("2025-06-30") && o.contains("missing"),
        "{o}"
    );
    assert_eq!(found[0]["days_late"], 10, "{o}");
}
