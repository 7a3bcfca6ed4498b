//! `report compliance`'s lines for organisations over time (issue 14): the public-fundraising
//! status a year was judged with, and the ledger's and the audited figures the test read, side
//! by side, with every difference flagged.

use crate::money::regulator::sides::{AmountItem, Side};
use crate::money::views::rows::ComplianceRow;

/// The lines that follow a `compliance/` row's figures.
pub fn lines(row: &ComplianceRow) -> String {
    let mut out = format!(
        "    judged with public-fundraising status: {} (in force on 31 December)\n",
        if row.public_fundraising {
            "yes (有公开募捐资格)"
        } else {
            "no (无公开募捐资格)"
        }
    );
    // The items by their names, as the report has always listed them (the order of the stored
    // row's members).
    let mut items = AmountItem::ALL;
    items.sort_by_key(|i| i.as_str());
    for y in &row.sides {
        let used = match (y.used, y.report_seq) {
            (Side::Audited, Some(seq)) => format!("audited, report entry {seq}"),
            (Side::Audited, None) => "audited, report entry -".to_owned(),
            (Side::Ledger, _) => "ledger".to_owned(),
        };
        out.push_str(&format!("    figures of {} (used: {used})\n", y.year));
        let Some(audited) = &y.audited else {
            continue;
        };
        for item in items {
            let differs = y.differences.iter().find(|d| d.item == item);
            out.push_str(&format!(
                "        {:<20} ledger {:>16}  audited {:>16}{}\n",
                item.as_str(),
                item.of(&y.ledger).to_string(),
                item.of(audited).to_string(),
                match differs {
                    Some(d) => format!("  DIFFERS by {} (审计数与账本数不一致)", d.difference),
                    None => String::new(),
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One side's figures: `revenue` and `donations` as given, the rest at 1.00.
    fn amounts(revenue: &str, donations: &str) -> serde_json::Value {
        serde_json::json!({"revenue": revenue, "donations": donations,
            "charitable_spending": "1.00", "admin_costs": "1.00", "total_spending": "1.00",
            "net_assets_year_end": "1.00"})
    }

    #[test]
    fn both_sides_are_printed_and_a_difference_is_flagged() {
        let row: ComplianceRow = serde_json::from_value(serde_json::json!({
            "org": "51330100MJ00010182", "year": 2025, "currency": "CNY",
            "public_fundraising": true, "figures": [], "sides": [
            {"year": 2024, "used": "audited", "report_seq": 12,
             "ledger": amounts("1000000.00", "1000000.00"),
             "audited": amounts("1200000.00", "1000000.00"),
             "differences": [{"item": "revenue", "label_zh": "收入合计",
                 "label_en": "Total revenue", "ledger": "1000000.00",
                 "audited": "1200000.00", "difference": "200000.00"}]},
            {"year": 2025, "used": "ledger", "ledger": amounts("5.00", "5.00"),
             "differences": []}]}))
        .expect("a whole compliance row");
        let out = lines(&row);
        assert!(out.contains("status: yes"), "{out}");
        assert!(
            out.contains("figures of 2024 (used: audited, report entry 12)"),
            "{out}"
        );
        let revenue = out
            .lines()
            .find(|l| l.contains("revenue"))
            .unwrap_or_default();
        assert!(revenue.contains("1200000.00") && revenue.contains("DIFFERS by 200000.00"));
        let donations = out
            .lines()
            .find(|l| l.contains("donations"))
            .unwrap_or_default();
        assert!(!donations.contains("DIFFERS"), "{out}");
        assert!(out.contains("figures of 2025 (used: ledger)"), "{out}");
    }
}
