//! The net-assets cell of a year's figures. The `figures/` row of the year in progress holds the
//! running sum so far, which under "net assets at year end" read as the year's closing figure
//! (a foundation at ¥174,129.73 on 31 December 2025 showed "¥0.00" for 2026 in November 2026):
//! for that year the cell says what the figure is, the net assets so far, to the day the
//! figures run to, and that the year is not over.

use maud::{Markup, html};

use crate::money::types::Money;
use crate::site::format;
use crate::site::layout::Ctx;
use crate::site::snapshot::Snapshot;
use crate::site::supervision;

/// The cell for the net assets at the end of `year` (a `figures/` row's
/// `net_assets_year_end`) in currency `cur`.
pub fn cell(c: &Ctx, snap: &Snapshot, year: i32, net_assets: Money, cur: &str) -> Markup {
    let amount = format::money(net_assets.0, cur);
    let to = supervision::ratios_read_on(snap).filter(|d| year >= d.year());
    match to {
        None => html! { td.num { (amount) } },
        Some(day) => {
            let day = c.lang.date(day);
            html! {
                td.num.in-progress {
                    (c.t("截至目前 ", "so far ")) (amount)
                    br;
                    span.muted { (c.t("年度未结束，数据截至 ", "year in progress; figures to ")) (day) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::site::i18n::Lang;
    use crate::site::snapshot::EntryMeta;

    /// A snapshot whose newest entry was recorded on 2026-11-01 (China), so 2026 is in progress.
    fn snapshot() -> Snapshot {
        let recorded_at = 1_793_491_200; // 2026-11-01T00:00:00Z
        let e = EntryMeta {
            seq: 9,
            leaf_hash: crate::ledger::Hash::default(),
            author: "operator".into(),
            kind: "genesis",
            recorded_at,
            body: None,
        };
        Snapshot {
            entries: Arc::new(BTreeMap::from([(9, e)])),
            ..Snapshot::default()
        }
    }

    #[test]
    fn a_finished_year_shows_its_year_end_figure_and_the_year_in_progress_says_so_far() {
        let snap = snapshot();
        let c = Ctx::new(Lang::Zh, "orgs/x.html");
        let html = cell(&c, &snap, 2025, Money("174129.73".parse().unwrap()), "CNY").into_string();
        assert_eq!(html, r#"<td class="num">¥174,129.73</td>"#);
        let running = (2026, Money::ZERO);
        let html = cell(&c, &snap, running.0, running.1, "CNY").into_string();
        assert!(html.contains("截至目前 ¥0.00"), "{html}");
        assert!(
            html.contains("年度未结束") && html.contains("2026"),
            "{html}"
        );
        let c = Ctx::new(Lang::En, "orgs/x.html");
        let html = cell(&c, &snap, running.0, running.1, "CNY").into_string();
        assert!(
            html.contains("so far ¥0.00") && html.contains("year in progress"),
            "{html}"
        );
        // Without entries (a snapshot built by hand) no year is in progress.
        let html = cell(&c, &Snapshot::default(), running.0, running.1, "CNY").into_string();
        assert_eq!(html, r#"<td class="num">¥0.00</td>"#);
    }
}
