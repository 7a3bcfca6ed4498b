//! The row types of the typed view families, one per family ([`TYPED`] lists them): the writer
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

use crate::money::books::OrgRecord;
use crate::money::books::lottery::GrantRecord;
use crate::money::books::projects::ProjectRecord;
use crate::money::books::trusts::TrustRecord;

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
        crate::money::types::Money::parse_figure(s).map(|m| Figure(m.0))
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
        <crate::money::types::Money as utoipa::PartialSchema>::schema()
    }
}

impl ToSchema for Figure {}

/// An identifier string (an organisation's code, a currency) in a row's schema.
fn code(description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .description(Some(description))
        .into()
}

impl utoipa::PartialSchema for crate::ledger::Uscc {
    fn schema() -> RefOr<Schema> {
        code("An organisation's unified social credit code (18 characters)")
    }
}

impl ToSchema for crate::ledger::Uscc {}

impl utoipa::PartialSchema for crate::ledger::Currency {
    fn schema() -> RefOr<Schema> {
        code("An ISO 4217 currency code")
    }
}

impl ToSchema for crate::ledger::Currency {}

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

/// `figures/{org}/{year}/{currency}`: one organisation-year's figures, as the regulator rules
/// read them.
pub type FiguresRow = crate::money::regulator::figures::OrgYearFigures;

/// `trust_year/{trust_id}/{year}`: a trust's year as the ledger holds it (issue 14).
pub type TrustYearRow = crate::money::books::trusts::TrustYear;

/// `lottery_execution/{administrator}/{year}/{currency}`: a fiscal year's money in, grants and
/// their execution by purpose (issue 14).
pub type LotteryExecutionRow = crate::money::books::lottery::funds::LotteryYear;

mod entry;
pub use entry::{CorrectionNotice, EntryRow};

/// `regulator/{uscc}`: a regulator named in genesis.
pub type RegulatorRow = crate::money::books::RegulatorRecord;

/// `report/{org}/{year}`: an annual report as declared.
pub type ReportRow = crate::money::books::ReportRecord;

/// `explanation/{org}/{year}`: the explanations an organisation gave for a year, in log order.
pub type ExplanationRow = Vec<crate::money::books::ExplanationRecord>;

/// `lottery_year/{administrator}/{year}`: a fiscal year's announcement.
pub type LotteryYearRow = crate::money::books::AnnounceRecord;

/// `org_time/{org}`: status and registration changes and the opening balance.
pub type OrgTimeRow = crate::money::books::org_time::OrgTimeline;

/// `totals/year/...`, `totals/purpose/...`, `totals/region/...`: donations, disbursed, granted.
pub type TotalRow = crate::money::books::sums::Total;

/// `spend/{seq}/{index}`: money leaving a fund (a record).
pub type SpendRow = crate::money::books::SpendRecord;

/// `distribution/{seq}`: goods given out (a record).
pub type DistributionRow = crate::money::books::goods::DistributionRecord;

/// `duties/{org}`: what an organisation owes in disclosures, judged on any date.
pub type DutiesRow = crate::money::duties::OrgDuties;

/// `late/{index}`: a late or missing disclosure.
pub type LateRow = crate::money::timeliness::LateItem;

/// `org/{uscc}`: registration facts, as the books hold them.
pub type OrgRow = OrgRecord;

/// `trust/{trust_id}`: a trust with its balance, disbursements and reports.
pub type TrustRow = TrustRecord;

/// `donation/{org}/{receipt_no}` rows are records, written as an entry is appended: their type
/// lives beside the other records' ([`crate::money::records`]).
pub use crate::money::records::{DonationRow, DonationStatus};

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

/// A row already parsed as JSON read as its type (a reader that needs both, like the site's
/// loader, parses the text once); the error names the key.
pub fn read_value<T: serde::de::DeserializeOwned>(
    key: &str,
    v: &serde_json::Value,
) -> Result<T, RowError> {
    T::deserialize(v).map_err(|e| RowError {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

/// One typed family: its keys and how its rows read. [`TYPED`] lists them all, so the site's
/// loader, the audit-facing tests and any reader agree on which type a key's row has.
#[derive(Clone, Copy)]
pub struct Typed {
    pub family: super::keys::Family,
    check: fn(&serde_json::Value) -> Result<(), String>,
    again: fn(&str) -> Result<String, String>,
}

impl Typed {
    /// Whether `v` (a row of this family parsed as JSON) reads as the family's type: the site
    /// parses each row once and checks it from the parsed value.
    pub fn check(&self, key: &str, v: &serde_json::Value) -> Result<(), RowError> {
        (self.check)(v).map_err(|reason| RowError {
            key: key.to_owned(),
            reason,
        })
    }

    /// The row read as its type and written back as RFC 8785 JSON: what the writer would store
    /// for it (the byte-identity tests compare it with the stored bytes).
    pub fn again(&self, key: &str, text: &str) -> Result<String, RowError> {
        (self.again)(text).map_err(|reason| RowError {
            key: key.to_owned(),
            reason,
        })
    }
}

const fn typed<T: Serialize + serde::de::DeserializeOwned>(family: super::keys::Family) -> Typed {
    fn check<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<(), String> {
        T::deserialize(v).map(|_| ()).map_err(|e| e.to_string())
    }
    fn again<T: Serialize + serde::de::DeserializeOwned>(text: &str) -> Result<String, String> {
        let row: T = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let bytes = crate::ledger::jcs::canonical(&row).map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }
    Typed {
        family,
        check: check::<T>,
        again: again::<T>,
    }
}

/// Every typed family with its row type. No family's prefix starts another's, so a key has at
/// most one.
pub const TYPED: &[Typed] = &[
    typed::<BalanceRow>(super::keys::BALANCE),
    typed::<OrgTotalRow>(super::keys::ORG_TOTAL),
    typed::<ProjectRow>(super::keys::PROJECT),
    typed::<GrantRow>(super::keys::LOTTERY_GRANT),
    typed::<OrgRow>(super::keys::ORG),
    typed::<TrustRow>(super::keys::TRUST),
    typed::<DonationRow>(super::keys::DONATION),
    typed::<FiguresRow>(super::keys::FIGURES),
    typed::<TrustYearRow>(super::keys::TRUST_YEAR),
    typed::<LotteryExecutionRow>(super::keys::LOTTERY_EXECUTION),
    typed::<EntryRow>(super::keys::ENTRY),
    typed::<RegulatorRow>(super::keys::REGULATOR),
    typed::<ReportRow>(super::keys::REPORT),
    typed::<ExplanationRow>(super::keys::EXPLANATION),
    typed::<LotteryYearRow>(super::keys::LOTTERY_YEAR),
    typed::<OrgTimeRow>(super::keys::ORG_TIME),
    typed::<TotalRow>(super::keys::TOTALS_YEAR),
    typed::<TotalRow>(super::keys::TOTALS_PURPOSE),
    typed::<TotalRow>(super::keys::TOTALS_REGION),
    typed::<SpendRow>(super::keys::SPEND),
    typed::<DistributionRow>(super::keys::DISTRIBUTION),
    typed::<DutiesRow>(super::keys::DUTIES),
    typed::<LateRow>(super::keys::LATE),
];

/// The typed family of `key`, if its family is typed.
pub fn typed_family(key: &str) -> Option<&'static Typed> {
    TYPED.iter().find(|t| t.family.has(key))
}

/// Whether a stored row reads as its family's type (rows of untyped families pass).
pub fn check(key: &str, text: &str) -> Result<(), RowError> {
    let Some(t) = typed_family(key) else {
        return Ok(());
    };
    let v: serde_json::Value = read(key, text)?;
    t.check(key, &v)
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
        let mut n = 0;
        for (k, v) in rows {
            if let Some(t) = typed_family(k) {
                assert_eq!(t.again(k, v).unwrap(), *v, "{k}");
                n += 1;
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

        // Derived figures read back whatever their sign; a body's declared figure still may
        // not be negative.
        let (key, text) = rows
            .iter()
            .find(|(k, _)| keys::FIGURES.has(k))
            .expect("a figures row");
        let at = text.find(r#""net_assets_year_end":""#).unwrap() + 23;
        let end = at + text[at..].find('"').unwrap();
        let negative = format!("{}-12.50{}", &text[..at], &text[end..]);
        let f: FiguresRow = read(key, &negative).unwrap();
        assert_eq!(f.net_assets_year_end, Money(Decimal::new(-1250, 2)));
        assert_eq!(
            typed_family(key).unwrap().again(key, &negative).unwrap(),
            negative
        );
        assert!(serde_json::from_str::<Money>(r#""-12.50""#).is_err());
        assert!(read::<FiguresRow>(key, &negative.replace("-12.50", "-12.5")).is_err());
    }

    #[test]
    fn no_typed_family_is_inside_another() {
        for a in TYPED {
            for b in TYPED {
                let inside = b.family.prefix().starts_with(a.family.prefix());
                assert_eq!(
                    inside,
                    a.family == b.family,
                    "{:?} {:?}",
                    a.family,
                    b.family
                );
            }
        }
    }
}
