//! One regulator figure on the organisation page: its headline row, then a row for every base
//! the rule allows (prior year, three-year average), each with its own label, value and verdict,
//! and the base that decided marked. A reader sees the prior-year figure that failed next to
//! the average that passed, and a year in progress says so instead of failing (issue 14).

use maud::{Markup, html};

use super::org::{comparison, ratio, status};
use crate::money::compliance::Figure;
use crate::site::format;
use crate::site::layout::Ctx;

/// The figure's label in the page's language (the row carries both, in the rule's wording).
pub fn label<'a>(c: &Ctx, f: &'a Figure) -> &'a str {
    c.lang.pick(&f.label_zh, &f.label_en)
}

/// The rows of figure `f` of a `compliance/` view row.
pub fn figure_rows(c: &Ctx, f: &Figure, currency: &str) -> Markup {
    // A ratio or threshold the figure has none of (no base, no band) is an empty cell.
    let shown = |v: Option<rust_decimal::Decimal>| v.map(ratio).unwrap_or_default();
    html! {
        tr {
            td { (label(c, f)) }
            td.num { (shown(f.value)) }
            td.num { (comparison(f.comparison)) " " (shown(f.threshold)) }
            td {
                (status(c, f.status))
                @if f.explained { " " (c.t("（已说明）", "(explained)")) }
            }
        }
        @for b in &f.bases {
            tr.basis {
                // The base under the label: a phone keeps the four columns readable.
                td { "└ " (c.lang.pick(&b.label_zh, &b.label_en))
                    @if f.decided_by == Some(b.basis) {
                        " " strong { (c.t("（据此判定）", "(decides)")) }
                    }
                    @if let Some(base) = b.base {
                        br; small.muted { (c.t("基数 ", "base ")) (format::money(base, currency)) }
                    }
                }
                td.num { (shown(b.value)) }
                td {}
                td { (status(c, b.status)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::i18n::Lang;

    fn figure(status: &str, decided: Option<&str>, bases: [&str; 2]) -> Figure {
        serde_json::from_value(serde_json::json!({
            "id": "charitable_spending_vs_prior_revenue",
            "label_zh": "年度慈善活动支出比例（收入基数）",
            "label_en": "Charitable spending ratio (revenue base)",
            "value": "0.7000", "threshold": "0.70", "comparison": "at_least",
            "basis": decided.unwrap_or("prior_year"), "decided_by": decided,
            "status": status, "explained": false,
            "bases": [
                {"basis": "prior_year", "label_zh": "占上年总收入比例",
                 "label_en": "of prior-year total revenue", "base": "2000000.00",
                 "value": "0.3500", "status": bases[0]},
                {"basis": "three_year_average", "label_zh": "占前三年收入平均数比例",
                 "label_en": "of the prior three years' average revenue", "base": "1000000.00",
                 "value": "0.7000", "status": bases[1]}
            ],
            "source": "2016 rule Art. 7"
        }))
        .expect("a whole ratio figure")
    }

    #[test]
    fn every_basis_is_a_row_and_the_deciding_one_is_marked() {
        let c = Ctx::new(Lang::Zh, "orgs/x.html");
        let html = figure_rows(
            &c,
            &figure("pass", Some("three_year_average"), ["fail", "pass"]),
            "CNY",
        )
        .into_string();
        // The failing prior-year basis is shown, then the average that passed and decided.
        let prior = html.find("占上年总收入比例").expect("prior-year row");
        let avg = html.find("占前三年收入平均数比例").expect("average row");
        assert!(prior < avg);
        assert_eq!(html.matches("（据此判定）").count(), 1);
        assert!(html[avg..].contains("（据此判定）"));
        assert!(html[prior..avg].contains("35.00%") && html[prior..avg].contains("未达标"));
        assert!(html.contains("基数 ¥2,000,000.00"), "{html}");
    }

    #[test]
    fn a_year_in_progress_never_reads_as_failed() {
        let c = Ctx::new(Lang::Zh, "orgs/x.html");
        let html = figure_rows(
            &c,
            &figure("in_progress", None, ["in_progress", "in_progress"]),
            "CNY",
        )
        .into_string();
        assert_eq!(html.matches("进行中").count(), 3, "{html}");
        assert!(
            !html.contains("未达标") && !html.contains("据此判定"),
            "{html}"
        );
        let en = Ctx::new(Lang::En, "orgs/x.html");
        let html = figure_rows(
            &en,
            &figure("in_progress", None, ["in_progress", "in_progress"]),
            "CNY",
        )
        .into_string();
        assert!(
            html.contains("In progress") && !html.contains("Fail"),
            "{html}"
        );
    }
}
