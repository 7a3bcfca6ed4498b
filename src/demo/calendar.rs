//! The history's calendar: its first and last days, and when each day's batch is recorded.

use time::{Date, Month};

use crate::ledger::Timestamp;

/// The first simulated day (genesis and registrations).
pub const FIRST_DAY: Date = time::macros::date!(2024 - 01 - 01);
/// The last simulated day.
pub const LAST_DAY: Date = time::macros::date!(2026 - 11 - 01);

pub(super) fn day_str(d: Date) -> String {
    crate::ledger::time::format_date(d)
}

pub(super) fn date(y: i32, m: u8, d: u8) -> Date {
    let month = Month::try_from(m).unwrap_or(Month::January);
    Date::from_calendar_date(y, month, d).unwrap_or(FIRST_DAY)
}

/// 16:00 Beijing time on `d`: when that day's batch is recorded.
pub(super) fn recorded_at(d: Date) -> Timestamp {
    let secs = d.midnight().assume_utc().unix_timestamp() + 8 * 3600;
    Timestamp::from_unix(secs).unwrap_or_else(Timestamp::now)
}

/// A day given as (year, month, day), as the scripted events' tables write them.
pub(super) fn on(d: (i32, u8, u8)) -> Date {
    date(d.0, d.1, d.2)
}
