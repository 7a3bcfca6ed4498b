//! Welfare lottery funds: grants on the 10th of March to October, used a quarter a month, and
//! announced every fiscal year (fiscal 2023's never, 2024's on time, 2025's late). The issuer
//! records the fund it received for 2025, announces 2025 with its execution by purpose, and
//! grants to a children's welfare home that is not a charity; its 2024 announcement, with no
//! receipts recorded, stays declared and unchecked (the other failing case).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::generator::{Gen, Grant, Signer};
use super::{cents, date, day_str, on, share, yuan};
use crate::ledger::Kind;

/// The children's welfare home registered beside the issuer.
pub(super) const WELFARE_HOME: &str = "广州市儿童福利院";
/// Fund received for fiscal 2025: (day, cents).
const FUND_2025: [((i32, u8, u8), i64); 2] = [
    ((2025, 1, 15), 2_000_000_000),
    ((2025, 7, 15), 1_000_000_000),
];

impl Gen {
    pub(super) fn lottery_today(&mut self) {
        let d = self.day;
        let admin = self.lottery_admin();
        const PURPOSES: [&str; 4] = ["养老服务", "儿童福利", "残疾人福利", "社会救助"];
        self.lottery_funds_today(admin);
        // Fiscal 2023's last grant, made on 10 January 2024 and never announced: a year before
        // the ledger saw the administrator, so its announcement is not judged here
        // (`money::duties`).
        if d == date(2024, 1, 10) {
            self.lottery_grant(admin, 2023, 25, "养老服务", cents(5_000_000), "FC2023-099");
        }
        // Grants on the 10th of March to October, to the same programmes every year (fiscal
        // 2026 is not due for announcement before the history ends).
        if d.day() == 10 && (3..=10).contains(&(d.month() as u8)) {
            let n = self
                .grants
                .iter()
                .filter(|g| g.fiscal_year == d.year())
                .count();
            let recipient = 25 + (n * 5) % 12;
            let purpose = PURPOSES[n % PURPOSES.len()];
            let amount = cents((20 + (n as i64 * 7) % 30) * 10_000_000);
            let id = format!("FC{}-{:03}", d.year(), n + 1);
            self.lottery_grant(admin, d.year(), recipient, purpose, amount, &id);
        }
        // Recipients use a quarter of each grant on the 20th of every month until it is spent.
        if d.day() == 20 {
            for gi in 0..self.grants.len() {
                let g = &self.grants[gi];
                let left = g.amount - g.used;
                if left <= Decimal::ZERO {
                    continue;
                }
                let quarter = share(g.amount, 1, 4);
                let amount = if left <= quarter { left } else { quarter };
                let (recipient, id) = (g.recipient, g.id.clone());
                let ev = self.hash("lottery-usage");
                let body = json!({"administrator": self.orgs[admin].d.id, "grant_id": id,
                    "amount": yuan(amount), "currency": "CNY",
                    "used_for": format!("福彩公益金资助项目执行：{}", self.grants[gi].purpose),
                    "used_on": day_str(d), "evidence": [ev]});
                self.grants[gi].used += amount;
                self.fig(recipient, d.year()).charitable += amount;
                self.push(Signer::Org(recipient), Kind::LotteryUsage, body);
            }
        }
        // Announcements: fiscal 2024 on time, fiscal 2025 after the 30 June deadline.
        for (year, on) in [(2024, date(2025, 4, 18)), (2025, date(2026, 7, 21))] {
            if d != on {
                continue;
            }
            let mut allocated: BTreeMap<&str, Decimal> = BTreeMap::new();
            for g in self.grants.iter().filter(|g| g.fiscal_year == year) {
                *allocated.entry(g.purpose).or_default() += g.amount;
            }
            let total: Decimal = allocated.values().sum();
            let raised = self
                .lottery_received(year)
                .unwrap_or(total + share(total, 1, 5));
            let doc = self.hash("lottery-announce");
            let allocated: Vec<Value> = allocated
                .into_iter()
                .map(|(p, a)| json!({"purpose": p, "amount": yuan(a)}))
                .collect();
            let mut body = json!({"fiscal_year": year, "currency": "CNY", "raised": yuan(raised),
                "allocated": allocated, "carried_forward": yuan(raised - total),
                "announced_on": day_str(d), "document": doc});
            if self.lottery_received(year).is_some() {
                body["executed"] = self.lottery_executed(year);
            }
            self.push(Signer::Org(admin), Kind::LotteryAnnounce, body);
        }
    }

    /// Administrator `admin` grants `amount` cents of fiscal `year`'s fund to `recipient`'s
    /// first project, if it is open today.
    pub(super) fn lottery_grant(
        &mut self,
        admin: usize,
        year: i32,
        recipient: usize,
        purpose: &'static str,
        amount: Decimal,
        id: &str,
    ) {
        let d = self.day;
        let Some(&project) = self.orgs[recipient].projects.first() else {
            return;
        };
        if !self.projects[project].open {
            return;
        }
        let body = json!({"grant_id": id, "fiscal_year": year,
            "recipient_org": self.orgs[recipient].d.id, "recipient_project": self.projects[project].id,
            "amount": yuan(amount), "currency": "CNY", "purpose": purpose, "granted_on": day_str(d)});
        self.fig(recipient, d.year()).income += amount;
        self.push(Signer::Org(admin), Kind::LotteryGrant, body);
        self.grants.push(Grant {
            id: id.to_owned(),
            fiscal_year: year,
            recipient,
            purpose,
            amount,
            used: Decimal::ZERO,
        });
    }

    pub(super) fn welfare_home(&self) -> Option<usize> {
        self.orgs.iter().position(|o| o.d.name == WELFARE_HOME)
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
