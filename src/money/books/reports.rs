//! Annual reports and explanations of ratio shortfalls.

use serde::Serialize;

use crate::ledger::{Timestamp, Uscc};

use super::{Books, Eff};
use crate::money::bodies::{Explanation, ReportAnnual};
use crate::money::error::{MoneyError, Unique};

/// A `report.annual`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ReportRecord {
    pub org: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: ReportAnnual,
}

/// An `explanation`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ExplanationRecord {
    pub org: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(flatten)]
    pub body: Explanation,
}

impl Books {
    pub(crate) fn report_annual(&mut self, e: &Eff, b: &ReportAnnual) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let key = (org.clone(), b.year.0);
        if self.reports.contains_key(&key) {
            return Err(MoneyError::duplicate(
                "body.year",
                Unique::AnnualReport,
                b.year.0,
            ));
        }
        self.reports.insert(
            key,
            ReportRecord {
                org,
                seq: e.seq,
                recorded_at: e.recorded_at,
                body: b.clone(),
            },
        );
        Ok(())
    }

    pub(crate) fn explanation(&mut self, e: &Eff, b: &Explanation) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let rec = ExplanationRecord {
            org: org.clone(),
            seq: e.seq,
            recorded_at: e.recorded_at,
            body: b.clone(),
        };
        self.explanations
            .entry((org, b.year.0))
            .or_default()
            .push_back(rec);
        Ok(())
    }
}
