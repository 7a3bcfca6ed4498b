//! The bodies the money endpoints answer with, typed so that the OpenAPI document names each
//! one's schema and a view row that does not read as its family's type is a 500 naming the key
//! (in the log) instead of a field quietly missing from an answer.
//!
//! Rows of the typed families ([`crate::money::views::rows`]) are described field by field;
//! a domain record carried whole (an organisation's registration, a trust) is an object in the
//! schema.

use serde::Serialize;
use utoipa::ToSchema;

use crate::money::Trace;
use crate::money::obligations::OrgObligation;
use crate::money::views::rows::{
    BalanceRow, ComplianceRow, DonationRow, EntryRow, FiguresRow, GrantRow, LotteryExecutionRow,
    OrgRow, OrgTotalRow, ProjectRow, TrustRow, TrustYearRow,
};
use crate::publish::proofs::InclusionProof;

/// A fund's balance with its view key (`balance/{org}/unrestricted/{currency}` or
/// `balance/{org}/project/{id}/{currency}`: the fund and currency are in the key).
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyedBalance {
    pub key: String,
    pub value: BalanceRow,
}

/// An organisation's holdings in one currency with its view key (`org_total/{org}/{currency}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyedTotal {
    pub key: String,
    pub value: OrgTotalRow,
}

/// `GET /api/v1/orgs`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgsAnswer {
    /// The log size the cached views reflect.
    pub as_of_size: u64,
    #[schema(value_type = Vec<Object>)]
    pub orgs: Vec<OrgRow>,
}

/// `GET /api/v1/orgs/{org}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgAnswer {
    pub as_of_size: u64,
    #[schema(value_type = Object)]
    pub org: OrgRow,
    pub balances: Vec<KeyedBalance>,
    pub totals: Vec<KeyedTotal>,
    /// `figures/{org}/{year}/{currency}` rows.
    pub figures: Vec<FiguresRow>,
    /// `compliance/{org}/{year}/{currency}` rows.
    pub compliance: Vec<ComplianceRow>,
}

/// `GET /api/v1/projects`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectsAnswer {
    pub as_of_size: u64,
    pub projects: Vec<ProjectRow>,
}

/// `GET /api/v1/projects/{org}/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectAnswer {
    pub as_of_size: u64,
    pub project: ProjectRow,
    pub balances: Vec<KeyedBalance>,
}

/// `GET /api/v1/trusts`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrustsAnswer {
    pub as_of_size: u64,
    #[schema(value_type = Vec<Object>)]
    pub trusts: Vec<TrustRow>,
}

/// `GET /api/v1/trusts/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrustAnswer {
    pub as_of_size: u64,
    #[schema(value_type = Object)]
    pub trust: TrustRow,
    /// `trust_year/{trust_id}/{year}` rows.
    pub years: Vec<TrustYearRow>,
}

/// `GET /api/v1/lottery/grants`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantsAnswer {
    pub as_of_size: u64,
    pub grants: Vec<GrantRow>,
    /// `lottery_execution/{administrator}/{year}/{currency}` rows.
    pub execution: Vec<LotteryExecutionRow>,
}

/// `GET /api/v1/lottery/grants/{admin}/{grant}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantAnswer {
    pub as_of_size: u64,
    pub grant: GrantRow,
}

/// `GET /api/v1/receipts/{receipt_no}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptAnswer {
    pub as_of_size: u64,
    /// The issuing organisation.
    pub org: String,
    /// The `donation/{org}/{receipt_no}` row: the donation's fields with `seq`, `org`,
    /// `recorded_at` and `status`.
    pub donation: DonationRow,
    /// Where the money went; null for a voided donation.
    pub trace: Option<Trace>,
    pub proof: InclusionProof,
    /// The `entry/{seq}` row when the donation was amended or voided.
    pub correction: Option<EntryRow>,
}

/// `GET /api/v1/compliance/{org}/{year}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceAnswer {
    pub as_of_size: u64,
    pub org: String,
    pub year: i32,
    /// `compliance/{org}/{year}/{currency}` rows.
    pub compliance: Vec<ComplianceRow>,
    /// Late or missing disclosures as of today in China.
    #[schema(value_type = Vec<Object>)]
    pub late: Vec<OrgObligation>,
}

/// `GET /api/v1/obligations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObligationsAnswer {
    pub as_of_size: u64,
    /// The day judged on, `YYYY-MM-DD`.
    pub as_of: String,
    #[schema(value_type = Vec<Object>)]
    pub obligations: Vec<OrgObligation>,
}
