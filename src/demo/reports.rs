//! Annual reports from the shadow books' figures: on time, late, one never made, and from 2025
//! with the audit report or major projects the 2025 Disclosure Measures add (two leave them out).

use rust_decimal::Decimal;
use serde_json::json;
use time::Duration;

use super::generator::{Behaviour, Gen, Signer};
use super::{date, day_str, yuan};
use crate::ledger::Kind;

/// Charities whose 2025 annual report leaves out what the 2025 Disclosure Measures add to it:
/// foundation-06 (with fundraising status: the audit report) and foundation-10 (without: its
/// major projects).
const OMITS_2025_AUDIT_OR_MAJOR_PROJECTS: [usize; 2] = [5, 9];

impl Gen {
    pub(super) fn reports_today(&mut self) {
        let d = self.day;
        for o in 0..self.orgs.len() {
            if !self.orgs[o].charity {
                continue;
            }
            for year in [2024, 2025] {
                let late = self.orgs[o].behaviour == Behaviour::Late;
                // One organisation never reports on 2025.
                if o == 36 && year == 2025 {
                    continue;
                }
                let on = if late {
                    date(year + 1, 7, 1) + Duration::days(o as i64)
                } else {
                    date(year + 1, 3, 1) + Duration::days((o * 2) as i64)
                };
                if d != on {
                    continue;
                }
                let mut net = Decimal::ZERO;
                for ((fo, fy), f) in &self.figs {
                    if *fo == o && *fy <= year {
                        net += f.income - f.charitable - f.admin - f.fundraising;
                    }
                }
                let f = self.figs.get(&(o, year)).copied().unwrap_or_default();
                let total = f.charitable + f.admin + f.fundraising;
                let (w, fr) = (self.hash("work-report"), self.hash("financial-report"));
                let mut body = json!({"year": year, "work_report": w, "financial_report": fr,
                    "published_on": day_str(d), "figures": {"currency": "CNY",
                        "income": yuan(f.income), "charitable_spending": yuan(f.charitable),
                        "administrative_costs": yuan(f.admin), "fundraising_costs": yuan(f.fundraising),
                        "total_spending": yuan(total), "net_assets_year_end": yuan(net.max(Decimal::ZERO))}});
                // From 2025 (the 2025 Disclosure Measures): an organisation with fundraising
                // status carries its audit report, one without it its major projects; the late
                // organisations' come late with their reports. Two leave them out, so the duty
                // shows missing: a foundation with fundraising status and one without.
                if year >= 2025 && !OMITS_2025_AUDIT_OR_MAJOR_PROJECTS.contains(&o) {
                    if self.holds_status_in(o, year) {
                        body["audit_report"] = json!(self.hash("audit-report"));
                    } else {
                        body["major_projects"] = json!(self.hash("major-projects"));
                    }
                }
                self.audited_figures(o, year, &mut body);
                self.push(Signer::Org(o), Kind::ReportAnnual, body);
            }
        }
    }
}
