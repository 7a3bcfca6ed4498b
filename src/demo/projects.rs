//! Projects: three per charity and one emergency campaign, opened on their start day, updated
//! every quarter (or every few days in an emergency), closed with their leftover passed on.

use rust_decimal::Decimal;
use serde_json::json;
use time::{Date, Duration};

use super::generator::{Behaviour, Gen, Project, Signer};
use super::names::{CITIES_EN, REGIONS, THEMES, THEMES_EN, english};
use super::{FIRST_DAY, cents, date, day_str, yuan, yuan_text};
use crate::ledger::Kind;

/// The charity (service-org-12) whose project ending in 2025 is never closed.
const NEVER_CLOSES_ITS_2025_PROJECT: usize = 36;

impl Gen {
    /// Three projects per charity (a long-running one, one ending in 2025, one started in 2025),
    /// plus an emergency flood-relief campaign in 2024.
    pub(super) fn plan_projects(&mut self) {
        for o in 0..self.orgs.len() {
            if !self.orgs[o].charity {
                continue;
            }
            let theme = self.orgs[o].theme;
            let other = (theme + 1 + o % 3) % THEMES.len();
            let stagger = (o % 20) as i64;
            let specs = [
                (theme, FIRST_DAY + Duration::days(3 + stagger), None),
                (
                    theme,
                    date(2024, 3, 1) + Duration::days(stagger * 3),
                    Some(date(2025, 6, 30) + Duration::days(stagger * 5)),
                ),
                (
                    other,
                    date(2025, 2, 1) + Duration::days(stagger * 2),
                    Some(date(2026, 12, 31)),
                ),
            ];
            for (n, (t, start, end)) in specs.into_iter().enumerate() {
                // One project that ended in 2025 is never closed: its close-out report is
                // missing.
                let never_closed = o == NEVER_CLOSES_ITS_2025_PROJECT && n == 1;
                let close_on = end.filter(|_| !never_closed).map(|e: Date| {
                    // One project of a late organisation is closed more than three months late.
                    let lag = if self.orgs[o].behaviour == Behaviour::Late && n == 1 {
                        120
                    } else {
                        20 + stagger
                    };
                    e + Duration::days(lag)
                });
                let abbr = REGIONS[self.orgs[o].region].2;
                self.projects.push(Project {
                    org: o,
                    id: format!("{abbr}{}-{:02}", start.year(), n + 1),
                    purpose: THEMES[t].0,
                    start,
                    end,
                    close_on,
                    open: false,
                    closed: false,
                    emergency: false,
                    last_update: start,
                    raised: Decimal::ZERO,
                    spent: Decimal::ZERO,
                    beneficiaries: 0,
                });
                let p = self.projects.len() - 1;
                self.orgs[o].projects.push(p);
            }
        }
        // 梅州 flood relief by the first foundation: an emergency campaign, filed later.
        let start = date(2024, 6, 17);
        self.projects.push(Project {
            org: 0,
            id: "MZ2024-FLOOD".into(),
            purpose: "救灾",
            start,
            end: Some(date(2024, 8, 16)),
            close_on: Some(date(2024, 9, 10)),
            open: false,
            closed: false,
            emergency: true,
            last_update: start,
            raised: Decimal::ZERO,
            spent: Decimal::ZERO,
            beneficiaries: 0,
        });
        let p = self.projects.len() - 1;
        self.orgs[0].projects.push(p);
    }

    pub(super) fn open_projects(&mut self) {
        for p in 0..self.projects.len() {
            if self.projects[p].open
                || self.projects[p].closed
                || self.projects[p].start != self.day
            {
                continue;
            }
            let pr = &self.projects[p];
            let o = pr.org;
            let org = &self.orgs[o];
            let city = REGIONS[org.region].1;
            let title = if pr.emergency {
                "梅州“6·16”洪涝灾害紧急救援".to_owned()
            } else {
                let t = THEMES
                    .iter()
                    .find(|t| t.0 == pr.purpose)
                    .map_or("公益项目", |t| t.1);
                format!("{city}{t}")
            };
            let mut body = json!({"id": pr.id, "title": title, "purpose": pr.purpose,
                "region": if pr.emergency { "441400" } else { REGIONS[org.region].0 },
                "target": yuan(cents(if pr.emergency { 500_000_000 } else { 100_000_000 + 10_000_000 * (p as i64 % 20) })),
                "currency": "CNY", "start": day_str(pr.start),
                "description": format!("{}发起的{}项目，资金使用情况按季度公开。", org.d.name, pr.purpose)});
            if let Some(end) = pr.end {
                body["end"] = json!(day_str(end));
            }
            let title_en = if pr.emergency {
                Some("Meizhou 16 June floods: emergency relief".to_owned())
            } else {
                english(CITIES_EN, REGIONS[org.region].0)
                    .zip(english(THEMES_EN, pr.purpose))
                    .map(|(city, theme)| format!("{city}: {theme}"))
            };
            if let Some(en) = title_en {
                body["title_en"] = json!(en);
            }
            if org.d.public_fundraising {
                body["public_fundraising"] = json!(true);
                if pr.emergency {
                    body["emergency"] = json!(true);
                } else {
                    body["fundraising_filing_no"] = json!(format!(
                        "{}MZ-{}-{:04}",
                        REGIONS[org.region].2,
                        pr.start.year(),
                        100 + p
                    ));
                }
            }
            self.push(Signer::Org(o), Kind::ProjectOpen, body);
            self.projects[p].open = true;
        }
    }

    pub(super) fn open_projects_of(&self, o: usize) -> Vec<usize> {
        self.orgs[o]
            .projects
            .iter()
            .copied()
            .filter(|&p| self.projects[p].open && !self.projects[p].closed)
            .collect()
    }

    pub(super) fn project_updates(&mut self) {
        let d = self.day;
        for p in 0..self.projects.len() {
            let pr = &self.projects[p];
            if !pr.open || pr.closed {
                continue;
            }
            // The emergency response's update due on 9 July 2024 comes three days late.
            let every = match (pr.emergency, d) {
                (true, d) if (date(2024, 7, 8)..=date(2024, 7, 16)).contains(&d) => 8,
                (true, _) => 5,
                (false, _) => 88,
            };
            // Late organisations forget an update now and then.
            let late = self.orgs[pr.org].behaviour == Behaviour::Late;
            let due = (d - pr.last_update).whole_days() >= if late { every + 40 } else { every };
            if !due || pr.end.is_some_and(|e| d > e) {
                continue;
            }
            let (o, id, raised, spent, ben) =
                (pr.org, pr.id.clone(), pr.raised, pr.spent, pr.beneficiaries);
            let doc = self.hash("update");
            let body = json!({"project": id, "as_of": day_str(d),
                "progress": format!("截至{}，项目累计筹款{}元，支出{}元，受益{}人次。", day_str(d), yuan_text(raised), yuan_text(spent), ben),
                "raised": yuan(raised), "spent": yuan(spent), "beneficiaries": ben, "document": doc});
            self.projects[p].last_update = d;
            self.push(Signer::Org(o), Kind::ProjectUpdate, body);
        }
    }

    pub(super) fn close_projects(&mut self) {
        let d = self.day;
        for p in 0..self.projects.len() {
            let pr = &self.projects[p];
            if !pr.open || pr.closed || pr.close_on != Some(d) {
                continue;
            }
            let o = pr.org;
            let purpose = pr.purpose;
            let underspends = self.orgs[o].behaviour == Behaviour::Underspends;
            // The leftover goes to an open project with the same purpose: preferably another
            // organisation's, else the organisation's own long-running project.
            let target = (0..self.projects.len())
                .filter(|&q| {
                    q != p
                        && self.projects[q].open
                        && !self.projects[q].closed
                        && self.projects[q].purpose == purpose
                })
                .min_by_key(|&q| {
                    // The underspending organisation keeps its leftover in the house.
                    let own = self.projects[q].org == o;
                    (own != underspends, (self.projects[q].org + 40 - o) % 40, q)
                });
            let held = self.held.get(&(o, Some(p))).copied().unwrap_or_default();
            let left = self.balance(o, Some(p));
            let doc = self.hash("close");
            let mut body = json!({"project": self.projects[p].id, "closed_on": day_str(d),
                "summary": format!("项目已按计划执行完毕，累计筹款{}元，支出{}元。", yuan_text(self.projects[p].raised), yuan_text(self.projects[p].spent)),
                "document": doc});
            if left > Decimal::ZERO && held.is_zero() {
                let Some(q) = target else {
                    continue;
                };
                let t = self.projects[q].org;
                body["leftover"] = json!([{"amount": yuan(left), "currency": "CNY"}]);
                body["leftover_to"] =
                    json!({"org": self.orgs[t].d.id, "project": self.projects[q].id});
                self.add_funds(o, Some(p), -left);
                self.add_funds(t, Some(q), left);
                self.projects[q].raised += left;
                if t != o {
                    let year = d.year();
                    self.fig(o, year).charitable += left;
                    self.fig(t, year).income += left;
                }
            } else if !left.is_zero() {
                continue;
            }
            self.projects[p].closed = true;
            self.push(Signer::Org(o), Kind::ProjectClose, body);
        }
    }
}
