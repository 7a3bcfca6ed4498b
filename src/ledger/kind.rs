//! The entry kinds and who may sign each. The authority table lives here, next to the names, so
//! adding a kind forces a decision about its signer.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The class of party an author string names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Operator,
    Regulator,
    Org,
}

macro_rules! kinds {
    ($($variant:ident = $name:literal by [$($role:ident),+];)+) => {
        /// Every entry kind of wire format v1 (bodies in docs/FORMAT.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind { $($variant),+ }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $name),+ }
            }

            /// Whether an author of `role` may sign an entry of this kind.
            pub fn signable_by(self, role: Role) -> bool {
                match self { $(Kind::$variant => matches!(role, $(Role::$role)|+)),+ }
            }
        }
    };
}

kinds! {
    Genesis = "genesis" by [Operator];
    OrgRegister = "org.register" by [Regulator];
    OrgKeys = "org.keys" by [Regulator];
    OrgFundraising = "org.fundraising" by [Regulator];
    OrgChange = "org.change" by [Regulator];
    OrgOpening = "org.opening" by [Org];
    ProjectOpen = "project.open" by [Org];
    ProjectUpdate = "project.update" by [Org];
    ProjectClose = "project.close" by [Org];
    CampaignOpen = "campaign.open" by [Org];
    CampaignUpdate = "campaign.update" by [Org];
    CampaignClose = "campaign.close" by [Org];
    Donation = "donation" by [Org];
    Disbursement = "disbursement" by [Org];
    GrantTransfer = "grant.transfer" by [Org];
    GoodsDistribute = "goods.distribute" by [Org];
    TrustFile = "trust.file" by [Regulator];
    TrustDisburse = "trust.disburse" by [Org];
    TrustReport = "trust.report" by [Org];
    LotteryGrant = "lottery.grant" by [Org];
    LotteryUsage = "lottery.usage" by [Org];
    LotteryAnnounce = "lottery.announce" by [Org];
    TrustReceive = "trust.receive" by [Org];
    TrustFee = "trust.fee" by [Org];
    TrustTerminate = "trust.terminate" by [Org];
    LotteryReceive = "lottery.receive" by [Org];
    ReportAnnual = "report.annual" by [Org];
    Explanation = "explanation" by [Org];
    Disclosure = "disclosure" by [Org];
    Correction = "correction" by [Org, Regulator];
}

/// A kind name that wire format v1 does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entry kind \"{0}\"")]
pub struct UnknownKind(pub String);

impl FromStr for Kind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.chars().take(64).collect()))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_is_refused() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
        }
        assert_eq!(
            "donations".parse::<Kind>(),
            Err(UnknownKind("donations".into()))
        );
    }

    #[test]
    fn only_the_operator_signs_genesis_and_only_regulators_register() {
        assert!(Kind::Genesis.signable_by(Role::Operator));
        assert!(!Kind::Genesis.signable_by(Role::Regulator));
        assert!(Kind::OrgRegister.signable_by(Role::Regulator));
        assert!(!Kind::OrgRegister.signable_by(Role::Org));
        assert!(!Kind::Donation.signable_by(Role::Operator));
        assert!(Kind::Correction.signable_by(Role::Regulator));
    }
}
