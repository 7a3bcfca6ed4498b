//! Server-side SVG charts: grouped bars, one group per label (a year, a month), one bar per
//! series. No script: the SVG carries a `<title>` and `aria-labelledby`, and the same figures
//! follow as a table for screen readers and print, so the chart is never the only copy.

use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::format;

/// Bar colours, dark enough for 3:1 against white; series are also named in the legend, whose
/// swatches are classes `s0`..`s3` in site.css (the CSP forbids inline styles).
const COLOURS: [&str; 4] = ["#1f5fa8", "#b3541e", "#2e7d32", "#6a3d9a"];
const WIDTH_PX: f64 = 640.0;
const HEIGHT_PX: f64 = 220.0;
const LEFT_PX: f64 = 8.0;
const BOTTOM_PX: f64 = 24.0;

/// A chart's data: `values[s][i]` is series `s` at `labels[i]`.
pub struct Bars<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub labels: Vec<String>,
    pub series: Vec<(&'a str, Vec<Decimal>)>,
    pub currency: &'a str,
}

/// The chart and its data table.
pub fn bars(b: &Bars) -> Markup {
    let max = b
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(Decimal::ZERO, Decimal::max);
    let groups = b.labels.len().max(1) as f64;
    let group_w = (WIDTH_PX - LEFT_PX) / groups;
    let bar_w = (group_w * 0.8) / b.series.len().max(1) as f64;
    let plot_h = HEIGHT_PX - BOTTOM_PX;
    let scale = |v: Decimal| -> f64 {
        if max.is_zero() {
            0.0
        } else {
            (v / max).to_f64().unwrap_or(0.0).max(0.0) * (plot_h - 4.0)
        }
    };
    let title_id = format!("{}-t", b.id);
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH_PX} {HEIGHT_PX}")) role="img" aria-labelledby=(title_id) preserveAspectRatio="xMidYMid meet" {
                title id=(title_id) { (b.title) }
                line x1=(LEFT_PX) y1=(plot_h) x2=(WIDTH_PX) y2=(plot_h) stroke="#555" {}
                @for (i, label) in b.labels.iter().enumerate() {
                    @let x0 = LEFT_PX + i as f64 * group_w + group_w * 0.1;
                    @for (s, (name, values)) in b.series.iter().enumerate() {
                        @let v = values.get(i).copied().unwrap_or_default();
                        @let h = scale(v);
                        rect x=(fmt(x0 + s as f64 * bar_w)) y=(fmt(plot_h - h)) width=(fmt(bar_w * 0.9)) height=(fmt(h)) fill=(COLOURS[s % COLOURS.len()]) {
                            title { (label) " " (name) ": " (format::money(v, b.currency)) }
                        }
                    }
                    text x=(fmt(x0 + group_w * 0.4)) y=(fmt(HEIGHT_PX - 8.0)) text-anchor="middle" font-size="16" { (label) }
                }
            }
            figcaption {
                ul.legend {
                    @for (s, (name, _)) in b.series.iter().enumerate() {
                        li { span class=(format!("swatch s{}", s % COLOURS.len())) {} (name) }
                    }
                }
            }
            div.table-wrap {
                table {
                    caption { (b.title) }
                    thead { tr { th scope="col" { "" } @for (name, _) in &b.series { th.num scope="col" { (name) } } } }
                    tbody {
                        @for (i, label) in b.labels.iter().enumerate() {
                            tr {
                                th scope="row" { (label) }
                                @for (_, values) in &b.series {
                                    td.num { (format::money(values.get(i).copied().unwrap_or_default(), b.currency)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}
