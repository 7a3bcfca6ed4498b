//! The goods ledger (issue 14): stock by quantity, values derived to the cent, the trail from a
//! gift to the distributions that used it, and refusals naming the field and the rule. Every
//! expected figure is worked out by hand in the comments beside it.

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};

use super::testkit::*;
use crate::ledger::{Currency, Kind, Uscc};
use crate::money::books::funds::FundKey;
use crate::money::types::Money;

use crate::money::books::goods::{Qty, share};

fn bal(k: &Kit, org: &Uscc, project: Option<&str>) -> Money {
    k.state.balance(&FundKey {
        org: org.clone(),
        project: project.map(id),
        currency: Currency::CNY,
    })
}

/// An in-kind gift of `quantity` `unit` of item `item`, valued at `value` CNY when given.
fn gift(
    receipt: &str,
    project: Option<&str>,
    item: &str,
    quantity: &str,
    unit: &str,
    value: Option<&str>,
) -> Value {
    let mut v = json!({"receipt_no": receipt, "received_on": "2026-05-20", "form": "in_kind",
        "in_kind": {"description": "捐赠物资，已入库", "quantity": quantity, "unit": unit, "item": item},
        "donor_type": "organisation", "donor_display": "某粮油有限公司", "receipt": "issued",
        "commitment": h(4)});
    if let Some(p) = project {
        v["project"] = json!(p);
    }
    if let Some(a) = value {
        v["in_kind"]["valuation_proof"] = json!(h(5));
        v["amount"] = json!(a);
        v["currency"] = json!("CNY");
    }
    v
}

/// A distribution of `quantity` of `item` to a group of beneficiaries.
fn give(project: Option<&str>, item: &str, quantity: &str) -> Value {
    let mut v = json!({"item": item, "quantity": quantity, "purpose": "救灾物资发放",
        "recipient_type": "group", "recipient_display": "某村受灾家庭", "evidence": [h(6)],
        "distributed_on": "2026-05-25"});
    if let Some(p) = project {
        v["project"] = json!(p);
    }
    v
}

/// The distribution record of entry `seq`, as stored.
fn distribution(k: &Kit, seq: u64) -> Value {
    let text = k
        .records
        .get(&format!("distribution/{seq}"))
        .unwrap_or_else(|| panic!("distribution/{seq}"));
    serde_json::from_str(text).expect("record is JSON")
}

#[test]
fn a_valued_gift_is_stock_not_cash_and_its_distributions_are_valued_from_the_quantity() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "救灾");
    k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "1000.00", "CNY"))
        .unwrap();
    // 1,000 bags worth 33,333.33, then 500 bags worth 16,000.00, both of item `rice`.
    k.as_org(
        &a,
        Kind::Donation,
        gift("G1", Some("P1"), "rice", "1000", "袋", Some("33333.33")),
    )
    .unwrap();
    k.as_org(
        &a,
        Kind::Donation,
        gift("G2", Some("P1"), "rice", "500", "袋", Some("16000.00")),
    )
    .unwrap();
    // The goods' value never enters the cash fund: the project holds its 1,000.00 of cash.
    assert_eq!(bal(&k, &a, Some("P1")), m("1000.00"));
    // 300 bags, all from G1: 33,333.33 × 300 / 1,000 = 9,999.999, to the cent 10,000.00.
    let s1 = k
        .as_org(&a, Kind::GoodsDistribute, give(Some("P1"), "rice", "300"))
        .unwrap();
    let r1 = distribution(&k, s1);
    assert_eq!(
        (r1["quantity"].as_str(), r1["amount"].as_str()),
        (Some("300"), Some("10000.00"))
    );
    // 800 bags: G1's last 700 are worth what is left of it, 33,333.33 − 10,000.00 = 23,333.33;
    // G2's first 100 are worth 16,000.00 × 100 / 500 = 3,200.00. Together 26,533.33.
    let s2 = k
        .as_org(&a, Kind::GoodsDistribute, give(Some("P1"), "rice", "800"))
        .unwrap();
    let r2 = distribution(&k, s2);
    assert_eq!(r2["amount"], json!("26533.33"));
    assert_eq!(
        r2["parts"],
        json!([{"receipt_no": "G1", "quantity": "700", "amount": "23333.33"},
               {"receipt_no": "G2", "quantity": "100", "amount": "3200.00"}])
    );
    // The stock: 1,500 received, 1,100 out, 400 left worth 16,000.00 − 3,200.00 = 12,800.00.
    let stock: Value =
        serde_json::from_str(&k.view_rows()[&format!("goods/{a}/project/P1/rice")]).unwrap();
    assert_eq!(
        (
            &stock["received"],
            &stock["distributed"],
            &stock["in_stock"],
            &stock["value_in_stock"]
        ),
        (
            &json!("1500"),
            &json!("1100"),
            &json!("400"),
            &json!("12800.00")
        )
    );
    // G1's trace: its goods went to the two distributions, and none of it is money.
    let t = k.trace(&a, &id("G1")).unwrap();
    assert!(t.spent.is_empty() && t.unspent.is_empty() && t.moved.is_empty());
    assert_eq!((t.spent_total, t.unspent_total), (Money::ZERO, Money::ZERO));
    let g = t.goods.expect("goods part");
    let out: Vec<_> = g
        .distributed
        .iter()
        .map(|o| (o.seq, o.quantity, o.amount))
        .collect();
    assert_eq!(
        out,
        [
            (s1, Qty(d("300")), Some(m("10000.00"))),
            (s2, Qty(d("700")), Some(m("23333.33")))
        ]
    );
    assert_eq!(
        (g.in_stock_quantity, g.distributed_value),
        (Qty(d("0")), Some(m("33333.33")))
    );
    // The cash paid nothing for goods and goods pay no cash: 1,000.01 overdraws the fund.
    refused(
        &mut k,
        &a,
        Kind::Disbursement,
        pay(Some("P1"), "1000.01", "CNY"),
        "overdraft",
        "body.amount",
    );
    k.as_org(&a, Kind::Disbursement, pay(Some("P1"), "1000.00", "CNY"))
        .unwrap();
    let cash_trace = k.trace(&a, &id("R1")).unwrap();
    assert_eq!(
        (cash_trace.spent_total, cash_trace.goods),
        (m("1000.00"), None)
    );
    // Figures: in-kind income 33,333.33 + 16,000.00 = 49,333.33; charitable spending is the
    // cash paid, 1,000.00, and the goods given out, 10,000.00 + 26,533.33 = 36,533.33.
    let f = &k.state.org_year_figures_for(&a, 2026)[0];
    assert_eq!(
        (f.in_kind_income, f.donation_income, f.charitable_spending),
        (m("49333.33"), m("1000.00"), m("37533.33"))
    );
}

#[test]
fn the_last_cent_falls_to_the_piece_that_crosses_it() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    // 3 boxes worth 100.00, given one at a time: C(1) = 33.33 (33.333…), C(2) = 66.67
    // (66.666…, rounded up), C(3) = 100.00. The pieces: 33.33, 33.34, 33.33.
    k.as_org(
        &a,
        Kind::Donation,
        gift("G1", None, "kits", "3", "箱", Some("100.00")),
    )
    .unwrap();
    let mut amounts = Vec::new();
    for _ in 0..3 {
        let s = k
            .as_org(&a, Kind::GoodsDistribute, give(None, "kits", "1"))
            .unwrap();
        amounts.push(distribution(&k, s)["amount"].clone());
    }
    assert_eq!(amounts, [json!("33.33"), json!("33.34"), json!("33.33")]);
    // Half a cent rounds up: 2 units worth 0.01 give 0.01 (C(1) = 0.005) and then 0.00.
    k.as_org(
        &a,
        Kind::Donation,
        gift("G2", None, "pens", "2", "支", Some("0.01")),
    )
    .unwrap();
    let first = k
        .as_org(&a, Kind::GoodsDistribute, give(None, "pens", "1"))
        .unwrap();
    let second = k
        .as_org(&a, Kind::GoodsDistribute, give(None, "pens", "1"))
        .unwrap();
    assert_eq!(
        (
            distribution(&k, first)["amount"].clone(),
            distribution(&k, second)["amount"].clone()
        ),
        (json!("0.01"), json!("0.00"))
    );
}

#[test]
fn the_pieces_of_a_gift_sum_to_its_value_against_a_naive_division() {
    // Every split of a few awkward gifts into runs: each piece equals the naive rounded
    // difference of V·x/Q (decimal division, half away from zero), and the pieces sum to V.
    let naive = |v: Decimal, q: Decimal, x: Decimal| {
        (v * x / q).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    };
    for (v, q) in [
        ("33333.33", "1000"),
        ("100.00", "3"),
        ("0.01", "7"),
        ("9999999.99", "2.5"),
        ("1.00", "0.0003"),
    ] {
        let (v, q) = (d(v), d(q));
        for step in ["1", "0.5", "0.0001", "7", "333.3333"] {
            let step = d(step);
            let (mut at, mut sum) = (Decimal::ZERO, Decimal::ZERO);
            while at < q {
                let n = step.min(q - at);
                let piece = share(v, q, at, n);
                let want = if at + n == q { v } else { naive(v, q, at + n) } - naive(v, q, at);
                assert_eq!(piece, want, "gift {v} of {q}, units {at}..+{n}");
                sum += piece;
                at += n;
            }
            assert_eq!(sum, v, "gift {v} of {q} in steps of {step}");
        }
    }
}

#[test]
fn unvalued_goods_move_by_quantity_and_count_in_no_money_figure() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "救灾");
    k.as_org(
        &a,
        Kind::Donation,
        gift("Q1", Some("P1"), "quilts", "200", "床", None),
    )
    .unwrap();
    let mut body = give(Some("P1"), "quilts", "150");
    body["recipient_type"] = json!("individual");
    body["recipient_display"] = json!("王*");
    let s = k.as_org(&a, Kind::GoodsDistribute, body).unwrap();
    let r = distribution(&k, s);
    assert_eq!(
        (r["quantity"].clone(), r.get("amount")),
        (json!("150"), None)
    );
    let t = k.trace(&a, &id("Q1")).unwrap();
    let g = t.goods.expect("goods part");
    assert_eq!(
        (
            g.distributed_quantity,
            g.in_stock_quantity,
            g.value,
            g.distributed_value
        ),
        (Qty(d("150")), Qty(d("50")), None, None)
    );
    // No money anywhere: no figures, no totals, no balance.
    assert!(k.state.org_year_figures_for(&a, 2026).is_empty());
    assert!(!k.view_rows().keys().any(|key| key.starts_with("totals/")));
    assert_eq!(bal(&k, &a, Some("P1")), Money::ZERO);
}

#[test]
fn refusals_name_the_field_and_the_rule_and_change_nothing() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    k.project(&a, "P1", "救灾");
    k.project(&a, "P2", "救灾");
    k.as_org(
        &a,
        Kind::Donation,
        gift("Q1", Some("P1"), "quilts", "200", "床", None),
    )
    .unwrap();
    k.as_org(
        &a,
        Kind::Donation,
        gift("G1", Some("P1"), "rice", "10", "袋", Some("300.00")),
    )
    .unwrap();
    // More than the stock.
    let msg = refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        give(Some("P1"), "quilts", "200.5"),
        "goods_shortage",
        "body.quantity",
    );
    assert!(msg.contains("200.5 床 exceeds the 200 床"), "{msg}");
    // Stock is per project: P2 has no quilts, and no item `tents` anywhere.
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        give(Some("P2"), "quilts", "1"),
        "unknown_item",
        "body.item",
    );
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        give(None, "quilts", "1"),
        "unknown_item",
        "body.item",
    );
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        give(Some("P1"), "tents", "1"),
        "unknown_item",
        "body.item",
    );
    // A gift joining an item in another unit, valuation state or currency.
    refused(
        &mut k,
        &a,
        Kind::Donation,
        gift("Q2", Some("P1"), "quilts", "5", "条", None),
        "goods_item_mismatch",
        "body.in_kind.unit",
    );
    refused(
        &mut k,
        &a,
        Kind::Donation,
        gift("Q3", Some("P1"), "quilts", "5", "床", Some("500.00")),
        "goods_item_mismatch",
        "body.in_kind.valuation_proof",
    );
    refused(
        &mut k,
        &a,
        Kind::Donation,
        gift("G2", Some("P1"), "rice", "5", "袋", None),
        "goods_item_mismatch",
        "body.in_kind.valuation_proof",
    );
    let mut usd = gift("G3", Some("P1"), "rice", "5", "袋", Some("20.00"));
    usd["currency"] = json!("USD");
    refused(
        &mut k,
        &a,
        Kind::Donation,
        usd,
        "goods_item_mismatch",
        "body.currency",
    );
    // The goods ledger keeps no time restriction.
    let mut later = gift("Q4", None, "quilts", "5", "床", None);
    later["restricted_until_year"] = json!(2027);
    refused(
        &mut k,
        &a,
        Kind::Donation,
        later,
        "donation_form",
        "body.restricted_until_year",
    );
    // An individual recipient is masked; a handover has evidence; it happened already.
    let mut named = give(Some("P1"), "quilts", "1");
    named["recipient_type"] = json!("individual");
    named["recipient_display"] = json!("王小明");
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        named,
        "unmasked_name",
        "body.recipient_display",
    );
    let mut bare = give(Some("P1"), "quilts", "1");
    bare["evidence"] = json!([]);
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        bare,
        "invalid_body",
        "body.evidence",
    );
    let mut future = give(Some("P1"), "quilts", "1");
    future["distributed_on"] = json!("2027-01-01");
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        future,
        "future_date",
        "body.distributed_on",
    );
    // A distribution states no amount: the value is derived, never declared.
    let mut priced = give(Some("P1"), "rice", "1");
    priced["amount"] = json!("30.00");
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        priced,
        "invalid_body",
        "body.amount",
    );
    // A project does not close on goods in stock; once they are out, it does.
    let close = json!({"project": "P1", "closed_on": "2026-05-26", "summary": "项目结束"});
    let msg = refused(
        &mut k,
        &a,
        Kind::ProjectClose,
        close.clone(),
        "goods_in_stock",
        "body.project",
    );
    assert!(msg.contains("200 床"), "{msg}");
    k.as_org(&a, Kind::GoodsDistribute, give(Some("P1"), "quilts", "200"))
        .unwrap();
    k.as_org(&a, Kind::GoodsDistribute, give(Some("P1"), "rice", "10"))
        .unwrap();
    k.as_org(&a, Kind::ProjectClose, close).unwrap();
    refused(
        &mut k,
        &a,
        Kind::GoodsDistribute,
        give(Some("P1"), "rice", "1"),
        "project_closed",
        "body.project",
    );
}

#[test]
fn in_kind_gifts_without_an_item_mean_what_they_meant() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let mut v = gift("G1", None, "rice", "10", "袋", Some("800.00"));
    v["in_kind"].as_object_mut().unwrap().remove("item");
    k.as_org(&a, Kind::Donation, v).unwrap();
    // As before this version: the valued goods sit in the cash fund and are traced as money.
    assert_eq!(bal(&k, &a, None), m("800.00"));
    let t = k.trace(&a, &id("G1")).unwrap();
    assert_eq!((t.unspent_total, t.goods), (m("800.00"), None));
    assert!(!k.view_rows().keys().any(|key| key.starts_with("goods/")));
}

#[test]
fn a_replay_writes_the_same_rows_and_a_void_that_empties_the_stock_is_refused() {
    let mut k = Kit::new();
    let a = k.register(1, "foundation", false);
    let g1 = k
        .as_org(
            &a,
            Kind::Donation,
            gift("G1", None, "rice", "3", "袋", Some("100.00")),
        )
        .unwrap();
    k.as_org(
        &a,
        Kind::Donation,
        gift("G2", None, "rice", "3", "袋", Some("50.00")),
    )
    .unwrap();
    k.as_org(&a, Kind::GoodsDistribute, give(None, "rice", "4"))
        .unwrap();
    assert_eq!(k.replay().view_rows(), k.view_rows());
    // Voiding G1 would leave 3 bags for a distribution of 4.
    let e = k.as_org(&a, Kind::Correction, void(g1)).unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("goods_shortage", "body.target"),
        "{e}"
    );
    // Amending G2 to 1 bag still leaves 4 = 3 + 1: accepted; the distribution now takes all of
    // G2 at its new value (50.00 for 1 bag), so it is worth 100.00 + 50.00 = 150.00.
    let mut g2 = gift("G2", None, "rice", "1", "袋", Some("50.00"));
    g2["received_on"] = json!("2026-05-20");
    let g2_seq = g1 + 1;
    k.as_org(&a, Kind::Correction, amend(g2_seq, g2)).unwrap();
    let r = distribution(&k, g2_seq + 1);
    assert_eq!(r["amount"], json!("150.00"));
    assert_eq!(k.replay().view_rows(), k.view_rows());
}
