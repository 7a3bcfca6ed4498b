//! The sources of the organisations-over-time rules (`org_time.json`), in the shape of the
//! restriction rules' table, so a refusal names its article and how far that article was checked.

use std::sync::OnceLock;

use super::restrictions::RestrictionTable;
use crate::money::error::Rule;

const RULES_JSON: &str = include_str!("org_time.json");

static TABLE: OnceLock<Result<RestrictionTable, String>> = OnceLock::new();

/// The embedded table, parsed and checked once (a unit test proves it parses).
pub fn table() -> Result<&'static RestrictionTable, &'static String> {
    TABLE
        .get_or_init(|| RestrictionTable::parse(RULES_JSON))
        .as_ref()
}

/// The sources of the row with code `code` ("year_status", or a refusal's code).
pub fn cite(code: &str) -> String {
    match table() {
        Ok(t) => t.citation(code),
        Err(_) => "citation table unreadable".to_owned(),
    }
}

/// The sources of `rule`, as a refusal cites them.
pub fn citation(rule: Rule) -> String {
    cite(rule.code())
}
