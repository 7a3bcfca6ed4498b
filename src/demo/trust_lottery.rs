//! The demo's trusts and lottery funds in full (issue 14): the trust company's trust earns
//! income, takes a further contribution and pays fees, and reports 2025 with a statement the
//! ledger checks; the foundation's trust ends in 2026 with its liquidation report, filed 28 days
//! after the cause (the 15 days of the Trust Law: a failing case the trust page shows). The
//! lottery issuer records the fund it received for 2025, announces 2025 with its execution by
//! purpose, and grants to a children's welfare home that is not a charity; its 2024
//! announcement, with no receipts recorded, stays declared and unchecked (the other failing
//! case).

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{Gen, Grant, Signer, cents, date, day_str, derive, sha_hex, share, yuan};
use crate::ledger::Kind;

/// The children's welfare home registered beside the issuer.
pub(super) const WELFARE_HOME: &str = "广州市儿童福利院";
/// Fund received for fiscal 2025: (day, cents).
const FUND_2025: [((i32, u8, u8), i64); 2] = [
    ((2025, 1, 15), 2_000_000_000),
    ((2025, 7, 15), 1_000_000_000),
];
/// The trust that ends, and when its cause arose and when it is reported.
const ENDING_TRUST: usize = 1;
const ENDS_ON: (i32, u8, u8) = (2026, 6, 30);
const END_REPORTED_ON: (i32, u8, u8) = (2026, 7, 28);

fn on(d: (i32, u8, u8)) -> time::Date {
    date(d.0, d.1, d.2)
}

impl Gen {
    pub(super) fn welfare_home(&self) -> Option<usize> {
        self.orgs.iter().position(|o| o.d.name == WELFARE_HOME)
    }

    fn trust_flow(
        &mut self,
        t: usize,
        kind: Kind,
        body: Value,
        flow: &'static str,
        amount: Decimal,
    ) {
        let d = self.day;
        let trustee = self.trusts[t].trustee;
        if flow == "fee" {
            self.trusts[t].remaining -= amount;
        } else {
            self.trusts[t].remaining += amount;
        }
        *self.trusts[t].flows.entry((d.year(), flow)).or_default() += amount;
        self.push(Signer::Org(trustee), kind, body);
    }

    /// Receipts, fees and the end of a trust, on their days.
    pub(super) fn trust_life_today(&mut self) {
        let d = self.day;
        if self.trusts.is_empty() {
            return;
        }
        let id = self.trusts[0].id.clone();
        // Interest on the trust company's trust: 1% of what is left, twice a year from 2025.
        if d.year() >= 2025
            && ((d.month() as u8, d.day()) == (6, 30) || (d.month() as u8, d.day()) == (12, 31))
        {
            let amount = share(self.trusts[0].remaining, 1, 100);
            let doc = self.hash("trust-income");
            let body = json!({"trust_id": id, "source": "investment_income", "amount": yuan(amount),
                "currency": "CNY", "description": "信托财产存款及国债逆回购收益", "document": doc,
                "received_on": day_str(d)});
            self.trust_flow(0, Kind::TrustReceive, body, "income", amount);
        }
        if d == date(2025, 9, 1) {
            let amount = cents(50_000_000);
            let doc = self.hash("trust-contribution");
            let c = sha_hex(&derive(self.seed, &format!("settlor/{id}/3")));
            let body = json!({"trust_id": id, "source": "contribution", "amount": yuan(amount),
                "currency": "CNY", "description": "委托人按信托合同追加信托财产",
                "settlor": {"settlor_type": "organisation", "display": "广东南海建材集团有限公司", "commitment": c},
                "document": doc, "received_on": day_str(d)});
            self.trust_flow(0, Kind::TrustReceive, body, "contribution", amount);
        }
        for (day, fee_type, payee) in [
            (date(2025, 12, 31), "trustee", "南粤信托有限责任公司"),
            (date(2026, 6, 30), "custody", "某商业银行广州分行"),
        ] {
            if d == day {
                let amount = share(self.trusts[0].remaining, 3, 1000);
                let ev = self.hash("trust-fee");
                let body = json!({"trust_id": id, "fee_type": fee_type, "amount": yuan(amount),
                    "currency": "CNY", "payee_display": payee, "evidence": [ev], "paid_on": day_str(d)});
                self.trust_flow(0, Kind::TrustFee, body, "fee", amount);
            }
        }
        if d == on(END_REPORTED_ON) && self.trusts.len() > ENDING_TRUST {
            let t = &self.trusts[ENDING_TRUST];
            let (trustee, id, left) = (t.trustee, t.id.clone(), t.remaining);
            let (report, opinion) = (self.hash("liquidation"), self.hash("supervisor-opinion"));
            let body = json!({"trust_id": id, "reason": "信托目的已提前实现，经委托人同意终止",
                "terminated_on": day_str(on(ENDS_ON)), "liquidation_report": report,
                "supervisor_opinion": opinion, "remaining_property": yuan(left),
                "remaining_to": "广州市慈善会（同类养老项目）", "remaining_to_org": self.orgs[13].d.id,
                "reported_on": day_str(d)});
            self.trusts[ENDING_TRUST].remaining = Decimal::ZERO;
            self.trusts[ENDING_TRUST].ended = true;
            self.push(Signer::Org(trustee), Kind::TrustTerminate, body);
        }
    }

    /// Whether trust `t` makes no more payments (its end is near or past).
    pub(super) fn trust_paused(&self, t: usize) -> bool {
        self.trusts[t].ended || (t == ENDING_TRUST && self.day > on(ENDS_ON))
    }

    /// The statement of trust `t` for `year`, from the generator's own books.
    pub(super) fn trust_statement(&self, t: usize, year: i32) -> Value {
        let tr = &self.trusts[t];
        let flow = |y: i32, k: &str| tr.flows.get(&(y, k)).copied().unwrap_or_default();
        let paid = |y: i32| tr.paid_by_year.get(&y).copied().unwrap_or_default();
        let net = |y: i32| flow(y, "contribution") + flow(y, "income") - flow(y, "fee") - paid(y);
        let opening = tr.property + (tr.start.year()..year).map(net).sum::<Decimal>();
        json!({"opening_property": yuan(opening), "contributions": yuan(flow(year, "contribution")),
            "income": yuan(flow(year, "income")), "fees": yuan(flow(year, "fee")),
            "closing_property": yuan(opening + net(year))})
    }

    /// The fund received for 2025, and the welfare home's grant.
    pub(super) fn lottery_funds_today(&mut self, admin: usize) {
        let d = self.day;
        for (day, fund) in FUND_2025 {
            if d == on(day) {
                let doc = self.hash("lottery-fund");
                let body = json!({"fiscal_year": 2025, "amount": yuan(cents(fund)), "currency": "CNY",
                    "source": "广东省财政厅（福利彩票公益金分配）", "document": doc,
                    "received_on": day_str(d)});
                self.push(Signer::Org(admin), Kind::LotteryReceive, body);
            }
        }
        if d == date(2025, 5, 12)
            && let Some(home) = self.welfare_home()
        {
            let (id, amount, purpose) = ("FC2025-WH1", cents(30_000_000), "儿童福利");
            let body = json!({"grant_id": id, "fiscal_year": 2025,
                "recipient_org": self.orgs[home].d.id, "amount": yuan(amount), "currency": "CNY",
                "purpose": purpose, "granted_on": day_str(d)});
            self.push(Signer::Org(admin), Kind::LotteryGrant, body);
            self.grants.push(Grant {
                id: id.to_owned(),
                fiscal_year: 2025,
                recipient: home,
                purpose,
                amount,
                used: Decimal::ZERO,
            });
        }
    }

    /// What fiscal `year` raised by the recorded receipts, if any were recorded.
    pub(super) fn lottery_received(&self, year: i32) -> Option<Decimal> {
        (year == 2025).then(|| FUND_2025.iter().map(|(_, c)| cents(*c)).sum())
    }

    /// The execution of fiscal `year`'s grants by purpose, as the announcement states it.
    pub(super) fn lottery_executed(&self, year: i32) -> Value {
        let mut used: std::collections::BTreeMap<&str, Decimal> = std::collections::BTreeMap::new();
        for g in self.grants.iter().filter(|g| g.fiscal_year == year) {
            *used.entry(g.purpose).or_default() += g.used;
        }
        used.into_iter()
            .map(|(p, amount)| json!({"purpose": p, "amount": yuan(amount)}))
            .collect()
    }
}
