//! The money read endpoints against the real server: money posted through the API, the views
//! refreshed in the background, figures computed by hand in the comments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::app::{TestApp, spawn_app};
use common::{org_register_body, sub};
use serde_json::{Value, json};
use sunshine_ledger::ledger::{Author, Kind, SecretKey, Timestamp, Uscc};
use sunshine_ledger::publish::proofs::InclusionProof;

/// Polls the organisation until the cached views cover entry `seq` (bounded).
async fn org_as_of(app: &TestApp, org: &str, seq: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = app.get_json(&format!("/api/v1/orgs/{org}")).await;
        if status == 200 && body["as_of_size"].as_u64().unwrap() > seq {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "views never caught up with entry {seq}: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn money_is_read_from_fresh_views_with_verifiable_receipts() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let org = t.org_id.to_string();
    let today = Timestamp::now().to_string()[..10].to_owned();
    let year: i32 = today[..4].parse().unwrap();
    let as_org = |kind, body: Value| sub(kind, Author::Org(t.org_id.clone()), &t.org, body);

    let donation = as_org(
        Kind::Donation,
        json!({"receipt_no": "R-0001", "received_on": today, "form": "cash", "amount": "1000.00",
               "currency": "CNY", "donor_type": "individual", "donor_display": "张*",
               "receipt": "issued", "commitment": "ab".repeat(32)}),
    );
    let (status, r) = app.submit(&donation).await;
    assert_eq!(status, 200, "{r}");
    let donation_seq = r["seq"].as_u64().unwrap();
    let spend = as_org(
        Kind::Disbursement,
        json!({"amount": "300.00", "currency": "CNY", "category": "programme",
               "purpose": "助学金发放", "payee_type": "group", "payee_display": "山区小学学生",
               "evidence": ["cd".repeat(32)], "paid_on": today}),
    );
    let (status, r) = app.submit(&spend).await;
    assert_eq!(status, 200, "{r}");
    let last = r["seq"].as_u64().unwrap();

    // 1000.00 in, 300.00 out: 700.00 unrestricted.
    let detail = org_as_of(&app, &org, last).await;
    assert_eq!(detail["org"]["org"], org, "{detail}");
    let balance = detail["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == format!("balance/{org}/unrestricted/CNY"))
        .expect("unrestricted CNY balance");
    assert_eq!(balance["value"]["balance"], "700.00", "{detail}");
    assert!(
        !detail["figures"].as_array().unwrap().is_empty(),
        "{detail}"
    );
    let (status, list) = app.get_json("/api/v1/orgs").await;
    assert_eq!(status, 200);
    assert_eq!(list["orgs"].as_array().unwrap().len(), 1, "{list}");
    assert!(list["as_of_size"].as_u64().unwrap() > last);

    // The receipt: the donation, its money traced first in, first out (300.00 of it spent,
    // 700.00 left), and a proof of its entry that verifies under the operator's key.
    let (status, rc) = app.get_json("/api/v1/receipts/R-0001").await;
    assert_eq!(status, 200, "{rc}");
    assert_eq!(rc["org"], org);
    assert_eq!(rc["donation"]["seq"], donation_seq);
    assert_eq!(rc["donation"]["amount"], "1000.00", "{rc}");
    assert_eq!(rc["trace"]["spent_total"], "300.00", "{rc}");
    assert_eq!(rc["trace"]["unspent_total"], "700.00", "{rc}");
    let proof: InclusionProof = serde_json::from_value(rc["proof"].clone()).unwrap();
    assert_eq!(proof.seq, donation_seq);
    proof.verify(&app.vkey().await).unwrap();
    let (status, same) = app
        .get_json(&format!("/api/v1/receipts/R-0001?org={org}"))
        .await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["donation"], rc["donation"]);

    // This year's regulator figures.
    let (status, c) = app
        .get_json(&format!("/api/v1/compliance/{org}/{year}"))
        .await;
    assert_eq!(status, 200, "{c}");
    let rows = c["compliance"].as_array().unwrap();
    assert!(!rows.is_empty(), "{c}");
    assert!(
        rows[0]["figures"].as_array().is_some_and(|f| !f.is_empty()),
        "{c}"
    );
    // This year is not over: every figure is in progress, each base shown without a verdict.
    for f in rows[0]["figures"].as_array().unwrap() {
        assert_eq!(f["status"], "in_progress", "{f}");
        assert!(
            f["bases"]
                .as_array()
                .is_some_and(|b| !b.is_empty() && b.iter().all(|b| b["status"] == "in_progress")),
            "{f}"
        );
    }
    assert!(c["late"].is_array());
    assert!(c["as_of_size"].as_u64().unwrap() > last);

    for (path, status, code) in [
        ("/api/v1/receipts/R-9999", 404, "not_found"),
        (
            "/api/v1/receipts/R-0001?org=53440000MJ0000001X",
            400,
            "malformed",
        ),
        ("/api/v1/orgs/not-a-code", 400, "malformed"),
        ("/api/v1/orgs/53440000MJ000000XX", 400, "malformed"),
        ("/api/v1/compliance/not-a-code/2026", 400, "malformed"),
        (
            "/api/v1/compliance/53440000MJ0000001K/soon",
            400,
            "malformed",
        ),
        ("/api/v1/projects?org=nope", 400, "malformed"),
        ("/api/v1/trusts/no-such-trust", 404, "not_found"),
        ("/api/v1/trusts/bad%20id", 400, "malformed"),
    ] {
        let (got, body) = app.get_json(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }
    let (_, bad) = app.get_json("/api/v1/orgs/not-a-code").await;
    assert_eq!(bad["error"]["field"], "org");

    for path in [
        "/api/v1/projects",
        "/api/v1/trusts",
        "/api/v1/lottery/grants",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(
            body["as_of_size"].as_u64().unwrap() > last,
            "{path}: {body}"
        );
    }

    // Receipt numbers are unique per organisation only: once a second one issues R-0001, the
    // number alone is ambiguous and `org` picks one.
    let other = Uscc::with_check("53440000MJ0000002").unwrap();
    let other_key = SecretKey::from_seed([4; 32]);
    let (status, r) = app
        .submit(&sub(
            Kind::OrgRegister,
            Author::Regulator(t.regulator_id.clone()),
            &t.regulator,
            org_register_body(&other, &other_key),
        ))
        .await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = app
        .submit(&sub(
            Kind::Donation,
            Author::Org(other.clone()),
            &other_key,
            json!({"receipt_no": "R-0001", "received_on": today, "form": "cash", "amount": "5.00",
                   "currency": "CNY", "donor_type": "individual", "donor_display": "李*",
                   "receipt": "issued", "commitment": "ef".repeat(32)}),
        ))
        .await;
    assert_eq!(status, 200, "{r}");
    org_as_of(&app, other.as_str(), r["seq"].as_u64().unwrap()).await;
    let (status, body) = app.get_json("/api/v1/receipts/R-0001").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "ambiguous_receipt");
    let (status, body) = app
        .get_json(&format!("/api/v1/receipts/R-0001?org={other}"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["donation"]["amount"], "5.00");
}

/// Issue 14 over HTTP: restricted money refused with its rule code and field, nothing written.
async fn restricted_money_is_refused_with_its_rule_and_nothing_is_written() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let today = Timestamp::now().to_string()[..10].to_owned();
    let year: i32 = today[..4].parse().unwrap();
    let as_org = |kind, body: Value| sub(kind, Author::Org(t.org_id.clone()), &t.org, body);
    let ok = |(status, r): (u16, Value)| {
        assert_eq!(status, 200, "{r}");
        r["seq"].as_u64().unwrap()
    };
    ok(app
        .submit(&as_org(
            Kind::ProjectOpen,
            json!({"id": "P1", "title": "山区助学", "purpose": "教育", "region": "530100",
                   "target": "100000.00", "currency": "CNY", "start": today, "end": today}),
        ))
        .await);
    let gift = |receipt: &str, project: Option<&str>, until: Option<i32>| {
        let mut v = json!({"receipt_no": receipt, "received_on": today, "form": "cash",
            "amount": "1000.00", "currency": "CNY", "donor_type": "individual",
            "donor_display": "张*", "receipt": "issued", "commitment": "ab".repeat(32)});
        if let Some(p) = project {
            v["project"] = json!(p);
        }
        if let Some(y) = until {
            v["restricted_until_year"] = json!(y);
        }
        as_org(Kind::Donation, v)
    };
    ok(app.submit(&gift("R-1", Some("P1"), None)).await);
    // 1,000.00 unrestricted but restricted until next year.
    ok(app.submit(&gift("R-2", None, Some(year + 1))).await);
    let spend = |project: Option<&str>, category: &str| {
        let mut v = json!({"amount": "500.00", "currency": "CNY", "category": category,
            "purpose": "办公场地租金", "payee_type": "organisation", "payee_display": "某物业管理有限公司",
            "evidence": ["cd".repeat(32)], "paid_on": today});
        if let Some(p) = project {
            v["project"] = json!(p);
        }
        as_org(Kind::Disbursement, v)
    };
    app.views_settled().await;
    let size = t.store().size().await.unwrap();
    let before = common::dump(&t.url).await;
    for (body, code, field) in [
        (
            spend(Some("P1"), "administration"),
            "restricted_to_project",
            "body.category",
        ),
        (
            spend(Some("P1"), "fundraising"),
            "restricted_to_project",
            "body.category",
        ),
        (
            spend(None, "administration"),
            "time_restricted",
            "body.amount",
        ),
        (spend(None, "programme"), "time_restricted", "body.amount"),
    ] {
        let (status, r) = app.submit(&body).await;
        assert_eq!(status, 422, "{r}");
        assert_eq!(r["error"]["code"], code, "{r}");
        assert_eq!(r["error"]["field"], field, "{r}");
    }
    assert_eq!(t.store().size().await.unwrap(), size);
    app.views_settled().await;
    assert_eq!(common::dump(&t.url).await, before);
    // The project's own charitable activity is paid from its money.
    ok(app.submit(&spend(Some("P1"), "programme")).await);
}

/// Organisations over time (issue 14): a status change and an opening balance through the API,
/// refusals naming their field and rule, and the compliance row judged with the year's status
/// and showing the figures it read.
async fn a_status_change_and_an_opening_balance_reach_the_compliance_row() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let org = t.org_id.to_string();
    let today = Timestamp::now().to_string()[..10].to_owned();
    let year: i32 = today[..4].parse().unwrap();
    let as_reg = |kind, body: Value| {
        sub(
            kind,
            Author::Regulator(t.regulator_id.clone()),
            &t.regulator,
            body,
        )
    };
    let as_org = |kind, body: Value| sub(kind, Author::Org(t.org_id.clone()), &t.org, body);
    let ok = |(status, r): (u16, Value)| {
        assert_eq!(status, 200, "{r}");
        r["seq"].as_u64().unwrap()
    };
    let refused = |(status, r): (u16, Value), code: &str, field: &str| {
        assert_eq!(status, 422, "{r}");
        assert_eq!(
            (r["error"]["code"].as_str(), r["error"]["field"].as_str()),
            (Some(code), Some(field)),
            "{r}"
        );
    };
    // Registered with status (tests/common); revoked from 1 January of this year.
    let revoke = json!({"org": org, "change": "revoked", "effective_on": format!("{year}-01-01"),
        "decision": "ef".repeat(32)});
    ok(app
        .submit(&as_reg(Kind::OrgFundraising, revoke.clone()))
        .await);
    refused(
        app.submit(&as_reg(Kind::OrgFundraising, revoke)).await,
        "status_unchanged",
        "body.change",
    );
    let opening = |restricted: &str| {
        json!({"as_of": format!("{}-12-31", year - 1), "currency": "CNY", "net_assets": "9000000.00",
            "restricted": restricted, "unrestricted": "6000000.00", "document": "aa".repeat(32)})
    };
    refused(
        app.submit(&as_org(Kind::OrgOpening, opening("2999999.99")))
            .await,
        "opening_balance",
        "body.net_assets",
    );
    ok(app
        .submit(&as_org(Kind::OrgOpening, opening("3000000.00")))
        .await);
    let last = ok(app
        .submit(&as_org(
            Kind::Donation,
            json!({"receipt_no": "R-0001", "received_on": today, "form": "cash", "amount": "1000.00",
                   "currency": "CNY", "donor_type": "individual", "donor_display": "张*",
                   "receipt": "issued", "commitment": "ab".repeat(32)}),
        ))
        .await);
    org_as_of(&app, &org, last).await;

    let (status, c) = app
        .get_json(&format!("/api/v1/compliance/{org}/{year}"))
        .await;
    assert_eq!(status, 200, "{c}");
    let row = &c["compliance"][0];
    assert_eq!(row["public_fundraising"], false, "{c}");
    // The years the test reads: last year (the opening, 9,000,000.00) and this one
    // (9,000,000.00 + 1,000.00), both the ledger's.
    let sides = row["sides"].as_array().unwrap();
    assert_eq!(sides.len(), 2, "{c}");
    assert_eq!(sides[0]["year"], year - 1);
    assert_eq!(sides[0]["used"], "ledger");
    assert_eq!(
        sides[0]["ledger"]["net_assets_year_end"], "9000000.00",
        "{c}"
    );
    assert_eq!(
        sides[1]["ledger"]["net_assets_year_end"], "9001000.00",
        "{c}"
    );
    // Without status, a foundation is banded by last year-end's net assets: 8,000,000 to
    // 60,000,000 needs 6%.
    let spend = row["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "charitable_spending_vs_prior_net_assets")
        .expect("band figure");
    assert_eq!(spend["threshold"], "0.06", "{spend}");
    assert_eq!(spend["bases"][0]["base"], "9000000.00", "{spend}");
}

/// Issue 14 over HTTP: goods given out by quantity, their value derived to the cent, a receipt's
/// trace showing them, and a distribution beyond the stock refused with its rule and field.
async fn goods_are_given_out_by_quantity_and_traced_over_http() {
    let app = spawn_app().await;
    let t = &app.ledger;
    let today = Timestamp::now().to_string()[..10].to_owned();
    let as_org = |kind, body: Value| sub(kind, Author::Org(t.org_id.clone()), &t.org, body);
    let ok = |(status, r): (u16, Value)| {
        assert_eq!(status, 200, "{r}");
        r["seq"].as_u64().unwrap()
    };
    // 3 bags worth 100.00.
    ok(app
        .submit(&as_org(
            Kind::Donation,
            json!({"receipt_no": "W-1", "received_on": today, "form": "in_kind",
                "in_kind": {"description": "大米", "quantity": "3", "unit": "袋", "item": "rice",
                            "valuation_proof": "ef".repeat(32)},
                "amount": "100.00", "currency": "CNY", "donor_type": "organisation",
                "donor_display": "某粮油有限公司", "receipt": "issued", "commitment": "ab".repeat(32)}),
        ))
        .await);
    let give = |quantity: &str| {
        as_org(
            Kind::GoodsDistribute,
            json!({"item": "rice", "quantity": quantity, "purpose": "口粮发放",
                "recipient_type": "individual", "recipient_display": "王*",
                "evidence": ["cd".repeat(32)], "distributed_on": today}),
        )
    };
    // The first bag: 100.00 × 1 / 3 = 33.333…, to the cent 33.33.
    let seq = ok(app.submit(&give("1")).await);
    app.views_settled().await;
    let size = t.store().size().await.unwrap();
    let before = common::dump(&t.url).await;
    let (status, r) = app.submit(&give("2.5")).await;
    assert_eq!(status, 422, "{r}");
    assert_eq!(
        (&r["error"]["code"], &r["error"]["field"]),
        (&json!("goods_shortage"), &json!("body.quantity")),
        "{r}"
    );
    assert_eq!(t.store().size().await.unwrap(), size);
    app.views_settled().await;
    assert_eq!(common::dump(&t.url).await, before);
    let (status, rc) = app.get_json("/api/v1/receipts/W-1").await;
    assert_eq!(status, 200, "{rc}");
    let goods = &rc["trace"]["goods"];
    assert_eq!(goods["distributed"][0]["seq"], json!(seq), "{rc}");
    assert_eq!(
        (
            &goods["distributed"][0]["amount"],
            &goods["in_stock_quantity"],
            &goods["in_stock_value"]
        ),
        (&json!("33.33"), &json!("2"), &json!("66.67")),
        "{rc}"
    );
    assert_eq!(
        rc["trace"]["spent"],
        json!([]),
        "goods are never money: {rc}"
    );
}

on_both_backends!(
    money_is_read_from_fresh_views_with_verifiable_receipts,
    restricted_money_is_refused_with_its_rule_and_nothing_is_written,
    a_status_change_and_an_opening_balance_reach_the_compliance_row,
    goods_are_given_out_by_quantity_and_traced_over_http,
);
