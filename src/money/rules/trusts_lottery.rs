//! The sources of the trust and lottery rules of issue 14, as data (`trusts_lottery.json`,
//! in the shape of `restrictions.json`), so a refusal names what it rests on and how far
//! that was checked.

use super::EmbeddedTable;
use super::restrictions::RestrictionTable;

static TABLE: EmbeddedTable = EmbeddedTable::new(include_str!("trusts_lottery.json"));

/// The embedded table, parsed and checked once (a unit test proves it parses).
pub fn table() -> Result<&'static RestrictionTable, &'static String> {
    TABLE.table()
}

/// The sources of rule `code` (a row of the table), as a refusal cites them.
pub fn citation(code: &str) -> String {
    TABLE.cite(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trust_and_lottery_rule_parses_and_cites_a_known_source() {
        let t = match table() {
            Ok(t) => t,
            Err(e) => panic!("trusts_lottery.json: {e}"),
        };
        for (code, field) in [
            ("trust_statement", "body.statement"),
            ("supervisor_opinion", "body.supervisor_opinion"),
            ("trust_terminated", "body.trust_id"),
            ("lottery_raised", "body.raised"),
            ("lottery_executed", "body.executed"),
        ] {
            assert_eq!(
                t.rule(code).map(|r| r.field.as_str()),
                Some(field),
                "{code}"
            );
            assert!(!citation(code).is_empty(), "{code}");
        }
        // The yearly report's rule rests on the primary text; the 2023 number is marked.
        assert!(citation("trust_statement").contains("第四十八条第二款"));
        assert!(citation("trust_statement").contains("未核实"));
        // The Trust Law's article numbers were not retrieved, and the citation says so.
        assert!(citation("supervisor_opinion").contains("[secondary source]"));
        assert!(citation("supervisor_opinion").contains("条款号未核实"));
    }
}
