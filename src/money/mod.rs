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
//! Corrections replay the effective log instead ([`corrections`]).
//!
//! Read side: balances, records, [`trace::Trace`], [`figures::OrgYearFigures`] (for
//! `compliance`), [`events::DisclosureEvents`] (for `timeliness`), and
//! [`MoneyState::view_rows`] for caching and audit.

pub mod bodies;
pub mod books;
pub mod campaigns;
pub mod compliance;
pub mod corrections;
pub mod disclosures;
pub mod duties;
pub mod error;
pub mod events;
pub mod figures;
pub mod flows;
pub mod funds;
pub mod goods;
pub mod lottery;
pub mod obligations;
pub mod org_time;
pub mod projects;
pub mod records;
pub mod regulator;
pub mod reports;
pub mod restrictions;
pub mod state;
pub mod sums;
pub mod text;
pub mod timeliness;
pub mod trace;
pub mod trust_lottery_rules;
pub mod trusts;
pub mod types;
pub mod views;

#[cfg(test)]
pub(crate) mod tests;

pub use bodies::{Body, parse_body};
pub use error::{MoneyError, Rule, Thing, Unique};
pub use events::DisclosureEvents;
pub use figures::OrgYearFigures;
pub use funds::FundKey;
pub use state::{EntryCtx, MoneyState};
pub use trace::Trace;
pub use types::{Ident, Money};
