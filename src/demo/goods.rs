//! The demo's goods ledger (issue 14): a foundation's rice, valued with a proof, and quilts
//! without a valuation, received into its unrestricted stock and given out by quantity in 2026;
//! and one distribution beyond the stock, which the ledger must refuse (`goods_shortage`) and
//! `sunshine demo` shows refused.
//!
//! Scripted on fixed days and drawing nothing from the random stream, so the rest of the
//! history is what it was; the receipts have a series of their own (`WZ2026-…`), and the
//! documents' hashes their own labels. Goods never touch the shadow cash books.

use serde_json::{Value, json};

use super::generator::{Gen, Signer};
use super::{
    Days, LAST_DAY, SignedSubmission, Timestamp, date, day_str, derive, receipt_secret,
    recorded_at, sha_hex,
};
use crate::ledger::{Kind, Nonce};

/// The organisation whose goods the demo records (a foundation).
const GOODS_ORG: usize = 0;

/// A submission the demo offers at its end that the ledger must refuse with `code`.
pub struct Refusal {
    pub sub: SignedSubmission,
    pub recorded_at: Timestamp,
    pub code: &'static str,
    /// What it tries, for the demo's report.
    pub what: &'static str,
}

impl Gen {
    /// The scripted gifts and distributions of today, if any.
    pub(super) fn goods_today(&mut self) {
        let d = self.day;
        if d == date(2026, 1, 15) {
            self.goods_gift("WZ2026-0001", "quilts", "棉被", "200", "床", None);
        } else if d == date(2026, 2, 1) {
            self.distribute(
                "quilts",
                "150",
                "individual",
                "王*",
                "冬季困难老人御寒棉被发放（每户一床）",
            );
        } else if d == date(2026, 5, 12) {
            // 1,000 bags worth 33,333.33: the value does not divide evenly by the bag.
            self.goods_gift(
                "WZ2026-0002",
                "rice",
                "大米（10公斤装）",
                "1000",
                "袋",
                Some("33333.33"),
            );
        } else if d == date(2026, 5, 20) {
            self.goods_gift(
                "WZ2026-0003",
                "rice",
                "大米（10公斤装）",
                "500",
                "袋",
                Some("16000.00"),
            );
        } else if d == date(2026, 6, 1) {
            self.distribute(
                "rice",
                "300",
                "group",
                "清远市某镇受灾群众",
                "洪灾受灾群众口粮发放",
            );
        } else if d == date(2026, 7, 1) {
            // 700 bags of the first gift and 100 of the second.
            self.distribute(
                "rice",
                "800",
                "organisation",
                "某县敬老院",
                "敬老院口粮补充",
            );
        }
    }

    fn goods_gift(
        &mut self,
        receipt_no: &str,
        item: &str,
        what: &str,
        quantity: &str,
        unit: &str,
        value: Option<&str>,
    ) {
        let org = &self.orgs[GOODS_ORG].d.id;
        let commitment = sha_hex(&receipt_secret(self.seed, org, receipt_no));
        let mut body = json!({"receipt_no": receipt_no, "received_on": day_str(self.day),
            "form": "in_kind", "donor_type": "organisation", "donor_display": "广东某粮油食品有限公司",
            "receipt": "issued", "commitment": commitment,
            "in_kind": {"description": format!("捐赠{what}，已入库登记"), "quantity": quantity,
                        "unit": unit, "item": item}});
        if let Some(v) = value {
            body["in_kind"]["valuation_proof"] = json!(self.goods_doc(receipt_no));
            body["amount"] = json!(v);
            body["currency"] = json!("CNY");
        }
        // Not counted in `donations`: that is the scale asked for, of the random history.
        self.push(Signer::Org(GOODS_ORG), Kind::Donation, body);
    }

    fn distribute(&mut self, item: &str, quantity: &str, to_type: &str, to: &str, purpose: &str) {
        let body = self.distribution(item, quantity, to_type, to, purpose);
        self.push(Signer::Org(GOODS_ORG), Kind::GoodsDistribute, body);
    }

    fn distribution(
        &self,
        item: &str,
        quantity: &str,
        to_type: &str,
        to: &str,
        purpose: &str,
    ) -> Value {
        json!({"item": item, "quantity": quantity, "purpose": purpose, "recipient_type": to_type,
               "recipient_display": to, "distributed_on": day_str(self.day),
               "evidence": [self.goods_doc(&format!("{item}/{}", day_str(self.day)))]})
    }

    /// A document hash of the goods story, apart from the history's numbered documents.
    fn goods_doc(&self, what: &str) -> String {
        sha_hex(&derive(self.seed, &format!("doc/goods/{what}")))
    }
}

impl Days {
    /// What the demo offers after its history and the ledger must refuse: 500 quilts when 50
    /// are in stock (200 received, 150 given out).
    pub fn refusals(&self) -> Vec<Refusal> {
        let g = &self.g;
        let at = recorded_at(LAST_DAY);
        let body = g.distribution(
            "quilts",
            "500",
            "group",
            "某社区困难家庭",
            "棉被发放（超出库存）",
        );
        let nonce: Nonce = format!("demo-{}-goods-refused", g.seed % 1_000_000)
            .parse()
            .expect("demo nonces are well-formed");
        vec![Refusal {
            sub: g.sign(
                Signer::Org(GOODS_ORG),
                Kind::GoodsDistribute,
                body,
                at,
                nonce,
            ),
            recorded_at: at,
            code: "goods_shortage",
            what: "goods.distribute of 500 床 quilts with 50 in stock",
        }]
    }
}
