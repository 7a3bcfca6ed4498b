//! Server-side SVG charts: bars per period (a month, a year), one bar per stack of series (say
//! income beside spending stacked by category), on a time axis with every period and a value
//! axis with its unit (see [`axis`]). No script: the SVG carries a title and a description, and
//! the same figures stand beside it (below it on a phone) as a table, so every value reads
//! without hovering and the chart is never the only copy. A period still under way is drawn
//! faint and dashed and named as such; where spending passed income, a sentence says where the
//! money came from.

pub mod axis;

use maud::{Markup, html};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;

use super::format;
use super::i18n::Lang;
use axis::{Periods, Step};

/// Bar colours, dark enough for 3:1 against white; series are also named in the legend, whose
/// swatches are classes `s0`..`s3` in site.css (the CSP forbids inline styles).
const COLOURS: [&str; 4] = ["#1f5fa8", "#b3541e", "#2e7d32", "#6a3d9a"];
/// The drawing's own units. Narrow, so that on a 390 px phone the text is drawn near its size
/// (12 units come out at 11 px); wider screens show it larger, beside its table.
const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 250.0;
const FONT: f64 = 12.0;
/// Room above the plot for the unit's name, and below it for one or two rows of labels.
const TOP: f64 = 26.0;
const ROW: f64 = 16.0;
const RIGHT: f64 = 4.0;
/// Rows a chart's table shows before it scrolls in its own box.
const TABLE_ROWS_SHOWN: usize = 12;

/// One series: its name, a value per period, and the stack it is drawn in (series of one stack
/// are piled into one bar).
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Decimal>,
    pub stack: usize,
}

/// A chart's data: `series[s].values[i]` is series `s` in period `i` of `periods`.
pub struct Bars<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub lang: Lang,
    pub periods: Periods,
    pub series: Vec<Series<'a>>,
    pub currency: &'a str,
    /// The day the figures run to: the period holding it is still under way.
    pub today: Option<Date>,
    /// Periods where spending passed income are marked and explained: the income stack, the
    /// spending stack, and the sentence saying where the money came from, said after the list of
    /// periods ("2024: spending exceeded that year's income; ...").
    pub over: Option<(usize, usize, &'a str)>,
}

impl Bars<'_> {
    fn stack_total(&self, stack: usize, i: usize) -> Decimal {
        self.series
            .iter()
            .filter(|s| s.stack == stack)
            .filter_map(|s| s.values.get(i))
            .sum()
    }

    /// Periods where spending passed income.
    fn overspent(&self) -> Vec<usize> {
        let Some((income, spending, _)) = self.over else {
            return Vec::new();
        };
        (0..self.periods.len)
            .filter(|i| self.stack_total(spending, *i) > self.stack_total(income, *i))
            .collect()
    }

    fn stacks(&self) -> Vec<usize> {
        let mut s: Vec<usize> = self.series.iter().map(|s| s.stack).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    fn partial(&self) -> Option<usize> {
        self.today.and_then(|d| self.periods.slot_of(d))
    }
}

/// One bar, or one series' part of a stacked bar.
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    colour: &'static str,
    /// In the period under way.
    faint: bool,
    /// What a pointer over it shows (the table says it for everyone).
    title: String,
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.t(zh, en)
}

/// The chart, its notes and its table.
pub fn bars(b: &Bars) -> Markup {
    let lang = b.lang;
    let n = b.periods.len;
    let stacks = b.stacks();
    let max = (0..n)
        .flat_map(|i| stacks.iter().map(move |s| (i, *s)))
        .map(|(i, s)| b.stack_total(s, i))
        .fold(Decimal::ZERO, Decimal::max);
    let scale = axis::scale(max, b.currency, lang);
    let left = (0..=scale.count)
        .map(|i| axis::text_width(&scale.label(i), FONT))
        .fold(0.0, f64::max)
        + 8.0;
    let plot_w = WIDTH - left - RIGHT;
    let slot = plot_w / n.max(1) as f64;
    let ticks = axis::ticks(&b.periods, lang, slot, FONT);
    let rows = if ticks.iter().any(|t| t.row == 1) {
        2.0
    } else {
        1.0
    };
    let bottom = HEIGHT - 6.0 - rows * ROW;
    let plot_h = bottom - TOP;
    let top = scale.top().to_f64().unwrap_or(1.0).max(f64::MIN_POSITIVE);
    let y = |v: Decimal| bottom - (v.to_f64().unwrap_or(0.0).max(0.0) / top) * plot_h;
    let partial = b.partial();
    let over = b.overspent();
    let placed = axis::place(ticks, left, slot, WIDTH, FONT);
    let group = slot * if slot >= 4.0 { 0.8 } else { 1.0 };
    let bar_w = group / stacks.len().max(1) as f64;
    let mut rects: Vec<Vec<Rect>> = Vec::with_capacity(n);
    for i in 0..n {
        rects.push(Vec::new());
        let x0 = left + i as f64 * slot + (slot - group) / 2.0;
        for (k, stack) in stacks.iter().enumerate() {
            let mut base = Decimal::ZERO;
            for (s, series) in b
                .series
                .iter()
                .enumerate()
                .filter(|(_, s)| s.stack == *stack)
            {
                let v = series.values.get(i).copied().unwrap_or_default();
                if v <= Decimal::ZERO {
                    continue;
                }
                let (y1, y0) = (y(base + v), y(base));
                base += v;
                rects[i].push(Rect {
                    x: x0 + k as f64 * bar_w,
                    y: y1,
                    w: bar_w * 0.9,
                    h: y0 - y1,
                    colour: COLOURS[s % COLOURS.len()],
                    faint: Some(i) == partial,
                    title: format!(
                        "{} {}: {}",
                        b.periods.name(i, lang),
                        series.name,
                        format::money(v, b.currency)
                    ),
                });
            }
        }
    }
    let shown = (0..n).filter(|i| listed(b, *i)).count();
    let title_id = format!("{}-t", b.id);
    let desc_id = format!("{}-d", b.id);
    let mark = |i: usize| -> &'static str {
        if Some(i) == partial {
            " *"
        } else if over.contains(&i) {
            " †"
        } else {
            ""
        }
    };
    html! {
        figure class=(if b.series.len() <= 2 { "chart beside" } else { "chart" }) id=(b.id) {
            div.chart-plot {
                svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-labelledby=(format!("{title_id} {desc_id}")) preserveAspectRatio="xMidYMid meet" {
                    title id=(title_id) { (b.title) }
                    desc id=(desc_id) { (t(lang, "各期数值见图旁的表格。", "Every value is in the table beside the chart.")) }
                    text.unit x="0" y="12" font-size=(FONT) { (scale.unit_name) }
                    @for i in 0..=scale.count {
                        @let v = scale.step * Decimal::from(i) * scale.unit;
                        @let yy = y(v);
                        line x1=(fmt(left)) y1=(fmt(yy)) x2=(fmt(WIDTH - RIGHT)) y2=(fmt(yy)) stroke=(if i == 0 { "#555" } else { "#ddd" }) {}
                        text.value x=(fmt(left - 4.0)) y=(fmt(yy + FONT * 0.35)) text-anchor="end" font-size=(FONT) { (scale.label(i)) }
                    }
                    // A group per period, empty ones too: every period is on the axis.
                    @for (i, period) in rects.iter().enumerate() {
                        g.period data-period=(b.periods.key(i)) {
                        @for r in period {
                        @if r.faint {
                            rect x=(fmt(r.x)) y=(fmt(r.y)) width=(fmt(r.w)) height=(fmt(r.h))
                                fill=(r.colour) fill-opacity="0.4" stroke=(r.colour) stroke-dasharray="3 2" stroke-width="1" {
                                title { (r.title) }
                            }
                        } @else {
                            rect x=(fmt(r.x)) y=(fmt(r.y)) width=(fmt(r.w)) height=(fmt(r.h)) fill=(r.colour) {
                                title { (r.title) }
                            }
                        }
                        }
                        }
                    }
                    @for p in &placed {
                        text.tick x=(fmt(p.x)) y=(fmt(bottom + ROW * (f64::from(p.tick.row) + 1.0) - 3.0)) text-anchor="middle" font-size=(FONT) {
                            (p.tick.text) @if Some(p.tick.slot) == partial { "*" }
                        }
                    }
                }
                ul.legend {
                    @for (s, series) in b.series.iter().enumerate() {
                        li { span class=(format!("swatch s{}", s % COLOURS.len())) {} (series.name) }
                    }
                }
                @if let (Some(i), Some(day)) = (partial, b.today) {
                    p.chart-note.partial {
                        "* " (b.periods.name(i, lang))
                        (t(lang, "尚未结束：数字截至", " is not over: figures to "))
                        (lang.date(day)) (t(lang, "。", "."))
                    }
                }
                @if !over.is_empty() {
                    p.chart-note.over {
                        "† " (over_note(b, &over))
                    }
                }
            }
            div class=(if shown > TABLE_ROWS_SHOWN { "table-wrap chart-table long" } else { "table-wrap chart-table" }) tabindex="0" {
                table {
                    caption {
                        (b.title)
                        @if shown < n {
                            br; span.muted { (match b.periods.step {
                                Step::Month => t(lang, "（没有资金进出的月份不列出）", "(months with no money in or out are left out)"),
                                Step::Year => t(lang, "（没有资金进出的年度不列出）", "(years with no money in or out are left out)"),
                            }) }
                        }
                    }
                    thead { tr {
                        th scope="col" { (t(lang, "时期", "Period")) }
                        @for s in &b.series { th.num scope="col" { (s.name) } }
                    } }
                    tbody {
                        @for i in (0..n).filter(|i| listed(b, *i)) {
                            tr {
                                th scope="row" { (b.periods.name(i, lang)) (mark(i)) }
                                @for s in &b.series {
                                    td.num { (format::money(s.values.get(i).copied().unwrap_or_default(), b.currency)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Whether the table lists period `i`: all of a short table; of a long one, the periods with any
/// money (the chart shows the empty ones as empty), and the one under way.
fn listed(b: &Bars, i: usize) -> bool {
    b.periods.len <= TABLE_ROWS_SHOWN
        || Some(i) == b.partial()
        || b.series
            .iter()
            .any(|s| s.values.get(i).is_some_and(|v| !v.is_zero()))
}

/// The periods where spending passed income, then the caller's reason.
fn over_note(b: &Bars, over: &[usize]) -> String {
    let lang = b.lang;
    let names: Vec<String> = over.iter().map(|i| b.periods.name(*i, lang)).collect();
    let listed = if names.len() <= 4 {
        names.join(t(lang, "、", ", "))
    } else {
        let unit = match (lang, b.periods.step) {
            (Lang::Zh, Step::Month) => "个月",
            (Lang::Zh, Step::Year) => "个年度",
            (Lang::En, Step::Month) => " months",
            (Lang::En, Step::Year) => " years",
        };
        format!(
            "{}{unit}{}",
            names.len(),
            t(lang, "（表中标 †）", " (marked † in the table)")
        )
    };
    let why = b.over.map_or("", |o| o.2);
    format!("{listed}{}{why}", t(lang, "：", ": "))
}

fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use time::macros::date;

    fn chart(lang: Lang, today: Option<Date>) -> String {
        bars(&Bars {
            id: "c",
            title: "T",
            lang,
            periods: Periods::span(Step::Year, 2023, 2026),
            series: vec![
                Series {
                    name: "In",
                    values: vec![dec!(100), dec!(50), dec!(0), dec!(10)],
                    stack: 0,
                },
                Series {
                    name: "Out",
                    values: vec![dec!(40), dec!(60), dec!(0), dec!(5)],
                    stack: 1,
                },
                Series {
                    name: "Admin",
                    values: vec![dec!(10), dec!(10), dec!(0), dec!(0)],
                    stack: 1,
                },
            ],
            currency: "CNY",
            today,
            over: Some((0, 1, "spending exceeded that year's income.")),
        })
        .into_string()
    }

    #[test]
    fn spending_over_income_and_the_year_under_way_are_marked_and_said() {
        let html = chart(Lang::En, Some(date!(2026 - 05 - 31)));
        // 2024: 60 + 10 out against 50 in; 2023 (50 < 100) and 2025 (nothing) are not.
        assert!(html.contains("<th scope=\"row\">2024 †</th>"), "{html}");
        assert!(html.contains("<th scope=\"row\">2023</th>"), "{html}");
        assert!(
            html.contains("† 2024: spending exceeded that year's income."),
            "{html}"
        );
        assert!(html.contains("<th scope=\"row\">2026 *</th>"), "{html}");
        assert!(
            html.contains("2026 is not over: figures to 31 May 2026."),
            "{html}"
        );
        assert!(
            html.contains("fill-opacity=\"0.4\""),
            "the year under way is drawn faint"
        );
        // The value axis, in ¥: the tallest bar is 2023's income, 100; a quarter of it is 25,
        // a round step already: 0, 25, 50, 75, 100.
        assert!(html.contains(">¥</text>"), "{html}");
        assert!(
            html.contains(">75</text>") && html.contains(">100</text>"),
            "{html}"
        );
        assert!(!html.contains(">125</text>"), "{html}");
        // Every value in the table, zero periods included.
        assert!(html.contains("<td class=\"num\">¥0.00</td>"));
        let zh = chart(Lang::Zh, Some(date!(2027 - 01 - 01)));
        assert!(zh.contains("† 2024年："), "{zh}");
        assert!(!zh.contains("尚未结束"), "2026 is over by 2027: {zh}");
        assert!(!chart(Lang::Zh, None).contains("尚未结束"));
    }
}
