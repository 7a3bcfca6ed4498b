//! `org.register`: the full registration facts of an organisation. The core reads only `org` and
//! `keys` (to know who may sign); the money model owns the rest of the shape. `genesis` and
//! `org.keys` bodies are the core's own types (`ledger::authority`).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ledger::time::date_serde;
use crate::ledger::{PublicKey, Uscc};
use crate::money::types::{OrgType, RegionCode, Title};

/// `org.register`, signed by a regulator.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OrgRegister {
    pub org: Uscc,
    pub name: Title,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<Title>,
    pub org_type: OrgType,
    pub region: RegionCode,
    /// Holds public-fundraising status (公开募捐资格): may run projects that raise from the public.
    pub public_fundraising: bool,
    #[serde(with = "date_serde")]
    pub registered_on: Date,
    pub keys: Vec<PublicKey>,
}
