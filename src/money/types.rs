//! Small value types shared by the entry bodies.
//!
//! Each one validates itself while deserialising, so a bad value is refused with the JSON path of
//! the field it sits in (serde_path_to_error records the path), and code past parsing never sees
//! an unchecked string.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::ledger::Amount;

/// A money figure with two decimals that may be zero or negative: balances, sums, and figures a
/// report declares. [`Amount`] stays the type of anything that moves money (always positive).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Money(pub Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every figure is a sum of two-decimal amounts, so rounding to two places is exact.
        write!(f, "{:.2}", self.0.round_dp(2))
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

impl From<Amount> for Money {
    fn from(a: Amount) -> Self {
        Money(a.decimal())
    }
}

impl From<Decimal> for Money {
    fn from(d: Decimal) -> Self {
        Money(d)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    /// Declared figures: `"0.00"` or a spec amount. Negative declared figures are not accepted.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "0.00" {
            return Ok(Money::ZERO);
        }
        s.parse::<Amount>()
            .map(Money::from)
            .map_err(D::Error::custom)
    }
}

impl Money {
    /// A derived figure as the ledger writes it (a sum or a balance: any sign, exactly two
    /// decimals, `"-3.00"`, not `"-3"`): how stored view rows read back. Declared figures in
    /// bodies read through [`Money`]'s `Deserialize`, which refuses a negative one.
    pub fn parse_figure(s: &str) -> Result<Money, String> {
        let d = s
            .parse::<Decimal>()
            .map_err(|e| format!("{s:?} is not a decimal: {e}"))?;
        let m = Money(d);
        if m.to_string() == s {
            Ok(m)
        } else {
            Err(format!("{s:?} is not a two-decimal money figure"))
        }
    }
}

/// `#[serde(with = "signed")]` on a [`Money`] field of a derived row: written as always, read
/// with [`Money::parse_figure`] (any sign).
pub mod signed {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Money;

    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        m.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        Money::parse_figure(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// [`signed`] for an optional figure.
pub mod opt_signed {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Money;

    pub fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        m.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| Money::parse_figure(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .pattern(Some(r"^-?[0-9]+\.[0-9]{2}$"))
            .description(Some("Money, two decimals, as a string"))
            .into()
    }
}

impl utoipa::ToSchema for Money {}

/// What [`Ident::check`] says of a string outside the id alphabet.
pub const IDENT_ALPHABET: &str = "must be 1 to 64 characters of A-Z a-z 0-9 . _ -";

/// An identifier chosen by its issuer (project id, receipt number, trust id, grant id, filing
/// number): 1 to 64 characters of `A-Z a-z 0-9 . _ -`, the first a letter or digit. The narrow
/// alphabet keeps ids safe as URL path segments and view keys (no `/`). The first character
/// keeps them safe as file names (issue 18): the static site writes `trusts/{id}.html`, and an id
/// `..` or `.x` became a hidden or dot-dot file many static hosts refuse to publish, `_x` one
/// that Jekyll-based hosts skip, `-x` one that reads as an option to shell tools.
///
/// Shared, not copied: a receipt number is part of the key of the donation, its lots, its
/// movements and the reserved ids, and each copy of a heap string cost an allocation.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Ident(std::sync::Arc<str>);

impl Ident {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(s: &str) -> Option<Ident> {
        Ident::check(s).ok()
    }

    /// Like [`Ident::parse`], saying what is wrong.
    pub fn check(s: &str) -> Result<Ident, &'static str> {
        let in_alphabet = (1..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !in_alphabet {
            return Err(IDENT_ALPHABET);
        }
        if !s.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("must begin with a letter or digit, not . _ or -");
        }
        Ok(Ident(s.into()))
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Ident {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Ident {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ident::check(&s).map_err(D::Error::custom)
    }
}

/// Free text of at most `MAX` characters: not blank, no control characters except line breaks
/// and tabs, no bidirectional controls. The cap keeps every entry far below the 64 KiB entry
/// limit and pages readable.
///
/// Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) are refused
/// rather than isolated on the pages: a right-to-left override in a donor's name makes it read
/// as another name wherever the text goes next (a CSV, a PDF, a regulator's spreadsheet), not
/// only on our pages. Text made only of characters that show nothing (white space, zero-width
/// and other default-ignorable characters, Hangul fillers) is blank.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        if s.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
            return Err("must not be blank".into());
        }
        if let Some(c) = s.chars().find(|c| is_bidi_control(*c)) {
            return Err(format!(
                "must not contain bidirectional control characters (U+{:04X})",
                u32::from(c)
            ));
        }
        if s.chars().count() > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            return Err("must not contain control characters".into());
        }
        Ok(Text(s.to_owned()))
    }
}

/// Characters that change the direction text is shown in (Unicode's Bidi_Control property).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing by themselves: Unicode's Default_Ignorable_Code_Point (zero-width
/// spaces and joiners, soft hyphen, variation selectors, tags, ...) plus the Hangul fillers,
/// which render as blanks.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> Serialize for Text<MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Text::parse(&String::deserialize(d)?).map_err(D::Error::custom)
    }
}

/// A display name or short label (64 characters).
pub type Label = Text<64>;
/// A title or name (200 characters).
pub type Title = Text<200>;
/// A description, progress report or notice (2,000 characters).
pub type Prose = Text<2000>;

/// Province-level prefixes of GB/T 2260 administrative division codes.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// A 6-digit administrative division code (GB/T 2260), e.g. `440300` for Shenzhen. Only the
/// province prefix is checked: the full list changes yearly and is not ours to keep.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(s: &str) -> Option<RegionCode> {
        let ok =
            s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) && PROVINCES.contains(&&s[..2]);
        ok.then(|| RegionCode(s.to_owned()))
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).ok_or_else(|| {
            D::Error::custom("must be a 6-digit administrative division code like 440300")
        })
    }
}

/// A calendar or fiscal year, as a JSON integer. The range keeps date arithmetic in bounds; the
/// rules then compare it with the recording date.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
pub struct Year(pub i32);

impl<'de> Deserialize<'de> for Year {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let y = i64::deserialize(d)?;
        if (1949..=2999).contains(&y) {
            Ok(Year(y as i32))
        } else {
            Err(D::Error::custom("must be a year between 1949 and 2999"))
        }
    }
}

/// A quantity of donated goods: a positive decimal string with at most 4 decimals (`"120"`,
/// `"2.5"`), below 10^12.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Quantity(pub Decimal);

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || D::Error::custom("must be a positive decimal string like \"120\" or \"2.5\"");
        let ok_chars =
            !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !ok_chars {
            return Err(bad());
        }
        let q: Decimal = s.parse().map_err(|_| bad())?;
        if q <= Decimal::ZERO || q.scale() > 4 || q >= Decimal::from(1_000_000_000_000_i64) {
            return Err(bad());
        }
        Ok(Quantity(q))
    }
}

/// serde adapter for optional `YYYY-MM-DD` fields.
pub mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => crate::ledger::time::date_serde::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(s) => crate::ledger::time::parse_date(&s)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

/// Declares a closed set of wire strings as an enum with `as_str`, serde both ways, and `ALL`.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize,
            utoipa::ToSchema,
        )]
        pub enum $name { $(#[serde(rename = $wire)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// Charitable purposes as listed in the Charity Law (慈善法 art. 3), plus `other`.
    Purpose {
        Poverty = "扶贫济困",
        Elderly = "扶老",
        Orphans = "救孤",
        Illness = "恤病",
        Disability = "助残",
        Veterans = "优抚",
        Disaster = "救灾",
        Education = "教育",
        Science = "科学",
        Culture = "文化",
        Health = "卫生",
        Sports = "体育",
        Environment = "环境保护",
        Other = "other",
    }
}

wire_enum! {
    /// What kind of body an organisation is; fixes which entries it may make.
    OrgType {
        Foundation = "foundation",
        SocialGroup = "social_group",
        SocialServiceOrg = "social_service_org",
        TrustCompany = "trust_company",
        LotteryAdministrator = "lottery_administrator",
        // A public-welfare institution that is not a charity (福利院, 敬老院, 残疾人康复机构):
        // it receives and reports lottery grants, and nothing else (issue 14).
        WelfareInstitution = "welfare_institution",
    }
}

wire_enum! {
    /// Purposes of lottery public-welfare fund grants (彩票公益金).
    LotteryPurpose {
        ElderlyCare = "养老服务",
        ChildWelfare = "儿童福利",
        DisabilityWelfare = "残疾人福利",
        SocialAssistance = "社会救助",
        PublicWelfare = "社会公益",
        Other = "other",
    }
}

wire_enum! {
    /// What a disbursement is spent on, as the ratio rules count it.
    SpendCategory {
        Programme = "programme",
        Administration = "administration",
        Fundraising = "fundraising",
    }
}

wire_enum! {
    /// Who gave.
    DonorType {
        Individual = "individual",
        Organisation = "organisation",
        Anonymous = "anonymous",
    }
}

wire_enum! {
    /// Who is paid. Individuals are beneficiaries and are never named.
    PayeeType {
        Individual = "individual",
        Group = "group",
        Organisation = "organisation",
    }
}

wire_enum! {
    /// Cash or goods.
    DonationForm {
        Cash = "cash",
        InKind = "in_kind",
    }
}

wire_enum! {
    /// Whether a donation receipt (捐赠票据) was issued or the donor waived it.
    ReceiptStatus {
        Issued = "issued",
        Waived = "waived",
    }
}

wire_enum! {
    /// What a correction does to its target.
    CorrectionAction {
        Void = "void",
        Amend = "amend",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidirectional_controls_are_refused_by_code_point() {
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let err = Label::parse(&format!("张{c}三")).err();
            let want = format!(
                "must not contain bidirectional control characters (U+{:04X})",
                u32::from(c)
            );
            assert_eq!(err, Some(want), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn text_that_shows_nothing_is_blank() {
        for s in [
            "",
            " ",
            "\u{3000}",
            "\u{200B}",
            "\u{200B}\u{200D}\u{FEFF}",
            "\u{3164}",
            " \u{00AD} ",
            "\u{2060}\n\t",
            "\u{E0041}",
        ] {
            assert_eq!(
                Title::parse(s).err().as_deref(),
                Some("must not be blank"),
                "{s:?}"
            );
        }
    }

    #[test]
    fn visible_text_with_invisible_characters_inside_is_kept_as_written() {
        for s in [
            "张\u{200B}三",
            "慈善 基金会",
            "👨\u{200D}👩\u{200D}👧",
            "a\u{00AD}b",
        ] {
            assert_eq!(
                Prose::parse(s).map(|t| t.as_str().to_owned()),
                Ok(s.to_owned())
            );
        }
    }

    #[test]
    fn ids_begin_with_a_letter_or_digit() {
        for bad in ["..", ".", "...", ".hidden", "_x", "-x", "-", ".-."] {
            assert_eq!(
                Ident::check(bad).err(),
                Some("must begin with a letter or digit, not . _ or -"),
                "{bad}"
            );
        }
        for bad in ["", "a/b", "a b", "张", &"a".repeat(65)] {
            assert_eq!(Ident::check(bad).err(), Some(IDENT_ALPHABET), "{bad}");
        }
        for ok in [
            "a",
            "0",
            "a..b",
            "R-1.",
            "x_",
            "ZJ-2026-0001",
            &"a".repeat(64),
        ] {
            assert_eq!(Ident::check(ok).map(|i| i.to_string()), Ok(ok.to_owned()));
        }
    }
}
