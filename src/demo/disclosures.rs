//! The duties the 2025 Disclosure Measures and the Charity Law add, each met on time by one
//! organisation and late or missing for another.

use serde_json::json;

use super::generator::{Behaviour, Gen, Signer};
use super::{cents, date, day_str, receipt_secret, sha_hex, yuan};
use crate::ledger::Kind;

impl Gen {
    /// The duties the 2025 Disclosure Measures and the Charity Law add, each met on time by one
    /// organisation and late or missing for another: public fundraising campaigns, major
    /// events, a donation from a related party, the related-party list, a trust set up as
    /// settlor.
    pub(super) fn duties_today(&mut self) {
        let d = self.day;
        let fundraisers: Vec<usize> = (0..self.orgs.len())
            .filter(|&o| self.orgs[o].charity && self.orgs[o].d.public_fundraising)
            .collect();
        let Some(&good) = fundraisers
            .iter()
            .find(|&&o| self.orgs[o].behaviour == Behaviour::Normal)
        else {
            return;
        };
        let lax = fundraisers
            .iter()
            .copied()
            .find(|&o| o != good && self.orgs[o].behaviour != Behaviour::Normal)
            .or_else(|| fundraisers.iter().copied().find(|&o| o != good))
            .unwrap_or(good);
        // A third, on time for some duties and late for others.
        let tardy = fundraisers
            .iter()
            .copied()
            .find(|&o| o != good && o != lax && self.orgs[o].behaviour == Behaviour::Normal)
            .unwrap_or(good);
        // A campaign of each, raising for a project that is open on the day. The third one's
        // runs three months, so it owes no three-monthly update (only campaigns longer than six
        // months do), only its final report and its partners' evaluation.
        for (o, id, start, end) in [
            (good, "MJ-2025-01", date(2025, 1, 15), date(2025, 12, 31)),
            (lax, "MJ-2025-02", date(2025, 3, 3), date(2025, 9, 30)),
            (tardy, "MJ-2025-03", date(2025, 4, 1), date(2025, 6, 30)),
        ] {
            if d != start {
                continue;
            }
            let open: Vec<usize> = self
                .open_projects_of(o)
                .into_iter()
                .filter(|&p| !self.projects[p].emergency)
                .collect();
            let Some(&p) = open.first() else { continue };
            let body = json!({"id": id, "title": format!("{}公开募捐", self.projects[p].purpose),
                "filing_no": format!("{}-BA", id), "start": day_str(start), "end": day_str(end),
                "projects": [self.projects[p].id], "partners": ["某互联网公开募捐信息平台"]});
            self.push(Signer::Org(o), Kind::CampaignOpen, body);
        }
        // The good one discloses on 10 Apr (due 15 Apr), on 20 Jul (due 10 Jul: 10 days
        // late), on 15 Oct, and closes on its planned end with its partners' evaluation; the
        // lax one discloses nothing and never closes, so every duty of its campaign is missing.
        for (on, doc) in [
            (date(2025, 4, 10), "campaign-update"),
            (date(2025, 7, 20), "campaign-update"),
            (date(2025, 10, 15), "campaign-update"),
        ] {
            if d == on {
                let body = json!({"campaign": "MJ-2025-01", "as_of": day_str(d),
                    "document": self.hash(doc)});
                self.push(Signer::Org(good), Kind::CampaignUpdate, body);
            }
        }
        if d == date(2025, 10, 20) {
            // The three-month campaign's final report and partners' evaluation, 20 days after
            // their 30 September deadline.
            let body = json!({"campaign": "MJ-2025-03", "ended_on": "2025-06-30",
                "summary": "公开募捐活动已结束，募得款物已用于所列项目。",
                "document": self.hash("campaign-final"), "partner_evaluation": self.hash("partner-evaluation")});
            self.push(Signer::Org(tardy), Kind::CampaignClose, body);
        }
        if d == date(2026, 1, 20) {
            let body = json!({"campaign": "MJ-2025-01", "ended_on": "2025-12-31",
                "summary": "公开募捐活动按期结束，募得款物已全部用于所列项目。",
                "document": self.hash("campaign-final"), "partner_evaluation": self.hash("partner-evaluation")});
            self.push(Signer::Org(good), Kind::CampaignClose, body);
            // A major investment made on 5 January, disclosed on time.
            let body = json!({"subject": "major_investment", "occurred_on": "2026-01-05",
                "amount": "5000000.00", "currency": "CNY", "summary": "购买三年期国债，符合本会投资管理制度。",
                "document": self.hash("major-investment")});
            self.push(Signer::Org(good), Kind::Disclosure, body);
        }
        if d == date(2026, 3, 20) {
            // A major asset change on 1 February, disclosed 47 days later (17 days late).
            let body = json!({"subject": "major_asset_change", "occurred_on": "2026-02-01",
                "amount": "3000000.00", "currency": "CNY", "summary": "出售办公用房。",
                "document": self.hash("major-asset-change")});
            self.push(Signer::Org(lax), Kind::Disclosure, body);
        }
        // The related-party list for 2026: the good one files it on time, the third one two
        // weeks after 31 May; every other charity never does.
        for (on, o) in [(date(2026, 4, 20), good), (date(2026, 6, 15), tardy)] {
            if d == on {
                let body = json!({"subject": "related_party_list", "occurred_on": day_str(d),
                    "year": 2026, "summary": "向登记管理机关报送2026年度关联方名单及关联关系说明。",
                    "document": self.hash("related-party-list")});
                self.push(Signer::Org(o), Kind::Disclosure, body);
            }
        }
        // Two more trusts set up by charities as settlors: the third one's published on time,
        // the lax one's never (and filed a week late by the regulator).
        for (o, id, signed, filed, published) in [
            (
                tardy,
                "GDCT-2026-004",
                date(2026, 4, 1),
                date(2026, 4, 3),
                Some(date(2026, 4, 20)),
            ),
            (
                lax,
                "GDCT-2026-005",
                date(2026, 5, 6),
                date(2026, 5, 20),
                None,
            ),
        ] {
            if d == filed {
                self.settlor_trust(o, id, signed);
            }
            if Some(d) == published {
                let body = json!({"subject": "trust_settled", "occurred_on": day_str(signed),
                    "trust_id": id, "summary": "本会作为委托人设立的慈善信托情况。",
                    "document": self.hash("trust-settled")});
                self.push(Signer::Org(o), Kind::Disclosure, body);
            }
        }
        if d == date(2026, 2, 10) {
            // A gift from a related party, recorded the day it came (its own disclosure).
            let receipt_no = "GL2026-000001";
            let commitment = sha_hex(&receipt_secret(
                self.seed,
                &self.orgs[good].d.id,
                receipt_no,
            ));
            let amount = cents(20_000_000);
            let body = json!({"receipt_no": receipt_no, "received_on": day_str(d), "form": "cash",
                "amount": yuan(amount), "currency": "CNY", "donor_type": "organisation",
                "donor_display": "本会发起单位", "receipt": "issued", "commitment": commitment,
                "related_party": true});
            self.add_funds(good, None, amount);
            self.fig(good, d.year()).income += amount;
            self.push(Signer::Org(good), Kind::Donation, body);
            // A trust the good one set up as settlor, signed on 2 February.
            self.settlor_trust(good, "GDCT-2026-003", date(2026, 2, 2));
        }
        if d == date(2026, 3, 16) {
            // Its publication, 42 days after the trust was set up (12 days late).
            let body = json!({"subject": "trust_settled", "occurred_on": "2026-02-02",
                "trust_id": "GDCT-2026-003", "summary": "本会作为委托人设立的慈善信托情况。",
                "document": self.hash("trust-settled")});
            self.push(Signer::Org(good), Kind::Disclosure, body);
        }
    }
}
