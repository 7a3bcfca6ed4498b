//! Organisations over time (issue 14, part 3).
//!
//! `org.register` states an organisation's facts on the day it registered. Public-fundraising
//! status (公开募捐资格) and registration facts change later by regulator-signed entries
//! (`org.fundraising`, `org.change`), and each year's ratio test uses the facts in force on 31
//! December of that year ([`timeline`]). Net assets count from the opening balance an
//! organisation declares on joining the ledger (`org.opening`), not from zero, so an endowed
//! foundation is banded by its real net assets; an annual report's audited figures are read by
//! the ratio tests in place of the ledger's own and shown beside them ([`sides`]). Every rule
//! cites its source in `rules.json` ([`rules`]).
//!
//! Layout: `timeline` (the entries' records and the facts on a day), `sides` (ledger and audited
//! figures side by side), `rules` (citations).

pub mod charity_only;
pub mod rules;
pub mod sides;
pub mod timeline;

#[cfg(test)]
mod tests;

pub use timeline::{OrgFacts, OrgTimeline};
