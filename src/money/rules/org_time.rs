//! The sources of the organisations-over-time rules (`org_time.json`), in the shape of the
//! restriction rules' table, so a refusal names its article and how far that article was checked.

use super::EmbeddedTable;
use super::restrictions::RestrictionTable;
use crate::money::error::Rule;

static TABLE: EmbeddedTable = EmbeddedTable::new(include_str!("org_time.json"));

/// The embedded table, parsed and checked once (a unit test proves it parses).
pub fn table() -> Result<&'static RestrictionTable, &'static String> {
    TABLE.table()
}

/// The sources of the row with code `code` ("year_status", or a refusal's code).
pub fn cite(code: &str) -> String {
    TABLE.cite(code)
}

/// The sources of `rule`, as a refusal cites them.
pub fn citation(rule: Rule) -> String {
    cite(rule.code())
}
