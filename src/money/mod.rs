//! The charity money model (阳光慈善账本的资金模型): entry bodies, the rules enforced before an
//! entry is appended, and the views derived from the log. Pure: no I/O, no async, no SQL, and
//! money is `rust_decimal` throughout, never floating point.
//!
//! The core (`crate::ledger`) checks signatures and who may sign what; this module checks what
//! an entry says. Flow of one entry through [`MoneyState::admit`]:
//! 1. [`bodies::parse_body`]: personal-data scan over every string, then the typed shape
//!    (`deny_unknown_fields`), errors naming the JSON path (`body.amount`);
//! 2. body-only rules ([`bodies::checks`]): dates not in the future, masking, donation form;
//! 3. identifier uniqueness against everything ever logged (409 on a duplicate);
//! 4. stateful rules and their effect ([`books::Books::step`]) on a clone of the state; the clone
//!    replaces the state only if every rule passed.
//!
//! Corrections replay the effective log instead ([`state::corrections`]).
//!
//! Rooms, each importing only rooms listed before it, and `views` (the cached rows and their
//! types), which in turn reads the state:
//! - [`types`], [`error`], [`keys`]: the shared vocabulary (money, identifiers, refusals, the
//!   keys view rows are stored under);
//! - [`rules`]: the cited rule tables the refusals and figures name their sources from;
//! - [`bodies`]: what each kind of entry says, its body-only rules, and the personal-data
//!   scanner ([`bodies::personal_data`]) every body passes first;
//! - [`books`]: what money sits in (funds, projects, campaigns, goods, trusts, lottery grants,
//!   organisations over time) and the steps that move it; the records an entry writes and a
//!   donor's trace;
//! - [`state`]: the accepted log, [`MoneyState`] over the books, and corrections (the replay
//!   of the effective log);
//! - [`regulator`]: what regulators read: figures, ratio compliance, disclosure events,
//!   duties, timeliness and obligations judged on a date.
//!
//! The tests are in `tests/`, one file per subject.
//!
//! Read side: balances, records, [`Trace`], [`OrgYearFigures`] (for `compliance`),
//! [`DisclosureEvents`] (for `timeliness`), and [`MoneyState::view_rows`] for caching and
//! audit.

pub mod bodies;
pub mod books;
pub mod error;
pub mod keys;
pub mod regulator;
pub mod rules;
pub mod state;
pub mod types;
pub mod views;

#[cfg(test)]
pub(crate) mod tests;

pub use bodies::{Body, parse_body};
pub use books::funds::FundKey;
pub use books::trace::Trace;
pub use error::{MoneyError, Rule, Thing, Unique};
pub use regulator::events::DisclosureEvents;
pub use regulator::figures::OrgYearFigures;
pub use state::{EntryCtx, MoneyState};
pub use types::{Ident, Money};

// The paths callers outside the money model have always used, kept so that moving the modules
// into rooms did not touch them; new code names the room (`regulator::timeliness`).
pub use bodies::personal_data as text;
pub use books::records;
pub use regulator::{compliance, duties, obligations, timeliness};
pub use state::corrections;
