//! `disclosure`: an event the 2025 Disclosure Measures (民政部令第81号) require an organisation
//! to publish within a deadline, recorded when it is published.
//!
//! The entry is itself the publication: its recording date against `occurred_on` is what the
//! deadline measures (`timeliness_rules.json`: Art. 13 major events, Art. 14 related-party
//! dealings, Art. 15 the related-party list, Art. 12 a trust set up as settlor).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash};
use crate::money::types::{Ident, Prose, Year};

/// What is disclosed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// 重大资产变动 (Art. 13).
    MajorAssetChange,
    /// 重大投资 (Art. 13).
    MajorInvestment,
    /// 重大交易及资金往来 (Art. 13).
    MajorTransaction,
    /// A dealing with an important related party other than a payment or donation the ledger
    /// records with its own `related_party` flag: joint investment, investment mandate, trade,
    /// other fund flows (Art. 14).
    RelatedPartyTransaction,
    /// The related-party list filed with the registering department (Art. 15); `year` says
    /// which year's.
    RelatedPartyList,
    /// A charitable trust the organisation set up as settlor (Art. 12); `trust_id` names it.
    TrustSettled,
}

impl Subject {
    /// Whether the subject is an event with an amount (Arts. 13 and 14: "具体内容和金额").
    pub fn has_amount(self) -> bool {
        matches!(
            self,
            Subject::MajorAssetChange
                | Subject::MajorInvestment
                | Subject::MajorTransaction
                | Subject::RelatedPartyTransaction
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Subject::MajorAssetChange => "major_asset_change",
            Subject::MajorInvestment => "major_investment",
            Subject::MajorTransaction => "major_transaction",
            Subject::RelatedPartyTransaction => "related_party_transaction",
            Subject::RelatedPartyList => "related_party_list",
            Subject::TrustSettled => "trust_settled",
        }
    }
}

/// `disclosure`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventDisclosure {
    pub subject: Subject,
    /// When it happened (for the related-party list: when it was filed).
    #[serde(with = "date_serde")]
    pub occurred_on: Date,
    /// With `currency`, for the events that have an amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// The year of a related-party list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<Year>,
    /// The trust of a `trust_settled` disclosure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_id: Option<Ident>,
    pub summary: Prose,
    pub document: Hash,
}
