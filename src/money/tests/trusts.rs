//! A trust in full (issue 14): receipts and fees move its property, the yearly statement is
//! checked against them, and termination ends it. Figures are worked by hand in the comments.

use serde_json::{Value, json};

use super::testkit::*;
use crate::ledger::Kind;

const T: &str = "T2026-09";

fn file(trustee: &crate::ledger::Uscc, supervisor: bool) -> Value {
    let mut b = json!({"trust_id": T, "name": "春晖助学慈善信托", "trustee": trustee.as_str(),
        "settlors": [{"settlor_type": "individual", "display": "王*", "commitment": h(1)}],
        "purpose": "教育", "property": "1000000.00", "currency": "CNY",
        "term_start": "2026-01-10", "filing_no": "YN-2026-009",
        "filing_authority": "云南省民政厅", "signed_on": "2026-01-03", "filed_on": "2026-01-08"});
    if supervisor {
        b["supervisor"] = json!("某律师事务所");
    }
    b
}

fn spend(amount: &str, on: &str) -> Value {
    json!({"trust_id": T, "amount": amount, "currency": "CNY", "purpose": "奖学金",
        "payee_type": "group", "payee_display": "某县中学学生", "evidence": [h(6)], "paid_on": on})
}

fn receive(source: &str, amount: &str, on: &str) -> Value {
    let mut b = json!({"trust_id": T, "source": source, "amount": amount, "currency": "CNY",
        "description": "信托财产收入", "document": h(8), "received_on": on});
    if source == "contribution" {
        b["settlor"] = json!({"settlor_type": "individual", "display": "李*", "commitment": h(9)});
    }
    b
}

fn fee(kind: &str, amount: &str, on: &str) -> Value {
    json!({"trust_id": T, "fee_type": kind, "amount": amount, "currency": "CNY",
        "payee_display": "某信托公司", "evidence": [h(4)], "paid_on": on})
}

/// A kit recording on 2027-01-25 (10:00 in China), after every date used here but 2028's.
fn kit() -> Kit {
    let mut k = Kit::new();
    k.now = "2027-01-25T02:00:00Z".parse().unwrap();
    k
}

#[test]
fn income_and_contributions_can_be_spent_and_fees_are_paid_from_the_property() {
    let mut k = kit();
    let trustee = k.register(1, "trust_company", false);
    k.as_reg(Kind::TrustFile, file(&trustee, true)).unwrap();
    k.as_org(
        &trustee,
        Kind::TrustDisburse,
        spend("300000.00", "2026-03-01"),
    )
    .unwrap();
    // 1,000,000.00 − 300,000.00 = 700,000.00 is all there is before any income.
    let e = k
        .as_org(
            &trustee,
            Kind::TrustDisburse,
            spend("700000.01", "2026-04-01"),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("overdraft", "body.amount"));

    // A contribution names its settlor, masked; income names none.
    let mut bare = receive("contribution", "200000.00", "2026-04-15");
    bare.as_object_mut().unwrap().remove("settlor");
    let e = k.as_org(&trustee, Kind::TrustReceive, bare).unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_body", "body.settlor"));
    let mut unmasked = receive("contribution", "200000.00", "2026-04-15");
    unmasked["settlor"]["display"] = json!("李小明");
    let e = k
        .as_org(&trustee, Kind::TrustReceive, unmasked)
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("unmasked_name", "body.settlor.display")
    );
    let e = k
        .as_org(
            &trustee,
            Kind::TrustReceive,
            receive("investment_income", "1.00", "2026-01-07"),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("bad_dates", "body.received_on"));

    k.as_org(
        &trustee,
        Kind::TrustReceive,
        receive("investment_income", "12345.67", "2026-03-31"),
    )
    .unwrap();
    k.as_org(
        &trustee,
        Kind::TrustReceive,
        receive("contribution", "200000.00", "2026-04-15"),
    )
    .unwrap();
    // 700,000.00 + 12,345.67 + 200,000.00 = 912,345.67 now: 800,000.00 can go out.
    k.as_org(
        &trustee,
        Kind::TrustDisburse,
        spend("800000.00", "2026-05-01"),
    )
    .unwrap();
    // 112,345.67 left; a fee beyond it is an overdraft, like any draw.
    let e = k
        .as_org(
            &trustee,
            Kind::TrustFee,
            fee("trustee", "112345.68", "2026-06-30"),
        )
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("overdraft", "body.amount"));
    k.as_org(
        &trustee,
        Kind::TrustFee,
        fee("trustee", "5000.00", "2026-06-30"),
    )
    .unwrap();
    k.as_org(
        &trustee,
        Kind::TrustFee,
        fee("custody", "1234.56", "2026-12-31"),
    )
    .unwrap();
    // 112,345.67 − 5,000.00 − 1,234.56 = 106,111.11.
    assert_eq!(k.state.trust(&id(T)).unwrap().balance, m("106111.11"));

    // The year by the ledger: opening 1,000,000.00 (filed that year), contributions
    // 200,000.00, income 12,345.67, fees 6,234.56, disbursed 1,100,000.00, closing 106,111.11.
    let y = k.state.trust(&id(T)).unwrap().year(2026);
    assert_eq!(
        (
            y.opening_property,
            y.contributions,
            y.income,
            y.fees,
            y.disbursed,
            y.closing_property
        ),
        (
            m("1000000.00"),
            m("200000.00"),
            m("12345.67"),
            m("6234.56"),
            m("1100000.00"),
            m("106111.11")
        )
    );
}

/// A trust company in the ledger since 2 January 2026 (yearly reports are owed for the years
/// the ledger saw the trustee in) and its trust, filed on the kit's day, with its 2026 flows.
fn filled_trust() -> (Kit, crate::ledger::Uscc) {
    let mut k = kit();
    k.now = "2026-01-02T02:00:00Z".parse().unwrap();
    let trustee = k.register(1, "trust_company", false);
    k.now = kit().now;
    k.as_reg(Kind::TrustFile, file(&trustee, true)).unwrap();
    for (kind, body) in [
        (Kind::TrustDisburse, spend("300000.00", "2026-03-01")),
        (
            Kind::TrustReceive,
            receive("investment_income", "12345.67", "2026-03-31"),
        ),
        (
            Kind::TrustReceive,
            receive("contribution", "200000.00", "2026-04-15"),
        ),
        (Kind::TrustDisburse, spend("800000.00", "2026-05-01")),
        (Kind::TrustFee, fee("trustee", "5000.00", "2026-06-30")),
        (Kind::TrustFee, fee("custody", "1234.56", "2026-12-31")),
    ] {
        k.as_org(&trustee, kind, body).unwrap();
    }
    (k, trustee)
}

fn report(income: &str, closing: &str, opinion: bool) -> Value {
    let mut b = json!({"trust_id": T, "year": 2026, "document": h(7), "disbursed": "1100000.00",
        "reported_on": "2027-01-20",
        "statement": {"opening_property": "1000000.00", "contributions": "200000.00",
                      "income": income, "fees": "6234.56", "closing_property": closing}});
    if opinion {
        b["supervisor_opinion"] = json!(h(11));
    }
    b
}

#[test]
fn a_yearly_statement_must_agree_with_the_ledger_and_carry_the_supervisors_opinion() {
    let (mut k, trustee) = filled_trust();
    let e = k
        .as_org(
            &trustee,
            Kind::TrustReport,
            report("12345.00", "106111.11", true),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.statement.income")
    );
    assert!(e.to_string().contains("12345.67"), "{e}");
    assert!(
        e.to_string().contains("第四十八条第二款"),
        "cites its source: {e}"
    );
    let e = k
        .as_org(
            &trustee,
            Kind::TrustReport,
            report("12345.67", "106111.12", true),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.statement.closing_property")
    );
    let e = k
        .as_org(
            &trustee,
            Kind::TrustReport,
            report("12345.67", "106111.11", false),
        )
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("supervisor_opinion", "body.supervisor_opinion")
    );
    let mut beside = report("12345.67", "106111.11", true);
    beside["closing_balance"] = json!("106000.00");
    let e = k.as_org(&trustee, Kind::TrustReport, beside).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.closing_balance")
    );
    k.as_org(
        &trustee,
        Kind::TrustReport,
        report("12345.67", "106111.11", true),
    )
    .unwrap();

    let rows = k.view_rows();
    let row = &rows[&format!("trust_year/{T}/2026")];
    for part in [
        "\"opening_property\":\"1000000.00\"",
        "\"closing_property\":\"106111.11\"",
        "\"fees\":\"6234.56\"",
        "\"report_checked\":true",
    ] {
        assert!(row.contains(part), "{part} in {row}");
    }
    // The same figures come back from the log alone.
    assert_eq!(k.replay().view_rows(), rows);
}

#[test]
fn a_trust_without_a_supervisor_reports_without_an_opinion() {
    let mut k = kit();
    let trustee = k.register(1, "foundation", false);
    k.as_reg(Kind::TrustFile, file(&trustee, false)).unwrap();
    // Nothing moved in 2026: the property stays 1,000,000.00 from opening to close.
    let b = json!({"trust_id": T, "year": 2026, "document": h(7), "disbursed": "0.00",
        "reported_on": "2027-01-20",
        "statement": {"opening_property": "1000000.00", "contributions": "0.00",
                      "income": "0.00", "fees": "0.00", "closing_property": "1000000.00"}});
    k.as_org(&trustee, Kind::TrustReport, b).unwrap();
}

#[test]
fn a_terminated_trust_hands_over_what_is_left_and_takes_nothing_more() {
    let (mut k, trustee) = filled_trust();
    k.as_org(
        &trustee,
        Kind::TrustReport,
        report("12345.67", "106111.11", true),
    )
    .unwrap();
    k.as_org(
        &trustee,
        Kind::TrustReceive,
        receive("investment_income", "888.89", "2027-01-10"),
    )
    .unwrap();
    // 106,111.11 + 888.89 = 107,000.00 left.
    let end = |remaining: &str, opinion: bool| {
        let mut b = json!({"trust_id": T, "reason": "信托目的已实现", "terminated_on": "2027-01-20",
            "liquidation_report": h(12), "remaining_property": remaining,
            "remaining_to": "某教育基金会", "reported_on": "2027-01-24"});
        if opinion {
            b["supervisor_opinion"] = json!(h(13));
        }
        b
    };
    let e = k
        .as_org(&trustee, Kind::TrustTerminate, end("106111.11", true))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("figures_mismatch", "body.remaining_property")
    );
    assert!(e.to_string().contains("107000.00"), "{e}");
    let mut nowhere = end("107000.00", true);
    nowhere.as_object_mut().unwrap().remove("remaining_to");
    let e = k
        .as_org(&trustee, Kind::TrustTerminate, nowhere)
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("invalid_body", "body.remaining_to"));
    let e = k
        .as_org(&trustee, Kind::TrustTerminate, end("107000.00", false))
        .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("supervisor_opinion", "body.supervisor_opinion")
    );
    let mut early = end("107000.00", true);
    early["terminated_on"] = json!("2027-01-09");
    let e = k.as_org(&trustee, Kind::TrustTerminate, early).unwrap_err();
    assert_eq!((e.code(), e.field()), ("bad_dates", "body.terminated_on"));
    k.as_org(&trustee, Kind::TrustTerminate, end("107000.00", true))
        .unwrap();

    let t = k.state.trust(&id(T)).unwrap();
    assert_eq!(t.balance, m("0.00"));
    let ended = t.terminated.as_ref().unwrap();
    // Recorded 2027-01-25 (China date): five days after the cause, within fifteen.
    assert_eq!((ended.days_to_report, ended.reported_late), (5, false));
    // 2027 opens at 106,111.11, takes 888.89 and hands 107,000.00 over: it closes at zero.
    let y = t.year(2027);
    assert_eq!(
        (
            y.opening_property,
            y.income,
            y.transferred_at_end,
            y.closing_property
        ),
        (m("106111.11"), m("888.89"), m("107000.00"), m("0.00"))
    );

    for (kind, body, field) in [
        (
            Kind::TrustDisburse,
            spend("1.00", "2027-01-24"),
            "body.trust_id",
        ),
        (
            Kind::TrustReceive,
            receive("other_income", "1.00", "2027-01-24"),
            "body.trust_id",
        ),
        (
            Kind::TrustFee,
            fee("other", "1.00", "2027-01-24"),
            "body.trust_id",
        ),
        (Kind::TrustTerminate, end("0.00", true), "body.trust_id"),
    ] {
        let mut body = body;
        if kind == Kind::TrustTerminate {
            body.as_object_mut().unwrap().remove("remaining_to");
        }
        let e = k.as_org(&trustee, kind, body).unwrap_err();
        assert_eq!((e.code(), e.field()), ("trust_terminated", field), "{kind}");
    }
    // Reports are owed for the years before the end only: 2026, not 2027 nor 2028.
    let as_of = crate::ledger::time::parse_date("2029-06-01").unwrap();
    let duties = k.state.duties();
    let owed: Vec<i32> = duties
        .iter()
        .flat_map(|d| d.obligations(as_of).items)
        .filter_map(|o| match o.obligation {
            crate::money::regulator::timeliness::Obligation::TrustReport { year, .. } => Some(year),
            _ => None,
        })
        .collect();
    assert_eq!(owed, vec![2026]);
    k.now = "2028-01-25T02:00:00Z".parse().unwrap();
    let late_report = json!({"trust_id": T, "year": 2027, "document": h(7), "disbursed": "0.00",
        "reported_on": "2028-01-20"});
    let e = k
        .as_org(&trustee, Kind::TrustReport, late_report)
        .unwrap_err();
    assert_eq!((e.code(), e.field()), ("trust_terminated", "body.year"));
    assert_eq!(k.replay().view_rows(), k.view_rows());
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
