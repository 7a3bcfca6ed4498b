//! `correction`: voids or amends an earlier entry. The original stays in the log; the model
//! replays the log with the correction applied and refuses it if any later entry would then break
//! a rule (for example a disbursement paid from a donation now voided).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::types::{CorrectionAction, Prose};

/// `correction`, signed by the target's author or by a regulator.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The seq of the entry corrected.
    pub target: u64,
    pub action: CorrectionAction,
    /// 更正说明: why, in words the public reads beside both versions.
    pub notice: Prose,
    /// With `amend`: the complete replacement body, of the target's kind, keeping its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amended: Option<Value>,
}
