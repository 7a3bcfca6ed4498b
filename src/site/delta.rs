//! Which organisations' pages a rebuild renders again (issue 13: one new entry rebuilds in
//! seconds on a ledger of a million).
//!
//! An organisation's unit (its page, project pages, receipt shards and downloads) renders from
//! its own rows (donations, hops, the entries it signed) and from the summaries. Since the last
//! build, a unit is *touched*, and rendered again, when:
//!
//! - it signed a new entry, or a new entry names it (its code anywhere in the body);
//! - money left or reached one of its funds (a new spend row names it); or left the fund of an
//!   organisation its money had reached earlier: a grant carries donations' money on, and those
//!   donations' hops, which their receipts show, are rows of the organisation that received
//!   them ([`upstream`]);
//! - a summary row naming it changed.
//!
//! Anything else may change pages of every organisation, and every unit is rendered again:
//! corrections (a correction's rebuild rewrites records of any organisation), the genesis,
//! registrations and key or registration changes (names and keys show on other organisations'
//! pages), and a changed summary row that names no organisation, the sums of the home page
//! aside. Pure: the build reads the rows and hands them in.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::ledger::{Kind, Uscc};
use crate::money::views::keys::{self, Family};
use crate::money::views::rows::SpendRow;

/// What a rebuild renders again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    /// Every unit, for the reason given (logged, and shown by tests).
    All(String),
    /// These organisations' units; the others keep their files.
    Orgs(BTreeSet<String>),
}

/// Kinds whose effect reaches beyond the organisations they name.
const EVERY_UNIT_KINDS: [Kind; 5] = [
    Kind::Genesis,
    Kind::OrgRegister,
    Kind::OrgKeys,
    Kind::OrgChange,
    Kind::Correction,
];

/// Summary rows other organisations' pages read (names, registrations, correction status).
const EVERY_UNIT_FAMILIES: [Family; 4] = [keys::ORG, keys::ORG_TIME, keys::REGULATOR, keys::ENTRY];

/// Summary rows no unit's page reads: the home page's sums, and the numbered list of late
/// disclosures (`report late` and the API read it; pages judge obligations from `duties/`,
/// by organisation). A new obligation renumbers the list, so it changes with most entries.
const NO_UNIT_FAMILIES: [Family; 4] = [
    keys::TOTALS_YEAR,
    keys::TOTALS_PURPOSE,
    keys::TOTALS_REGION,
    keys::LATE,
];

/// Collects what changed since the last build, then says what to render ([`Delta::finish`]).
#[derive(Debug, Default)]
pub struct Delta {
    all: Option<String>,
    orgs: BTreeSet<String>,
    /// Organisations money left since the last build: their upstream is touched too.
    drawn: BTreeSet<String>,
}

/// Every unified social credit code in `v`'s strings (keys of objects are not looked at).
fn codes(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) if is_code(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| codes(i, out)),
        Value::Object(map) => map.values().for_each(|i| codes(i, out)),
        _ => {}
    }
}

fn is_code(s: &str) -> bool {
    s.len() == 18 && s.parse::<Uscc>().is_ok()
}

impl Delta {
    /// Every unit is rendered again, because of `why`.
    pub fn everything(&mut self, why: impl Into<String>) {
        self.all.get_or_insert_with(|| why.into());
    }

    /// A new entry: its author's unit and every organisation its body names.
    pub fn entry(&mut self, seq: u64, kind: Kind, author: &str, body: &Value) {
        if EVERY_UNIT_KINDS.contains(&kind) {
            self.everything(format!("entry {seq} is a {}", kind.as_str()));
            return;
        }
        if let Some(org) = author.strip_prefix("org:") {
            self.orgs.insert(org.to_owned());
        }
        codes(body, &mut self.orgs);
    }

    /// A new spend row (`spend/{seq}/{i}`): the funds it left and reached.
    pub fn spend(&mut self, row: &SpendRow) {
        let from = row.from.org.as_str();
        self.drawn.insert(from.to_owned());
        self.orgs.insert(from.to_owned());
        if let Some(to) = &row.to {
            self.orgs.insert(to.org.to_string());
        }
    }

    /// A summary row (not a record) that is new, changed (`value` its new one) or gone
    /// (`None`).
    pub fn view(&mut self, key: &str, value: Option<&Value>) {
        if EVERY_UNIT_FAMILIES.iter().any(|f| f.has(key)) {
            self.everything(format!("summary row {key} changed"));
            return;
        }
        if NO_UNIT_FAMILIES.iter().any(|f| f.has(key)) {
            return;
        }
        let mut named: BTreeSet<String> = key
            .split('/')
            .filter(|p| is_code(p))
            .map(str::to_owned)
            .collect();
        if let Some(v) = value {
            codes(v, &mut named);
        }
        if named.is_empty() {
            self.everything(format!(
                "summary row {key}, which names no organisation, changed"
            ));
        }
        self.orgs.extend(named);
    }

    /// What to render, `edges` being every spend's (giving, receiving) organisations.
    pub fn finish<'a>(self, edges: impl IntoIterator<Item = (&'a str, &'a str)>) -> Touched {
        if let Some(why) = self.all {
            return Touched::All(why);
        }
        let mut orgs = self.orgs;
        orgs.extend(upstream(&self.drawn, edges));
        Touched::Orgs(orgs)
    }
}

/// The organisations whose donations' money may sit in the funds of `drawn`: `drawn` and
/// every organisation that gave to one of them, directly or through others.
pub fn upstream<'a>(
    drawn: &BTreeSet<String>,
    edges: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeSet<String> {
    let mut givers: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges {
        if from != to {
            givers.entry(to).or_default().push(from);
        }
    }
    let mut seen: BTreeSet<String> = drawn.clone();
    let mut todo: Vec<String> = drawn.iter().cloned().collect();
    while let Some(org) = todo.pop() {
        for giver in givers.get(org.as_str()).into_iter().flatten() {
            if seen.insert((*giver).to_owned()) {
                todo.push((*giver).to_owned());
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Valid codes (check characters computed by `Uscc::with_check`).
    fn code(n: u32) -> String {
        Uscc::with_check(&format!("5344000{n:010}"))
            .expect("a valid code")
            .as_str()
            .to_owned()
    }

    fn orgs(t: Touched) -> BTreeSet<String> {
        match t {
            Touched::Orgs(o) => o,
            Touched::All(why) => panic!("every unit: {why}"),
        }
    }

    #[test]
    fn an_entry_touches_its_author_and_the_organisations_its_body_names() {
        let (a, b) = (code(1), code(2));
        let mut d = Delta::default();
        d.entry(
            7,
            Kind::LotteryGrant,
            &format!("org:{a}"),
            &json!({"to": {"org": b}, "amount": "1.00", "note": "5344"}),
        );
        assert_eq!(orgs(d.finish([])), BTreeSet::from([a, b]));
    }

    #[test]
    fn corrections_registrations_and_name_rows_render_every_unit() {
        for kind in EVERY_UNIT_KINDS {
            let mut d = Delta::default();
            d.entry(3, kind, "regulator:x", &json!({}));
            assert!(matches!(d.finish([]), Touched::All(_)), "{kind:?}");
        }
        let mut d = Delta::default();
        d.view(&format!("org/{}", code(1)), Some(&json!({"name": "x"})));
        assert!(matches!(d.finish([]), Touched::All(_)));
    }

    #[test]
    fn a_changed_row_naming_no_organisation_renders_every_unit_unless_only_the_home_page_reads_it()
    {
        let mut d = Delta::default();
        d.view("totals/year/2026/CNY", Some(&json!({"donations": "1.00"})));
        assert_eq!(orgs(d.finish([])), BTreeSet::new());
        let mut d = Delta::default();
        d.view("late/000007", Some(&json!({"trust": "GDCT-1"})));
        assert_eq!(orgs(d.finish([])), BTreeSet::new());
        let mut d = Delta::default();
        d.view("trust/GDCT-1", Some(&json!({"id": "GDCT-1"})));
        assert!(matches!(d.finish([]), Touched::All(_)));
        // A row gone is judged by its key.
        let mut d = Delta::default();
        d.view(&format!("goods/{}/unrestricted/rice", code(4)), None);
        assert_eq!(orgs(d.finish([])), BTreeSet::from([code(4)]));
    }

    /// Money A gave to B and B to C: C spending touches C, B and A, whose donations' hops
    /// the spend writes; D, which only received from C, is not touched.
    #[test]
    fn spending_touches_every_organisation_whose_money_can_be_in_the_fund() {
        let (a, b, c, dd) = (code(1), code(2), code(3), code(4));
        let spend = json!({"seq": 9, "kind": "disbursement", "recorded_at": "2026-01-02T00:00:00Z",
            "from": {"org": c, "project": "P", "currency": "CNY"}, "amount": "1.00",
            "category": "programme", "paid_on": "2026-01-02", "related_party": false});
        let spend: SpendRow = serde_json::from_value(spend).expect("a spend row");
        let mut d = Delta::default();
        d.spend(&spend);
        let edges = [
            (a.as_str(), b.as_str()),
            (b.as_str(), c.as_str()),
            (c.as_str(), dd.as_str()),
            (c.as_str(), c.as_str()),
        ];
        assert_eq!(
            orgs(d.finish(edges)),
            BTreeSet::from([a.clone(), b.clone(), c.clone()])
        );
        // A cycle ends.
        let cycle = [(a.as_str(), b.as_str()), (b.as_str(), a.as_str())];
        assert_eq!(
            upstream(&BTreeSet::from([a.clone()]), cycle),
            BTreeSet::from([a, b])
        );
    }
}
