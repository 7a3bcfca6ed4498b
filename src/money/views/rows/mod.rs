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

impl utoipa::PartialSchema for crate::money::types::Ident {
    fn schema() -> RefOr<Schema> {
        code("An identifier (a receipt number, a project's or an item's id)")
    }
}

impl ToSchema for crate::money::types::Ident {}

impl<const MAX: usize> utoipa::PartialSchema for crate::money::types::Text<MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .max_length(Some(MAX))
            .into()
    }
}

impl<const MAX: usize> ToSchema for crate::money::types::Text<MAX> {
    /// `Text64`, `Text2000`: one name per length limit (the generic type's own name would
    /// carry `<` `>`, which a component name may not).
    fn name() -> std::borrow::Cow<'static, str> {
        format!("Text{MAX}").into()
    }
}

impl utoipa::PartialSchema for crate::ledger::Timestamp {
    fn schema() -> RefOr<Schema> {
        code("A UTC time, RFC 3339 to the second")
    }
}

impl ToSchema for crate::ledger::Timestamp {}

impl utoipa::PartialSchema for crate::ledger::Kind {
    /// The wire names themselves, so a client generated from the document knows every kind
    /// (and a new kind shows in the document without anyone editing a description).
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .description(Some("An entry kind (docs/FORMAT.md)"))
            .enum_values(Some(crate::ledger::Kind::ALL.iter().map(|k| k.as_str())))
            .into()
    }
}

impl ToSchema for crate::ledger::Kind {}

impl utoipa::PartialSchema for crate::money::books::goods::Qty {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .description(Some(
                "A quantity of goods: a decimal string without trailing zeros",
            ))
            .into()
    }
}

impl ToSchema for crate::money::books::goods::Qty {}

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

/// `compliance/{org}/{year}/{currency}`: one organisation-year's ratio figures, with the
/// ledger's and the audited figures side by side.
pub type ComplianceRow = crate::money::regulator::OrgCompliance;

/// `goods/{org}/unrestricted/{item}`, `goods/{org}/project/{id}/{item}`: one item's stock.
pub type GoodsRow = crate::money::books::goods::records::StockRow;

/// `trace/{org}/{receipt_no}`: where a donation's money went. Never stored: composed when read
/// from the donation's row and its hops; the site keeps it under this key in its snapshot.
pub type TraceRow = crate::money::Trace;

/// `events/annual_report/{org}/{year}`: an annual report's publication.
pub type AnnualReportEventRow = crate::money::regulator::events::AnnualReportEvent;

/// `events/project/{org}/{id}`: a project's term, filing, updates and close.
pub type ProjectEventRow = crate::money::regulator::events::ProjectEvent;

/// `events/related_party/{seq}`: a payment to a related party.
pub type RelatedPartyEventRow = crate::money::regulator::events::RelatedPartyEvent;

/// `events/trust/{trust_id}`: a trust's filing and yearly reports.
pub type TrustEventRow = crate::money::regulator::events::TrustEvent;

/// `events/lottery/{administrator}/{year}`: a fiscal year's grants and announcement.
pub type LotteryEventRow = crate::money::regulator::events::LotteryYearEvent;

/// `hop/{org}/{receipt_no}/{seq}/{i}`: part of a donation's money moving at entry `seq`, or,
/// under `.../{seq}/g{i}`, part of a gift's goods given out. One family, two records: a goods
/// hop is the one with a `stock`, so each reads as its own type and its errors are that type's.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum HopRecord {
    Cash(crate::money::books::records::HopRow),
    Goods(crate::money::books::goods::GoodsHopRow),
}

impl<'de> Deserialize<'de> for HopRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let goods = v.get("stock").is_some();
        let row = if goods {
            serde_json::from_value(v).map(HopRecord::Goods)
        } else {
            serde_json::from_value(v).map(HopRecord::Cash)
        };
        row.map_err(serde::de::Error::custom)
    }
}

/// `org/{uscc}`: registration facts, as the books hold them.
pub type OrgRow = OrgRecord;

/// `trust/{trust_id}`: a trust with its balance, disbursements and reports.
pub type TrustRow = TrustRecord;

/// `donation/{org}/{receipt_no}` rows are records, written as an entry is appended: their type
/// lives beside the other records' ([`crate::money::records`]).
pub use crate::money::records::{DonationRow, DonationStatus};

/// The name a row spells a unit variant with (a verdict, a basis, a comparison): the
/// serialiser's own spelling, so a report or a download printing it says exactly what the row
/// holds. Only the unit enums of the typed rows implement it, and each variant serialises as a
/// string (pinned by `wire_names_are_the_rows_spelling` below).
pub trait WireName: Serialize {
    fn wire_name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => name,
            other => unreachable!("a unit variant serialises as its name, not {other:?}"),
        }
    }
}

impl WireName for crate::money::regulator::compliance::Status {}
impl WireName for crate::money::regulator::compliance::Basis {}
impl WireName for crate::money::regulator::compliance::Cmp {}

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
    typed::<ComplianceRow>(super::keys::COMPLIANCE),
    typed::<GoodsRow>(super::keys::GOODS),
    typed::<TraceRow>(super::keys::TRACE),
    typed::<HopRecord>(super::keys::HOP),
    typed::<AnnualReportEventRow>(super::keys::EVENTS_ANNUAL_REPORT),
    typed::<ProjectEventRow>(super::keys::EVENTS_PROJECT),
    typed::<RelatedPartyEventRow>(super::keys::EVENTS_RELATED_PARTY),
    typed::<TrustEventRow>(super::keys::EVENTS_TRUST),
    typed::<LotteryEventRow>(super::keys::EVENTS_LOTTERY),
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

    /// The goods stock, both kinds of hop, a composed trace and a project's events read as
    /// their types and write back their bytes; the stock row is spelled as the borrowed
    /// writer spelled it (by hand below: 1,000 bags worth 10,000.00, 300 given out, worth
    /// 10,000.00 × 300 / 1,000 = 3,000.00, leaving 700 worth 7,000.00).
    #[test]
    fn goods_hops_traces_and_events_read_back_as_their_types() {
        use crate::ledger::Kind;
        use crate::money::tests::testkit::{h, pay};
        let mut k = Kit::new();
        let a = k.register(1, "foundation", false);
        k.project(&a, "P1", "救灾");
        k.as_org(&a, Kind::Donation, cash("R1", Some("P1"), "100.00", "CNY"))
            .unwrap();
        let gift = k
            .as_org(
                &a,
                Kind::Donation,
                json!({"receipt_no": "G1", "received_on": "2026-05-20", "form": "in_kind",
                    "project": "P1", "amount": "10000.00", "currency": "CNY",
                    "in_kind": {"description": "大米", "quantity": "1000", "unit": "袋",
                                "item": "rice", "valuation_proof": h(5)},
                    "donor_type": "organisation", "donor_display": "某粮油有限公司",
                    "receipt": "issued", "commitment": h(4)}),
            )
            .unwrap();
        let given = k
            .as_org(
                &a,
                Kind::GoodsDistribute,
                json!({"item": "rice", "quantity": "300", "project": "P1",
                    "purpose": "救灾物资发放", "recipient_type": "group",
                    "recipient_display": "某村受灾家庭", "evidence": [h(6)],
                    "distributed_on": "2026-05-25"}),
            )
            .unwrap();
        let paid = k
            .as_org(&a, Kind::Disbursement, pay(Some("P1"), "40.00", "CNY"))
            .unwrap();
        let rows = k.view_rows();

        let key = keys::GOODS.key(&[&a, &"project", &"P1", &"rice"]);
        assert_eq!(
            rows[&key],
            format!(
                r#"{{"currency":"CNY","description":"大米","distributed":"300","distributions":1,"gifts":1,"in_stock":"700","item":"rice","lots":[{{"receipt_no":"G1","remaining":"700","seq":{gift}}}],"org":"{a}","project":"P1","received":"1000","unit":"袋","value_distributed":"3000.00","value_in_stock":"7000.00","value_received":"10000.00"}}"#
            )
        );
        let stock: GoodsRow = read(&key, &rows[&key]).unwrap();
        assert_eq!(stock.value_in_stock, Some(Money(Decimal::new(700_000, 2))));

        let goods_hop = keys::HOP.key(&[&a, &"G1", &given, &"g0"]);
        let cash_hop = keys::HOP.key(&[&a, &"R1", &paid, &0]);
        match read::<HopRecord>(&goods_hop, &rows[&goods_hop]).unwrap() {
            HopRecord::Goods(g) => assert_eq!(g.quantity.to_string(), "300"),
            other => panic!("{other:?}"),
        }
        match read::<HopRecord>(&cash_hop, &rows[&cash_hop]).unwrap() {
            HopRecord::Cash(c) => assert_eq!(c.amount, Money(Decimal::new(4000, 2))),
            other => panic!("{other:?}"),
        }

        let ev = keys::EVENTS_PROJECT.key(&[&a, &"P1"]);
        let e: ProjectEventRow = read(&ev, &rows[&ev]).unwrap();
        assert_eq!(e.project.as_str(), "P1");

        // The trace is composed, never stored; it reads back as served. 100.00 given, 40.00
        // paid: 60.00 unspent.
        let r1 = crate::money::types::Ident::check("R1").unwrap();
        let trace = k.trace(&a, &r1).unwrap();
        let served = text(&trace);
        let tk = keys::TRACE.key(&[&a, &"R1"]);
        let t = typed_family(&tk).unwrap();
        assert_eq!(t.again(&tk, &served).unwrap(), served);
        let back: TraceRow = read(&tk, &served).unwrap();
        assert_eq!(back, trace);
        assert_eq!(back.unspent_total, Money(Decimal::new(6000, 2)));

        let seen: Vec<&str> = rows
            .keys()
            .filter_map(|k| typed_family(k))
            .map(|t| t.family.prefix())
            .collect();
        for f in [keys::GOODS, keys::HOP, keys::EVENTS_PROJECT] {
            assert!(seen.contains(&f.prefix()), "{f:?}");
        }
        assert!(round_trips(&rows) >= 12);

        // Renamed fields and money figures not in the two-decimal spelling do not read, and
        // the error names the key.
        for (key, from, to) in [
            (&key, r#""in_stock":"#, r#""in_stok":"#),
            (
                &key,
                r#""value_in_stock":"7000.00""#,
                r#""value_in_stock":"1.5""#,
            ),
            (&cash_hop, r#""amount":"40.00""#, r#""amount":"1.5""#),
            (&goods_hop, r#""quantity":"300""#, r#""qty":"300""#),
            (&ev, r#""opened_seq":"#, r#""opened":"#),
        ] {
            let bad = rows[key].replacen(from, to, 1);
            assert_ne!(bad, rows[key], "{key}");
            assert_eq!(check(key, &bad).unwrap_err().key, *key);
        }
    }

    #[test]
    fn wire_names_are_the_rows_spelling() {
        use crate::money::regulator::compliance::{Basis, Cmp, Status};
        let names: Vec<String> = [
            Status::Pass,
            Status::Fail,
            Status::NotEnoughData,
            Status::Exempt,
            Status::InProgress,
        ]
        .iter()
        .map(WireName::wire_name)
        .chain(
            [
                Basis::PriorYear,
                Basis::ThreeYearAverage,
                Basis::CurrentYear,
            ]
            .iter()
            .map(WireName::wire_name),
        )
        .chain([Cmp::AtLeast, Cmp::AtMost].iter().map(WireName::wire_name))
        .collect();
        assert_eq!(
            names,
            [
                "pass",
                "fail",
                "not_enough_data",
                "exempt",
                "in_progress",
                "prior_year",
                "three_year_average",
                "current_year",
                "at_least",
                "at_most"
            ]
        );
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
