//! Why the money model refuses an entry.
//!
//! Every refusal names the JSON path at fault (`body.amount`, `body.donor_display`, ...) and a
//! stable snake_case code, so a client can react to the code and a person can find the field.
//! Three HTTP classes follow from the variant: body shape errors are the sender's bug (400),
//! duplicate identifiers are conflicts with what the log already holds (409), and everything else
//! is a well-formed entry that breaks a rule (422).

use rust_decimal::Decimal;

use crate::ledger::Currency;

/// A thing an entry refers to that must already be in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thing {
    Org,
    Project,
    Campaign,
    Trust,
    LotteryGrant,
    Entry,
    /// A goods-ledger item no gift has named in that stock.
    GoodsItem,
}

impl Thing {
    fn code(self) -> &'static str {
        match self {
            Thing::Org => "unknown_org",
            Thing::Project => "unknown_project",
            Thing::Campaign => "unknown_campaign",
            Thing::Trust => "unknown_trust",
            Thing::LotteryGrant => "unknown_grant",
            Thing::Entry => "unknown_entry",
            Thing::GoodsItem => "unknown_item",
        }
    }
}

/// An identifier that may be used once only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    Org,
    Project,
    Campaign,
    Receipt,
    Trust,
    LotteryGrant,
    AnnualReport,
    TrustReport,
    Announcement,
    Opening,
}

impl Unique {
    fn code(self) -> &'static str {
        match self {
            Unique::Org => "duplicate_org",
            Unique::Project => "duplicate_project",
            Unique::Campaign => "duplicate_campaign",
            Unique::Receipt => "duplicate_receipt",
            Unique::Trust => "duplicate_trust",
            Unique::LotteryGrant => "duplicate_grant",
            Unique::AnnualReport => "duplicate_report",
            Unique::TrustReport => "duplicate_trust_report",
            Unique::Announcement => "duplicate_announcement",
            Unique::Opening => "duplicate_opening",
        }
    }
}

/// A rule that a well-formed entry can break; the variant fixes the error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The entry's seq is not after the last one the model saw.
    OutOfOrder,
    /// The author is not a registered organisation (or not the right kind of one).
    NotAnOrg,
    /// The referenced thing belongs to another organisation.
    NotOwner,
    /// The organisation's registered type does not allow this entry.
    WrongOrgType,
    /// Public fundraising by an organisation without public-fundraising status.
    NoPublicFundraising,
    /// A public fundraising project without its filing number (and not an emergency).
    FilingRequired,
    /// A filing number on a project that does not raise from the public.
    FilingWithoutPublic,
    /// End before start, or a year outside what the entry may speak of.
    BadDates,
    /// A report for a year that has not ended yet.
    YearNotOver,
    /// An individual's name that is not masked, or a beneficiary named.
    Unmasked,
    /// Something that looks like an ID number or a mobile number.
    PersonalData,
    /// A donation, disbursement or grant on a closed project.
    ProjectClosed,
    /// A second close of a campaign.
    CampaignClosed,
    /// A grant to oneself; moving money inside an organisation is not a grant.
    SelfTransfer,
    /// A close whose stated leftover differs from the project's balance.
    LeftoverMismatch,
    /// A leftover sent to a project with another purpose category.
    DissimilarProject,
    /// Declared figures that disagree with what the log holds.
    FiguresMismatch,
    /// A currency other than the one the trust or grant is held in.
    CurrencyMismatch,
    /// A lottery grant for a fiscal year whose announcement is already published.
    YearAnnounced,
    /// Cash donations need an amount; in-kind ones have a value only with a valuation proof.
    DonationForm,
    /// A correction of a correction that was itself voided.
    VoidedCorrection,
    /// A correction of an entry that is already voided.
    AlreadyVoided,
    /// A correction of another author's entry by someone who is not a regulator.
    NotAuthor,
    /// A correction of an entry kind that cannot be corrected, or an amendment of a correction.
    NotCorrectable,
    /// An amendment that changes the identifier the entry is known by.
    AmendChangesId,
    /// Administration or fundraising paid from a project's restricted money.
    RestrictedToProject,
    /// Money restricted until a later year spent (or granted) before that year.
    TimeRestricted,
    /// A trust's yearly statement or liquidation without the opinion of its supervisor (监察人).
    SupervisorOpinion,
    /// An entry about a trust that has been terminated.
    TrustTerminated,
    /// A public-fundraising change that changes nothing (granted when held, revoked when not).
    StatusUnchanged,
    /// An opening balance whose parts do not add up, or that is not a year-end balance.
    OpeningBalance,
    /// Audited figures whose parts do not add up to their totals.
    PartsMismatch,
    /// Audited figures without the audit report they come from.
    AuditReportMissing,
    /// Goods distributed beyond the item's stock.
    GoodsShortage,
    /// A gift joining an item in another unit, valuation state or currency than the item's.
    GoodsItemMismatch,
    /// A project closed while its goods stock is not all distributed.
    GoodsInStock,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::OutOfOrder => "out_of_order",
            Rule::NotAnOrg => "not_an_org",
            Rule::NotOwner => "not_owner",
            Rule::WrongOrgType => "wrong_org_type",
            Rule::NoPublicFundraising => "no_public_fundraising",
            Rule::FilingRequired => "filing_required",
            Rule::FilingWithoutPublic => "filing_without_public",
            Rule::BadDates => "bad_dates",
            Rule::YearNotOver => "year_not_over",
            Rule::Unmasked => "unmasked_name",
            Rule::PersonalData => "personal_data",
            Rule::ProjectClosed => "project_closed",
            Rule::CampaignClosed => "campaign_closed",
            Rule::SelfTransfer => "self_transfer",
            Rule::LeftoverMismatch => "leftover_mismatch",
            Rule::DissimilarProject => "dissimilar_project",
            Rule::FiguresMismatch => "figures_mismatch",
            Rule::CurrencyMismatch => "currency_mismatch",
            Rule::YearAnnounced => "year_announced",
            Rule::DonationForm => "donation_form",
            Rule::VoidedCorrection => "voided_correction",
            Rule::AlreadyVoided => "already_voided",
            Rule::NotAuthor => "not_author",
            Rule::NotCorrectable => "not_correctable",
            Rule::AmendChangesId => "amend_changes_id",
            Rule::RestrictedToProject => "restricted_to_project",
            Rule::TimeRestricted => "time_restricted",
            Rule::SupervisorOpinion => "supervisor_opinion",
            Rule::TrustTerminated => "trust_terminated",
            Rule::StatusUnchanged => "status_unchanged",
            Rule::OpeningBalance => "opening_balance",
            Rule::PartsMismatch => "parts_mismatch",
            Rule::AuditReportMissing => "audit_report_missing",
            Rule::GoodsShortage => "goods_shortage",
            Rule::GoodsItemMismatch => "goods_item_mismatch",
            Rule::GoodsInStock => "goods_in_stock",
        }
    }
}

/// Why an entry is refused by the money model. Nothing is written when this is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoneyError {
    /// The body does not have the documented shape (wrong type, missing or unknown field).
    #[error("{field}: {message}")]
    Malformed { field: String, message: String },
    /// A body date after the recording date (plus the time-zone allowance).
    #[error("{field}: {date} is in the future (latest allowed {latest})")]
    FutureDate {
        field: String,
        date: String,
        latest: String,
    },
    /// An identifier the log already holds (HTTP 409).
    #[error("{field}: \"{id}\" is already used")]
    Duplicate {
        field: String,
        what: Unique,
        id: String,
    },
    /// A reference to something the log does not hold.
    #[error("{field}: \"{id}\" is not in the ledger")]
    Unknown {
        field: String,
        what: Thing,
        id: String,
    },
    /// A draw larger than the available balance of the fund, trust or grant.
    #[error(
        "{field}: {requested} {currency} exceeds the available {available} {currency} of {fund}"
    )]
    Overdraft {
        field: String,
        fund: String,
        currency: Currency,
        available: Decimal,
        requested: Decimal,
    },
    /// A lottery grant's usage beyond what is left of the grant.
    #[error("{field}: {requested} exceeds the {available} left of lottery grant {grant}")]
    GrantOveruse {
        field: String,
        grant: String,
        available: Decimal,
        requested: Decimal,
    },
    /// Any other rule, named by `rule`.
    #[error("{field}: {message}")]
    Refused {
        field: String,
        rule: Rule,
        message: String,
    },
    /// A correction that would make an entry after it break a rule (for example a voided donation
    /// whose money a later disbursement spent). Carries the later entry's own refusal.
    #[error("correction would break entry {at_seq}: {cause}")]
    Replay { at_seq: u64, cause: Box<MoneyError> },
}

impl MoneyError {
    pub fn malformed(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        MoneyError::Malformed {
            field: field.into(),
            message: message.to_string(),
        }
    }

    pub fn refused(field: impl Into<String>, rule: Rule, message: impl std::fmt::Display) -> Self {
        MoneyError::Refused {
            field: field.into(),
            rule,
            message: message.to_string(),
        }
    }

    pub fn unknown(field: impl Into<String>, what: Thing, id: impl std::fmt::Display) -> Self {
        MoneyError::Unknown {
            field: field.into(),
            what,
            id: id.to_string(),
        }
    }

    pub fn duplicate(field: impl Into<String>, what: Unique, id: impl std::fmt::Display) -> Self {
        MoneyError::Duplicate {
            field: field.into(),
            what,
            id: id.to_string(),
        }
    }

    /// The JSON path at fault. A replayed refusal points at the correction's target.
    pub fn field(&self) -> &str {
        match self {
            MoneyError::Malformed { field, .. }
            | MoneyError::FutureDate { field, .. }
            | MoneyError::Duplicate { field, .. }
            | MoneyError::Unknown { field, .. }
            | MoneyError::Overdraft { field, .. }
            | MoneyError::GrantOveruse { field, .. }
            | MoneyError::Refused { field, .. } => field,
            MoneyError::Replay { .. } => "body.target",
        }
    }

    /// A stable snake_case code. A replayed refusal keeps the code of the rule it broke, so a
    /// void that would overdraw a fund is reported as `overdraft`.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::Malformed { .. } => "invalid_body",
            MoneyError::FutureDate { .. } => "future_date",
            MoneyError::Duplicate { what, .. } => what.code(),
            MoneyError::Unknown { what, .. } => what.code(),
            MoneyError::Overdraft { .. } => "overdraft",
            MoneyError::GrantOveruse { .. } => "grant_overuse",
            MoneyError::Refused { rule, .. } => rule.code(),
            MoneyError::Replay { cause, .. } => cause.code(),
        }
    }

    /// Duplicate identifiers: the request conflicts with the log (HTTP 409).
    pub fn is_conflict(&self) -> bool {
        matches!(self, MoneyError::Duplicate { .. })
    }

    /// Body shape errors (HTTP 400); every other error is a rule refusal (HTTP 422).
    pub fn is_malformed(&self) -> bool {
        matches!(self, MoneyError::Malformed { .. })
    }
}

impl From<crate::ledger::SubmissionError> for MoneyError {
    fn from(e: crate::ledger::SubmissionError) -> Self {
        MoneyError::Malformed {
            field: e.field,
            message: e.message,
        }
    }
}
