//! `disclosure` entries and related-party donations, kept as the dates the deadlines need
//! (never the bodies: the entries are in the log).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Timestamp, Uscc};

use super::{Books, Eff};
use crate::money::bodies::{EventDisclosure, Subject};
use crate::money::error::{MoneyError, Thing};
use crate::money::types::Ident;

/// A `disclosure` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    pub org: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub subject: Subject,
    #[serde(with = "date_serde")]
    pub occurred_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_id: Option<Ident>,
}

/// A donation received from a related party (its own entry is the disclosure, Art. 14 (1)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedDonation {
    pub org: Uscc,
    pub seq: u64,
    pub recorded_at: Timestamp,
    #[serde(with = "date_serde")]
    pub received_on: Date,
}

impl Books {
    pub(crate) fn disclosure(&mut self, e: &Eff, b: &EventDisclosure) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        if let Some(t) = &b.trust_id
            && !self.trusts.contains_key(t)
        {
            return Err(MoneyError::unknown("body.trust_id", Thing::Trust, t));
        }
        self.disclosures.insert(
            e.seq,
            DisclosureRecord {
                org,
                seq: e.seq,
                recorded_at: e.recorded_at,
                subject: b.subject,
                occurred_on: b.occurred_on,
                year: b.year.map(|y| y.0),
                trust_id: b.trust_id.clone(),
            },
        );
        Ok(())
    }
}
