//! `report.annual` and `explanation`: what an organisation declares about a year.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Currency, Hash};
use crate::money::types::{Money, Prose, Title, Year};

/// The headline figures an annual report declares. They come from audited statements that hold
/// more than the ledger (investment income, depreciation), so they are recorded beside the
/// ledger's own figures, not checked against them.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredFigures {
    pub currency: Currency,
    pub income: Money,
    pub charitable_spending: Money,
    pub administrative_costs: Money,
    pub fundraising_costs: Money,
    pub total_spending: Money,
    pub net_assets_year_end: Money,
}

/// `report.annual`: one per organisation and year (a second is a conflict; amend instead).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportAnnual {
    pub year: Year,
    pub work_report: Hash,
    pub financial_report: Hash,
    #[serde(with = "date_serde")]
    pub published_on: Date,
    pub figures: DeclaredFigures,
    /// The auditor's report on the financial report (须经审计: owed by an organisation with
    /// public-fundraising status, 2025 Disclosure Measures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_report: Option<Hash>,
    /// The implementation of the year's major projects (重大慈善项目实施情况: owed by an
    /// organisation without public-fundraising status, 2025 Disclosure Measures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major_projects: Option<Hash>,
    /// The audited year figures (issue 14): what the ratio tests read for this year, beside
    /// the ledger's own. Needs `audit_report`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audited: Option<super::AuditedFigures>,
}

/// `explanation`: the public explanation of a ratio shortfall for a year.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    pub year: Year,
    /// Which figure it explains, e.g. "年度慈善活动支出比例".
    pub subject: Title,
    pub text: Prose,
    #[serde(with = "date_serde")]
    pub published_on: Date,
}
