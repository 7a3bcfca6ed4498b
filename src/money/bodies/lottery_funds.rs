//! Welfare-lottery money coming in and its execution (issue 14): `lottery.receive` records the
//! public-welfare fund an administrator receives for a fiscal year, so an announcement's
//! `raised` has something to agree with; [`Executed`] is an announcement's 执行情况 by purpose.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{Amount, Currency, Hash};
use crate::money::types::{LotteryPurpose, Money, Title, Year};

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
