//! Public fundraising campaigns: opening under a filed plan, fundraising disclosures, and the
//! close with its final report. The record keeps dates and entry numbers only (what the
//! disclosure deadlines need), never the bodies: the entries themselves are in the log.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Timestamp, Uscc};

use super::{Books, Eff};
use crate::money::bodies::{CampaignClose, CampaignOpen, CampaignUpdate};
use crate::money::error::{MoneyError, Rule, Thing, Unique};
use crate::money::types::{Ident, opt_date};

/// An entry that disclosed something, by its seq and recording time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disclosed {
    pub seq: u64,
    pub recorded_at: Timestamp,
}

/// A campaign's close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignEnd {
    #[serde(with = "date_serde")]
    pub ended_on: Date,
    pub by: Disclosed,
}

/// A campaign as the effective log describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRecord {
    pub org: Uscc,
    pub id: Ident,
    pub filing_no: Ident,
    pub opened: Disclosed,
    #[serde(with = "date_serde")]
    pub start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    pub projects: Vec<Ident>,
    /// Whether it named public-fundraising partners (whose evaluation is then owed).
    pub has_partners: bool,
    /// Its `campaign.update` entries.
    pub updates: Vec<Disclosed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<CampaignEnd>,
    /// The first entry carrying the evaluation of its partners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_evaluation: Option<Disclosed>,
}

impl Books {
    pub(crate) fn campaign_open(&mut self, e: &Eff, b: &CampaignOpen) -> Result<(), MoneyError> {
        let org = self.author_org(e)?;
        if !self.public_fundraising_on(&org.register.org, e.recorded_at.china_date()) {
            return Err(MoneyError::refused(
                "body.filing_no",
                Rule::NoPublicFundraising,
                "only an organisation holding public-fundraising status on the day may run a campaign",
            ));
        }
        let id = org.register.org.clone();
        let key = (id.clone(), b.id.clone());
        if self.campaigns.contains_key(&key) {
            return Err(MoneyError::duplicate("body.id", Unique::Campaign, &b.id));
        }
        for (i, p) in b.projects.iter().enumerate() {
            self.project(&id, p, &format!("body.projects[{i}]"), true)?;
        }
        let at = Disclosed {
            seq: e.seq,
            recorded_at: e.recorded_at,
        };
        self.campaigns.insert(
            key,
            CampaignRecord {
                org: id,
                id: b.id.clone(),
                filing_no: b.filing_no.clone(),
                opened: at,
                start: b.start,
                end: b.end,
                projects: b.projects.clone(),
                has_partners: !b.partners.is_empty(),
                updates: Vec::new(),
                closed: None,
                partner_evaluation: None,
            },
        );
        Ok(())
    }

    fn campaign(&self, org: &Uscc, id: &Ident) -> Result<CampaignRecord, MoneyError> {
        self.campaigns
            .get(&(org.clone(), id.clone()))
            .cloned()
            .ok_or_else(|| {
                MoneyError::unknown("body.campaign", Thing::Campaign, format!("{org}/{id}"))
            })
    }

    /// Updates are accepted after a close too: the partners' evaluation may follow the final
    /// report.
    pub(crate) fn campaign_update(
        &mut self,
        e: &Eff,
        b: &CampaignUpdate,
    ) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let mut c = self.campaign(&org, &b.campaign)?;
        let at = Disclosed {
            seq: e.seq,
            recorded_at: e.recorded_at,
        };
        c.updates.push(at);
        if b.partner_evaluation.is_some() && c.partner_evaluation.is_none() {
            c.partner_evaluation = Some(at);
        }
        self.campaigns.insert((org, b.campaign.clone()), c);
        Ok(())
    }

    pub(crate) fn campaign_close(&mut self, e: &Eff, b: &CampaignClose) -> Result<(), MoneyError> {
        let org = self.author_org(e)?.register.org;
        let mut c = self.campaign(&org, &b.campaign)?;
        if c.closed.is_some() {
            return Err(MoneyError::refused(
                "body.campaign",
                Rule::CampaignClosed,
                format!("campaign {} is closed already", b.campaign),
            ));
        }
        if b.ended_on < c.start {
            return Err(MoneyError::refused(
                "body.ended_on",
                Rule::BadDates,
                "the campaign cannot end before it starts",
            ));
        }
        let at = Disclosed {
            seq: e.seq,
            recorded_at: e.recorded_at,
        };
        c.closed = Some(CampaignEnd {
            ended_on: b.ended_on,
            by: at,
        });
        if b.partner_evaluation.is_some() && c.partner_evaluation.is_none() {
            c.partner_evaluation = Some(at);
        }
        self.campaigns.insert((org, b.campaign.clone()), c);
        Ok(())
    }
}
