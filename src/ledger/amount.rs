//! Money on the wire: a decimal string with exactly two fraction digits, no sign, no exponent,
//! no leading zeros, from "0.01" to "9999999999999.99", beside an ISO 4217 currency code.
//!
//! One spelling per value keeps the signed bytes canonical; `rust_decimal` keeps the arithmetic
//! exact. Zero is not an amount: every amount the ledger records moves money.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The largest amount the spec allows, in cents.
const MAX_AMOUNT_CENTS: i64 = 999_999_999_999_999;

/// A positive money amount with exactly two decimals.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(Decimal);

/// Why a string is not a spec amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAmount {
    #[error(
        "amount must be a decimal string with exactly two fraction digits, like \"1.50\" (got \"{0}\")"
    )]
    Format(String),
    #[error("amount must not have leading zeros (got \"{0}\")")]
    LeadingZero(String),
    #[error("amount must be at least 0.01")]
    Zero,
    #[error("amount exceeds the maximum 9999999999999.99")]
    TooLarge,
}

impl Amount {
    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// An amount from a decimal computed by the ledger (sums, splits); `None` unless it is
    /// positive, within range and has at most two decimals.
    pub fn from_decimal(d: Decimal) -> Option<Amount> {
        let cents = d * Decimal::ONE_HUNDRED;
        if cents.fract() != Decimal::ZERO || d <= Decimal::ZERO {
            return None;
        }
        let cents = i64::try_from(cents).ok()?;
        (cents <= MAX_AMOUNT_CENTS).then(|| Amount(Decimal::new(cents, 2)))
    }

    pub fn from_cents(cents: i64) -> Option<Amount> {
        (1..=MAX_AMOUNT_CENTS)
            .contains(&cents)
            .then(|| Amount(Decimal::new(cents, 2)))
    }
}

impl FromStr for Amount {
    type Err = BadAmount;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadAmount::Format(s.to_owned());
        let (int, frac) = s.split_once('.').ok_or_else(bad)?;
        if int.is_empty()
            || frac.len() != 2
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        if int.len() > 1 && int.starts_with('0') {
            return Err(BadAmount::LeadingZero(s.to_owned()));
        }
        if int.len() > 13 {
            return Err(BadAmount::TooLarge);
        }
        let cents: i64 = format!("{int}{frac}").parse().map_err(|_| bad())?;
        if cents == 0 {
            return Err(BadAmount::Zero);
        }
        Ok(Amount(Decimal::new(cents, 2)))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Decimal::new(cents, 2) always carries scale 2, so this prints two decimals.
        write!(f, "{:.2}", self.0)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({self})")
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A JSON number here is a spec violation, not something to coerce.
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An ISO 4217 alphabetic currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

/// Why a string is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("currency must be an ISO 4217 code of three upper-case letters, like \"CNY\"")]
pub struct BadCurrency;

impl Currency {
    pub const CNY: Currency = Currency(*b"CNY");

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }
}

impl FromStr for Currency {
    type Err = BadCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b: [u8; 3] = s.as_bytes().try_into().map_err(|_| BadCurrency)?;
        if b.iter().all(u8::is_ascii_uppercase) {
            Ok(Currency(b))
        } else {
            Err(BadCurrency)
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
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
    fn accepts_canonical_amounts() {
        for ok in ["0.01", "1.50", "10.00", "9999999999999.99"] {
            assert_eq!(ok.parse::<Amount>().unwrap().to_string(), ok);
        }
    }

    #[test]
    fn rejects_non_canonical_amounts() {
        for bad in [
            "1.5",
            "-3.00",
            "1e3",
            "01.00",
            "0.00",
            "1.000",
            ".50",
            "1.",
            "+1.00",
            " 1.00",
            "10000000000000.00",
            "1,000.00",
            "１.00",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn from_decimal_keeps_two_places() {
        let a = Amount::from_decimal(Decimal::new(15, 1)).unwrap();
        assert_eq!(a.to_string(), "1.50");
        assert!(Amount::from_decimal(Decimal::new(1, 3)).is_none());
        assert!(Amount::from_decimal(Decimal::ZERO).is_none());
    }

    #[test]
    fn currency_codes() {
        assert_eq!("CNY".parse::<Currency>().unwrap(), Currency::CNY);
        for bad in ["cny", "CN", "CNYY", "C1Y"] {
            assert!(bad.parse::<Currency>().is_err());
        }
    }
}
