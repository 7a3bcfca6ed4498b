//! View keys, spelled in one place: the writers ([`super::views`], [`super::records`], the
//! regulator's rows), the API, the site, the CLI reports and the audit all build and take apart
//! keys through these families, so a key cannot be written one way and looked up another.
//!
//! A leaf: it knows nothing of the books or the state, so the rooms that write rows (`books`,
//! `regulator`) and the views that read the state can all use it without an import circle.
//!
//! A key is a family's prefix followed by its parts joined with `/`; ids cannot contain `/`
//! (see [`crate::money::types::Ident`]), so a key splits back into its parts unambiguously and
//! the prefix of a family's rows under some leading parts ([`Family::under`]) matches exactly
//! those rows.

use std::collections::BTreeMap;
use std::fmt::{Display, Write as _};

use serde::Serialize;

use crate::ledger::jcs::canonical;

/// Writes `value` as the row at `key`: RFC 8785 JSON, as every view row is stored.
pub(crate) fn row<T: Serialize>(rows: &mut BTreeMap<String, String>, key: String, value: &T) {
    // Serialising our own records cannot fail; an empty value would still show up in an audit.
    let text = canonical(value)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    rows.insert(key, text);
}

/// A part of a key. `Sync` so that a key built in an argument of an awaited call (the API's
/// handlers) keeps the future `Send`.
pub type Part<'a> = dyn Display + Sync + 'a;

/// One family of view rows. Its doc names the parts of its keys, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family(&'static str);

/// `regulator/{uscc}`: a regulator named in genesis.
pub const REGULATOR: Family = Family("regulator/");
/// `org/{uscc}`: registration facts.
pub const ORG: Family = Family("org/");
/// `org_time/{org}`: public-fundraising and registration changes and the opening balance
/// ([`crate::money::org_time`]); only for an organisation that has any.
pub const ORG_TIME: Family = Family("org_time/");
/// `org_total/{org}/{currency}`: unrestricted, restricted, unused lottery grants, total.
pub const ORG_TOTAL: Family = Family("org_total/");
/// `project/{org}/{id}`: a project with its balance per currency.
pub const PROJECT: Family = Family("project/");
/// `balance/{org}/unrestricted/{currency}` and `balance/{org}/project/{id}/{currency}`.
pub const BALANCE: Family = Family("balance/");
/// `donation/{org}/{receipt_no}`: the effective donation, or a voided one marked so.
pub const DONATION: Family = Family("donation/");
/// `trace/{org}/{receipt_no}`: where a donation's money went. Never stored: composed when read
/// from the donation's row and its `hop/` rows ([`crate::money::records::compose_trace`]).
pub const TRACE: Family = Family("trace/");
/// `hop/{org}/{receipt_no}/{seq}/{index}`: part of a donation's money moving at entry `seq`.
pub const HOP: Family = Family("hop/");
/// `spend/{seq}/{index}`: money leaving a fund.
pub const SPEND: Family = Family("spend/");
/// `distribution/{seq}`: goods given out (a record; [`crate::money::goods::records`]).
pub const DISTRIBUTION: Family = Family("distribution/");
/// `goods/{org}/unrestricted/{item}` and `goods/{org}/project/{id}/{item}`: one item's stock.
pub const GOODS: Family = Family("goods/");
/// `trust/{trust_id}`: a charitable trust with its balance, disbursements and reports.
pub const TRUST: Family = Family("trust/");
/// `trust_year/{trust_id}/{year}`: a trust's year as the ledger holds it (issue 14).
pub const TRUST_YEAR: Family = Family("trust_year/");
/// `lottery_execution/{administrator}/{year}/{currency}`: a fiscal year's money in, grants and
/// their execution by purpose (issue 14).
pub const LOTTERY_EXECUTION: Family = Family("lottery_execution/");
/// `lottery_grant/{administrator}/{grant_id}`: a welfare-lottery grant with its usage.
pub const LOTTERY_GRANT: Family = Family("lottery_grant/");
/// `lottery_year/{administrator}/{year}`: a fiscal year's announcement.
pub const LOTTERY_YEAR: Family = Family("lottery_year/");
/// `report/{org}/{year}`: an annual report as declared.
pub const REPORT: Family = Family("report/");
/// `explanation/{org}/{year}`: the explanations an organisation gave for a year.
pub const EXPLANATION: Family = Family("explanation/");
/// `figures/{org}/{year}/{currency}`: one organisation-year's figures.
pub const FIGURES: Family = Family("figures/");
/// `totals/year/{year}/{currency}`: donations, disbursed, granted.
pub const TOTALS_YEAR: Family = Family("totals/year/");
/// `totals/purpose/{purpose or unrestricted}/{year}/{currency}`.
pub const TOTALS_PURPOSE: Family = Family("totals/purpose/");
/// `totals/region/{region}/{year}/{currency}` (an unrestricted fund counts in its org's region).
pub const TOTALS_REGION: Family = Family("totals/region/");
/// `events/annual_report/{org}/{year}`.
pub const EVENTS_ANNUAL_REPORT: Family = Family("events/annual_report/");
/// `events/project/{org}/{id}`.
pub const EVENTS_PROJECT: Family = Family("events/project/");
/// `events/related_party/{seq}`.
pub const EVENTS_RELATED_PARTY: Family = Family("events/related_party/");
/// `events/trust/{trust_id}`.
pub const EVENTS_TRUST: Family = Family("events/trust/");
/// `events/lottery/{administrator}/{year}`.
pub const EVENTS_LOTTERY: Family = Family("events/lottery/");
/// `entry/{seq}`: the correction status of a corrected entry or of a correction.
pub const ENTRY: Family = Family("entry/");
/// `compliance/{org}/{year}/{currency}`: one organisation-year's ratio rules.
pub const COMPLIANCE: Family = Family("compliance/");
/// `duties/{org}`: what an organisation owes in disclosures, to be judged on any date
/// ([`crate::money::duties`]).
pub const DUTIES: Family = Family("duties/");
/// `late/{index, six digits}`: late and missing disclosures, in the order found.
pub const LATE: Family = Family("late/");

impl Family {
    /// Every row of the family starts with this.
    pub const fn prefix(self) -> &'static str {
        self.0
    }

    /// The key of one row.
    pub fn key(self, parts: &[&Part<'_>]) -> String {
        let mut out = self.under(parts);
        out.pop();
        out
    }

    /// The prefix of the family's rows whose leading parts are `parts` (ending in `/`); with no
    /// parts, the family's prefix.
    pub fn under(self, parts: &[&Part<'_>]) -> String {
        let mut out = self.0.to_owned();
        for p in parts {
            // Writing to a String cannot fail.
            let _ = write!(out, "{p}/");
        }
        out
    }

    /// Whether `key` is one of this family's.
    pub fn has(self, key: &str) -> bool {
        key.starts_with(self.0)
    }

    /// The parts of `key`, if it is one of this family's.
    pub fn parts(self, key: &str) -> Option<std::str::Split<'_, char>> {
        key.strip_prefix(self.0).map(|rest| rest.split('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_prefixes_are_spelled_as_documented() {
        assert_eq!(ORG.key(&[&"53100000500020001K"]), "org/53100000500020001K");
        assert_eq!(SPEND.key(&[&7, &0]), "spend/7/0");
        assert_eq!(BALANCE.under(&[&"ORG"]), "balance/ORG/");
        assert_eq!(
            BALANCE.key(&[&"ORG", &"project", &"P1", &"CNY"]),
            "balance/ORG/project/P1/CNY"
        );
        assert_eq!(TOTALS_YEAR.key(&[&2026, &"CNY"]), "totals/year/2026/CNY");
        assert_eq!(DONATION.under(&[]), "donation/");
        let parts: Vec<_> = DONATION.parts("donation/ORG/R-1").unwrap().collect();
        assert_eq!(parts, ["ORG", "R-1"]);
        assert!(DONATION.parts("trace/ORG/R-1").is_none());
        assert!(EVENTS_TRUST.has("events/trust/T1"));
    }
}
