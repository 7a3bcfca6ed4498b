//! `campaign.open`, `campaign.update`, `campaign.close`: a public fundraising campaign
//! (公开募捐活动), apart from the projects it raises for.
//!
//! The law sets the disclosure of a campaign (募捐情况) apart from that of a project's
//! implementation (项目实施情况): a campaign runs under its own filed plan (公开募捐方案备案),
//! on its own dates, and may raise for several projects. So it has its own entries, its own
//! cadence and its own final report (see `timeliness_rules.json`). Only an organisation with
//! public-fundraising status may run one.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::Hash;
use crate::ledger::time::date_serde;
use crate::money::types::{Ident, Money, Prose, Title, opt_date};

/// Most projects one campaign may raise for.
pub const MAX_CAMPAIGN_PROJECTS: usize = 100;

/// `campaign.open`: the campaign as filed.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignOpen {
    /// Unique within the organisation, forever.
    pub id: Ident,
    pub title: Title,
    /// 公开募捐方案备案编号.
    pub filing_no: Ident,
    /// Planned dates, as filed; they may lie in the future.
    #[serde(with = "date_serde")]
    pub start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// The organisation's own projects it raises for (1 to [`MAX_CAMPAIGN_PROJECTS`]).
    pub projects: Vec<Ident>,
    /// Its public-fundraising partners (公开募捐合作方), e.g. the online platforms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partners: Vec<Title>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Prose>,
}

/// `campaign.update`: the periodic fundraising disclosure (募捐情况).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignUpdate {
    pub campaign: Ident,
    #[serde(with = "date_serde")]
    pub as_of: Date,
    /// Declared, not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<Money>,
    pub document: Hash,
    /// The evaluation and supervision of the campaign's partners, when published after the
    /// final report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_evaluation: Option<Hash>,
}

/// `campaign.close`: the campaign's end and its final report.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignClose {
    pub campaign: Ident,
    #[serde(with = "date_serde")]
    pub ended_on: Date,
    /// Declared, not checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<Money>,
    pub summary: Prose,
    /// The final report (全面公开募捐情况).
    pub document: Hash,
    /// The evaluation and supervision of the campaign's partners (对公开募捐合作方的评估和指导
    /// 监督情况), when it comes with the final report; it may follow by `campaign.update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_evaluation: Option<Hash>,
}
