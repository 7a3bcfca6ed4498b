//! The gifts: planned up front as counts per day, organisation and kind (the only draw over the
//! whole history), then made day by day with their amounts, donors and receipts; and the two
//! scripted mistakes of 2026 that a correction later voids or amends.

use rand::Rng;
use rust_decimal::Decimal;
use serde_json::json;
use time::{Date, Duration};

use super::corrections::{Pending, Undo};
use super::generator::{Behaviour, Gen, Signer};
use super::names::{COMPANIES, GOODS};
use super::{Days, FIRST_DAY, LAST_DAY, cents, date, day_str, receipt_secret, sha_hex, yuan};
use crate::ledger::Kind;

/// How many gifts each organisation receives on each day, major gifts apart: the history's
/// whole plan of gifts in a fixed size (days x 2 x organisations counters) at any scale, where
/// a list of every gift grew with it (16 bytes a gift, 160 MB at ten million). A day's gifts
/// are made major gifts first, then by organisation; gifts alike in all three are made alike
/// (each draws its own amount and donor when it is made), so counting them loses nothing.
pub(super) struct DonationPlan {
    orgs: usize,
    counts: Vec<u32>,
    len: u64,
}

impl DonationPlan {
    pub(super) fn new(orgs: usize) -> DonationPlan {
        let days = Days::total_days() as usize;
        DonationPlan {
            orgs,
            counts: vec![0; days * 2 * orgs],
            len: 0,
        }
    }

    /// Gifts planned so far.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    fn slot(&self, day: Date, major: bool, org: usize) -> Option<usize> {
        let d = usize::try_from((day - FIRST_DAY).whole_days()).ok()?;
        let i = (d * 2 + usize::from(!major)) * self.orgs + org;
        (org < self.orgs && i < self.counts.len()).then_some(i)
    }

    /// One more gift to `org` on `day` (a day of the history).
    pub(super) fn add(&mut self, day: Date, org: usize, major: bool) {
        if let Some(i) = self.slot(day, major, org) {
            self.counts[i] += 1;
            self.len += 1;
        }
    }

    /// The gifts of `day` as (organisation, major), in the order they are made.
    pub(super) fn of_day(&self, day: Date) -> impl Iterator<Item = (usize, bool)> + '_ {
        [true, false].into_iter().flat_map(move |major| {
            (0..self.orgs).flat_map(move |org| {
                let n = self.slot(day, major, org).map_or(0, |i| self.counts[i]);
                std::iter::repeat_n((org, major), n as usize)
            })
        })
    }
}

impl Gen {
    /// How many gifts each charity receives on each day, drawn from the random stream.
    pub(super) fn plan_donations(&mut self, scale: u64) -> DonationPlan {
        let charities: Vec<usize> = (0..self.orgs.len())
            .filter(|&o| self.orgs[o].charity)
            .collect();
        let mut plan = DonationPlan::new(self.orgs.len());
        // A major gift per charity early in each year so every organisation has money.
        for (k, &o) in charities.iter().enumerate() {
            for year in [2024, 2025, 2026] {
                if plan.len() < scale {
                    let d = date(year, 1, 20) + Duration::days((k * 2) as i64 % 40);
                    plan.add(d, o, true);
                }
            }
        }
        let span = (LAST_DAY - date(2024, 1, 10)).whole_days();
        // Public fundraisers draw three times the gifts: weights of a random pick, not money.
        let weights: Vec<f64> = charities
            .iter()
            .map(|&o| {
                if self.orgs[o].d.public_fundraising {
                    3.0
                } else {
                    1.0
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        while plan.len() < scale {
            // 99 Giving Day (9 September) and the year end draw more gifts.
            let mut d = date(2024, 1, 10) + Duration::days(self.rng.gen_range(0..=span));
            if self.rng.gen_bool(0.12) {
                d = date(d.year(), 9, 7) + Duration::days(self.rng.gen_range(0..3));
            } else if self.rng.gen_bool(0.08) {
                d = date(d.year(), 12, 1) + Duration::days(self.rng.gen_range(0..31));
            }
            if d > LAST_DAY {
                continue;
            }
            let mut x = self.rng.gen_range(0.0..total);
            let mut org = charities[0];
            for (i, w) in weights.iter().enumerate() {
                if x < *w {
                    org = charities[i];
                    break;
                }
                x -= w;
            }
            plan.add(d, org, false);
        }
        plan
    }

    pub(super) fn donation(&mut self, o: usize, major: bool) {
        let open = self.open_projects_of(o);
        let year = self.day.year();
        let project = if major || open.is_empty() || self.rng.gen_bool(0.3) {
            None
        } else {
            // Most gifts go to the emergency campaign while it runs.
            let emergency = open.iter().copied().find(|&p| self.projects[p].emergency);
            Some(emergency.unwrap_or_else(|| open[self.rng.gen_range(0..open.len())]))
        };
        self.orgs[o].receipts += 1;
        let receipt_no = format!("JZ{year}-{:06}", self.orgs[o].receipts);
        let commitment = sha_hex(&receipt_secret(self.seed, &self.orgs[o].d.id, &receipt_no));
        // Which size of gift: a probability, not money.
        let r: f64 = self.rng.r#gen();
        let amount = cents(if major {
            self.rng.gen_range(30_000..150_000)
                * 1000
                * if self.orgs[o].d.public_fundraising {
                    2
                } else {
                    1
                }
        } else if r < 0.55 {
            [1000, 2000, 5000, 6666, 8800, 10_000, 20_000, 50_000][self.rng.gen_range(0..8)]
        } else if r < 0.9 {
            self.rng.gen_range(5..100) * 10_000
        } else if r < 0.99 {
            self.rng.gen_range(10..200) * 100_000
        } else {
            self.rng.gen_range(20..100) * 1_000_000
        });
        let (donor_type, display, consent) = if major || r >= 0.99 {
            let c = COMPANIES[self.rng.gen_range(0..COMPANIES.len())];
            ("organisation", c.to_owned(), false)
        } else if self.rng.gen_bool(0.12) {
            let l = if self.rng.gen_bool(0.7) {
                "爱心人士"
            } else {
                "匿名"
            };
            ("anonymous", l.to_owned(), false)
        } else if self.rng.gen_bool(0.02) {
            (
                "individual",
                format!(
                    "{}志强",
                    self.masked_person().chars().next().unwrap_or('陈')
                ),
                true,
            )
        } else {
            ("individual", self.masked_person(), false)
        };
        let mut body = json!({"receipt_no": receipt_no, "received_on": day_str(self.day),
            "donor_type": donor_type, "donor_display": display,
            "receipt": if self.rng.gen_bool(0.85) { "issued" } else { "waived" },
            "commitment": commitment});
        if consent {
            body["named_with_consent"] = json!(true);
        }
        if let Some(p) = project {
            body["project"] = json!(self.projects[p].id);
        }
        let goods = !major && self.rng.gen_bool(0.03);
        let valued = if goods {
            let (what, unit, qty) = GOODS[self.rng.gen_range(0..GOODS.len())];
            let mut in_kind = json!({"description": format!("捐赠{what}，已入库登记"), "quantity": qty, "unit": unit});
            let valued = self.rng.gen_bool(0.6);
            if valued {
                in_kind["valuation_proof"] = json!(self.hash("valuation"));
            }
            body["form"] = json!("in_kind");
            body["in_kind"] = in_kind;
            valued
        } else {
            body["form"] = json!("cash");
            true
        };
        if valued {
            body["amount"] = json!(yuan(amount));
            body["currency"] = json!("CNY");
            if !goods && project.is_none() && year < 2026 && self.rng.gen_bool(0.01) {
                body["restricted_until_year"] = json!(year + 1);
                *self.time_locked.entry((o, year + 1)).or_default() += amount;
            }
            self.add_funds(o, project, amount);
            self.fig(o, year).income += amount;
            if let Some(p) = project {
                self.projects[p].raised += amount;
            }
        }
        let seq = self.push(Signer::Org(o), Kind::Donation, body.clone());
        self.donations += 1;
        // A few scripted mistakes in 2026, corrected a week later.
        if year == 2026
            && valued
            && !goods
            && project.is_none()
            && self.orgs[o].behaviour == Behaviour::Normal
        {
            if self.mistakes == 0 && self.day >= date(2026, 3, 1) {
                self.mistakes += 1;
                // Recorded by mistake (a test entry): voided by the organisation.
                *self.held.entry((o, None)).or_default() += amount;
                self.pending.push(Pending {
                    on: self.day + Duration::days(7),
                    signer: Signer::Org(o),
                    body: json!({"target": seq, "action": "void", "notice": "系统测试数据误录入，予以作废"}),
                    books: Undo::VoidDonation { org: o, amount },
                });
            } else if self.mistakes == 1 && self.day >= date(2026, 4, 1) {
                self.mistakes += 1;
                // The amount was typed short by a factor of ten: amended upward.
                let mut amended = body;
                amended["amount"] = json!(yuan(amount * Decimal::TEN));
                self.pending.push(Pending {
                    on: self.day + Duration::days(5),
                    signer: Signer::Org(o),
                    body: json!({"target": seq, "action": "amend", "notice": "捐赠金额录入少一位，依据银行回单更正", "amended": amended}),
                    books: Undo::AmendDonation { org: o, added: amount * Decimal::from(9) },
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    #[test]
    fn the_plan_of_gifts_gives_each_day_its_gifts_in_the_listed_order() {
        // Reference: the list of every gift, sorted the way the generator once sorted it.
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let orgs = 40;
        let mut plan = DonationPlan::new(orgs);
        let mut list = Vec::new();
        let days = Days::total_days() as i64;
        for _ in 0..20_000 {
            let day = FIRST_DAY + Duration::days(rng.gen_range(0..days));
            // Clustered on a few days and organisations, so many gifts share all three.
            let day = if rng.gen_bool(0.3) {
                date(2025, 9, 9)
            } else {
                day
            };
            let org = rng.gen_range(0..orgs) % if rng.gen_bool(0.5) { 3 } else { orgs };
            let major = rng.gen_bool(0.1);
            plan.add(day, org, major);
            list.push((day, org, major));
        }
        list.sort_by_key(|(d, o, major)| (*d, !*major, *o));
        let mut from_plan = Vec::new();
        let mut day = FIRST_DAY;
        while day <= LAST_DAY {
            from_plan.extend(plan.of_day(day).map(|(o, major)| (day, o, major)));
            day = day.next_day().unwrap_or(LAST_DAY + Duration::days(1));
        }
        assert_eq!(plan.len(), 20_000);
        assert_eq!(from_plan, list);
    }
}
