//! The summary views as `(key, canonical JSON)` rows: everything derived that is not a record
//! ([`super::records`]: donations, spends, hops, which the append path writes as they come).
//!
//! Storage caches these rows; audit rebuilds the state from the log and compares row for row, so
//! a tampered cache shows up as a differing key. Values are RFC 8785 JSON, money as two-decimal
//! strings. Keys are spelled in one place, [`keys`], which every reader uses too; the families
//! the API serves have one row type each in [`rows`], which writer and readers share.
//!
//! | key | value |
//! | --- | --- |
//! | `regulator/{uscc}` | regulator named in genesis |
//! | `org/{uscc}` | registration facts |
//! | `org_time/{uscc}` | status and registration changes, opening balance ([`super::org_time`]) |
//! | `org_total/{org}/{currency}` | unrestricted, restricted, unused lottery grants, total |
//! | `project/{org}/{id}` | project record with `balances` per currency |
//! | `balance/{org}/unrestricted/{currency}` | unrestricted fund balance |
//! | `balance/{org}/project/{id}/{currency}` | restricted fund balance |
//! | `trust/{trust_id}` | trust with balance, disbursements, reports |
//! | `lottery_grant/{admin}/{grant_id}` | grant with usage and `remaining` |
//! | `lottery_year/{admin}/{year}` | announcement |
//! | `trust_year/{trust_id}/{year}`, `lottery_execution/{admin}/{year}/{currency}` | issue 14's trust and lottery figures ([`crate::money::trusts::TrustYear`], [`crate::money::lottery::funds::LotteryYear`]) |
//! | `report/{org}/{year}` | annual report as declared |
//! | `explanation/{org}/{year}` | explanations for the year |
//! | `figures/{org}/{year}/{currency}` | [`super::figures::OrgYearFigures`] |
//! | `totals/year/{year}/{currency}` | donations, disbursed, granted |
//! | `totals/purpose/{purpose or unrestricted}/{year}/{currency}` | same, by project purpose |
//! | `totals/region/{region}/{year}/{currency}` | same, by project region (unrestricted: the org's) |
//! | `events/annual_report/{org}/{year}`, `events/project/{org}/{id}`, `events/related_party/{seq}`, `events/trust/{id}`, `events/lottery/{admin}/{year}` | [`super::events`] |
//! | `goods/{org}/unrestricted/{item}`, `goods/{org}/project/{id}/{item}` | one item's goods stock ([`super::goods::records`]) |
//! | `entry/{seq}` | correction status of a corrected entry or a correction |

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use crate::ledger::Currency;

use super::bodies::Body;
use super::corrections::{live_amendments, voided_set};
use super::state::{MoneyState, Stored};

/// The key families ([`super::keys`], a leaf the writers in `books` and `regulator` share), here
/// too, where readers look for them.
pub use super::keys;
pub mod rows;

use keys::row;

use rows::{
    BalanceRow, CorrectionNotice, DonationStatus, EntryRow, Figure, GrantRow, OrgTotalRow,
    ProjectRow,
};

/// How the views changed between two states of one log: rows to write and keys to delete.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ViewDelta {
    pub set: BTreeMap<String, String>,
    pub removed: Vec<String>,
}

impl ViewDelta {
    /// `rows` (the views of the older state) become the views of the newer one.
    pub fn apply(&self, rows: &mut BTreeMap<String, String>) {
        for k in &self.removed {
            rows.remove(k);
        }
        rows.extend(self.set.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    /// The delta from `old` rows to `new` ones; unchanged rows are left out.
    pub fn between(old: &BTreeMap<String, String>, new: BTreeMap<String, String>) -> ViewDelta {
        let removed = old
            .keys()
            .filter(|k| !new.contains_key(*k))
            .cloned()
            .collect();
        let set = new
            .into_iter()
            .filter(|(k, v)| old.get(k) != Some(v))
            .collect();
        ViewDelta { set, removed }
    }
}

impl MoneyState {
    /// Every view row that is not a record's ([`super::records`]): what grows with
    /// organisations, projects and years, not with the log.
    pub fn summary_rows(&self) -> BTreeMap<String, String> {
        let mut rows = BTreeMap::new();
        let b = &self.books;
        for r in b.regulators.values() {
            row(&mut rows, keys::REGULATOR.key(&[&r.id]), r);
        }
        for o in b.orgs.values() {
            row(&mut rows, keys::ORG.key(&[&o.register.org]), o);
        }
        for (org, t) in b.org_time.iter() {
            row(&mut rows, keys::ORG_TIME.key(&[org]), t);
        }
        self.balance_rows(&mut rows);
        self.goods_rows(&mut rows);
        for t in b.trusts.values() {
            row(&mut rows, keys::TRUST.key(&[&t.filing.trust_id]), t);
            for y in t.years() {
                row(
                    &mut rows,
                    keys::TRUST_YEAR.key(&[&t.filing.trust_id, &y]),
                    &t.year(y),
                );
            }
        }
        for y in b.lottery_years() {
            let k = [&y.administrator as &keys::Part, &y.fiscal_year, &y.currency];
            row(&mut rows, keys::LOTTERY_EXECUTION.key(&k), &y);
        }
        for g in b.grants.values() {
            row(
                &mut rows,
                keys::LOTTERY_GRANT.key(&[&g.administrator, &g.grant.grant_id]),
                &GrantRow::new(g.clone()),
            );
        }
        for ((admin, y), a) in b.announcements.iter() {
            row(&mut rows, keys::LOTTERY_YEAR.key(&[admin, y]), a);
        }
        for ((org, y), r) in b.reports.iter() {
            row(&mut rows, keys::REPORT.key(&[org, y]), r);
        }
        for ((org, y), list) in b.explanations.iter() {
            let list: Vec<_> = list.iter().collect();
            row(&mut rows, keys::EXPLANATION.key(&[org, y]), &list);
        }
        for f in self.org_year_figures() {
            row(
                &mut rows,
                keys::FIGURES.key(&[&f.org, &f.year, &f.currency]),
                &f,
            );
        }
        self.total_rows(&mut rows);
        self.event_rows(&mut rows);
        self.correction_rows(&mut rows);
        rows
    }

    fn balance_rows(&self, rows: &mut BTreeMap<String, String>) {
        let b = &self.books;
        // (org, currency) -> [unrestricted, restricted, lottery unused]
        let mut org_totals: BTreeMap<(String, Currency), [Decimal; 3]> = BTreeMap::new();
        let mut project_balances: BTreeMap<(String, String), BTreeMap<String, Figure>> =
            BTreeMap::new();
        for (k, v) in b.funds.balances() {
            let t = org_totals
                .entry((k.org.to_string(), k.currency))
                .or_default();
            match &k.project {
                None => {
                    t[0] += *v;
                    row(
                        rows,
                        keys::BALANCE.key(&[&k.org, &"unrestricted", &k.currency]),
                        &BalanceRow {
                            balance: Figure(*v),
                        },
                    );
                }
                Some(p) => {
                    t[1] += *v;
                    row(
                        rows,
                        keys::BALANCE.key(&[&k.org, &"project", p, &k.currency]),
                        &BalanceRow {
                            balance: Figure(*v),
                        },
                    );
                    project_balances
                        .entry((k.org.to_string(), p.to_string()))
                        .or_default()
                        .insert(k.currency.to_string(), Figure(*v));
                }
            }
        }
        for g in b.grants.values() {
            org_totals
                .entry((g.grant.recipient_org.to_string(), g.grant.currency))
                .or_default()[2] += g.remaining();
        }
        for ((org, cur), [u, r, l]) in org_totals {
            let v = OrgTotalRow {
                unrestricted: Figure(u),
                restricted: Figure(r),
                lottery_unused: Figure(l),
                total: Figure(u + r + l),
            };
            row(rows, keys::ORG_TOTAL.key(&[&org, &cur]), &v);
        }
        for p in b.projects.values() {
            let balances = project_balances
                .remove(&(p.org.to_string(), p.open.id.to_string()))
                .unwrap_or_default();
            let v = ProjectRow {
                record: p.clone(),
                balances,
            };
            row(rows, keys::PROJECT.key(&[&p.org, &p.open.id]), &v);
        }
    }

    fn total_rows(&self, rows: &mut BTreeMap<String, String>) {
        for (k, t) in self.books.sums.totals.iter() {
            row(rows, k.clone(), t);
        }
    }

    fn event_rows(&self, rows: &mut BTreeMap<String, String>) {
        let ev = self.disclosure_events();
        for e in &ev.annual_reports {
            row(rows, keys::EVENTS_ANNUAL_REPORT.key(&[&e.org, &e.year]), e);
        }
        for e in &ev.projects {
            row(rows, keys::EVENTS_PROJECT.key(&[&e.org, &e.project]), e);
        }
        for e in &ev.related_party {
            row(rows, keys::EVENTS_RELATED_PARTY.key(&[&e.paid.seq]), e);
        }
        for e in &ev.trusts {
            row(rows, keys::EVENTS_TRUST.key(&[&e.trust_id]), e);
        }
        for e in &ev.lottery_years {
            row(
                rows,
                keys::EVENTS_LOTTERY.key(&[&e.administrator, &e.fiscal_year]),
                e,
            );
        }
    }

    /// Where readers look (2025 Disclosure Measures Art. 16: the correction notice goes with
    /// the item it corrects): on a corrected entry's row, the live correction that last changed
    /// it (`correction`: by, action, notice), the body as first recorded (`original`) and, for
    /// an amendment, the body now in force (`current`).
    fn correction_notice(&self, s: &Stored, voided: &BTreeSet<u64>, v: &mut EntryRow) {
        let last = s
            .corrected_by
            .iter()
            .rev()
            .filter(|c| !voided.contains(c))
            .find_map(|c| self.log.kept.get(c));
        let Some(last) = last else { return };
        if let Body::Correction(k) = last.body.as_ref() {
            v.correction = Some(CorrectionNotice {
                by: last.seq,
                action: k.action,
                notice: k.notice.as_str().to_owned(),
            });
        }
        v.original = serde_json::to_value(s.body.as_ref()).ok();
        let amended = live_amendments(s, &self.log, voided)
            .last()
            .and_then(|c| self.log.kept.get(c))
            .and_then(|x| x.amendment.clone());
        if let Some(body) = amended {
            v.current = serde_json::to_value(body.as_ref()).ok();
        }
    }

    /// Status rows for every corrected entry and every correction, so pages can show both the
    /// original (in the log) and what replaced it.
    fn correction_rows(&self, rows: &mut BTreeMap<String, String>) {
        let voided = voided_set(&self.log);
        // Only corrections and their targets have rows: look at those, not at the whole log.
        let mut seqs = BTreeSet::new();
        for c in self.log.corrections.iter() {
            seqs.insert(*c);
            if let Some(Body::Correction(k)) = self.log.kept.get(c).map(|x| x.body.as_ref()) {
                seqs.insert(k.target);
            }
        }
        for s in seqs.iter().filter_map(|seq| self.log.kept.get(seq)) {
            let voided_by: Vec<u64> = s
                .corrected_by
                .iter()
                .filter(|c| {
                    !voided.contains(c)
                        && matches!(self.log.kept.get(*c).map(|x| x.body.as_ref()), Some(Body::Correction(k)) if k.action == super::types::CorrectionAction::Void)
                })
                .copied()
                .collect();
            let correction = match s.body.as_ref() {
                Body::Correction(c) => Some(c),
                _ => None,
            };
            let mut v = EntryRow {
                seq: s.seq,
                kind: s.kind,
                status: if voided.contains(&s.seq) {
                    DonationStatus::Voided
                } else {
                    DonationStatus::Live
                },
                voided_by,
                amended_by: live_amendments(s, &self.log, &voided),
                corrections: s.corrected_by.clone(),
                target: correction.map(|c| c.target),
                action: correction.map(|c| c.action),
                notice: correction.map(|c| c.notice.as_str().to_owned()),
                correction: None,
                original: None,
                current: None,
            };
            // A correction voided by a later one is a corrected item too.
            self.correction_notice(s, &voided, &mut v);
            row(rows, keys::ENTRY.key(&[&s.seq]), &v);
        }
    }
}
