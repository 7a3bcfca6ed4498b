//! Restricted money spent as restricted (issue 14): the rules' citations, and the category rule.
//!
//! Money restricted to a project, whether by its donor, by a grant, or moved in as another
//! project's leftover, all sits in the project's fund, so one rule covers the three: a project
//! fund pays only `programme` disbursements (and grants or leftovers, which stay restricted).
//! Time restrictions are kept by the funds' lots ([`crate::money::books::funds`]). The sources each rule rests
//! on are data (`restrictions.json`), in the shape of the ratio rules' sources, so a
//! refusal names its article and how far that article was checked.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{EmbeddedTable, Source};
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Ident, SpendCategory};

const RULES_JSON: &str = include_str!("restrictions.json");

/// One rule of the table: the refusal code it produces and what it rests on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictionRule {
    pub code: String,
    /// The body field a refusal names.
    pub field: String,
    pub summary_zh: String,
    pub summary_en: String,
    /// Keys into [`RestrictionTable::sources`].
    pub sources: Vec<String>,
    pub note: Option<String>,
}

/// The table as parsed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictionTable {
    pub schema: u32,
    pub sources: BTreeMap<String, Source>,
    pub rules: Vec<RestrictionRule>,
}

impl RestrictionTable {
    /// Parses and checks a table of this shape (the organisations-over-time table has it too).
    pub(crate) fn parse(json: &str) -> Result<Self, String> {
        let t: RestrictionTable = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if t.schema != 1 {
            return Err(format!("unsupported schema {}", t.schema));
        }
        for (id, s) in &t.sources {
            s.check_dates(id)?;
        }
        for r in &t.rules {
            if r.sources.is_empty() {
                return Err(format!("rule `{}` cites nothing", r.code));
            }
            if let Some(missing) = r.sources.iter().find(|s| !t.sources.contains_key(*s)) {
                return Err(format!(
                    "rule `{}` cites unknown source `{missing}`",
                    r.code
                ));
            }
        }
        Ok(t)
    }

    /// The row of a refusal code.
    pub fn rule(&self, code: &str) -> Option<&RestrictionRule> {
        self.rules.iter().find(|r| r.code == code)
    }
}

static TABLE: EmbeddedTable = EmbeddedTable::new(RULES_JSON);

/// The embedded table, parsed and checked once (a unit test proves it parses).
pub fn table() -> Result<&'static RestrictionTable, &'static String> {
    TABLE.table()
}

/// The sources of `rule`, as a refusal cites them.
pub fn citation(rule: Rule) -> String {
    TABLE.cite(rule.code())
}

impl RestrictionTable {
    /// The sources of the rule with refusal code `code`, as a refusal cites them.
    pub(crate) fn citation(&self, code: &str) -> String {
        let t = self;
        t.rule(code)
            .map(|r| {
                r.sources
                    .iter()
                    .filter_map(|s| t.sources.get(s))
                    .map(Source::display)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default()
    }
}

/// Refuses administration and fundraising paid from project `project`'s restricted money.
pub fn check_category(project: &Ident, category: SpendCategory) -> Result<(), MoneyError> {
    if category == SpendCategory::Programme {
        return Ok(());
    }
    Err(MoneyError::refused(
        "body.category",
        Rule::RestrictedToProject,
        format!(
            "project {project}'s money is restricted to its charitable activity; {category} is \
             paid from unrestricted money (leave out `project`) ({})",
            citation(Rule::RestrictedToProject)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_every_restriction_rule_with_its_field() {
        let t = match table() {
            Ok(t) => t,
            Err(e) => panic!("restrictions.json: {e}"),
        };
        for (rule, field) in [
            (Rule::RestrictedToProject, "body.category"),
            (Rule::TimeRestricted, "body.amount"),
        ] {
            let row = t.rule(rule.code());
            assert_eq!(
                row.map(|r| r.field.as_str()),
                Some(field),
                "{}",
                rule.code()
            );
            assert!(!citation(rule).is_empty());
        }
        // Article numbers of the 2023 amendment were not retrieved: the citations say so.
        assert!(citation(Rule::RestrictedToProject).contains("unconfirmed"));
        assert!(citation(Rule::TimeRestricted).contains("第十条第二款"));
    }

    #[test]
    fn a_rule_citing_an_unknown_source_is_rejected() {
        let bad = RULES_JSON.replace("\"charity_law_art57\"]", "\"charity_law_art99\"]");
        assert!(
            RestrictionTable::parse(&bad).is_err_and(|e| e.contains("charity_law_art99")),
            "the edit must hit the table"
        );
    }
}
