//! The organisation list, with filters that work on a static host: every facet (type, region,
//! public-fundraising status) is a pre-rendered list of its own, linked from every list. The
//! live server also answers `?q=` on the full list (name or code contains the text).

use maud::{Markup, html};
use serde_json::Value;

use super::{downloads, org_path};
use crate::money::views::keys;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::{Snapshot, s};
use crate::site::{regions, slug};

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

    pub fn matches(&self, org: &Value) -> bool {
        match self {
            Filter::All => true,
            Filter::Type(t) => s(org, "org_type") == t,
            Filter::Region(r) => s(org, "region") == r,
            Filter::Fundraising(f) => org["public_fundraising"].as_bool() == Some(*f),
        }
    }
}

/// Every filter with at least one organisation, in display order.
pub fn filters(snap: &Snapshot) -> Vec<Filter> {
    let mut types = std::collections::BTreeSet::new();
    let mut regions = std::collections::BTreeSet::new();
    for o in snap.rows(keys::ORG.prefix()) {
        types.insert(s(o, "org_type").to_owned());
        regions.insert(s(o, "region").to_owned());
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

/// The list for `filter`, narrowed further by `query` (live server only).
pub fn render(c: &Ctx, snap: &Snapshot, filter: &Filter, query: Option<&str>) -> Markup {
    let q = query.map(str::trim).filter(|q| !q.is_empty());
    let orgs: Vec<&Value> = snap
        .rows(keys::ORG.prefix())
        .filter(|o| filter.matches(o))
        .filter(|o| {
            q.is_none_or(|q| {
                s(o, "name").contains(q)
                    || s(o, "org").contains(q)
                    || s(o, "name_en").to_lowercase().contains(&q.to_lowercase())
            })
        })
        .collect();
    let body = html! {
        form.lookup role="search" method="get" action=(c.href("orgs/index.html")) {
            label { (c.t("按名称或统一社会信用代码搜索", "Search by name or credit code"))
                input type="search" name="q" value=(q.unwrap_or("")) autocomplete="off";
            }
            button type="submit" { (c.t("搜索", "Search")) }
        }
        p.muted { (c.t("静态镜像上搜索不可用时，请使用下面的筛选。", "Where search is unavailable (static mirrors), use the filters below.")) }
        nav aria-label=(c.t("筛选", "Filters")) {
            ul.facets {
                @for f in filters(snap) {
                    li {
                        @if &f == filter {
                            a href=(c.href(&f.path())) aria-current="page" { (label(c, &f)) }
                        } @else {
                            a href=(c.href(&f.path())) { (label(c, &f)) }
                        }
                    }
                }
            }
        }
        div.table-wrap { table {
            caption { (label(c, filter)) " · " (orgs.len()) }
            thead { tr {
                th scope="col" { (c.t("名称", "Name")) }
                th scope="col" { (c.t("类型", "Type")) }
                th scope="col" { (c.t("地区", "Region")) }
                th scope="col" { (c.t("公开募捐", "Public fundraising")) }
                th scope="col" { (c.t("统一社会信用代码", "Credit code")) }
            } }
            tbody {
                @for o in &orgs {
                    tr {
                        td { a href=(c.href(&org_path(s(o, "org")))) lang=[super::name_lang(c, name(c, o))] { (name(c, o)) } }
                        td { (c.lang.org_type(s(o, "org_type"))) }
                        td { (regions::name(c.lang, s(o, "region"))) }
                        td { (yes_no(c, o["public_fundraising"].as_bool() == Some(true))) }
                        td.hash { (s(o, "org")) }
                    }
                }
            }
        } }
        (downloads(c, "orgs"))
    };
    page(
        c,
        &Shell {
            title: c.t("慈善组织", "Organisations"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}

/// An organisation's name in the page's language (the Chinese name when it has no English one).
pub fn name<'a>(c: &Ctx, o: &'a Value) -> &'a str {
    match (c.lang, o["name_en"].as_str()) {
        (crate::site::i18n::Lang::En, Some(en)) => en,
        _ => s(o, "name"),
    }
}

pub fn yes_no(c: &Ctx, b: bool) -> &'static str {
    if b {
        c.t("是", "Yes")
    } else {
        c.t("否", "No")
    }
}
