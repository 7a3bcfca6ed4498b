//! The organisation list, with filters that work on a static host: every facet (type, region,
//! public-fundraising status) is a pre-rendered list of its own, linked from every list, and
//! with scripts the facets combine on the full list. Each row carries the latest finished
//! year's money and regulator ratios, sortable, and a box to tick for the comparison page.
//! The live server also answers `?q=` on the full list (name or code contains the text).

use maud::{Markup, html};

use super::org_path;
use crate::money::compliance::{Figure, Status};
use crate::money::types::OrgType;
use crate::money::views::rows::{FiguresRow, OrgRow};
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;
use crate::site::yearly::FigureField;
use crate::site::{regions, slug, yearly};

/// Which organisations a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Filter {
    All,
    Type(String),
    Region(String),
    Fundraising(bool),
}

impl Filter {
    /// The list's path within a language.
    pub fn path(&self) -> String {
        match self {
            Filter::All => "orgs/index.html".into(),
            Filter::Type(t) => format!("orgs/type-{}.html", slug::encode(t)),
            Filter::Region(r) => format!("orgs/region-{}.html", slug::encode(r)),
            Filter::Fundraising(true) => "orgs/fundraising-yes.html".into(),
            Filter::Fundraising(false) => "orgs/fundraising-no.html".into(),
        }
    }

    /// The filter a list path names (`type-foundation.html`, ...), if any.
    pub fn parse(file: &str) -> Option<Filter> {
        let stem = file.strip_suffix(".html")?;
        if stem == "index" {
            return Some(Filter::All);
        }
        if let Some(t) = stem.strip_prefix("type-") {
            return slug::decode(t).map(Filter::Type);
        }
        if let Some(r) = stem.strip_prefix("region-") {
            return slug::decode(r).map(Filter::Region);
        }
        match stem {
            "fundraising-yes" => Some(Filter::Fundraising(true)),
            "fundraising-no" => Some(Filter::Fundraising(false)),
            _ => None,
        }
    }

    pub fn matches(&self, org: &OrgRow) -> bool {
        let o = &org.register;
        match self {
            Filter::All => true,
            Filter::Type(t) => o.org_type.as_str() == t,
            Filter::Region(r) => o.region.as_str() == r,
            Filter::Fundraising(f) => o.public_fundraising == *f,
        }
    }
}

/// Every filter with at least one organisation, in display order.
pub fn filters(snap: &Snapshot) -> Vec<Filter> {
    let mut types = std::collections::BTreeSet::new();
    let mut regions = std::collections::BTreeSet::new();
    for o in snap.orgs() {
        types.insert(o.register.org_type.as_str().to_owned());
        regions.insert(o.register.region.as_str().to_owned());
    }
    let mut out = vec![Filter::All];
    out.extend(types.into_iter().map(Filter::Type));
    out.extend(regions.into_iter().map(Filter::Region));
    out.extend([Filter::Fundraising(true), Filter::Fundraising(false)]);
    out
}

fn label(c: &Ctx, f: &Filter) -> String {
    match f {
        Filter::All => c.t("全部", "All").to_owned(),
        Filter::Type(t) => c.lang.org_type(t),
        Filter::Region(r) => regions::name(c.lang, r),
        Filter::Fundraising(true) => c
            .t("具有公开募捐资格", "May raise funds publicly")
            .to_owned(),
        Filter::Fundraising(false) => c.t("无公开募捐资格", "No public fundraising").to_owned(),
    }
}

/// The page's title: the list's name, and the filter's (issue 16: filtered pages had the same
/// title as the whole list).
fn title(c: &Ctx, filter: &Filter) -> String {
    match filter {
        Filter::All => c.t("慈善组织", "Organisations").to_owned(),
        f => format!("{}{}", c.t("慈善组织：", "Organisations: "), label(c, f)),
    }
}

/// Whether the spending rules judge an organisation of this registered type: only the three
/// charity forms (the 2016 rule Arts. 6-9); a welfare institution, a trust company or a
/// lottery administrator is not judged.
fn judged(org_type: OrgType) -> bool {
    crate::money::bodies::org_time::is_charity_type(org_type)
}

/// A ratio figure of a `compliance/` row as a cell: the percentage with its verdict in words,
/// sortable by the exact value; without a figure, for an organisation the rules do not judge,
/// says so.
fn ratio_td(c: &Ctx, judged: bool, f: Option<&Figure>) -> Markup {
    let value = f.and_then(|f| f.value);
    html! {
        @match (f, value) {
            (Some(f), Some(v)) => td.num data-sort=(v) {
                (super::org::ratio(v))
                @match f.status {
                    Status::Pass => span.pass title=(c.t("达标", "Pass")) { " ✓" },
                    Status::Fail => span.fail title=(c.t("未达标", "Fail")) { " ✗" },
                    _ => {},
                }
                @if let Some(b) = basis(c, &f.id) { br; small.muted { (b) } }
            },
            _ if !judged => td.num data-sort="" { span.muted title=(c.t("非慈善组织，不适用支出比例规则", "Not a charity: the spending rules do not apply")) { (c.t("不适用", "n/a")) } },
            _ => td.num data-sort="" { span.muted title=(c.t("数据不足", "Not enough data")) { "—" } },
        }
    }
}

/// What a charitable-spending ratio is measured against, which differs between organisations
/// (prior-year revenue, or prior year-end net assets for those without public fundraising): a
/// 1,400% beside a 90% is no comparison unless the reader sees it.
pub fn basis(c: &Ctx, id: &str) -> Option<&'static str> {
    match id {
        "charitable_spending_vs_prior_revenue" => {
            Some(c.t("占上年总收入", "of prior-year revenue"))
        }
        "charitable_spending_vs_prior_net_assets" => {
            Some(c.t("占上年末净资产", "of prior year-end net assets"))
        }
        _ => None,
    }
}

/// A money cell sortable by its exact value; "—" with no figures for the year.
fn money_cell(f: Option<&FiguresRow>, field: FigureField) -> Markup {
    match f.map(field) {
        Some(v) => html! { td.num data-sort=(v) { (crate::site::format::money(v.0, "CNY")) } },
        None => html! { td.num data-sort="" { span.muted { "—" } } },
    }
}

/// The list for `filter`, narrowed further by `query` (live server only). Filters combine in
/// the browser (`static/explore.js`): the selects narrow the rows of the full list, and a
/// filtered list's address (`?type=..&region=..&fundraising=..`) reopens it; without scripts,
/// each facet's pre-rendered list is a link away. Columns sort in the browser, numbers as
/// numbers; money and ratios are the latest finished year's, in CNY.
pub fn render(c: &Ctx, snap: &Snapshot, filter: &Filter, query: Option<&str>) -> Markup {
    let q = query.map(str::trim).filter(|q| !q.is_empty());
    let orgs: Vec<OrgRow> = snap
        .orgs()
        .filter(|o| filter.matches(o))
        .filter(|o| {
            let o = &o.register;
            q.is_none_or(|q| {
                o.name.as_str().contains(q)
                    || o.org.as_str().contains(q)
                    || o.name_en
                        .as_ref()
                        .is_some_and(|n| n.as_str().to_lowercase().contains(&q.to_lowercase()))
            })
        })
        .collect();
    let all = filters(snap);
    let year = yearly::latest_finished_year(snap);
    let year_label = year.map(|y| c.lang.year(y)).unwrap_or_default();
    let selected = |f: &Filter| f == filter;
    let title = title(c, filter);
    let body = html! {
        form.filters hidden data-all=(c.href(&Filter::All.path())) data-full[*filter == Filter::All] {
            label { (c.t("类型", "Type"))
                select name="type" {
                    option value="" { (c.t("全部", "All")) }
                    @for f in &all { @if let Filter::Type(t) = f {
                        option value=(t) selected[selected(f)] { (label(c, f)) }
                    } }
                }
            }
            label { (c.t("地区", "Region"))
                select name="region" {
                    option value="" { (c.t("全部", "All")) }
                    @for f in &all { @if let Filter::Region(r) = f {
                        option value=(r) selected[selected(f)] { (label(c, f)) }
                    } }
                }
            }
            label { (c.t("公开募捐", "Public fundraising"))
                select name="fundraising" {
                    option value="" { (c.t("全部", "All")) }
                    option value="yes" selected[selected(&Filter::Fundraising(true))] { (c.t("有资格", "Yes")) }
                    option value="no" selected[selected(&Filter::Fundraising(false))] { (c.t("无资格", "No")) }
                }
            }
        }
        details.facet-links {
            summary { (c.t("筛选：按类型、地区或公开募捐资格", "Filter by type, region or public fundraising")) }
            ul.facets {
                @for f in &all {
                    li {
                        @if f == filter {
                            a href=(c.href(&f.path())) aria-current="page" { (label(c, f)) }
                        } @else {
                            a href=(c.href(&f.path())) { (label(c, f)) }
                        }
                    }
                }
            }
        }
        @if year.is_some() {
            p.muted.list-year { (c.t("金额与比例为 ", "Money and ratios for ")) (year_label) (c.t("（最近一个已结束的年度，人民币）。点击列名排序；勾选两至三家机构后比较。", " (the latest finished year, CNY). Click a column's name to sort; tick two or three organisations to compare them.")) }
        }
        form.compare-pick method="get" action=(c.href(super::compare::PATH)) {
            div.table-wrap { table.orgs.sortable {
                caption { span.shown { (label(c, filter)) " · " (orgs.len()) } }
                thead { tr {
                    th scope="col" { span.visually-hidden { (c.t("比较", "Compare")) } }
                    th scope="col" data-sort-type="text" { (c.t("名称", "Name")) }
                    th.facet-col scope="col" data-sort-type="text" { (c.t("类型", "Type")) }
                    th.facet-col scope="col" data-sort-type="text" { (c.t("地区", "Region")) }
                    th.facet-col scope="col" data-sort-type="text" { (c.t("公开募捐", "Public fundraising")) }
                    th.num scope="col" data-sort-type="number" { (c.t("收入", "Raised")) }
                    th.num scope="col" data-sort-type="number" { (c.t("总支出", "Spent")) }
                    th.num scope="col" data-sort-type="number" abbr=(c.t("慈善支出比例", "Charitable spending ratio")) { (c.t("慈善支出比例", "Charitable spending")) }
                    th.num scope="col" data-sort-type="number" abbr=(c.t("管理费用比例", "Admin cost ratio")) { (c.t("管理费用比例", "Admin costs")) }
                } }
                tbody {
                    @for o in &orgs {
                        @let r = &o.register;
                        @let code = r.org.as_str();
                        @let (fig, comp) = year.map(|y| yearly::year(snap, code, y, "CNY")).unwrap_or_default();
                        tr data-type=(r.org_type.as_str()) data-region=(r.region.as_str())
                            data-fundraising=(if r.public_fundraising { "yes" } else { "no" }) {
                            td { input type="checkbox" name="org" value=(code) aria-label=(format!("{}{}", c.t("比较 ", "Compare "), name(c, o))); }
                            td data-sort=(name(c, o)) { a href=(c.href(&org_path(code))) lang=[super::name_lang(c, name(c, o))] { (name(c, o)) } br; small.hash { (code) } }
                            td.facet-col { (c.lang.org_type(r.org_type.as_str())) }
                            td.facet-col { (regions::name(c.lang, r.region.as_str())) }
                            td.facet-col { (yes_no(c, r.public_fundraising)) }
                            (money_cell(fig.as_ref(), |f| f.income))
                            (money_cell(fig.as_ref(), |f| f.total_spending))
                            @let judged = judged(r.org_type);
                            (ratio_td(c, judged, comp.as_ref().and_then(yearly::charitable_ratio)))
                            (ratio_td(c, judged, comp.as_ref().and_then(yearly::admin_ratio)))
                        }
                    }
                }
            } }
            p.compare-bar {
                button type="submit" { (c.t("比较选中的机构（二至三家）", "Compare the ticked organisations (two or three)")) }
            }
        }
        p.muted { (c.t("比例由监管比例规则计算（见各机构页面的依据）；“—”表示该年度数据不足。", "Ratios are those the regulator's rules compute (each organisation's page cites them); \"—\" means not enough data for the year.")) }
        p.downloads {
            (c.t("下载：机构列表 ", "Download: the list as "))
            a href=(c.asset("data/orgs.csv")) { "CSV" } " · " a href=(c.asset("data/orgs.json")) { "JSON" }
            (c.t("；各机构历年数字 ", "; every organisation's figures by year as "))
            a href=(c.asset("data/figures.csv")) { "CSV" } " · " a href=(c.asset("data/figures.json")) { "JSON" }
        }
        script src=(c.asset("static/explore.js")) defer {}
    };
    page(
        c,
        &Shell {
            title: &title,
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}

/// An organisation's name in the page's language (the Chinese name when it has no English one).
pub fn name<'a>(c: &Ctx, o: &'a OrgRow) -> &'a str {
    match (c.lang, &o.register.name_en) {
        (crate::site::i18n::Lang::En, Some(en)) => en.as_str(),
        _ => o.register.name.as_str(),
    }
}

pub fn yes_no(c: &Ctx, b: bool) -> &'static str {
    if b {
        c.t("是", "Yes")
    } else {
        c.t("否", "No")
    }
}
