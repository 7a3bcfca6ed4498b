//! The row types of the view families the API serves, one per family: the writer
//! ([`super`], [`crate::money::records`]) serialises them and the readers (API, site, CLI)
//! deserialise them, so a field cannot be written under one name and read under another, and a
//! row that does not read is an error naming its key instead of an empty string on a page.
//!
//! The stored bytes are RFC 8785 JSON of these types: members sorted, so field order here does
//! not matter; an optional field that today's rows leave out is `skip_serializing_if`, so
//! existing ledgers keep byte-identical rows and still audit clean (pinned by
//! `typed_rows_read_back_to_the_stored_bytes` below and by `tests/views_typed.rs`).
//!
//! Rows that carry a domain record whole (a project, a grant, a donation) flatten it; the
//! OpenAPI document describes those records as objects and the fields added here by name.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, schema::SchemaType};

use crate::money::books::lottery::GrantRecord;
use crate::money::books::projects::ProjectRecord;
use crate::money::books::trusts::TrustRecord;
use crate::money::books::{DonationRecord, OrgRecord};

/// A money figure in a row: two decimals, any sign (a balance or a total is a sum), written
/// exactly as [`crate::money::types::Money`] writes it and read back from that spelling only.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Figure(pub Decimal);

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::money::types::Money(self.0).fmt(f)
    }
}

impl fmt::Debug for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Figure({self})")
    }
}

impl From<Decimal> for Figure {
    fn from(d: Decimal) -> Self {
        Figure(d)
    }
}

impl FromStr for Figure {
    type Err = String;

    /// Only the two-decimal spelling the writer produces: `"12.50"`, `"-3.00"`, not `"12.5"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = Decimal::from_str(s).map_err(|e| format!("{s:?} is not a decimal: {e}"))?;
        let f = Figure(d);
        if f.to_string() == s {
            Ok(f)
        } else {
            Err(format!("{s:?} is not a two-decimal money figure"))
        }
    }
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Figure {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .pattern(Some(r"^-?[0-9]+\.[0-9]{2}$"))
            .description(Some("Money, two decimals, as a string"))
            .into()
    }
}

impl ToSchema for Figure {}

/// `balance/{org}/unrestricted/{currency}` and `balance/{org}/project/{id}/{currency}`: one
/// fund's balance (the fund and currency are in the key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BalanceRow {
    pub balance: Figure,
}

/// `org_total/{org}/{currency}`: what an organisation holds in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrgTotalRow {
    pub unrestricted: Figure,
    pub restricted: Figure,
    /// Lottery grants received and not yet used.
    pub lottery_unused: Figure,
    pub total: Figure,
}

/// `project/{org}/{id}`: the project record with its restricted balance per currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProjectRow {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub record: ProjectRecord,
    /// Currency code to balance; a project that never received money has none.
    pub balances: BTreeMap<String, Figure>,
}

/// `lottery_grant/{administrator}/{grant_id}`: a grant, its usage and what remains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GrantRow {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub record: GrantRecord,
    pub remaining: Figure,
}

impl GrantRow {
    pub fn new(record: GrantRecord) -> GrantRow {
        let remaining = Figure(record.remaining());
        GrantRow { record, remaining }
    }
}

/// `org/{uscc}`: registration facts, as the books hold them.
pub type OrgRow = OrgRecord;

/// `trust/{trust_id}`: a trust with its balance, disbursements and reports.
pub type TrustRow = TrustRecord;

/// Whether a donation row's donation is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DonationStatus {
    Live,
    Voided,
}

/// `donation/{org}/{receipt_no}`: the effective donation and whether it is in force (a voided
/// donation keeps its row, marked so).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DonationRow {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub record: DonationRecord,
    pub status: DonationStatus,
}

impl<'de> Deserialize<'de> for DonationRow {
    /// Through [`crate::money::records::parse_donation`], the one reader of donation rows (a
    /// donation's body is the entry's, which reads only as a whole).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = serde_json::Value::deserialize(d)?.to_string();
        let (live, record) = crate::money::records::parse_donation("", &text)
            .map_err(|e| serde::de::Error::custom(e.reason))?;
        let status = if live {
            DonationStatus::Live
        } else {
            DonationStatus::Voided
        };
        Ok(DonationRow { record, status })
    }
}

/// Why a stored row does not read as its family's type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("view row {key} does not read: {reason}")]
pub struct RowError {
    pub key: String,
    pub reason: String,
}

/// A stored row of a typed family read back; the error names the key.
pub fn read<T: serde::de::DeserializeOwned>(key: &str, text: &str) -> Result<T, RowError> {
    serde_json::from_str(text).map_err(|e| RowError {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

/// Whether a stored row of a typed family reads as its type (rows of other families pass):
/// what the site's loader and the round-trip tests ask of every row.
pub fn check(key: &str, text: &str) -> Result<(), RowError> {
    use super::keys;
    fn as_<T: serde::de::DeserializeOwned>(key: &str, text: &str) -> Result<(), RowError> {
        read::<T>(key, text).map(|_| ())
    }
    if keys::BALANCE.has(key) {
        as_::<BalanceRow>(key, text)
    } else if keys::ORG_TOTAL.has(key) {
        as_::<OrgTotalRow>(key, text)
    } else if keys::PROJECT.has(key) {
        as_::<ProjectRow>(key, text)
    } else if keys::LOTTERY_GRANT.has(key) {
        as_::<GrantRow>(key, text)
    } else if keys::ORG.has(key) {
        as_::<OrgRow>(key, text)
    } else if keys::TRUST.has(key) {
        as_::<TrustRow>(key, text)
    } else if keys::DONATION.has(key) {
        as_::<DonationRow>(key, text)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ledger::jcs::canonical;
    use crate::money::tests::testkit::{Kit, cash};
    use crate::money::types::Money;
    use crate::money::views::keys;

    fn text<T: Serialize>(v: &T) -> String {
        String::from_utf8(canonical(v).unwrap()).unwrap()
    }

    /// Every row of the typed families reads as its type and writes back to the same bytes.
    pub(crate) fn round_trips(rows: &BTreeMap<String, String>) -> usize {
        fn again<T: Serialize + serde::de::DeserializeOwned>(k: &str, v: &str) {
            let typed: T = read(k, v).unwrap();
            assert_eq!(text(&typed), *v, "{k}");
        }
        let mut n = 0;
        for (k, v) in rows {
            n += 1;
            if keys::BALANCE.has(k) {
                again::<BalanceRow>(k, v);
            } else if keys::ORG_TOTAL.has(k) {
                again::<OrgTotalRow>(k, v);
            } else if keys::PROJECT.has(k) {
                again::<ProjectRow>(k, v);
            } else if keys::LOTTERY_GRANT.has(k) {
                again::<GrantRow>(k, v);
            } else if keys::ORG.has(k) {
                again::<OrgRow>(k, v);
            } else if keys::TRUST.has(k) {
                again::<TrustRow>(k, v);
            } else if keys::DONATION.has(k) {
                again::<DonationRow>(k, v);
            } else {
                n -= 1;
            }
        }
        n
    }

    #[test]
    fn figures_read_only_the_two_decimal_spelling() {
        assert_eq!("-3.00".parse::<Figure>().unwrap().to_string(), "-3.00");
        assert_eq!("12.50".parse::<Figure>().unwrap().0, Decimal::new(1250, 2));
        assert!("12.5".parse::<Figure>().is_err());
        assert!("12".parse::<Figure>().is_err());
        assert!("x".parse::<Figure>().is_err());
        let e = read::<BalanceRow>("balance/X/unrestricted/CNY", r#"{"balance":1}"#).unwrap_err();
        assert_eq!(e.key, "balance/X/unrestricted/CNY");
    }

    /// The typed writer gives the bytes the untyped one gave (the `json!` rows below are the
    /// writer as it was), and every typed row reads back to its stored bytes.
    #[test]
    fn typed_rows_read_back_to_the_stored_bytes() {
        let mut k = Kit::new();
        let a = k.register(1, "social_service_org", false);
        let admin = k.register(2, "lottery_administrator", false);
        k.project(&a, "P1", "教育");
        k.project(&a, "P2", "卫生");
        k.as_org(
            &a,
            crate::ledger::Kind::Donation,
            cash("R1", Some("P1"), "100.00", "CNY"),
        )
        .unwrap();
        k.as_org(
            &a,
            crate::ledger::Kind::Donation,
            cash("R2", None, "450.00", "CNY"),
        )
        .unwrap();
        k.as_org(
            &a,
            crate::ledger::Kind::Donation,
            cash("R3", Some("P1"), "7.25", "USD"),
        )
        .unwrap();
        k.as_org(
            &admin,
            crate::ledger::Kind::LotteryGrant,
            json!({"grant_id": "G1", "fiscal_year": 2026, "recipient_org": a.as_str(),
                   "recipient_project": "P1", "amount": "25000.00", "currency": "CNY",
                   "purpose": "养老服务", "granted_on": "2026-02-01"}),
        )
        .unwrap();
        let rows = k.view_rows();
        let b = &k.state.books;
        for (fk, v) in b.funds.balances() {
            let key = match &fk.project {
                None => keys::BALANCE.key(&[&fk.org, &"unrestricted", &fk.currency]),
                Some(p) => keys::BALANCE.key(&[&fk.org, &"project", p, &fk.currency]),
            };
            assert_eq!(rows[&key], text(&json!({"balance": Money(*v)})), "{key}");
        }
        for g in b.grants.values() {
            let mut v = serde_json::to_value(g).unwrap();
            v["remaining"] = json!(Money(g.remaining()));
            let key = keys::LOTTERY_GRANT.key(&[&g.administrator, &g.grant.grant_id]);
            assert_eq!(rows[&key], text(&v), "{key}");
        }
        let p1 = &rows[&keys::PROJECT.key(&[&a, &"P1"])];
        let mut v = serde_json::to_value(
            b.projects
                .values()
                .find(|p| p.open.id.as_str() == "P1")
                .unwrap(),
        )
        .unwrap();
        v["balances"] = json!({"CNY": "100.00", "USD": "7.25"});
        assert_eq!(*p1, text(&v));
        let p2 = &rows[&keys::PROJECT.key(&[&a, &"P2"])];
        assert!(p2.contains(r#""balances":{}"#), "{p2}");
        assert_eq!(
            rows[&keys::ORG_TOTAL.key(&[&a, &"CNY"])],
            r#"{"lottery_unused":"25000.00","restricted":"100.00","total":"25550.00","unrestricted":"450.00"}"#
        );
        assert!(round_trips(&rows) >= 10);
    }
}
