//! `entry/{seq}`: the correction status of a corrected entry or of a correction (2025
//! Disclosure Measures Art. 16: the correction notice goes with the item it corrects).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::DonationStatus;
use crate::ledger::Kind;
use crate::money::types::CorrectionAction;

/// A corrected entry's or a correction's status row. Bodies stay JSON: `original` and `current`
/// are bodies of the entry's own kind, as the log holds them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EntryRow {
    pub seq: u64,
    pub kind: Kind,
    /// Whether the entry is in force (`voided` once a live correction voids it).
    pub status: DonationStatus,
    /// The live corrections that voided it.
    pub voided_by: Vec<u64>,
    /// The live corrections that amended it, oldest first.
    pub amended_by: Vec<u64>,
    /// Every correction of it, live or not.
    pub corrections: Vec<u64>,
    /// For a correction: the entry it corrects, what it does and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<CorrectionAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// The live correction that last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<CorrectionNotice>,
    /// The body as first recorded, once a live correction changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub original: Option<Value>,
    /// For an amended entry, the body now in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<Value>,
}

/// The correction that last changed an entry: which entry, what it did, the notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CorrectionNotice {
    pub by: u64,
    pub action: CorrectionAction,
    pub notice: String,
}
