//! The supervision section (`regulator/`, issue 16): what a civil-affairs regulator acts on, on
//! one page — ratio figures of finished years that failed or carry an exception, each with its
//! reason, and disclosures made late or still missing, with due date and days late. Every row
//! links to its organisation and to the entries it concerns.
//!
//! The tables are complete and readable without script; `static/regulator.js` adds filters
//! (year, region, type, status, and an organisation, which an organisation's page links with
//! `?org=`) that combine, and sortable columns. The same rows are downloads
//! ([`crate::site::supervision`]).

use std::collections::{BTreeMap, BTreeSet};

use maud::{Markup, PreEscaped, html};

use super::obligations::{judged_on, kind_label, status_label};
use super::org::{comparison, ratio};
use super::{entry_link, org_path, project_path, trust_path};
use crate::money::timeliness::{Obligation, Status};
use crate::money::views::keys;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::regions;
use crate::site::snapshot::Snapshot;
use crate::site::supervision::{
    self, DisclosureRow, RatioRow, RatioStatus, Reason, current_year, type_and_region,
};

/// The page's path within a language.
pub const PATH: &str = "regulator/index.html";
/// The downloads, under `data/` without extension.
pub const RATIOS_DATA: &str = "regulator/ratios";
pub const DISCLOSURES_DATA: &str = "regulator/disclosures";

/// The link to the page showing only `org`'s rows (from within a language).
pub fn org_rows_path(org: &str) -> String {
    format!("{PATH}?org={org}")
}

pub fn ratio_status_label(c: &Ctx, st: RatioStatus) -> &'static str {
    match st {
        RatioStatus::Fail => c.t("未达标", "Failed"),
        RatioStatus::Explained => c.t("未达标（已说明）", "Failed (explained)"),
        RatioStatus::Exempt => c.t("豁免", "Exempt"),
        RatioStatus::NotEnoughData => c.t("数据不足", "Not enough data"),
    }
}

/// The status as the page shows it: words, with a class for colour (never colour alone).
fn ratio_status(c: &Ctx, st: RatioStatus) -> Markup {
    match st {
        RatioStatus::Fail | RatioStatus::Explained => {
            html! { span.fail { "✗ " (ratio_status_label(c, st)) } }
        }
        RatioStatus::Exempt => html! { span { (ratio_status_label(c, st)) } },
        RatioStatus::NotEnoughData => html! { span.muted { (ratio_status_label(c, st)) } },
    }
}

/// A reason in the page's language; an explanation is the organisation's own words, in
/// Chinese, marked as such on the English page.
pub fn reason(c: &Ctx, r: &Reason) -> Markup {
    match r {
        Reason::Explained(list) => html! {
            @for e in list {
                p.reason {
                    (c.t("已说明：", "Explained: "))
                    span lang="zh-CN" { "“" (e.subject) "”" }
                    (c.t("，", ", published "))
                    (c.lang.date_str(&e.published_on))
                    (c.t("发布", ""))
                    @if let Some(seq) = e.seq { " (" (entry_link(c, seq)) ")" }
                    (c.t("：", ": "))
                    span lang="zh-CN" { (e.text) }
                }
            }
        },
        other => html! { p.reason { (other.text(c.lang == crate::site::i18n::Lang::Zh)) } },
    }
}

/// Distinct source citations in order of first use, for footnotes.
struct Sources(Vec<String>);

impl Sources {
    fn new<'a>(all: impl Iterator<Item = &'a str>) -> Sources {
        let mut seen = Vec::<String>::new();
        for s in all {
            if !seen.iter().any(|x| x == s) {
                seen.push(s.to_owned());
            }
        }
        Sources(seen)
    }

    fn mark(&self, prefix: &str, source: &str) -> Markup {
        let n = self.0.iter().position(|s| s == source).map_or(0, |i| i + 1);
        html! { a.src href={ "#" (prefix) "-src-" (n) } { "[" (n) "]" } }
    }

    fn list(&self, c: &Ctx, prefix: &str) -> Markup {
        html! {
            div.sources {
                h3 { (c.t("依据", "Sources")) }
                ol { @for (i, s) in self.0.iter().enumerate() {
                    li id={ (prefix) "-src-" (i + 1) } { small { (s) } }
                } }
            }
        }
    }
}

/// The organisation cell: its name linking to its page, then its type and region.
fn org_cell(c: &Ctx, snap: &Snapshot, org: &str) -> Markup {
    let o = snap.org(org);
    let shown = o.as_ref().map_or(org, |o| super::orgs::name(c, o));
    // A Chinese name on the English page says so, for screen readers and fonts.
    let english = o.as_ref().and_then(|o| o.register.name_en.as_ref());
    let zh = (c.lang == crate::site::i18n::Lang::En && english.is_none()).then_some("zh-CN");
    let (org_type, region) = type_and_region(snap, org);
    html! {
        td.wide.org data-label=(c.t("组织", "Organisation")) {
            a href=(c.href(&org_path(org))) lang=[zh] { (shown) }
            br;
            small.muted { (c.lang.org_type(org_type)) " · " (regions::name(c.lang, &region)) }
        }
    }
}

/// A sortable column head: `kind` is `num` (numbers, compared as numbers), `date` (ISO dates)
/// or `text`.
fn th(label: &str, kind: &str, num: bool) -> Markup {
    html! {
        @if num { th.num scope="col" data-sort=(kind) { (label) } }
        @else { th scope="col" data-sort=(kind) { (label) } }
    }
}

/// A table with its row count (shown once the script filters) and its no-match line.
fn block(c: &Ctx, total: usize, table: Markup) -> Markup {
    html! {
        div.table-block {
            p.shown.muted hidden { (c.t("显示 ", "Showing ")) span.count {} " / " (total) (c.t(" 行", " rows")) }
            (table)
            p.none hidden { (c.t("没有符合筛选条件的行。", "No row matches the filters.")) }
        }
    }
}

fn ratio_table(
    c: &Ctx,
    snap: &Snapshot,
    id: &str,
    caption: &str,
    rows: &[&RatioRow],
    src: &Sources,
) -> Markup {
    let l = |zh, en| c.t(zh, en);
    let table = html! {
        div.table-wrap { table.supervision.ratios id=(id) {
            caption { (caption) }
            thead { tr {
                (th(l("年度", "Year"), "num", false))
                (th(l("组织", "Organisation"), "text", false))
                (th(l("指标", "Figure"), "text", false))
                (th(l("数值", "Value"), "num", true))
                th.num scope="col" { (l("标准", "Threshold")) }
                (th(l("结论", "Result"), "text", false))
                th scope="col" { (l("原因或说明", "Reason or explanation")) }
                th scope="col" { (l("相关条目", "Entries")) }
            } }
            tbody { @for r in rows {
                @let (org_type, region) = type_and_region(snap, &r.org);
                @let value = r.figure.value;
                tr data-year=(r.year) data-org=(r.org) data-type=(org_type) data-region=(region) data-status=(r.status.as_str()) data-figure=(r.figure.id) {
                    td.year data-v=(r.year) data-label=(l("年度", "Year")) { (c.lang.year(r.year)) }
                    (org_cell(c, snap, &r.org))
                    td.figure data-label=(l("指标", "Figure")) { (super::ratios::label(c, &r.figure)) @if r.currency != "CNY" { " (" (r.currency) ")" } }
                    td.num data-v=(value.map(|v| v.to_string()).unwrap_or_else(|| "-1".into())) data-label=(l("数值", "Value")) {
                        (value.map(ratio).unwrap_or_else(|| "—".into()))
                    }
                    td.num data-label=(l("标准", "Threshold")) { @if let Some(t) = r.figure.threshold { (comparison(r.figure.comparison)) " " (ratio(t)) } @else { "—" } }
                    td data-label=(l("结论", "Result")) { (ratio_status(c, r.status)) }
                    td.wide.reason data-label=(l("原因或说明", "Reason or explanation")) { (reason(c, &r.reason)) " " (src.mark("r", &r.figure.source)) }
                    td data-label=(l("相关条目", "Entries")) {
                        @if let Some(seq) = r.report_seq { (l("年报 ", "Annual report ")) (entry_link(c, seq)) }
                        @else { span.muted { (l("无年报", "No annual report")) } }
                    }
                }
            } }
        } }
    };
    block(c, rows.len(), table)
}

/// What a disclosure is about, linked to the project or trust page where there is one.
fn subject(c: &Ctx, snap: &Snapshot, r: &DisclosureRow) -> Markup {
    let ob = &r.judged.judged.obligation;
    let text = ob.subject();
    let period = r.judged.judged.period_index;
    let link = match ob {
        Obligation::ProjectUpdates { org, project, .. }
        | Obligation::ProjectClose { org, project, .. } => snap
            .view(&keys::PROJECT.key(&[org, project]))
            .map(|_| project_path(org, project)),
        Obligation::TrustFiling { trust, .. }
        | Obligation::TrustReport { trust, .. }
        | Obligation::TrustTermination { trust, .. } => snap
            .view(&keys::TRUST.key(&[trust]))
            .map(|_| trust_path(trust)),
        _ => None,
    };
    html! {
        @match link {
            Some(l) => a href=(c.href(&l)) { (text) },
            None => (text),
        }
        @if let Some(p) = period { " " (c.t("第", "#")) (p) (c.t("期", "")) }
    }
}

fn disclosure_table(c: &Ctx, snap: &Snapshot, rows: &[DisclosureRow], src: &Sources) -> Markup {
    let l = |zh, en| c.t(zh, en);
    let table = html! {
        div.table-wrap { table.supervision #disclosures-table {
            caption { (l("逾期公开和逾期未公开的信息", "Disclosures made late or missing")) }
            thead { tr {
                (th(l("组织", "Organisation"), "text", false))
                (th(l("义务", "Obligation"), "text", false))
                th scope="col" { (l("事项", "Subject")) }
                (th(l("截止日期", "Due"), "date", false))
                (th(l("状态", "Status"), "text", false))
                (th(l("公开日期", "Disclosed"), "date", false))
                (th(l("逾期天数", "Days late"), "num", true))
                th scope="col" { (l("相关条目", "Entries")) }
                th scope="col" { (l("依据", "Source")) }
            } }
            tbody { @for r in rows {
                @let j = &r.judged.judged;
                @let org = r.judged.org.to_string();
                @let (org_type, region) = type_and_region(snap, &org);
                tr data-year=(r.year()) data-org=(org) data-type=(org_type) data-region=(region) data-status=(j.status.as_str()) data-kind=(j.obligation.kind_name()) {
                    (org_cell(c, snap, &org))
                    td data-label=(l("义务", "Obligation")) { (kind_label(c, j.obligation.kind_name())) }
                    td data-label=(l("事项", "Subject")) { (subject(c, snap, r)) }
                    td.date data-v=(format_date(j.due)) data-label=(l("截止日期", "Due")) { (c.lang.date(j.due)) }
                    td data-label=(l("状态", "Status")) { @if j.status == Status::Missing { span.fail { (status_label(c, j.status)) } } @else { (status_label(c, j.status)) } }
                    td.date data-v=(j.disclosed.map(format_date).unwrap_or_default()) data-label=(l("公开日期", "Disclosed")) { @if let Some(d) = j.disclosed { (c.lang.date(d)) } @else { "—" } }
                    td.num data-v=(j.days_late) data-label=(l("逾期天数", "Days late")) { (j.days_late) }
                    td data-label=(l("相关条目", "Entries")) {
                        @if let Some(seq) = j.met_by { (l("公开 ", "Disclosed in ")) (entry_link(c, seq)) " " }
                        @if let Some(seq) = r.about_seq { (l("所涉 ", "About ")) (entry_link(c, seq)) }
                        @if j.met_by.is_none() && r.about_seq.is_none() { span.muted { "—" } }
                    }
                    td data-label=(l("依据", "Source")) { (src.mark("d", &j.source)) }
                }
            } }
        } }
    };
    block(c, rows.len(), table)
}

fn format_date(d: time::Date) -> String {
    crate::ledger::time::format_date(d)
}

/// The filter form: hidden until the script shows it (it does nothing without one). One row of
/// selects on a wide screen, two on a phone.
fn filters(c: &Ctx, snap: &Snapshot, ratios: &[RatioRow], disclosures: &[DisclosureRow]) -> Markup {
    let mut years: BTreeSet<i64> = ratios.iter().map(|r| r.year).collect();
    years.extend(disclosures.iter().map(|r| i64::from(r.year())));
    let orgs: BTreeSet<String> = ratios
        .iter()
        .map(|r| r.org.clone())
        .chain(disclosures.iter().map(|r| r.judged.org.to_string()))
        .collect();
    let mut types = BTreeSet::new();
    let mut regions_seen = BTreeMap::new();
    for org in &orgs {
        let (org_type, region) = type_and_region(snap, org);
        types.insert(org_type.to_owned());
        regions_seen.insert(regions::name(c.lang, &region), region);
    }
    html! {
        form.filters #filters hidden aria-label=(c.t("筛选", "Filters")) {
            label { (c.t("年度", "Year")) select name="year" {
                option value="" { (c.t("全部", "All")) }
                @for y in years.iter().rev() { option value=(y) { (c.lang.year(*y)) } }
            } }
            label { (c.t("组织类型", "Type")) select name="type" {
                option value="" { (c.t("全部", "All")) }
                @for t in &types { option value=(t) { (c.lang.org_type(t)) } }
            } }
            label { (c.t("地区", "Region")) select name="region" {
                option value="" { (c.t("全部", "All")) }
                @for (name, code) in &regions_seen { option value=(code) { (name) } }
            } }
            label { (c.t("状态", "Status")) select name="status" {
                option value="" { (c.t("全部", "All")) }
                optgroup label=(c.t("比例", "Ratios")) {
                    @for st in RatioStatus::ALL { option value=(st.as_str()) { (ratio_status_label(c, st)) } }
                }
                optgroup label=(c.t("信息公开", "Disclosures")) {
                    @for st in [Status::Late, Status::Missing] { option value=(st.as_str()) { (status_label(c, st)) } }
                }
            } }
            input type="hidden" name="org" value="";
            p.filter-org hidden {
                (c.t("仅显示：", "Only: ")) span.org-name {}
                " " button type="button" name="clear-org" { (c.t("显示全部组织", "Show every organisation")) }
            }
            p.filter-note.muted { (c.t("比例按评估年度筛选，信息公开按截止日期所在年度筛选。点击表头可排序。",
                                       "Ratios are filtered by the year assessed, disclosures by the year they fell due. Click a column head to sort.")) }
        }
        // The names the script shows for `?org=` (a link from an organisation's page).
        script type="application/json" #org-names {
            (PreEscaped(serde_json::Value::from(orgs.iter().map(|o| (o.clone(), serde_json::Value::from(snap.org_name(o)))).collect::<serde_json::Map<_, _>>()).to_string().replace('<', "\\u003c")))
        }
    }
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let ratios = supervision::ratio_rows(snap, None);
    let disclosures = supervision::disclosure_rows(snap, None);
    let count = |st: RatioStatus| ratios.iter().filter(|r| r.status == st).count();
    let late = |st: Status| {
        disclosures
            .iter()
            .filter(|r| r.judged.judged.status == st)
            .count()
    };
    // Failures first; the exceptions (many small organisations are exempt, and the ledger's
    // first year has no prior year) fold away under them.
    let (failed, exceptions): (Vec<&RatioRow>, Vec<&RatioRow>) = ratios
        .iter()
        .partition(|r| matches!(r.status, RatioStatus::Fail | RatioStatus::Explained));
    let rsrc = Sources::new(ratios.iter().map(|r| r.figure.source.as_str()));
    let dsrc = Sources::new(disclosures.iter().map(|r| r.judged.judged.source.as_str()));
    let current = current_year(snap);
    let read_on = supervision::ratios_read_on(snap);
    let body = html! {
        (judged_on(c, snap))
        p { (c.t("本页列出已结束年度中未达到法定比例或有例外情况的年度数字（附原因或组织的说明），以及逾期公开和逾期未公开的信息（附截止日期和逾期天数）。每一行都链接到组织和相关条目；各项标准和期限的法规依据列在表下。",
                 "This page lists the figures of finished years that failed a legal ratio or carry an exception (with the reason, or the organisation's explanation), and the disclosures made late or still missing (with due date and days late). Every row links to its organisation and the entries concerned; the rules behind each threshold and deadline are listed under the tables.")) }
        ul.cards.summary {
            li { span.figure { (count(RatioStatus::Fail) + count(RatioStatus::Explained)) } (c.t("项比例未达标", " ratio failures")) @if count(RatioStatus::Explained) > 0 { (c.t("，其中已说明 ", " (")) (count(RatioStatus::Explained)) (c.t("", " explained)")) } }
            li { span.figure { (late(Status::Missing)) } (c.t("项逾期未公开", " disclosures missing")) }
            li { span.figure { (late(Status::Late)) } (c.t("项逾期公开", " disclosed late")) }
        }
        (filters(c, snap, &ratios, &disclosures))
        section #ratios {
            h2 { (c.t("年度支出和管理费用比例", "Spending and administrative-cost ratios")) }
            p {
                (c.t("只判断已结束的年度", "Only finished years are judged"))
                @if let (Some(y), Some(d)) = (current, read_on) {
                    (c.t("：账本最新一条记录的日期是", ": the ledger's newest entry is of ")) (c.lang.date(d))
                    (c.t("，", ", so ")) (y) (c.t("年度尚未结束，不作判断（账本记下下一年的记录后，该年度即告结束）。", " is still in progress and is not judged (a year is over once the ledger records an entry in a later year)."))
                } @else { (c.t("。", ".")) }
                (c.t("达标的数字不列出，见各组织页面。", " Figures that passed are not listed; each organisation's page has them all."))
            }
            @if ratios.is_empty() { p { (c.t("没有。", "None.")) } } @else {
                @if failed.is_empty() { p { (c.t("没有未达标的比例。", "No ratio failed.")) } } @else {
                    (ratio_table(c, snap, "ratios-table", c.t("比例未达标（已结束年度）", "Ratio failures (finished years)"), &failed, &rsrc))
                }
                @if !exceptions.is_empty() {
                    details.exceptions {
                        summary { (c.t("豁免和数据不足", "Exempt, or not enough data")) " (" (exceptions.len()) (c.t(" 行）", " rows)")) }
                        (ratio_table(c, snap, "exceptions-table", c.t("豁免和数据不足（已结束年度）", "Exempt, or not enough data (finished years)"), &exceptions, &rsrc))
                    }
                }
                (rsrc.list(c, "r"))
            }
            (super::downloads(c, RATIOS_DATA))
        }
        section #disclosures {
            h2 { (c.t("逾期公开和逾期未公开", "Late and missing disclosures")) }
            p { (c.t("逾期天数：已公开的算到公开之日，未公开的算到判断日期。尚未到期的义务见", "Days late: to the day of disclosure, or to the day judged if still missing. Obligations not yet due are on "))
                a href=(c.href(super::obligations::PATH)) { (c.t("信息公开义务", "Disclosure duties")) } (c.t("页。", ".")) }
            @if disclosures.is_empty() { p { (c.t("没有。", "None.")) } } @else {
                (disclosure_table(c, snap, &disclosures, &dsrc))
                (dsrc.list(c, "d"))
            }
            (super::downloads(c, DISCLOSURES_DATA))
        }
    };
    page(
        c,
        &Shell {
            title: c.t("监管视图", "Supervision"),
            verify: false,
            viewer: false,
            as_of: Some(snap.as_of),
        },
        html! { (body) script src=(c.asset("static/regulator.js")) defer {} },
    )
}
