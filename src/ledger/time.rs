//! Timestamps in the one form the spec allows: RFC 3339 UTC, whole seconds, literal `Z`
//! (`2026-11-23T08:30:00Z`). A single accepted spelling keeps the canonical bytes unique.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{
    Date, OffsetDateTime, PrimitiveDateTime, format_description::FormatItem,
    macros::format_description,
};

const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const DATE_FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// China Standard Time, UTC+8.
pub const CHINA_OFFSET: time::UtcOffset = time::macros::offset!(+8);

/// Seconds since the Unix epoch, UTC, that round-trip exactly through the wire spelling.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a string is not a spec timestamp or date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTime {
    #[error(
        "expected an RFC 3339 UTC time with seconds and a literal Z, like 2026-11-23T08:30:00Z"
    )]
    Timestamp,
    #[error("expected a calendar date like 2026-11-23")]
    Date,
}

impl Timestamp {
    pub fn from_unix(secs: i64) -> Option<Timestamp> {
        let dt = OffsetDateTime::from_unix_timestamp(secs).ok()?;
        // Only years with four digits have a spelling in the wire format.
        (0..=9999).contains(&dt.year()).then_some(Timestamp(secs))
    }

    /// The current time, truncated to whole seconds.
    pub fn now() -> Timestamp {
        Timestamp(OffsetDateTime::now_utc().unix_timestamp())
    }

    pub fn unix(self) -> i64 {
        self.0
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).expect("range checked on construction")
    }

    /// The UTC calendar date of this instant.
    pub fn date(self) -> Date {
        self.datetime().date()
    }

    /// The calendar date of this instant in China (UTC+8, no daylight saving since 1991): the
    /// date a deadline in Chinese law is counted in, and the date entry bodies are written in.
    pub fn china_date(self) -> Date {
        self.datetime().to_offset(CHINA_OFFSET).date()
    }
}

impl FromStr for Timestamp {
    type Err = BadTime;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let dt = PrimitiveDateTime::parse(s, FORMAT).map_err(|_| BadTime::Timestamp)?;
        let ts = Timestamp(dt.assume_utc().unix_timestamp());
        // Reject spellings that parse but would print differently (none known, but the
        // canonical form is the contract, so prove it).
        if ts.to_string() != s {
            return Err(BadTime::Timestamp);
        }
        Ok(ts)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.datetime().format(FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&s)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Parses a calendar date `YYYY-MM-DD` (used by entry bodies: dates paid, project terms).
pub fn parse_date(s: &str) -> Result<Date, BadTime> {
    let d = Date::parse(s, DATE_FORMAT).map_err(|_| BadTime::Date)?;
    if format_date(d) != s {
        return Err(BadTime::Date);
    }
    Ok(d)
}

/// Formats a calendar date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    d.format(DATE_FORMAT).unwrap_or_default()
}

/// serde adapter for `time::Date` fields in entry bodies, spelled `YYYY-MM-DD`.
pub mod date_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        super::parse_date(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_one_spelling() {
        let t: Timestamp = "2026-11-23T08:30:00Z".parse().unwrap();
        assert_eq!(t.unix(), 1_795_422_600);
        assert_eq!(t.to_string(), "2026-11-23T08:30:00Z");
    }

    #[test]
    fn the_china_date_turns_at_16_00_utc() {
        let before: Timestamp = "2026-05-31T15:59:59Z".parse().unwrap();
        let after: Timestamp = "2026-05-31T16:00:00Z".parse().unwrap();
        assert_eq!(before.china_date(), time::macros::date!(2026 - 05 - 31));
        assert_eq!(after.china_date(), time::macros::date!(2026 - 06 - 01));
        assert_eq!(after.date(), time::macros::date!(2026 - 05 - 31));
    }

    #[test]
    fn rejects_other_spellings() {
        for bad in [
            "2026-11-23T08:30:00.5Z",
            "2026-11-23T08:30:00+00:00",
            "2026-11-23 08:30:00Z",
            "2026-11-23T08:30Z",
            "2026-13-01T00:00:00Z",
            "2026-11-23t08:30:00z",
            "",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-02-28").is_ok());
        assert!(parse_date("2026-02-29").is_err());
        assert!(parse_date("2026-2-28").is_err());
    }
}
