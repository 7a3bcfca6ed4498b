//! Cited rule tables: the sources each refusal and figure rests on, as data (JSON embedded at
//! compile time), so a refusal names its article and how far that article was checked.
//!
//! [`Source`] is the shape every table cites in, the ratio rules' and the deadlines' tables
//! (in `regulator`) included; [`restrictions`] (restricted money), [`trusts_lottery`] and
//! [`org_time`] are the tables of the books' refusals.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use time::macros::format_description;

pub mod org_time;
pub mod restrictions;
pub mod trusts_lottery;

use restrictions::RestrictionTable;

/// A table of the books' refusals (the shape of `restrictions.json`), embedded at compile time
/// so a release carries the rules it was tested with, and parsed and checked on first use. Each
/// table's module holds one in a `static` and answers through it; a unit test per table proves
/// the shipped data parses, so a refusal never reads "citation table unreadable".
pub struct EmbeddedTable {
    json: &'static str,
    parsed: OnceLock<Result<RestrictionTable, String>>,
}

impl EmbeddedTable {
    /// The table whose JSON is `json` (an `include_str!`), not yet parsed.
    pub const fn new(json: &'static str) -> Self {
        EmbeddedTable {
            json,
            parsed: OnceLock::new(),
        }
    }

    /// The table, parsed and checked once.
    pub fn table(&self) -> Result<&RestrictionTable, &String> {
        self.parsed
            .get_or_init(|| RestrictionTable::parse(self.json))
            .as_ref()
    }

    /// The sources of the row with code `code` (a refusal's code, or a figure's), as a refusal
    /// cites them.
    pub fn cite(&self, code: &str) -> String {
        match self.table() {
            Ok(t) => t.citation(code),
            Err(_) => "citation table unreadable".to_owned(),
        }
    }
}

/// How far a cited figure was checked against the source. Published with the
/// figure so readers are not misled about how certain it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Checked against the text of the instrument itself (or a full reproduction of it).
    PrimaryText,
    /// Checked only against commentary, news reports or reprints.
    Secondary,
    /// Not found in any retrieved source; must be verified before relying on it.
    Unconfirmed,
}

/// One legal source that rows of a table cite. Shared with
/// `super::timeliness`, so both tables cite sources the same way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Chinese citation: instrument, amendment and article.
    pub citation_zh: String,
    /// English citation for non-Chinese readers.
    pub citation_en: String,
    /// Issuing body.
    pub issuer: String,
    /// Adoption or issue date, `YYYY-MM-DD`.
    pub adopted: Option<String>,
    /// Date in force, `YYYY-MM-DD`, where known.
    pub in_force: Option<String>,
    /// How far the figure was checked.
    pub verification: Verification,
    /// What the row says and how it was checked.
    pub note: Option<String>,
}

impl Source {
    /// The citation text attached to a published figure. An unconfirmed
    /// source is marked so the site never shows a guessed figure as settled.
    pub fn display(&self) -> String {
        let mark = match self.verification {
            Verification::PrimaryText => "",
            Verification::Secondary => " [secondary source]",
            Verification::Unconfirmed => " [unconfirmed]",
        };
        format!("{} / {}{}", self.citation_zh, self.citation_en, mark)
    }

    /// Checks that the date fields, when present, are real `YYYY-MM-DD` dates.
    pub(crate) fn check_dates(&self, id: &str) -> Result<(), String> {
        let fmt = format_description!("[year]-[month]-[day]");
        for value in [&self.adopted, &self.in_force].into_iter().flatten() {
            if time::Date::parse(value, &fmt).is_err() {
                return Err(format!("source `{id}` has an invalid date `{value}`"));
            }
        }
        Ok(())
    }
}
