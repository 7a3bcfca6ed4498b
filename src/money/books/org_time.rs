//! Organisations over time (issue 14, part 3).
//!
//! `org.register` states an organisation's facts on the day it registered. Public-fundraising
//! status (公开募捐资格) and registration facts change later by regulator-signed entries
//! (`org.fundraising`, `org.change`), and each year's ratio test uses the facts in force on 31
//! December of that year (here). Net assets count from the opening balance an organisation
//! declares on joining the ledger (`org.opening`), not from zero, so an endowed foundation is
//! banded by its real net assets; an annual report's audited figures are read by the ratio tests
//! in place of the ledger's own and shown beside them ([`crate::money::regulator::sides`]).
//! Every rule cites its source in `rules/org_time.json` ([`crate::money::rules::org_time`]).
//!
//! One organisation's facts over time: the public-fundraising changes and registration changes a
//! regulator recorded, and the opening balance the organisation declared. `org.register` stays
//! what it said on the day of registration; the facts in force on any day are its facts with the
//! changes dated up to that day laid over them.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use super::{Books, Eff, OrgRecord};
use crate::ledger::{Timestamp, Uscc};
use crate::money::bodies::{OrgChange, OrgFundraising, OrgOpening};
use crate::money::error::{MoneyError, Rule, Unique};
use crate::money::types::{OrgType, RegionCode, Title};

use crate::money::rules::org_time::citation;

/// An `org.fundraising` in the effective log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundraisingRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: OrgFundraising,
}

/// An `org.change` in the effective log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: OrgChange,
}

/// An `org.opening` in the effective log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpeningRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: OrgOpening,
}

/// What the log says of one organisation after its registration, each list in date order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgTimeline {
    pub fundraising: Vec<FundraisingRecord>,
    pub changes: Vec<ChangeRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<OpeningRecord>,
}

/// The registration facts in force on a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgFacts {
    pub name: Title,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<Title>,
    pub org_type: OrgType,
    pub region: RegionCode,
    pub public_fundraising: bool,
    /// The `org.fundraising` entry the status comes from; `None`: from `org.register`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fundraising_seq: Option<u64>,
}

/// 31 December of `year`, the day whose facts a year is judged on (rule `year_status`).
pub fn year_end(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::December, 31).ok()
}

impl OrgTimeline {
    /// The facts of `reg` as changed by this timeline up to and including `day`.
    pub fn facts_on(&self, reg: &OrgRecord, day: Date) -> OrgFacts {
        let r = &reg.register;
        let mut f = OrgFacts {
            name: r.name.clone(),
            name_en: r.name_en.clone(),
            org_type: r.org_type,
            region: r.region.clone(),
            public_fundraising: r.public_fundraising,
            fundraising_seq: None,
        };
        for c in self.changes.iter().filter(|c| c.body.effective_on <= day) {
            let b = &c.body;
            if let Some(n) = &b.name {
                f.name = n.clone();
            }
            if let Some(n) = &b.name_en {
                f.name_en = Some(n.clone());
            }
            if let Some(t) = b.org_type {
                f.org_type = t;
            }
            if let Some(region) = &b.region {
                f.region = region.clone();
            }
        }
        if let Some(s) = self
            .fundraising
            .iter()
            .rfind(|s| s.body.effective_on <= day)
        {
            f.public_fundraising = s.body.change.holds();
            f.fundraising_seq = Some(s.seq);
        }
        f
    }
}

/// Refuses a change dated before the registration or before the last change of its list.
fn in_order(
    reg: &OrgRecord,
    last: Option<Date>,
    effective_on: Date,
    what: &str,
) -> Result<(), MoneyError> {
    let registered = reg.register.registered_on;
    if effective_on < registered {
        return Err(MoneyError::refused(
            "body.effective_on",
            Rule::BadDates,
            format!("a {what} takes effect on or after the registration ({registered})"),
        ));
    }
    if let Some(last) = last.filter(|last| effective_on < *last) {
        return Err(MoneyError::refused(
            "body.effective_on",
            Rule::BadDates,
            format!(
                "{what}s are recorded in date order: the last one took effect on {last} ({})",
                citation(Rule::StatusUnchanged)
            ),
        ));
    }
    Ok(())
}

impl Books {
    /// The timeline of `org` (empty for an organisation with no changes).
    pub fn org_timeline(&self, org: &Uscc) -> OrgTimeline {
        self.org_time.get(org).cloned().unwrap_or_default()
    }

    /// The registration facts of `org` in force on `day`; `None` for an unknown organisation.
    pub fn org_facts_on(&self, org: &Uscc, day: Date) -> Option<OrgFacts> {
        let reg = self.orgs.get(org)?;
        Some(match self.org_time.get(org) {
            Some(t) => t.facts_on(reg, day),
            None => OrgTimeline::default().facts_on(reg, day),
        })
    }

    /// Whether `org` holds public-fundraising status on `day` (false for an unknown one).
    pub fn public_fundraising_on(&self, org: &Uscc, day: Date) -> bool {
        self.org_facts_on(org, day)
            .is_some_and(|f| f.public_fundraising)
    }

    /// The facts a year of `org` is judged on: those in force on 31 December (rule `year_status`).
    pub fn org_facts_in_year(&self, org: &Uscc, year: i32) -> Option<OrgFacts> {
        self.org_facts_on(org, year_end(year)?)
    }

    pub(crate) fn org_fundraising(
        &mut self,
        e: &Eff,
        b: &OrgFundraising,
    ) -> Result<(), MoneyError> {
        let reg = self.org(&b.org, "body.org")?.clone();
        if b.change.holds() {
            super::charity_only::may_hold_fundraising_status(
                &b.org,
                reg.register.org_type,
                "body.change",
            )?;
        }
        let mut t = self.org_timeline(&b.org);
        let last = t.fundraising.last();
        in_order(
            &reg,
            last.map(|l| l.body.effective_on),
            b.effective_on,
            "public-fundraising change",
        )?;
        let held = last.map_or(reg.register.public_fundraising, |l| l.body.change.holds());
        if held == b.change.holds() {
            return Err(MoneyError::refused(
                "body.change",
                Rule::StatusUnchanged,
                format!(
                    "{} {} public-fundraising status on {}, so it cannot be {} ({})",
                    b.org,
                    if held {
                        "already holds"
                    } else {
                        "does not hold"
                    },
                    b.effective_on,
                    if held { "granted" } else { "revoked" },
                    citation(Rule::StatusUnchanged)
                ),
            ));
        }
        t.fundraising.push(FundraisingRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
        });
        self.org_time.insert(b.org.clone(), t);
        Ok(())
    }

    pub(crate) fn org_change(&mut self, e: &Eff, b: &OrgChange) -> Result<(), MoneyError> {
        let reg = self.org(&b.org, "body.org")?.clone();
        if !crate::money::bodies::org_time::is_charity_type(reg.register.org_type)
            && b.org_type.is_some()
        {
            return Err(MoneyError::refused(
                "body.org_type",
                Rule::WrongOrgType,
                format!(
                    "{} is registered as a {}, not a charity; its type does not change",
                    b.org, reg.register.org_type
                ),
            ));
        }
        let mut t = self.org_timeline(&b.org);
        in_order(
            &reg,
            t.changes.last().map(|l| l.body.effective_on),
            b.effective_on,
            "registration change",
        )?;
        t.changes.push(ChangeRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
        });
        self.org_time.insert(b.org.clone(), t);
        Ok(())
    }

    pub(crate) fn org_opening(&mut self, e: &Eff, b: &OrgOpening) -> Result<(), MoneyError> {
        let reg = self.author_org(e)?;
        let org = reg.register.org.clone();
        let mut t = self.org_timeline(&org);
        if let Some(o) = &t.opening {
            return Err(MoneyError::duplicate(
                "body.as_of",
                Unique::Opening,
                format!("{org} declared its opening balance in entry {}", o.seq),
            ));
        }
        // The balance of the year-end before registration would be another organisation's.
        if b.as_of.year() < reg.register.registered_on.year() {
            return Err(MoneyError::refused(
                "body.as_of",
                Rule::BadDates,
                format!(
                    "the opening balance is at a year end on or after the registration year ({})",
                    reg.register.registered_on.year()
                ),
            ));
        }
        t.opening = Some(OpeningRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
        });
        self.org_time.insert(org, t);
        Ok(())
    }
}
