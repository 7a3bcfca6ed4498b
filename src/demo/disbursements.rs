//! Spending: programme, administration and fundraising costs every other week, spending before
//! the year ends to keep the 70% rule, grants between organisations' projects, two related-party
//! payments and one disbursement recorded twice.

use rand::Rng;
use rust_decimal::Decimal;
use serde_json::json;
use time::Duration;

use super::corrections::{Pending, Undo};
use super::generator::{Behaviour, Gen, Signer};
use super::{at_rate, cents, date, day_str, rate_of, share, yuan};
use crate::ledger::Kind;

impl Gen {
    pub(super) fn disburse(
        &mut self,
        o: usize,
        project: Option<usize>,
        amount: Decimal,
        category: &str,
    ) -> Option<u64> {
        if amount < Decimal::ONE || amount > self.spendable(o, project) {
            return None;
        }
        let city = self.city(o);
        let (purpose, payee_type, payee) = match category {
            "administration" => (
                ["办公场地租金", "工作人员工资及社保", "年度审计费"][self.rng.gen_range(0..3)]
                    .to_owned(),
                "organisation",
                format!("{city}某物业管理有限公司"),
            ),
            "fundraising" => (
                "网络募捐平台技术服务费".to_owned(),
                "organisation",
                "某互联网公益平台".to_owned(),
            ),
            _ => match self.rng.gen_range(0..3) {
                0 => {
                    let name = self.masked_person();
                    (
                        project.map_or("困难群众临时救助金".to_owned(), |p| {
                            format!("{}受助人资助", self.projects[p].purpose)
                        }),
                        "individual",
                        name,
                    )
                }
                1 => (
                    "集中采购物资发放".to_owned(),
                    "group",
                    format!(
                        "{city}{}村困难家庭（{}户）",
                        ["红星", "新联", "石桥", "东坑", "长岭"][self.rng.gen_range(0..5)],
                        self.rng.gen_range(10..80)
                    ),
                ),
                _ => (
                    "委托执行项目服务".to_owned(),
                    "organisation",
                    format!(
                        "{city}{}",
                        [
                            "第一人民医院",
                            "特殊教育学校",
                            "儿童福利院",
                            "社区卫生服务中心"
                        ][self.rng.gen_range(0..4)]
                    ),
                ),
            },
        };
        let ev = self.hash("invoice");
        let mut body = json!({"amount": yuan(amount), "currency": "CNY", "category": category,
            "purpose": purpose, "payee_type": payee_type, "payee_display": payee,
            "evidence": [ev], "paid_on": day_str(self.day)});
        if let Some(p) = project {
            body["project"] = json!(self.projects[p].id);
            self.projects[p].spent += amount;
            self.projects[p].beneficiaries += self.rng.gen_range(1..20);
        }
        self.add_funds(o, project, -amount);
        let year = self.day.year();
        let f = self.fig(o, year);
        match category {
            "administration" => f.admin += amount,
            "fundraising" => f.fundraising += amount,
            _ => f.charitable += amount,
        }
        Some(self.push(Signer::Org(o), Kind::Disbursement, body))
    }

    pub(super) fn weekly_spending(&mut self) {
        let weekday = self.day.weekday().number_days_from_monday() as usize;
        if weekday > 4 {
            return;
        }
        for o in 0..self.orgs.len() {
            if !self.orgs[o].charity || o % 5 != weekday {
                continue;
            }
            let year = self.day.year();
            let behaviour = self.orgs[o].behaviour;
            if behaviour == Behaviour::Underspends && year == 2024 {
                continue; // saving up, the 2025 figure will show it
            }
            // Every other week, to keep the books readable.
            if (self.day.ordinal() / 7) % 2 == 1 {
                continue;
            }
            let rate = match behaviour {
                Behaviour::Underspends if year == 2025 => Decimal::new(1, 2),
                _ => rate_of(0.15 + self.rng.gen_range(0.0..0.1)),
            };
            let least = cents(50_000);
            let mut programme = Decimal::ZERO;
            for p in self.open_projects_of(o) {
                let amount = at_rate(self.spendable(o, Some(p)), rate);
                if amount >= least && self.disburse(o, Some(p), amount, "programme").is_some() {
                    programme += amount;
                }
            }
            let free = self.spendable(o, None);
            let amount = at_rate(free, rate / Decimal::TWO);
            if amount >= least && self.disburse(o, None, amount, "programme").is_some() {
                programme += amount;
            }
            let admin_rate = match behaviour {
                Behaviour::AdminHeavy => Decimal::new(5, 1),
                _ => rate_of(0.05 + self.rng.gen_range(0.0..0.03)),
            };
            let admin = at_rate(programme, admin_rate).min(share(self.spendable(o, None), 1, 2));
            self.disburse(o, None, admin, "administration");
            if self.orgs[o].d.public_fundraising {
                let fr = at_rate(programme, Decimal::new(15, 3)).min(share(
                    self.spendable(o, None),
                    1,
                    2,
                ));
                self.disburse(o, None, fr, "fundraising");
            }
        }
        // A related-party payment disclosed on time, and one disclosed 45 days late.
        for (when, lag, o) in [
            (date(2025, 3, 12), 3, 2usize),
            (date(2025, 8, 20), 45, 15usize),
        ] {
            if self.day == when {
                let amount = cents(12_000_000).min(share(self.spendable(o, None), 1, 3));
                if amount >= Decimal::ONE {
                    let paid = self.day - Duration::days(lag);
                    let ev = self.hash("related");
                    let body = json!({"amount": yuan(amount), "currency": "CNY", "category": "programme",
                        "purpose": "委托理事关联企业采购助学物资（关联交易）", "payee_type": "organisation",
                        "payee_display": "广州市恒信贸易有限公司", "evidence": [ev],
                        "paid_on": day_str(paid), "related_party": true});
                    self.add_funds(o, None, -amount);
                    self.fig(o, paid.year()).charitable += amount;
                    self.push(Signer::Org(o), Kind::Disbursement, body);
                }
            }
        }
        // A disbursement recorded twice by mistake in 2026; the duplicate is voided.
        if self.day == date(2026, 5, 6) {
            let o = 3;
            if let Some(&p) = self.open_projects_of(o).first() {
                let amount = share(self.spendable(o, Some(p)), 1, 10).max(Decimal::ZERO);
                if self.disburse(o, Some(p), amount, "programme").is_some()
                    && let Some(dup) = self.disburse(o, Some(p), amount, "programme")
                {
                    self.pending.push(Pending {
                        on: self.day + Duration::days(3),
                        signer: Signer::Org(o),
                        body: json!({"target": dup, "action": "void", "notice": "同一笔支出重复登记，作废重复记录"}),
                        books: Undo::VoidDisbursement { org: o, project: p, amount },
                    });
                }
            }
        }
    }

    /// Before the year closes (for 2026, before the history ends), organisations that mind the
    /// ratio rules spend enough to keep charitable spending above 70% of last year's revenue.
    pub(super) fn year_end_spending(&mut self) {
        let d = self.day;
        if !(d == date(2024, 12, 18) || d == date(2025, 12, 18) || d == date(2026, 10, 20)) {
            return;
        }
        let year = d.year();
        for o in 0..self.orgs.len() {
            if !self.orgs[o].charity
                || (self.orgs[o].behaviour == Behaviour::Underspends && year == 2025)
            {
                continue;
            }
            let prior = self
                .figs
                .get(&(o, year - 1))
                .map_or(Decimal::ZERO, |f| f.income);
            let done = self
                .figs
                .get(&(o, year))
                .map_or(Decimal::ZERO, |f| f.charitable);
            let mut needed = share(prior, 78, 100) - done;
            let funds: Vec<Option<usize>> = self
                .open_projects_of(o)
                .into_iter()
                .map(Some)
                .chain([None])
                .collect();
            for fund in funds {
                if needed <= Decimal::ZERO {
                    break;
                }
                let amount = needed.min(self.spendable(o, fund));
                if self.disburse(o, fund, amount, "programme").is_some() {
                    needed -= amount;
                }
            }
        }
    }

    pub(super) fn monthly_grants(&mut self) {
        if self.day.day() != 15 {
            return;
        }
        // Public foundations fund service organisations' projects.
        for o in 0..8 {
            if self.orgs[o].behaviour != Behaviour::Normal {
                continue;
            }
            let Some(&from) = self.open_projects_of(o).first() else {
                continue;
            };
            let targets: Vec<usize> = (25..37).flat_map(|t| self.open_projects_of(t)).collect();
            if targets.is_empty() {
                continue;
            }
            let to = targets[(self.day.month() as usize + o) % targets.len()];
            let amount = share(self.spendable(o, Some(from)), 1, 6);
            if amount < cents(100_000) {
                continue;
            }
            let t = self.projects[to].org;
            let ev = self.hash("grant");
            let body = json!({"from_project": self.projects[from].id, "to_org": self.orgs[t].d.id,
                "to_project": self.projects[to].id, "amount": yuan(amount), "currency": "CNY",
                "purpose": format!("联合资助{}", self.projects[to].purpose), "paid_on": day_str(self.day),
                "evidence": [ev]});
            self.add_funds(o, Some(from), -amount);
            self.add_funds(t, Some(to), amount);
            self.projects[from].spent += amount;
            self.projects[to].raised += amount;
            let year = self.day.year();
            self.fig(o, year).charitable += amount;
            self.fig(t, year).income += amount;
            self.push(Signer::Org(o), Kind::GrantTransfer, body);
        }
    }
}
