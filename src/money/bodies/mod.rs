//! Entry bodies by kind, parsed into one typed [`Body`].
//!
//! Parsing is a pure function of the kind and the JSON (`parse_body`): the personal-data scan
//! runs first over every string, then serde with `deny_unknown_fields` reads the shape and names
//! the failing path. Rules that need no ledger state live in [`checks`]; rules that need it live
//! with the state.

pub mod campaign;
pub mod checks;
pub mod correction;
pub mod disclosure;
pub mod donation;
pub mod goods;
pub mod lottery;
pub mod org;
pub mod org_time;
pub mod personal_data;
pub mod project;
pub mod reports;
pub mod spending;
pub mod trust;

use serde_json::Value;

use crate::ledger::authority::{GenesisBody, OrgKeysBody};
use crate::ledger::submission::from_value_ref_at;
use crate::ledger::{Kind, Uscc};

use crate::money::error::{MoneyError, Unique};
use crate::money::types::Ident;
use personal_data::scan_members;

pub use campaign::{CampaignClose, CampaignOpen, CampaignUpdate};
pub use correction::Correction;
pub use disclosure::{EventDisclosure, Subject};
pub use donation::{Donation, InKind};
pub use goods::GoodsDistribute;
pub use lottery::{
    Allocation, Executed, LotteryAnnounce, LotteryGrant, LotteryReceive, LotteryUsage,
};
pub use org::OrgRegister;
pub use org_time::{AuditedFigures, FundraisingChange, OrgChange, OrgFundraising, OrgOpening};
pub use project::{CurrencyAmount, ProjectClose, ProjectOpen, ProjectRef, ProjectUpdate};
pub use reports::{DeclaredFigures, Explanation, ReportAnnual};
pub use spending::{Disbursement, GrantTransfer};
pub use trust::{
    Settlor, TrustDisburse, TrustFee, TrustFile, TrustReceive, TrustReport, TrustStatement,
    TrustTerminate,
};

/// A parsed entry body, one variant per kind. Serialises as the body's JSON (untagged: the kind
/// travels beside the body), so a parsed body can be encoded and read again (tests/fuzz_decoders.rs).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum Body {
    Genesis(GenesisBody),
    OrgRegister(OrgRegister),
    OrgKeys(OrgKeysBody),
    OrgFundraising(OrgFundraising),
    OrgChange(OrgChange),
    OrgOpening(OrgOpening),
    ProjectOpen(ProjectOpen),
    ProjectUpdate(ProjectUpdate),
    ProjectClose(ProjectClose),
    CampaignOpen(CampaignOpen),
    CampaignUpdate(CampaignUpdate),
    CampaignClose(CampaignClose),
    Donation(Donation),
    Disbursement(Disbursement),
    GrantTransfer(GrantTransfer),
    GoodsDistribute(GoodsDistribute),
    TrustFile(TrustFile),
    TrustDisburse(TrustDisburse),
    TrustReport(TrustReport),
    LotteryGrant(LotteryGrant),
    LotteryUsage(LotteryUsage),
    LotteryAnnounce(LotteryAnnounce),
    TrustReceive(TrustReceive),
    TrustFee(TrustFee),
    TrustTerminate(TrustTerminate),
    LotteryReceive(LotteryReceive),
    ReportAnnual(ReportAnnual),
    Explanation(Explanation),
    Disclosure(EventDisclosure),
    Correction(Correction),
}

impl Body {
    /// The kind of entry this is the body of (the inverse of [`parse_body`]'s choice).
    pub fn kind(&self) -> Kind {
        match self {
            Body::Genesis(_) => Kind::Genesis,
            Body::OrgRegister(_) => Kind::OrgRegister,
            Body::OrgKeys(_) => Kind::OrgKeys,
            Body::OrgFundraising(_) => Kind::OrgFundraising,
            Body::OrgChange(_) => Kind::OrgChange,
            Body::OrgOpening(_) => Kind::OrgOpening,
            Body::ProjectOpen(_) => Kind::ProjectOpen,
            Body::ProjectUpdate(_) => Kind::ProjectUpdate,
            Body::ProjectClose(_) => Kind::ProjectClose,
            Body::CampaignOpen(_) => Kind::CampaignOpen,
            Body::CampaignUpdate(_) => Kind::CampaignUpdate,
            Body::CampaignClose(_) => Kind::CampaignClose,
            Body::Donation(_) => Kind::Donation,
            Body::Disbursement(_) => Kind::Disbursement,
            Body::GrantTransfer(_) => Kind::GrantTransfer,
            Body::GoodsDistribute(_) => Kind::GoodsDistribute,
            Body::TrustFile(_) => Kind::TrustFile,
            Body::TrustDisburse(_) => Kind::TrustDisburse,
            Body::TrustReport(_) => Kind::TrustReport,
            Body::LotteryGrant(_) => Kind::LotteryGrant,
            Body::LotteryUsage(_) => Kind::LotteryUsage,
            Body::LotteryAnnounce(_) => Kind::LotteryAnnounce,
            Body::TrustReceive(_) => Kind::TrustReceive,
            Body::TrustFee(_) => Kind::TrustFee,
            Body::TrustTerminate(_) => Kind::TrustTerminate,
            Body::LotteryReceive(_) => Kind::LotteryReceive,
            Body::ReportAnnual(_) => Kind::ReportAnnual,
            Body::Explanation(_) => Kind::Explanation,
            Body::Disclosure(_) => Kind::Disclosure,
            Body::Correction(_) => Kind::Correction,
        }
    }
}

/// Parses the body of an entry of `kind`; errors name the path under `body`.
pub fn parse_body(kind: Kind, value: &Value) -> Result<Body, MoneyError> {
    parse_body_at(kind, value, "body")
}

/// Like [`parse_body`], with the paths under `prefix` (a correction's `body.amended`).
pub fn parse_body_at(kind: Kind, value: &Value, prefix: &str) -> Result<Body, MoneyError> {
    if !value.is_object() {
        return Err(MoneyError::malformed(prefix, "must be a JSON object"));
    }
    // Keys are public and written once, so skip them; everything else is scanned.
    if !matches!(kind, Kind::Genesis | Kind::OrgKeys)
        && let Some(map) = value.as_object()
    {
        scan_members(map, prefix, Some("keys"))?;
    }
    fn read<T: serde::de::DeserializeOwned>(v: &Value, prefix: &str) -> Result<T, MoneyError> {
        Ok(from_value_ref_at(v, prefix)?)
    }
    Ok(match kind {
        Kind::Genesis => Body::Genesis(read(value, prefix)?),
        Kind::OrgRegister => Body::OrgRegister(read(value, prefix)?),
        Kind::OrgKeys => Body::OrgKeys(read(value, prefix)?),
        Kind::OrgFundraising => Body::OrgFundraising(read(value, prefix)?),
        Kind::OrgChange => Body::OrgChange(read(value, prefix)?),
        Kind::OrgOpening => Body::OrgOpening(read(value, prefix)?),
        Kind::ProjectOpen => Body::ProjectOpen(read(value, prefix)?),
        Kind::ProjectUpdate => Body::ProjectUpdate(read(value, prefix)?),
        Kind::ProjectClose => Body::ProjectClose(read(value, prefix)?),
        Kind::CampaignOpen => Body::CampaignOpen(read(value, prefix)?),
        Kind::CampaignUpdate => Body::CampaignUpdate(read(value, prefix)?),
        Kind::CampaignClose => Body::CampaignClose(read(value, prefix)?),
        Kind::Donation => Body::Donation(read(value, prefix)?),
        Kind::Disbursement => Body::Disbursement(read(value, prefix)?),
        Kind::GrantTransfer => Body::GrantTransfer(read(value, prefix)?),
        Kind::GoodsDistribute => Body::GoodsDistribute(read(value, prefix)?),
        Kind::TrustFile => Body::TrustFile(read(value, prefix)?),
        Kind::TrustDisburse => Body::TrustDisburse(read(value, prefix)?),
        Kind::TrustReport => Body::TrustReport(read(value, prefix)?),
        Kind::LotteryGrant => Body::LotteryGrant(read(value, prefix)?),
        Kind::LotteryUsage => Body::LotteryUsage(read(value, prefix)?),
        Kind::LotteryAnnounce => Body::LotteryAnnounce(read(value, prefix)?),
        Kind::TrustReceive => Body::TrustReceive(read(value, prefix)?),
        Kind::TrustFee => Body::TrustFee(read(value, prefix)?),
        Kind::TrustTerminate => Body::TrustTerminate(read(value, prefix)?),
        Kind::LotteryReceive => Body::LotteryReceive(read(value, prefix)?),
        Kind::ReportAnnual => Body::ReportAnnual(read(value, prefix)?),
        Kind::Explanation => Body::Explanation(read(value, prefix)?),
        Kind::Disclosure => Body::Disclosure(read(value, prefix)?),
        Kind::Correction => Body::Correction(read(value, prefix)?),
    })
}

/// An identifier reserved forever by the entry that first uses it, even if that entry is later
/// voided: a receipt number or project id must keep meaning one thing in every page and export.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKey {
    Org(Uscc),
    Project(Uscc, Ident),
    Campaign(Uscc, Ident),
    Receipt(Uscc, Ident),
    Trust(Ident),
    LotteryGrant(Uscc, Ident),
}

impl IdKey {
    pub fn unique(&self) -> Unique {
        match self {
            IdKey::Org(_) => Unique::Org,
            IdKey::Project(..) => Unique::Project,
            IdKey::Campaign(..) => Unique::Campaign,
            IdKey::Receipt(..) => Unique::Receipt,
            IdKey::Trust(_) => Unique::Trust,
            IdKey::LotteryGrant(..) => Unique::LotteryGrant,
        }
    }

    /// What the state keeps of a reserved identifier (see [`crate::ledger::hash::fingerprint`]).
    pub fn fingerprint(&self) -> [u8; 16] {
        use crate::ledger::hash::fingerprint;
        match self {
            IdKey::Org(o) => fingerprint(&["org", o.as_str()]),
            IdKey::Project(o, i) => fingerprint(&["project", o.as_str(), i.as_str()]),
            IdKey::Campaign(o, i) => fingerprint(&["campaign", o.as_str(), i.as_str()]),
            IdKey::Receipt(o, i) => fingerprint(&["receipt", o.as_str(), i.as_str()]),
            IdKey::Trust(i) => fingerprint(&["trust", i.as_str()]),
            IdKey::LotteryGrant(o, i) => fingerprint(&["lottery_grant", o.as_str(), i.as_str()]),
        }
    }

    pub fn id(&self) -> String {
        match self {
            IdKey::Org(o) => o.to_string(),
            IdKey::Project(_, i)
            | IdKey::Campaign(_, i)
            | IdKey::Receipt(_, i)
            | IdKey::Trust(i)
            | IdKey::LotteryGrant(_, i) => i.to_string(),
        }
    }
}

impl Body {
    /// The identifier this entry claims, with its field, for an entry by `org` (the author's
    /// organisation, when it is one).
    pub fn claim(&self, org: Option<&Uscc>) -> Option<(IdKey, &'static str)> {
        match (self, org) {
            (Body::OrgRegister(b), _) => Some((IdKey::Org(b.org.clone()), "body.org")),
            (Body::ProjectOpen(b), Some(o)) => {
                Some((IdKey::Project(o.clone(), b.id.clone()), "body.id"))
            }
            (Body::CampaignOpen(b), Some(o)) => {
                Some((IdKey::Campaign(o.clone(), b.id.clone()), "body.id"))
            }
            (Body::Donation(b), Some(o)) => Some((
                IdKey::Receipt(o.clone(), b.receipt_no.clone()),
                "body.receipt_no",
            )),
            (Body::TrustFile(b), _) => Some((IdKey::Trust(b.trust_id.clone()), "body.trust_id")),
            (Body::LotteryGrant(b), Some(o)) => Some((
                IdKey::LotteryGrant(o.clone(), b.grant_id.clone()),
                "body.grant_id",
            )),
            _ => None,
        }
    }

    /// What an amendment must keep: the id the entry is known by, or the thing it is about.
    pub fn identity(&self) -> Option<String> {
        match self {
            Body::ProjectOpen(b) => Some(b.id.to_string()),
            Body::ProjectUpdate(b) => Some(b.project.to_string()),
            Body::ProjectClose(b) => Some(b.project.to_string()),
            Body::CampaignOpen(b) => Some(b.id.to_string()),
            Body::CampaignUpdate(b) => Some(b.campaign.to_string()),
            Body::CampaignClose(b) => Some(b.campaign.to_string()),
            Body::Donation(b) => Some(b.receipt_no.to_string()),
            Body::TrustFile(b) => Some(b.trust_id.to_string()),
            Body::TrustDisburse(b) => Some(b.trust_id.to_string()),
            Body::TrustReport(b) => Some(b.trust_id.to_string()),
            Body::TrustReceive(b) => Some(b.trust_id.to_string()),
            Body::TrustFee(b) => Some(b.trust_id.to_string()),
            Body::TrustTerminate(b) => Some(b.trust_id.to_string()),
            Body::LotteryGrant(b) => Some(b.grant_id.to_string()),
            Body::LotteryUsage(b) => Some(format!("{}/{}", b.administrator, b.grant_id)),
            // A status or registration change stays about the organisation it was made for.
            Body::OrgFundraising(b) => Some(b.org.to_string()),
            Body::OrgChange(b) => Some(b.org.to_string()),
            _ => None,
        }
    }
}
