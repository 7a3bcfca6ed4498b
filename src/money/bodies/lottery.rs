//! Lottery public-welfare funds (彩票公益金): the fund an administrator receives for a fiscal
//! year (`lottery.receive`, so an announcement's `raised` has something to agree with), grants
//! by a registered administrator, usage by the recipient, and the administrator's yearly
//! announcement, which must agree with the grants and carries its execution (执行情况) by
//! purpose ([`Executed`]).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash, Uscc};
use crate::money::types::{Ident, LotteryPurpose, Money, Prose, Title, Year};

/// `lottery.grant`, signed by a `lottery_administrator` organisation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LotteryGrant {
    /// Unique within the administrator forever.
    pub grant_id: Ident,
    pub fiscal_year: Year,
    pub recipient_org: Uscc,
    /// The project funded: required for a charity; a welfare institution that is not a charity
    /// (`welfare_institution`) receives the grant itself and names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_project: Option<Ident>,
    pub amount: Amount,
    pub currency: Currency,
    pub purpose: LotteryPurpose,
    #[serde(with = "date_serde")]
    pub granted_on: Date,
}

/// `lottery.usage`, signed by the recipient.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LotteryUsage {
    pub administrator: Uscc,
    pub grant_id: Ident,
    pub amount: Amount,
    pub currency: Currency,
    pub used_for: Prose,
    #[serde(with = "date_serde")]
    pub used_on: Date,
    pub evidence: Vec<Hash>,
}

/// One purpose's allocation in an announcement.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    pub purpose: LotteryPurpose,
    pub amount: Amount,
}

/// `lottery.announce`: the year's figures. `allocated` must list exactly the purposes granted in
/// that fiscal year (in that currency) with their sums, and `carried_forward` must equal `raised`
/// minus everything allocated. When the administrator recorded `lottery.receive` entries for the
/// year, `raised` must equal their sum.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LotteryAnnounce {
    pub fiscal_year: Year,
    pub currency: Currency,
    pub raised: Money,
    pub allocated: Vec<Allocation>,
    pub carried_forward: Money,
    #[serde(with = "date_serde")]
    pub announced_on: Date,
    pub document: Hash,
    /// 执行情况: usage so far of the year's grants, every purpose granted once. When present it
    /// must agree with the recipients' `lottery.usage` entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executed: Option<Vec<Executed>>,
}

/// `lottery.receive`, signed by the administrator: fund received for `fiscal_year` (from the
/// finance department's allocation of lottery proceeds).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LotteryReceive {
    pub fiscal_year: Year,
    pub amount: Amount,
    pub currency: Currency,
    /// Who paid it in, e.g. 广东省财政厅.
    pub source: Title,
    pub document: Hash,
    #[serde(with = "date_serde")]
    pub received_on: Date,
}

/// One purpose's execution in an announcement: what the recipients have reported using of that
/// fiscal year's grants for the purpose, up to the announcement.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Executed {
    pub purpose: LotteryPurpose,
    pub amount: Money,
}
