//! Projects: opening, progress updates, and closing with the leftover sent to a similar project.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::{Kind, Timestamp, Uscc};

use super::funds::FundKey;
use super::{Books, Eff, SpendRecord};
use crate::money::bodies::{ProjectClose, ProjectOpen, ProjectUpdate};
use crate::money::error::{MoneyError, Rule, Unique};
use crate::money::types::{Ident, Money, SpendCategory};

/// A project as the effective log describes it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ProjectRecord {
    pub org: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub open: ProjectOpen,
    /// The filing number, from `project.open` or from a later update of an emergency project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filing_no: Option<Ident>,
    /// When the filing number entered the ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filing_recorded_at: Option<Timestamp>,
    pub updates: Vec<UpdateRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<CloseRecord>,
}

/// A `project.update`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct UpdateRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: ProjectUpdate,
}

/// A `project.close`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CloseRecord {
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: ProjectClose,
}

impl Books {
    pub(crate) fn project_open(&mut self, e: &Eff, b: &ProjectOpen) -> Result<(), MoneyError> {
        let org = self.author_org(e)?;
        let id = org.register.org.clone();
        if b.public_fundraising && !self.public_fundraising_on(&id, e.recorded_at.china_date()) {
            return Err(MoneyError::refused(
                "body.public_fundraising",
                Rule::NoPublicFundraising,
                "only an organisation holding public-fundraising status on the day may raise from the public",
            ));
        }
        let key = (id.clone(), b.id.clone());
        if self.projects.contains_key(&key) {
            return Err(MoneyError::duplicate("body.id", Unique::Project, &b.id));
        }
        let filing_recorded_at = b.fundraising_filing_no.as_ref().map(|_| e.recorded_at);
        self.projects.insert(
            key,
            ProjectRecord {
                org: id,
                seq: e.seq,
                recorded_at: e.recorded_at,
                open: b.clone(),
                filing_no: b.fundraising_filing_no.clone(),
                filing_recorded_at,
                updates: Vec::new(),
                closed: None,
            },
        );
        Ok(())
    }

    /// Updates are accepted after a close too: a final audit often follows the close.
    pub(crate) fn project_update(&mut self, e: &Eff, b: &ProjectUpdate) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let mut p = self
            .project(&org, &b.project, "body.project", false)?
            .clone();
        if let Some(no) = &b.fundraising_filing_no {
            if !p.open.public_fundraising {
                return Err(MoneyError::refused(
                    "body.fundraising_filing_no",
                    Rule::FilingWithoutPublic,
                    "the project does not raise from the public",
                ));
            }
            match &p.filing_no {
                Some(have) if have != no => {
                    return Err(MoneyError::refused(
                        "body.fundraising_filing_no",
                        Rule::FilingRequired,
                        format!("the project's filing number is already {have}"),
                    ));
                }
                Some(_) => {}
                None => {
                    p.filing_no = Some(no.clone());
                    p.filing_recorded_at = Some(e.recorded_at);
                }
            }
        }
        p.updates.push(UpdateRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
        });
        self.projects.insert((org, b.project.clone()), p);
        Ok(())
    }

    pub(crate) fn project_close(&mut self, e: &Eff, b: &ProjectClose) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let mut p = self
            .project(&org, &b.project, "body.project", true)?
            .clone();
        self.goods_close_check(&org, &b.project)?;
        // The stated leftover must be exactly what the project holds, currency by currency.
        let held: Vec<(FundKey, Decimal)> = self
            .funds
            .balances()
            .filter(|(k, v)| {
                k.org == org && k.project.as_ref() == Some(&b.project) && **v > Decimal::ZERO
            })
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        for (key, balance) in &held {
            let stated = b
                .leftover
                .iter()
                .find(|l| l.currency == key.currency)
                .map(|l| l.amount.decimal());
            if stated != Some(*balance) {
                return Err(MoneyError::refused(
                    "body.leftover",
                    Rule::LeftoverMismatch,
                    format!(
                        "the project holds {} {}; the close must state it",
                        Money(*balance),
                        key.currency
                    ),
                ));
            }
        }
        for (i, l) in b.leftover.iter().enumerate() {
            if !held.iter().any(|(k, _)| k.currency == l.currency) {
                return Err(MoneyError::refused(
                    format!("body.leftover[{i}]"),
                    Rule::LeftoverMismatch,
                    format!("the project holds no {}", l.currency),
                ));
            }
        }
        if let Some(to) = &b.leftover_to {
            self.org(&to.org, "body.leftover_to.org")?;
            let dest = self.project(&to.org, &to.project, "body.leftover_to.project", true)?;
            if to.org == org && to.project == b.project {
                return Err(MoneyError::refused(
                    "body.leftover_to",
                    Rule::DissimilarProject,
                    "a project cannot take its own leftover",
                ));
            }
            if dest.open.purpose != p.open.purpose {
                return Err(MoneyError::refused(
                    "body.leftover_to.project",
                    Rule::DissimilarProject,
                    format!(
                        "the leftover of a {} project must go to a {} project",
                        p.open.purpose, p.open.purpose
                    ),
                ));
            }
            for (i, (from, amount)) in held.iter().enumerate() {
                let dest_key = FundKey {
                    org: to.org.clone(),
                    project: Some(to.project.clone()),
                    currency: from.currency,
                };
                // The whole balance moves, time-restricted lots with their restriction.
                self.funds
                    .transfer(from, &dest_key, *amount, e.seq, Kind::ProjectClose, None);
                self.add_spend(
                    (e.seq, i as u32),
                    SpendRecord {
                        seq: e.seq,
                        kind: Kind::ProjectClose,
                        from: from.clone(),
                        to: Some(dest_key),
                        amount: Money(*amount),
                        category: SpendCategory::Programme,
                        paid_on: b.closed_on,
                        recorded_at: e.recorded_at,
                        related_party: false,
                    },
                );
            }
        }
        p.closed = Some(self::CloseRecord {
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
        });
        self.projects.insert((org, b.project.clone()), p);
        Ok(())
    }
}
