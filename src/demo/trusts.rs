//! Charitable trusts: two filed by the regulator (one on time, one late), paid out quarterly,
//! reported every year; the trust company's trust earns income, takes a further contribution and
//! pays fees, and reports 2025 with a statement the ledger checks; the foundation's trust ends
//! in 2026 with its liquidation report, filed 28 days after the cause (the 15 days of the Trust
//! Law: a failing case the trust page shows); and three trusts charities set up as settlors.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use time::{Date, Duration};

use super::generator::{Gen, Signer, Trust};
use super::{cents, date, day_str, derive, on, sha_hex, share, yuan};
use crate::ledger::Kind;

/// The trust that ends, and when its cause arose and when it is reported.
const ENDING_TRUST: usize = 1;
const ENDS_ON: (i32, u8, u8) = (2026, 6, 30);
const END_REPORTED_ON: (i32, u8, u8) = (2026, 7, 28);

impl Gen {
    pub(super) fn trusts_today(&mut self) {
        self.trust_life_today();
        let d = self.day;
        let tc = self.trust_company();
        // Filed by the regulator: one on time (5 days), one late (13 days after signing).
        let filings = [
            (
                date(2024, 3, 20),
                5,
                tc,
                "GDCT-2024-001",
                "南粤信托·春蕾助学慈善信托",
                300_000_000,
                "教育",
            ),
            (
                date(2024, 9, 5),
                13,
                2,
                "GDCT-2024-002",
                "岭南慈善·乡村长者关爱慈善信托",
                100_000_000,
                "扶老",
            ),
        ];
        for (signed, lag, trustee, id, name, property, purpose) in filings {
            if d == signed + Duration::days(lag) {
                let property = cents(property);
                let settlor = self.masked_person();
                let c1 = sha_hex(&derive(self.seed, &format!("settlor/{id}/1")));
                let c2 = sha_hex(&derive(self.seed, &format!("settlor/{id}/2")));
                let body = json!({"trust_id": id, "name": name, "trustee": self.orgs[trustee].d.id,
                    "settlors": [
                        {"settlor_type": "organisation", "display": "广东南海建材集团有限公司", "commitment": c1},
                        {"settlor_type": "individual", "display": settlor, "commitment": c2}],
                    "supervisor": "广东某律师事务所", "purpose": purpose, "property": yuan(property),
                    "currency": "CNY", "term_start": day_str(signed),
                    "term_end": day_str(date(signed.year() + 10, 3, 31)),
                    "filing_no": format!("{id}-BA"), "filing_authority": "广东省民政厅",
                    "signed_on": day_str(signed), "filed_on": day_str(d)});
                self.push(Signer::Regulator, Kind::TrustFile, body);
                self.trusts.push(Trust {
                    id: id.to_owned(),
                    trustee,
                    remaining: property,
                    paid_by_year: BTreeMap::new(),
                    start: d,
                    property,
                    flows: BTreeMap::new(),
                    ended: false,
                });
            }
        }
        // Quarterly payments.
        if d.day() == 25 && matches!(d.month() as u8, 3 | 6 | 9 | 12) {
            for t in 0..self.trusts.len() {
                let tr = &self.trusts[t];
                if tr.start >= d || self.trust_paused(t) {
                    continue;
                }
                let amount = share(tr.remaining, 1, 12).min(tr.remaining);
                if amount < Decimal::ONE {
                    continue;
                }
                let (trustee, id) = (tr.trustee, tr.id.clone());
                let payee = format!(
                    "{}{}",
                    self.city(trustee),
                    ["山区小学", "敬老院", "乡村卫生院"][t % 3]
                );
                let ev = self.hash("trust");
                let body = json!({"trust_id": id, "amount": yuan(amount), "currency": "CNY",
                    "purpose": "按信托合同约定拨付年度资助款", "payee_type": "organisation",
                    "payee_display": payee, "evidence": [ev], "paid_on": day_str(d)});
                self.trusts[t].remaining -= amount;
                *self.trusts[t].paid_by_year.entry(d.year()).or_default() += amount;
                self.push(Signer::Org(trustee), Kind::TrustDisburse, body);
            }
        }
        // Annual trust reports: the trust company on time, the foundation late for 2024 and
        // never for 2025.
        for t in 0..self.trusts.len() {
            for (year, on) in [
                (
                    2024,
                    if t == 0 {
                        date(2025, 3, 18)
                    } else {
                        date(2025, 5, 12)
                    },
                ),
                (2025, date(2026, 3, 16) + Duration::days(t as i64)),
            ] {
                if d != on || (t == 1 && year == 2025) {
                    continue;
                }
                let tr = &self.trusts[t];
                let paid = tr.paid_by_year.get(&year).copied().unwrap_or_default();
                let (trustee, id, remaining) = (tr.trustee, tr.id.clone(), tr.remaining);
                let doc = self.hash("trust-report");
                let mut body = json!({"trust_id": id, "year": year, "document": doc,
                    "disbursed": yuan(paid), "income": yuan(share(remaining, 1, 40)),
                    "closing_balance": yuan(remaining), "reported_on": day_str(d)});
                // From 2025 the report states the year's property, checked by the ledger
                // (issue 14); 2024's stay declared figures.
                if year >= 2025 {
                    body["statement"] = self.trust_statement(t, year);
                    body["supervisor_opinion"] = json!(self.hash("supervisor-opinion"));
                    if let Some(b) = body.as_object_mut() {
                        b.remove("income");
                        b.remove("closing_balance");
                    }
                }
                self.push(Signer::Org(trustee), Kind::TrustReport, body);
            }
        }
    }

    /// The regulator files, today, charitable trust `id` that organisation `o` set up as its
    /// settlor by a contract signed on `signed`, with the trust company as trustee.
    pub(super) fn settlor_trust(&mut self, o: usize, id: &str, signed: Date) {
        let c = sha_hex(&derive(self.seed, &format!("settlor/{id}/1")));
        let end = date(signed.year() + 5, signed.month() as u8, 1);
        let body = json!({"trust_id": id, "name": format!("公益慈善信托（{}设立）", self.orgs[o].d.name),
            "trustee": self.orgs[self.trust_company()].d.id,
            "settlors": [{"settlor_type": "organisation", "display": self.orgs[o].d.name,
                "commitment": c, "org": self.orgs[o].d.id}],
            "purpose": "教育", "property": "1000000.00", "currency": "CNY",
            "term_start": day_str(signed), "term_end": day_str(end), "filing_no": format!("{id}-BA"),
            "filing_authority": "广东省民政厅", "signed_on": day_str(signed), "filed_on": day_str(self.day)});
        self.push(Signer::Regulator, Kind::TrustFile, body);
    }

    pub(super) fn trust_flow(
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
}
