//! `report compliance`'s goods lines (issue 14, part 2): each organisation's stock per item,
//! from the `goods/` summary rows — received, given out and in stock by quantity, and by value
//! for valued goods. Goods are their own ledger: the valued ones already count in the ratio
//! figures above (in-kind income when received, charitable spending when given out); these
//! lines say what is left on the shelf, which no ratio shows.

use super::report_trusts::figure;
use crate::money::views::rows::GoodsRow;

/// The lines for the `goods/` rows `rows` (key order: by organisation, then fund and item).
pub fn lines(rows: &[GoodsRow]) -> String {
    let mut out = String::new();
    for r in rows {
        let fund = match &r.stock.project {
            Some(p) => format!("project {p}"),
            None => "unrestricted".to_owned(),
        };
        let unit = &r.unit;
        out.push_str(&format!(
            "{} goods {:<24} {:<20} received {} {unit}  given out {} {unit}  in stock {} {unit}",
            r.stock.org,
            fund,
            r.stock.item.as_str(),
            r.received,
            r.distributed,
            r.in_stock,
        ));
        match r.currency {
            Some(cur) => out.push_str(&format!(
                "  value received {} / given out {} / in stock {} {cur}\n",
                figure(r.value_received),
                figure(r.value_distributed),
                figure(r.value_in_stock),
            )),
            None => out.push_str("  not valued (物资未估值)\n"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORG: &str = "51330100MJ00010182";

    #[test]
    fn a_valued_and_an_unvalued_stock_each_take_one_line() {
        let rows = [
            json!({"org": ORG, "project": "P1", "item": "rice", "unit": "袋", "currency": "CNY",
                   "received": "1500", "distributed": "1100", "in_stock": "400",
                   "value_received": "49333.33", "value_distributed": "36533.33",
                   "value_in_stock": "12800.00", "gifts": 2, "distributions": 2, "lots": []}),
            json!({"org": ORG, "item": "quilts", "unit": "床", "received": "200",
                   "distributed": "150", "in_stock": "50", "gifts": 1, "distributions": 1,
                   "lots": []}),
        ]
        .map(|v| serde_json::from_value::<GoodsRow>(v).expect("a whole goods row"));
        let out = lines(&rows);
        let l: Vec<&str> = out.lines().collect();
        assert_eq!(l.len(), 2, "{out}");
        assert!(
            l[0].contains("project P1") && l[0].contains("in stock 400 袋"),
            "{out}"
        );
        assert!(l[0].ends_with("in stock 12800.00 CNY"), "{out}");
        assert!(
            l[1].contains("unrestricted") && l[1].contains("in stock 50 床"),
            "{out}"
        );
        assert!(l[1].ends_with("not valued (物资未估值)"), "{out}");
    }
}
