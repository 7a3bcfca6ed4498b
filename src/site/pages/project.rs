//! One project: raised against target and spent, month by month; its donations (donors as they
//! were disclosed: masked unless the donor consented to be named — the money rules refuse
//! anything else); the money that left it with purpose and evidence hashes; what remains; and
//! its entries that a correction amended or voided, each with its notice.

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::{MAX_ROWS, date_td, entry_link, money_td, receipt_path};
use crate::ledger::{Currency, Hash, Kind};
use crate::money::bodies::{Disbursement, GrantTransfer};
use crate::money::types::Prose;
use crate::money::views::keys;
use crate::money::views::rows::{DonationRow, DonationStatus, ProjectRow, SpendRow};
use crate::site::chart::axis::{self, Periods, Step};
use crate::site::chart::{self, Bars, Series};
use crate::site::format;
use crate::site::i18n::Lang;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

/// The project's title in the page's language.
pub fn title<'a>(c: &Ctx, p: &'a ProjectRow) -> &'a str {
    let open = &p.record.open;
    match (c.lang, &open.title_en) {
        (Lang::En, Some(t)) => t.as_str(),
        _ => open.title.as_str(),
    }
}

/// What tells a project apart from another of the same title in a list (organisations reuse
/// titles year after year): its id, the date it started, and whether it has closed.
pub fn distinction(c: &Ctx, p: &ProjectRow) -> Markup {
    let open = &p.record.open;
    html! {
        " " span.muted {
            "(" (open.id) " · " (c.t("始于 ", "from ")) (c.lang.date(open.start))
            @if p.record.closed.is_some() { " · " (c.t("已结束", "closed")) }
            ")"
        }
    }
}

/// The project's live donations (voided ones left out), oldest first, as rows: the pages and
/// the downloads ([`crate::site::data`]) read the same.
pub fn donations(snap: &Snapshot, org: &str, id: &str) -> Vec<DonationRow> {
    snap.idx
        .donations
        .get(&(org.to_owned(), id.to_owned()))
        .into_iter()
        .flatten()
        .filter_map(|k| snap.typed::<DonationRow>(k))
        .filter(|d| d.status == DonationStatus::Live)
        .collect()
}

/// Whether money in `currency` is in `c` (a donation in kind has none).
fn is_in(c: Option<&Currency>, currency: &str) -> bool {
    c.is_some_and(|c| c.as_str() == currency)
}

/// Adds donation row `d` to the sums [`raised_spent`] reads from the summaries: a live
/// donation to a project counts for it, in its currency (what [`donations`] lists).
pub fn add_raised(
    raised: &mut std::collections::BTreeMap<(String, String, String), Decimal>,
    d: &DonationRow,
) {
    if d.status != DonationStatus::Live {
        return;
    }
    let body = &d.record.body;
    if let Some(project) = &body.project {
        let currency = body
            .currency
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let key = (d.record.org.to_string(), project.to_string(), currency);
        *raised.entry(key).or_default() += body
            .amount
            .as_ref()
            .map(|a| a.decimal())
            .unwrap_or_default();
    }
}

/// Money that left the project's funds, by the date paid, then entry number.
pub fn spends(snap: &Snapshot, org: &str, id: &str) -> Vec<SpendRow> {
    snap.idx
        .spends
        .get(&(org.to_owned(), id.to_owned()))
        .into_iter()
        .flatten()
        .filter_map(|k| snap.typed(k))
        .collect()
}

/// (raised, spent) in the project's currency.
pub fn raised_spent(snap: &Snapshot, org: &str, id: &str, currency: &str) -> (Decimal, Decimal) {
    let ds = from_unit(snap, org).then(|| donations(snap, org, id));
    totals(
        snap,
        org,
        id,
        currency,
        ds.as_deref(),
        &spends(snap, org, id),
    )
}

/// Whether the raised sums come from the donations at hand: the organisation's unit holds
/// its donations, the summaries only their sums (a snapshot built by hand has no sums).
fn from_unit(snap: &Snapshot, org: &str) -> bool {
    snap.unit.as_deref() == Some(org) || snap.raised.is_empty()
}

/// [`raised_spent`] from the project's live donations `ds` (`None`: from the summaries'
/// sums) and its spends `xs`, read once by a page that lists them too.
fn totals(
    snap: &Snapshot,
    org: &str,
    id: &str,
    currency: &str,
    ds: Option<&[DonationRow]>,
    xs: &[SpendRow],
) -> (Decimal, Decimal) {
    let raised = match ds {
        Some(ds) => ds
            .iter()
            .filter(|d| is_in(d.record.body.currency.as_ref(), currency))
            .filter_map(|d| d.record.body.amount.map(|a| a.decimal()))
            .sum(),
        None => {
            let key = (org.to_owned(), id.to_owned(), currency.to_owned());
            snap.raised.get(&key).copied().unwrap_or_default()
        }
    };
    let spent = xs
        .iter()
        .filter(|x| x.from.currency.as_str() == currency)
        .map(|x| x.amount.0)
        .sum();
    (raised, spent)
}

pub fn render(c: &Ctx, snap: &Snapshot, org: &str, id: &str) -> Option<Markup> {
    let p: ProjectRow = snap.typed(&keys::PROJECT.key(&[&org, &id]))?;
    let p = &p;
    let open = &p.record.open;
    let cur = &*open.currency.to_string();
    let ds = donations(snap, org, id);
    let xs = spends(snap, org, id);
    let in_unit = from_unit(snap, org).then_some(ds.as_slice());
    let (raised, spent) = totals(snap, org, id, cur, in_unit, &xs);
    let chart = months_chart(c, snap, p, &ds, &xs);
    let body = html! {
        ul.cards {
            li { (c.t("目标", "Target")) span.figure { (format::money(open.target.decimal(), cur)) } }
            li { (c.t("已募集", "Raised")) span.figure { (format::money(raised, cur)) } }
            li { (c.t("已支出", "Spent")) span.figure { (format::money(spent, cur)) } }
            li { (c.t("剩余限定性余额", "Remaining restricted balance")) span.figure {
                (format::money(p.balances.get(cur).map(|b| b.0).unwrap_or_default(), cur))
            } }
        }
        dl.facts {
            dt { (c.t("机构", "Organisation")) } dd { (super::org_link(c, snap, org)) }
            dt { (c.t("项目编号", "Project id")) } dd.hash { (id) }
            dt { (c.t("慈善目的", "Purpose")) } dd { (c.lang.purpose(open.purpose.as_str())) }
            dt { (c.t("地区", "Region")) } dd { (crate::site::regions::name(c.lang, open.region.as_str())) " (" (open.region.as_str()) ")" }
            dt { (c.t("开始", "Start")) } dd { (c.lang.date(open.start)) }
            dt { (c.t("设立条目", "Opened in entry")) } dd { (entry_link(c, p.record.seq)) }
            @if let Some(closed) = &p.record.closed {
                dt { (c.t("结束条目", "Closed in entry")) } dd { (entry_link(c, closed.seq)) }
            }
        }
        h2 { (c.t("每月募集与支出", "Raised and spent by month")) }
        (chart)
        h2 { (c.t("捐赠", "Donations")) }
        p { (c.t("共 ", "")) (ds.len()) (c.t(" 笔；下表为最新的捐赠，完整列表见下载。捐赠人按其意愿署名或隐去姓名。", " donations; the newest are below, all of them in the downloads. Donors are masked unless they chose to be named.")) }
        div.table-wrap { table {
            caption { (c.t("捐赠", "Donations")) }
            thead { tr {
                th scope="col" { (c.t("收据号", "Receipt")) }
                th scope="col" { (c.t("日期", "Date")) }
                th scope="col" { (c.t("捐赠人", "Donor")) }
                th.num scope="col" { (c.t("金额", "Amount")) }
            } }
            tbody { @for d in ds.iter().rev().take(MAX_ROWS) {
                @let b = &d.record.body;
                tr {
                td { a href=(c.href(&receipt_path(org, b.receipt_no.as_str()))) { (b.receipt_no) } }
                (date_td(c, b.received_on))
                td { (b.donor_display) }
                @match b.amount { Some(a) => (money_td(a.decimal(), b.currency.as_ref().map_or("", |c| c.as_str()))), None => td { (c.t("物资", "In kind")) } }
            }
            @if let Some(e) = crate::site::corrected::row(snap, d.record.seq) {
                tr.correction { td colspan="4" { (super::correction_note(c, &e)) } }
            } } }
        } }
        (super::downloads(c, &super::project_donations_data(org, id)))
        h2 { (c.t("支出", "Disbursements")) }
        (spend_table(c, snap, &xs))
        (super::goods::project_section(c, snap, org, id))
        h2 { (c.t("更正", "Corrections")) }
        (super::corrected::project_section(c, snap, org, id))
    };
    Some(page(
        c,
        &Shell {
            title: title(c, p),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    ))
}

/// Donations in and money out per month, in the project's currency, from the first month with
/// either to the month it closed, or, while it is open, the month the figures run to (so months
/// since the last gift show as the nothing they are).
fn months_chart(
    c: &Ctx,
    snap: &Snapshot,
    p: &ProjectRow,
    ds: &[DonationRow],
    xs: &[SpendRow],
) -> Markup {
    let cur = &*p.record.open.currency.to_string();
    let month = |d: time::Date| axis::month(d.year(), u8::from(d.month()));
    let raised: Vec<(i32, Decimal)> = ds
        .iter()
        .map(|d| &d.record.body)
        .filter(|d| is_in(d.currency.as_ref(), cur))
        .map(|d| {
            (
                month(d.received_on),
                d.amount.map(|a| a.decimal()).unwrap_or_default(),
            )
        })
        .collect();
    let spent: Vec<(i32, Decimal)> = xs
        .iter()
        .filter(|x| x.from.currency.as_str() == cur)
        .map(|x| (month(x.paid_on), x.amount.0))
        .collect();
    let closed = p.record.closed.as_ref();
    // While the project is open its figures run to the day the pages were made.
    let today = snap.judged_on.filter(|_| closed.is_none());
    let ends = [
        closed.map(|k| axis::month(k.body.closed_on.year(), u8::from(k.body.closed_on.month()))),
        today.map(|d| axis::month(d.year(), u8::from(d.month()))),
    ];
    // From the first month money came in or went out (a project may be opened long before),
    // so the months that matter are not squeezed into slivers; the start date is above.
    let activity = raised.iter().chain(&spent).map(|(m, _)| *m);
    let first = activity.clone().min();
    let last = activity.chain(ends.into_iter().flatten()).max();
    let (Some(first), Some(last)) = (first, last) else {
        return html! { p { (c.t("暂无募集或支出。", "Nothing raised or spent yet.")) } };
    };
    if raised.is_empty() && spent.is_empty() || last < first {
        return html! { p { (c.t("暂无募集或支出。", "Nothing raised or spent yet.")) } };
    }
    chart::bars(&Bars {
        id: "project-months",
        title: c.t("每月募集与支出", "Raised and spent by month"),
        lang: c.lang,
        periods: Periods::span(Step::Month, first, last),
        series: vec![
            Series { name: c.t("募集", "Raised"), values: axis::dense(first, last, raised), stack: 0 },
            Series { name: c.t("支出", "Spent"), values: axis::dense(first, last, spent), stack: 1 },
        ],
        currency: cur,
        today,
        over: Some((0, 1, c.t(
            "支出多于当月收到的捐赠，用的是此前收到、尚未用完的捐赠或拨入本项目的资助。",
            "more was paid out than came in as donations that month, from donations or grants the project received earlier.",
        ))),
    })
}

/// The purpose and evidence of the entry that paid spend `x`, from its body (a closing
/// leftover's entry keeps none).
fn paid_for(snap: &Snapshot, x: &SpendRow) -> Option<(Prose, Vec<Hash>)> {
    match x.kind {
        Kind::Disbursement => snap
            .body::<Disbursement>(x.seq)
            .map(|b| (b.purpose, b.evidence)),
        Kind::GrantTransfer => snap
            .body::<GrantTransfer>(x.seq)
            .map(|b| (b.purpose, b.evidence)),
        _ => None,
    }
}

/// Money leaving funds, with each entry's purpose and evidence hashes.
pub fn spend_table(c: &Ctx, snap: &Snapshot, xs: &[SpendRow]) -> Markup {
    html! {
        // On a phone a payment reads as a block, each cell named: the 64-character evidence
        // hashes left the category and purpose one character a line. The names come from
        // `table.spends` in site.css, by column: this table has a row per payment (thousands
        // on a project page, in two languages), where a label on every cell cost 0.6 MB of a
        // 10,000-entry demo site.
        div.table-wrap { table.stack-on-phone.spends {
            caption { (c.t("支出及其凭证", "Money out, with evidence")) }
            thead { tr {
                th scope="col" { (c.t("条目", "Entry")) }
                th scope="col" { (c.t("日期", "Paid on")) }
                th scope="col" { (c.t("类别", "Category")) }
                th scope="col" { (c.t("用途", "Purpose")) }
                th.num scope="col" { (c.t("金额", "Amount")) }
                th scope="col" { (c.t("凭证哈希", "Evidence hash")) }
            } }
            tbody { @for x in xs {
                @let paid = paid_for(snap, x);
                tr {
                    td { (entry_link(c, x.seq)) }
                    td { (c.lang.date(x.paid_on)) }
                    td { (c.lang.category(x.category.as_str())) }
                    td { @if let Some((purpose, _)) = &paid { (super::name_text(c, purpose.as_str())) } }
                    td.num { (format::money(x.amount.0, x.from.currency.as_str())) }
                    td.hash { @if let Some((_, evidence)) = &paid { @for h in evidence { (h) br; } } }
                }
            } }
        } }
    }
}

/// Every project with target, raised and spent in its currency.
pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        // On a phone a project reads as a block, each figure named: five columns left the
        // project and organisation names one character a line.
        div.table-wrap { table.stack-on-phone {
            caption { (c.t("全部项目", "All projects")) }
            thead { tr {
                th scope="col" { (c.t("项目", "Project")) }
                th scope="col" { (c.t("机构", "Organisation")) }
                th.num scope="col" { (c.t("目标", "Target")) }
                th.num scope="col" { (c.t("已募集", "Raised")) }
                th.num scope="col" { (c.t("已支出", "Spent")) }
            } }
            tbody { @for (_, p) in snap.typed_rows::<ProjectRow>(keys::PROJECT.prefix()) {
                @let p = &p;
                @let org = p.record.org.as_str();
                @let id = p.record.open.id.as_str();
                @let cur = &*p.record.open.currency.to_string();
                @let (raised, spent) = raised_spent(snap, org, id, cur);
                tr {
                    th scope="row" { a href=(c.href(&super::project_path(org, id))) { (super::name_text(c, title(c, p))) } (distinction(c, p)) }
                    td data-label=(c.t("机构", "Organisation")) { (super::org_link(c, snap, org)) }
                    td.num data-label=(c.t("目标", "Target")) { (format::money(p.record.open.target.decimal(), cur)) }
                    td.num data-label=(c.t("已募集", "Raised")) { (format::money(raised, cur)) }
                    td.num data-label=(c.t("已支出", "Spent")) { (format::money(spent, cur)) }
                }
            } }
        } }
        (super::downloads(c, "projects"))
    };
    page(
        c,
        &Shell {
            title: c.t("项目", "Projects"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}
