//! `project.open`, `project.update`, `project.close`: a charitable project's life, signed by the
//! organisation that runs it.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash, Uscc};
use crate::money::types::{Ident, Money, Prose, Purpose, RegionCode, Title, opt_date};

/// `project.open`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectOpen {
    /// Unique within the organisation, forever (a voided project's id stays taken).
    pub id: Ident,
    pub title: Title,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<Title>,
    pub purpose: Purpose,
    pub region: RegionCode,
    pub target: Amount,
    pub currency: Currency,
    /// Planned dates may lie in the future: a project is often announced before it starts.
    #[serde(with = "date_serde")]
    pub start: Date,
    #[serde(default, with = "opt_date", skip_serializing_if = "Option::is_none")]
    pub end: Option<Date>,
    /// Whether the project raises money from the public (公开募捐).
    #[serde(default)]
    pub public_fundraising: bool,
    /// 公开募捐方案备案编号; required with `public_fundraising` unless `emergency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fundraising_filing_no: Option<Ident>,
    /// A disaster campaign: may start raising before its filing, which then follows by update.
    #[serde(default)]
    pub emergency: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Prose>,
}

/// `project.update`: progress in words and figures, with the hash of the full document.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectUpdate {
    pub project: Ident,
    #[serde(with = "date_serde")]
    pub as_of: Date,
    pub progress: Prose,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beneficiaries: Option<u64>,
    pub document: Hash,
    /// The filing number an emergency project obtained after it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fundraising_filing_no: Option<Ident>,
}

/// One currency's leftover at close.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyAmount {
    pub amount: Amount,
    pub currency: Currency,
}

/// A project of some organisation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRef {
    pub org: Uscc,
    pub project: Ident,
}

/// `project.close`: states every currency's leftover and the similar project it went to.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectClose {
    pub project: Ident,
    #[serde(with = "date_serde")]
    pub closed_on: Date,
    pub summary: Prose,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Hash>,
    /// Must equal the project's balance in each currency it holds; empty when nothing is left.
    #[serde(default)]
    pub leftover: Vec<CurrencyAmount>,
    /// Where the leftover went: an open project with the same purpose category. Never
    /// administration: the shape has no way to say so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leftover_to: Option<ProjectRef>,
}
