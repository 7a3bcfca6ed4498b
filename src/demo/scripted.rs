//! One-off events on fixed days: the emergency campaign's filing number, a second key for a
//! foundation, and the underspending organisation's explanation.

use serde_json::json;

use super::generator::{Gen, Signer};
use super::{date, day_str, finance_key};
use crate::ledger::Kind;

impl Gen {
    pub(super) fn scripted(&mut self) {
        let d = self.day;
        if d == date(2024, 6, 24) {
            // The emergency campaign's filing number, a week after it started.
            if let Some(p) = self.projects.iter().position(|p| p.emergency) {
                let doc = self.hash("update");
                let body = json!({"project": self.projects[p].id, "as_of": day_str(d),
                    "progress": "公开募捐方案已完成备案，首批救灾物资已送达灾区。", "document": doc,
                    "fundraising_filing_no": "MZMZ-2024-0618"});
                self.projects[p].last_update = d;
                self.push(Signer::Org(0), Kind::ProjectUpdate, body);
            }
        }
        if d == date(2025, 2, 10) {
            // The regulator registers a second key (the finance office's) for a foundation.
            let key = finance_key(self.seed);
            let body = json!({"org": self.orgs[0].d.id, "add": [key.public()]});
            self.push(Signer::Regulator, Kind::OrgKeys, body);
        }
        if d == date(2026, 4, 20) {
            // The underspending organisation explains its 2025 figure.
            let o = 13;
            let body = json!({"year": 2025, "subject": "年度慈善活动支出比例",
                "text": "2024年收到的大额定向捐赠用于2026年建设的社区养老服务综合体，2025年处于选址和审批阶段，资金暂未支出，导致2025年慈善活动支出低于上年总收入的70%。项目已于2026年3月开工。",
                "published_on": day_str(d)});
            self.push(Signer::Org(o), Kind::Explanation, body);
        }
    }
}
