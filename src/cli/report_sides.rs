//! `report compliance`'s lines for organisations over time (issue 14): the public-fundraising
//! status a year was judged with, and the ledger's and the audited figures the test read, side
//! by side, with every difference flagged.

use serde_json::Value;

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// The lines that follow a `compliance/` row's figures.
pub fn lines(row: &Value) -> String {
    let mut out = format!(
        "    judged with public-fundraising status: {} (in force on 31 December)\n",
        if row["public_fundraising"] == Value::Bool(true) {
            "yes (有公开募捐资格)"
        } else {
            "no (无公开募捐资格)"
        }
    );
    for y in row["sides"].as_array().into_iter().flatten() {
        let used = match y["used"].as_str() {
            Some("audited") => format!("audited, report entry {}", text(&y["report_seq"])),
            _ => "ledger".to_owned(),
        };
        out.push_str(&format!(
            "    figures of {} (used: {used})\n",
            text(&y["year"])
        ));
        let Some(audited) = y["audited"].as_object() else {
            continue;
        };
        for (item, ledger) in y["ledger"].as_object().into_iter().flatten() {
            let differs = y["differences"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|d| d["item"].as_str() == Some(item.as_str()));
            out.push_str(&format!(
                "        {:<20} ledger {:>16}  audited {:>16}{}\n",
                item,
                text(ledger),
                audited.get(item).map(text).unwrap_or_default(),
                match differs {
                    Some(d) => format!(
                        "  DIFFERS by {} (审计数与账本数不一致)",
                        text(&d["difference"])
                    ),
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

    #[test]
    fn both_sides_are_printed_and_a_difference_is_flagged() {
        let row = serde_json::json!({"public_fundraising": true, "sides": [
            {"year": 2024, "used": "audited", "report_seq": 12,
             "ledger": {"revenue": "1000000.00", "donations": "1000000.00"},
             "audited": {"revenue": "1200000.00", "donations": "1000000.00"},
             "differences": [{"item": "revenue", "difference": "200000.00"}]},
            {"year": 2025, "used": "ledger", "ledger": {"revenue": "5.00"}, "differences": []}]});
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
