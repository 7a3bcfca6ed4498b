//! Who is in the demo and how they enter the ledger: the roster of organisations (with the
//! roles some play in the scenario), the genesis entry and their registrations.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::json;

use super::generator::{Behaviour, Gen, Org, Signer};
use super::keys::{derive, operator_key, org_key, regulator_key, uscc};
use super::names::{
    FOUNDATIONS, NAMES_EN, PROVINCE_CAPITALS, REGIONS, SERVICE_ORGS, SOCIAL_GROUPS, THEMES, english,
};
use super::{DemoOrg, FIRST_DAY, Options, date, day_str, lottery, org_time};
use crate::ledger::Kind;

impl Gen {
    pub(super) fn new(seed: u64) -> Gen {
        let mut orgs = Vec::new();
        let mut add = |name: &str,
                       prefix: &str,
                       org_type: &'static str,
                       public: bool,
                       region: usize,
                       n: usize| {
            let key_name = match org_type {
                "foundation" => format!("foundation-{n:02}"),
                "social_group" => format!("social-group-{n:02}"),
                "social_service_org" => format!("service-org-{n:02}"),
                "trust_company" => format!("trust-company-{n:02}"),
                "welfare_institution" => format!("welfare-home-{n:02}"),
                _ => format!("lottery-admin-{n:02}"),
            };
            let code = uscc(&format!(
                "{prefix}{}MJ{:07}",
                REGIONS[region].0,
                1000 + orgs.len()
            ));
            let key = org_key(seed, &key_name);
            let charity = matches!(
                org_type,
                "foundation" | "social_group" | "social_service_org"
            );
            orgs.push(Org {
                d: DemoOrg {
                    key_name,
                    id: code,
                    name: name.to_owned(),
                    org_type,
                    public_fundraising: public,
                    key,
                },
                region,
                theme: orgs.len() % THEMES.len(),
                behaviour: Behaviour::Normal,
                charity,
                receipts: 0,
                projects: Vec::new(),
            });
        };
        // A city's organisation registers there; a province's with the province's civil
        // affairs department, in its capital (the provinces without a city of their own in
        // REGIONS are named in PROVINCE_CAPITALS).
        let region_of = |name: &str| {
            let city = PROVINCE_CAPITALS
                .iter()
                .find(|(province, _)| name.starts_with(province))
                .map_or(name, |(_, capital)| capital);
            REGIONS.iter().position(|r| city.contains(r.1)).unwrap_or(0)
        };
        for (i, name) in FOUNDATIONS.iter().enumerate() {
            // The first eight hold public-fundraising status.
            add(name, "53", "foundation", i < 8, region_of(name), i + 1);
        }
        for (i, name) in SOCIAL_GROUPS.iter().enumerate() {
            add(name, "51", "social_group", i < 6, region_of(name), i + 1);
        }
        for (i, name) in SERVICE_ORGS.iter().enumerate() {
            add(
                name,
                "52",
                "social_service_org",
                i % 3 == 0,
                region_of(name),
                i + 1,
            );
        }
        add("南粤信托有限责任公司", "91", "trust_company", false, 0, 1);
        add(
            "广东省福利彩票公益金管理中心",
            "12",
            "lottery_administrator",
            false,
            0,
            1,
        );
        add(
            lottery::WELFARE_HOME,
            "12",
            "welfare_institution",
            false,
            0,
            1,
        );
        orgs[1].behaviour = Behaviour::AdminHeavy; // 深圳市壹心公益基金会
        orgs[13].behaviour = Behaviour::Underspends; // 广州市慈善会
        orgs[4].behaviour = Behaviour::Late;
        orgs[27].behaviour = Behaviour::Late;
        Gen {
            seed,
            rng: ChaCha20Rng::from_seed(derive(seed, "rng")),
            operator: operator_key(seed),
            regulator: regulator_key(seed),
            regulator_id: uscc("11440000MB0000001"),
            orgs,
            projects: Vec::new(),
            funds: BTreeMap::new(),
            held: BTreeMap::new(),
            time_locked: BTreeMap::new(),
            figs: BTreeMap::new(),
            trusts: Vec::new(),
            grants: Vec::new(),
            seq: 0,
            day: FIRST_DAY,
            batch: Vec::new(),
            batches: Vec::new(),
            donations: 0,
            evidence: 0,
            pending: Vec::new(),
            mistakes: 0,
            org_time: org_time::Shadow::default(),
        }
    }

    pub(super) fn genesis(&mut self, opts: &Options) {
        self.day = FIRST_DAY;
        let body = json!({"origin": opts.origin, "operator_key": self.operator.public(),
            "regulators": [{"id": self.regulator_id, "name": "广东省民政厅", "key": self.regulator.public()}]});
        self.push(Signer::Operator, Kind::Genesis, body);
        for i in 0..self.orgs.len() {
            let o = &self.orgs[i];
            let registered = date(
                2008 + (i as i32 * 7) % 15,
                1 + (i % 12) as u8,
                1 + (i * 3 % 28) as u8,
            );
            let mut body = json!({"org": o.d.id, "name": o.d.name, "org_type": o.d.org_type,
                "region": REGIONS[o.region].0, "public_fundraising": o.d.public_fundraising,
                "registered_on": day_str(registered), "keys": [o.d.key.public()]});
            if let Some(en) = english(NAMES_EN, &o.d.name) {
                body["name_en"] = json!(en);
            }
            self.push(Signer::Regulator, Kind::OrgRegister, body);
        }
        self.flush();
    }
}
