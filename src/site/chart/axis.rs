//! The two axes of a chart, worked out before anything is drawn, so they can be tested against
//! hand-computed cases without a browser.
//!
//! - Time: every period from the first to the last is a slot of its own, with zero where nothing
//!   happened (a month missing from the axis reads as if time skipped it). Labels are thinned to
//!   every `k`-th period, `k` the smallest calendar step (1, 2, 3, 6 months; 1, 2, 5, 10 years)
//!   at which the widest label fits its share of the axis, so labels never overlap whatever the
//!   screen: the SVG scales as a whole, so what does not overlap in its own units does not
//!   overlap on any screen. Months carry their year on a second row, under each January.
//! - Value: a zero-based axis in round steps (1, 2, 2.5, 5 times a power of ten) and in a unit a
//!   reader counts in: 元, 万元 (from 10,000), 亿元 (from 100 million) on Chinese pages; ¥,
//!   ¥ thousand (from 10,000), ¥ million (from a million) on English ones (English readers count
//!   in thousands and millions, not in ten-thousands).
//!
//! Label widths are estimated from the characters (CJK a full em, digits and Latin letters at
//! DejaVu Sans's widths, the widest common fallback), on the generous side; the browser test
//! measures the real ones.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;

use crate::site::format;
use crate::site::i18n::Lang;

/// How long one slot of the time axis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Month,
    Year,
}

/// A run of consecutive periods: `first` is a year, or a month counted as `year * 12 + month - 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub step: Step,
    pub first: i32,
    pub len: usize,
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month as `year * 12 + month - 1`.
pub fn month(year: i32, month: u8) -> i32 {
    year * 12 + i32::from(month) - 1
}

/// The month of a view's `YYYY-MM-DD` date, or `None` for anything else.
pub fn month_of(date: &str) -> Option<i32> {
    let year = date.get(..4)?.parse().ok()?;
    let m: u8 = date.get(5..7)?.parse().ok()?;
    ((1..=12).contains(&m) && date.as_bytes().get(4) == Some(&b'-')).then(|| month(year, m))
}

/// The year of a view's `YYYY-MM-DD` date.
pub fn year_of(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

/// `amounts` summed into one slot per period from `first` to `last` (both included): a period
/// with nothing is zero; an amount outside the range is left out.
pub fn dense(
    first: i32,
    last: i32,
    amounts: impl IntoIterator<Item = (i32, Decimal)>,
) -> Vec<Decimal> {
    let len = usize::try_from(last - first + 1).unwrap_or(0);
    let mut out = vec![Decimal::ZERO; len];
    for (at, amount) in amounts {
        if let Some(slot) = usize::try_from(at - first)
            .ok()
            .and_then(|i| out.get_mut(i))
        {
            *slot += amount;
        }
    }
    out
}

impl Periods {
    /// Every period from `first` to `last`; empty when `last` is before `first`.
    pub fn span(step: Step, first: i32, last: i32) -> Periods {
        let len = usize::try_from(last - first + 1).unwrap_or(0);
        Periods { step, first, len }
    }

    /// The period of slot `i` (a year, or `year * 12 + month - 1`).
    pub fn at(&self, i: usize) -> i32 {
        self.first + i32::try_from(i).unwrap_or(i32::MAX - self.first)
    }

    /// (year, month 1..=12) of slot `i`; the month is 1 on a yearly axis.
    fn year_month(&self, i: usize) -> (i32, u8) {
        let p = self.at(i);
        match self.step {
            Step::Year => (p, 1),
            Step::Month => (p.div_euclid(12), (p.rem_euclid(12) + 1) as u8),
        }
    }

    /// The slot holding `day`, if the range does.
    pub fn slot_of(&self, day: Date) -> Option<usize> {
        let p = match self.step {
            Step::Year => day.year(),
            Step::Month => month(day.year(), u8::from(day.month())),
        };
        usize::try_from(p - self.first)
            .ok()
            .filter(|i| *i < self.len)
    }

    /// Slot `i` as data: "2024-03", "2024".
    pub fn key(&self, i: usize) -> String {
        let (y, m) = self.year_month(i);
        match self.step {
            Step::Year => format!("{y}"),
            Step::Month => format!("{y}-{m:02}"),
        }
    }

    /// Slot `i` named in full, as a table row says it: "2024年3月", "Mar 2024", "2024年", "2024".
    pub fn name(&self, i: usize, lang: Lang) -> String {
        let (y, m) = self.year_month(i);
        match (self.step, lang) {
            (Step::Year, _) => lang.year(i64::from(y)),
            (Step::Month, Lang::Zh) => format!("{y}年{m}月"),
            (Step::Month, Lang::En) => format!("{} {y}", MONTHS_EN[usize::from(m) - 1]),
        }
    }
}

/// Roughly how wide `text` is at font size `font`: a CJK character is a full em; the rest at
/// DejaVu Sans's advance widths, rounded up.
pub fn text_width(text: &str, font: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| match c {
            c if u32::from(c) >= 0x2E80 => 1.0,
            '0'..='9' | '¥' => 0.64,
            'M' | 'W' | 'm' | 'w' => 0.9,
            'A'..='Z' => 0.76,
            'a'..='z' => 0.62,
            ' ' | ',' | '.' | ':' | '\'' => 0.34,
            _ => 0.7,
        })
        .sum();
    ems * font
}

/// The space left between two labels of a row, in ems.
const GAP_EM: f64 = 0.5;

/// One label of the time axis: the slot it names, its text, and its row (0: months, or years on
/// a yearly axis or a long monthly one; 1: the years under the months).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub slot: usize,
    pub text: String,
    pub row: u8,
    /// The first slot's year, named though off the step: it yields to the regular labels.
    pub lead: bool,
}

/// Steps a monthly axis may label at (each divides a year, so labels fall on the same months
/// every year), then steps in whole years; a yearly axis's steps.
const MONTH_STEPS: [i32; 4] = [1, 2, 3, 6];
const YEAR_STEPS: [i32; 8] = [1, 2, 5, 10, 20, 50, 100, 200];

fn month_text(m: u8, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{m}月"),
        Lang::En => MONTHS_EN[usize::from(m) - 1].to_owned(),
    }
}

fn year_text(y: i32, lang: Lang) -> String {
    lang.year(i64::from(y))
}

/// The smallest of `steps` (in slots) at which labels as wide as `widest` keep a gap between
/// them on slots `slot_w` wide, or the largest step.
fn smallest_step(steps: &[i32], slot_w: f64, widest: f64, font: f64) -> i32 {
    let need = widest + GAP_EM * font;
    steps
        .iter()
        .copied()
        .find(|k| f64::from(*k) * slot_w >= need)
        .unwrap_or(steps[steps.len() - 1])
}

/// The labels of a time axis of slots `slot_w` wide, thinned to a calendar step, before they are
/// placed (see [`place`]).
pub fn ticks(p: &Periods, lang: Lang, slot_w: f64, font: f64) -> Vec<Tick> {
    let widest_year = text_width(&year_text(2000, lang), font);
    let year_labels = |every: i32, row: u8| -> Vec<Tick> {
        (0..p.len)
            .filter_map(|i| {
                let (y, m) = p.year_month(i);
                // The first slot names its year even off the step; `place` drops it if it
                // would crowd the next one.
                let on_step = m == 1 && y.rem_euclid(every) == 0;
                (on_step || i == 0).then(|| Tick {
                    slot: i,
                    text: year_text(y, lang),
                    row,
                    lead: !on_step,
                })
            })
            .collect()
    };
    match p.step {
        Step::Year => {
            let every = smallest_step(&YEAR_STEPS, slot_w, widest_year, font);
            year_labels(every, 0)
        }
        Step::Month => {
            let widest_month = (1..=12)
                .map(|m| text_width(&month_text(m, lang), font))
                .fold(0.0, f64::max);
            let every = smallest_step(&MONTH_STEPS, slot_w, widest_month, font);
            if f64::from(every) * slot_w < widest_month + GAP_EM * font {
                // Even every six months is too tight: years only, each January (or every
                // few years), at twelve slots a year.
                let years = smallest_step(&YEAR_STEPS, slot_w * 12.0, widest_year, font);
                return year_labels(years, 0);
            }
            let months = (0..p.len).filter_map(|i| {
                let (_, m) = p.year_month(i);
                (i32::from(m - 1) % every == 0).then(|| Tick {
                    slot: i,
                    text: month_text(m, lang),
                    row: 0,
                    lead: false,
                })
            });
            months.chain(year_labels(1, 1)).collect()
        }
    }
}

/// A label placed: its centre and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub x: f64,
    pub tick: Tick,
}

/// Centres each tick under its slot (slot `i` spans `left + i * slot_w` to `left + (i + 1) *
/// slot_w`), moved inward where it would run past `0` or `width`, and drops a tick that would
/// then come closer than the gap to the one before it on its row. A lead tick is placed last,
/// only where it keeps the gap to the first regular tick of its row.
pub fn place(ticks: Vec<Tick>, left: f64, slot_w: f64, width: f64, font: f64) -> Vec<Placed> {
    let gap = GAP_EM * font;
    let at = |t: &Tick| {
        let half = text_width(&t.text, font) / 2.0;
        let centre = left + (t.slot as f64 + 0.5) * slot_w;
        (centre.max(half).min(width - half), half)
    };
    let (leads, mut regular): (Vec<Tick>, Vec<Tick>) = ticks.into_iter().partition(|t| t.lead);
    regular.sort_by_key(|t| (t.row, t.slot));
    let mut last_right = [f64::NEG_INFINITY; 2];
    let mut out: Vec<Placed> = Vec::with_capacity(regular.len() + leads.len());
    for t in regular {
        let (x, half) = at(&t);
        let row = usize::from(t.row.min(1));
        if x - half >= last_right[row] + gap {
            last_right[row] = x + half;
            out.push(Placed { x, tick: t });
        }
    }
    for t in leads {
        let (x, half) = at(&t);
        let next = out
            .iter()
            .filter(|p| p.tick.row == t.row)
            .map(|p| p.x - text_width(&p.tick.text, font) / 2.0)
            .fold(f64::INFINITY, f64::min);
        if x + half + gap <= next {
            out.push(Placed { x, tick: t });
        }
    }
    out.sort_by(|a, b| {
        (a.tick.row, a.x)
            .partial_cmp(&(b.tick.row, b.x))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    out
}

/// The value axis: ticks at `0, step, 2 step, ... count * step` in `unit`s.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// How many currency units one axis unit is (1, 10,000, ...).
    pub unit: Decimal,
    /// The unit's name for the axis title: "万元", "¥ thousand".
    pub unit_name: String,
    pub step: Decimal,
    pub count: u32,
}

impl Scale {
    /// The top of the axis, in currency units.
    pub fn top(&self) -> Decimal {
        self.step * Decimal::from(self.count) * self.unit
    }

    /// Tick `i`'s label, in axis units: "0", "2.5", "1,000".
    pub fn label(&self, i: u32) -> String {
        format::group(&(self.step * Decimal::from(i)).normalize().to_string())
    }
}

/// The unit a reader counts `max` in, and its name.
fn unit(max: Decimal, currency: &str, lang: Lang) -> (Decimal, String) {
    let symbol = if currency == "CNY" { "¥" } else { currency };
    let (unit, zh, en) = match lang {
        Lang::Zh if max >= Decimal::from(100_000_000) => (100_000_000, "亿", " million"),
        Lang::Zh if max >= Decimal::from(10_000) => (10_000, "万", ""),
        Lang::En if max >= Decimal::from(1_000_000) => (1_000_000, "", " million"),
        Lang::En if max >= Decimal::from(10_000) => (1_000, "", " thousand"),
        _ => (1, "", ""),
    };
    let name = match lang {
        Lang::Zh if currency == "CNY" => format!("{zh}元"),
        Lang::Zh => format!("{zh}{currency}"),
        Lang::En => format!("{symbol}{en}"),
    };
    (Decimal::from(unit), name)
}

/// The value axis for figures up to `max`: at most five round steps above zero.
pub fn scale(max: Decimal, currency: &str, lang: Lang) -> Scale {
    let (unit, unit_name) = unit(max, currency, lang);
    let scaled = (max.max(Decimal::ZERO) / unit).normalize();
    if scaled.is_zero() {
        return Scale {
            unit,
            unit_name,
            step: Decimal::ONE,
            count: 1,
        };
    }
    let raw = scaled / Decimal::from(4);
    // The power of ten at or below `raw`.
    let mut mag = Decimal::ONE;
    while mag * Decimal::TEN <= raw {
        mag *= Decimal::TEN;
    }
    while mag > raw && mag > Decimal::new(1, 2) {
        mag /= Decimal::TEN;
    }
    let step = [
        Decimal::ONE,
        Decimal::TWO,
        Decimal::new(25, 1),
        Decimal::from(5),
        Decimal::TEN,
    ]
    .into_iter()
    .map(|m| m * mag)
    .find(|s| *s >= raw)
    .unwrap_or(Decimal::TEN * mag);
    Scale {
        unit,
        unit_name,
        step: step.normalize(),
        count: (scaled / step).ceil().to_u32().unwrap_or(1).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use time::macros::date;

    #[test]
    fn every_month_of_the_span_has_a_slot_and_an_empty_one_is_zero() {
        let (first, last) = (month(2023, 11), month(2024, 2));
        let p = Periods::span(Step::Month, first, last);
        assert_eq!(p.len, 4);
        assert_eq!(p.key(1), "2023-12");
        let names: Vec<String> = (0..p.len).map(|i| p.name(i, Lang::En)).collect();
        assert_eq!(names, ["Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024"]);
        assert_eq!(p.name(2, Lang::Zh), "2024年1月");
        let amounts = [
            (month_of("2023-11-05").unwrap(), dec!(10)),
            (month_of("2024-02-29").unwrap(), dec!(2.5)),
            (month_of("2023-11-30").unwrap(), dec!(1)),
            // Outside the span: left out.
            (month_of("2024-03-01").unwrap(), dec!(99)),
        ];
        assert_eq!(
            dense(first, last, amounts),
            [dec!(11), dec!(0), dec!(0), dec!(2.5)]
        );
        assert_eq!(month_of("2024-13-01"), None);
        assert_eq!(month_of("20x4-01-01"), None);
        assert_eq!(Periods::span(Step::Month, last, first).len, 0);
        assert_eq!(p.slot_of(date!(2024 - 01 - 31)), Some(2));
        assert_eq!(p.slot_of(date!(2024 - 03 - 01)), None);
    }

    /// A coordinate to a tenth, as the hand computations below are written.
    fn r(x: f64) -> f64 {
        (x * 10.0).round() / 10.0
    }

    fn placed(p: &[Placed]) -> Vec<(u8, f64, &str)> {
        p.iter()
            .map(|p| (p.tick.row, r(p.x), p.tick.text.as_str()))
            .collect()
    }

    #[test]
    fn month_labels_thin_to_the_smallest_calendar_step_that_fits() {
        // 16 months, Nov 2023 to Feb 2025, on 10-unit slots at font 10. The widest English
        // month ("May": 0.9 + 2 * 0.62 = 2.14 em = 21.4) plus the gap (5) needs 26.4 units:
        // 2 slots are 20, 3 are 30, so every third month from January.
        let p = Periods::span(Step::Month, month(2023, 11), month(2025, 2));
        let t = ticks(&p, Lang::En, 10.0, 10.0);
        let row = |r: u8| -> Vec<(usize, &str, bool)> {
            t.iter()
                .filter(|t| t.row == r)
                .map(|t| (t.slot, t.text.as_str(), t.lead))
                .collect()
        };
        assert_eq!(
            row(0),
            [
                (2, "Jan", false),
                (5, "Apr", false),
                (8, "Jul", false),
                (11, "Oct", false),
                (14, "Jan", false)
            ]
        );
        // Years under each January, and the first slot's year as a lead.
        assert_eq!(
            row(1),
            [(0, "2023", true), (2, "2024", false), (14, "2025", false)]
        );
        // From x = 30, slot i's centre is 35 + 10 i. "2023" (4 * 0.64 em = 25.6 wide) at 35
        // ends at 47.8, and "2024" at 55 starts at 42.2: the lead yields.
        assert_eq!(
            placed(&place(t, 30.0, 10.0, 200.0, 10.0)),
            [
                (0, 55.0, "Jan"),
                (0, 85.0, "Apr"),
                (0, 115.0, "Jul"),
                (0, 145.0, "Oct"),
                (0, 175.0, "Jan"),
                (1, 55.0, "2024"),
                (1, 175.0, "2025"),
            ]
        );
        // Chinese month labels ("10月": 1.28 + 1 = 2.28 em) at font 10 need 27.8: 3 slots of 10.
        let zh = ticks(&p, Lang::Zh, 10.0, 10.0);
        assert_eq!(zh.iter().filter(|t| t.row == 0).count(), 5);
        assert_eq!(zh[0].text, "1月");
        // On 30-unit slots every month fits (30 >= 26.4).
        let wide = ticks(&p, Lang::En, 30.0, 10.0);
        assert_eq!(wide.iter().filter(|t| t.row == 0).count(), 16);
    }

    #[test]
    fn a_long_span_of_narrow_months_is_labelled_by_year() {
        // 60 months from Mar 2020 on 2-unit slots at font 10: six months are 12 units, short of
        // "May" + gap (26.4), so years: 12 slots are 24 units, short of "2020" (25.6) + 5; two
        // years (48) fit. Januaries of even years, and the first slot (Mar 2020) as a lead.
        let p = Periods::span(Step::Month, month(2020, 3), month(2025, 2));
        assert_eq!(p.len, 60);
        let t = ticks(&p, Lang::En, 2.0, 10.0);
        let got: Vec<(usize, &str, u8)> =
            t.iter().map(|t| (t.slot, t.text.as_str(), t.row)).collect();
        assert_eq!(got, [(0, "2020", 0), (22, "2022", 0), (46, "2024", 0)]);
        // From x = 0: "2020" at slot 0's centre (1) moves in to its half width, 12.8, ending at
        // 25.6; "2022" at 45 starts at 32.2, more than the gap away, so the lead stays.
        assert_eq!(
            placed(&place(t, 0.0, 2.0, 120.0, 10.0)),
            [(0, 12.8, "2020"), (0, 45.0, "2022"), (0, 93.0, "2024")]
        );
    }

    #[test]
    fn year_labels_thin_by_whole_years_and_stay_inside_the_chart() {
        // 2001..2030 on 8-unit slots, font 10: "2001" is 25.6 + 5 gap; 5 years (40) is the
        // smallest step that fits: 2005, 2010, ..., and 2001 as a lead.
        let p = Periods::span(Step::Year, 2001, 2030);
        let t = ticks(&p, Lang::En, 8.0, 10.0);
        let texts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["2001", "2005", "2010", "2015", "2020", "2025", "2030"]
        );
        // From x = 0 in a 240-wide chart, year y's centre is 8 (y - 2001) + 4. 2030 at 236
        // would run past 240: it moves in to 227.2, starting 214.4, 5.6 after 2025 ends
        // (208.8), so it stays. 2001 at 4 moves in to 12.8, ending 25.6, past 2005's start
        // (23.2): it yields.
        assert_eq!(
            placed(&place(t, 0.0, 8.0, 240.0, 10.0)),
            [
                (0, 36.0, "2005"),
                (0, 76.0, "2010"),
                (0, 116.0, "2015"),
                (0, 156.0, "2020"),
                (0, 196.0, "2025"),
                (0, 227.2, "2030"),
            ]
        );
        // A year a label of its own when there is room.
        let few = ticks(&Periods::span(Step::Year, 2021, 2026), Lang::Zh, 60.0, 12.0);
        let texts: Vec<&str> = few.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            ["2021年", "2022年", "2023年", "2024年", "2025年", "2026年"]
        );
    }

    #[test]
    fn value_axes_step_roundly_in_the_readers_unit() {
        // ¥123,456 on a Chinese page: 12.3456 万元; a quarter is 3.09, rounded up to 5: 0, 5,
        // 10, 15 万元.
        let s = scale(dec!(123456), "CNY", Lang::Zh);
        assert_eq!(
            (s.unit, s.unit_name.as_str(), s.step, s.count),
            (dec!(10000), "万元", dec!(5), 3)
        );
        assert_eq!(s.top(), dec!(150000));
        assert_eq!(s.label(2), "10");
        // The same on an English page: 123.456 thousand; a quarter is 30.9, up to 50: 0..150.
        let s = scale(dec!(123456), "CNY", Lang::En);
        assert_eq!(
            (s.unit, s.unit_name.as_str(), s.step, s.count),
            (dec!(1000), "¥ thousand", dec!(50), 3)
        );
        // ¥2.4 亿: a quarter is 0.6, up to 1: 0, 1, 2, 3 亿元; in English ¥240 million.
        let s = scale(dec!(240000000), "CNY", Lang::Zh);
        assert_eq!(
            (s.unit_name.as_str(), s.step, s.count),
            ("亿元", dec!(1), 3)
        );
        let s = scale(dec!(240000000), "CNY", Lang::En);
        assert_eq!(
            (s.unit_name.as_str(), s.step, s.count),
            ("¥ million", dec!(100), 3)
        );
        assert_eq!(s.label(3), "300");
        // ¥5.7 million reads in millions, not as 5,700 thousand: 5.7 / 4 = 1.425, up to 2.
        let s = scale(dec!(5700000), "CNY", Lang::En);
        assert_eq!(
            (s.unit_name.as_str(), s.step, s.count),
            ("¥ million", dec!(2), 3)
        );
        // Small sums in yuan: 900 / 4 = 225, up to 250: 0, 250, ..., 1,000.
        let s = scale(dec!(900), "CNY", Lang::En);
        assert_eq!((s.unit_name.as_str(), s.step, s.count), ("¥", dec!(250), 4));
        assert_eq!(s.label(4), "1,000");
        // 26 万 / 4 = 6.5, up to 10: 0, 10, 20, 30; 2.5 steps read as 2.5.
        let s = scale(dec!(260000), "CNY", Lang::Zh);
        assert_eq!((s.step, s.count), (dec!(10), 3));
        let s = scale(dec!(90000), "CNY", Lang::Zh);
        assert_eq!(
            (s.step, s.count, s.label(1)),
            (dec!(2.5), 4, "2.5".to_owned())
        );
        // Nothing to show: one step.
        assert_eq!(scale(dec!(0), "USD", Lang::En).count, 1);
        assert_eq!(
            scale(dec!(50000), "USD", Lang::En).unit_name,
            "USD thousand"
        );
    }
}
