//! The home page: what was raised and spent per year (programmes, administration,
//! fundraising), the latest signed checkpoint and how to check it, and the newest disclosures.

use std::collections::BTreeMap;

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::{MAX_ROWS, entries_table};
use crate::ledger::Currency;
use crate::money::views::keys;
use crate::money::views::rows::{FiguresRow, TotalRow};
use crate::site::chart::axis::{self, Periods, Step};
use crate::site::chart::{self, Bars, Series};
use crate::site::format;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

/// How many of the newest entries the home page lists.
pub const RECENT_ENTRIES: usize = 20;
// The summaries keep the newest entries for this list.
const _: () = assert!(RECENT_ENTRIES <= crate::site::snapshot::NEWEST_ENTRIES);

/// Per year, in CNY: [raised, programmes, administration, fundraising]. Raised is the year's
/// donations (`totals/year/{y}/CNY`); the three spending figures are summed over every
/// organisation's `figures/{org}/{y}/CNY`, the same figures the regulator ratios use.
pub fn yearly(snap: &Snapshot) -> BTreeMap<i64, [Decimal; 4]> {
    let mut out: BTreeMap<i64, [Decimal; 4]> = BTreeMap::new();
    for (key, v) in snap.typed_rows::<TotalRow>(keys::TOTALS_YEAR.prefix()) {
        let mut parts = keys::TOTALS_YEAR.parts(key).into_iter().flatten();
        if let (Some(y), Some("CNY")) = (parts.next(), parts.next())
            && let Ok(y) = y.parse()
        {
            out.entry(y).or_default()[0] += v.donations.0;
        }
    }
    for (_, f) in snap.typed_rows::<FiguresRow>(keys::FIGURES.prefix()) {
        if f.currency != Currency::CNY {
            continue;
        }
        let t = out.entry(i64::from(f.year)).or_default();
        t[1] += f.charitable_spending.0;
        t[2] += f.administrative_costs.0;
        t[3] += f.fundraising_costs.0;
    }
    out
}

/// Raised beside spending (stacked by category) per year, every year from the first to the last,
/// the year under way marked.
fn years_chart(
    c: &Ctx,
    snap: &Snapshot,
    years: &BTreeMap<i64, [Decimal; 4]>,
    names: &[&str; 4],
) -> Markup {
    let span = |y: Option<&i64>| y.and_then(|y| i32::try_from(*y).ok());
    let (Some(first), Some(last)) = (span(years.keys().next()), span(years.keys().next_back()))
    else {
        return html! { p { (c.t("暂无数据。", "No figures yet.")) } };
    };
    let col = |i: usize| {
        let amounts = years
            .iter()
            .filter_map(|(y, t)| Some((i32::try_from(*y).ok()?, t[i])));
        axis::dense(first, last, amounts)
    };
    chart::bars(&Bars {
        id: "years",
        title: c.t("历年募集与支出（人民币）", "Raised and spent by year (CNY)"),
        lang: c.lang,
        periods: Periods::span(Step::Year, first, last),
        series: names.iter().enumerate().map(|(i, n)| Series { name: n, values: col(i), stack: usize::from(i > 0) }).collect(),
        currency: "CNY",
        today: snap.judged_on,
        over: Some((0, 1, c.t(
            "支出多于当年募集的捐赠，差额来自以前年度结余的资金，以及资助、福彩公益金等其他收入。",
            "spending exceeded the donations raised that year; the difference came from earlier years' money and from other income such as grants and lottery funds.",
        ))),
    })
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let years = yearly(snap);
    let names = [
        c.t("募集", "Raised"),
        c.t("公益项目支出", "Programmes"),
        c.t("管理费用", "Administration"),
        c.t("募捐成本", "Fundraising"),
    ];
    let latest = years.iter().next_back();
    let body = html! {
        p.lead { (c.t(
            "本站公开每一笔捐赠、支出、慈善信托和福彩公益金资助。每条记录都由出具它的机构签名，并写入可公开核验的仅追加账本。",
            "Every donation, disbursement, charitable trust and welfare-lottery grant disclosed here was signed by the body that made it and written to a public, append-only ledger anyone can check."
        )) }
        @if let Some((y, t)) = latest {
            h2 { (c.lang.year(*y)) " " (c.t("概况（人民币）", "at a glance (CNY)")) }
            ul.cards {
                @for (i, name) in names.iter().enumerate() {
                    li { (name) span.figure { (format::money(t[i], "CNY")) } }
                }
            }
        }
        h2 { (c.t("历年募集与支出", "Raised and spent by year")) }
        (years_chart(c, snap, &years, &names))
        h2 { (c.t("最新签名检查点", "Latest signed checkpoint")) }
        @if let Some(cp) = &snap.checkpoint {
            dl.facts {
                dt { (c.t("账本条目数", "Entries")) } dd { (format::count(cp.size)) }
                dt { (c.t("默克尔树根", "Merkle root")) } dd.hash { (cp.root_hex) }
                dt { (c.t("时间", "Time")) } dd {
                    (crate::ledger::Timestamp::from_unix(cp.recorded_at).map(|t| c.lang.date(t.date())).unwrap_or_default())
                }
            }
            p {
                (c.t("检查点由运营方签名，原文见 ", "The operator signs each checkpoint; the note is at "))
                a href=(c.asset("log/checkpoint")) { "log/checkpoint" }
                (c.t("，验证公钥见 ", ", its verifier key at "))
                a href=(c.asset("log/operator.vkey")) { "log/operator.vkey" }
                (c.t("。", ". "))
                a href=(c.href("audit.html")) { (c.t("如何离线核验整个账本", "How to verify the whole ledger offline")) }
            }
        } @else {
            p { (c.t("账本尚无检查点。", "The ledger has no checkpoint yet.")) }
        }
        h2 { (c.t("最新披露", "Latest disclosures")) }
        (entries_table(c, snap, c.t("最新的账本条目", "Newest ledger entries"),
            snap.newest().take(RECENT_ENTRIES.min(MAX_ROWS))))
        p { a href=(c.href("feed.atom")) { (c.t("订阅 Atom", "Atom feed")) } }
    };
    page(
        c,
        &Shell {
            title: c.t(
                "阳光慈善账本：公开披露",
                "Sunshine Ledger: public disclosures",
            ),
            verify: false,
            viewer: false,
            as_of: Some(snap.as_of),
        },
        body,
    )
}
