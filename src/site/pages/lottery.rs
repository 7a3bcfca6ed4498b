//! Welfare-lottery public-welfare funds (福彩公益金): on the index, the issuers and every grant
//! summed by fiscal year and purpose; per issuer and fiscal year the announcement figures
//! (raised, granted by purpose category, carried forward), then every grant with its reported
//! uses and what remains unused.

use std::collections::{BTreeMap, BTreeSet};

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::{downloads, entry_link, lottery_path, money_td, org_link, project_path};
use crate::money::views::keys;
use crate::money::views::rows::{GrantRow, LotteryYearRow, ProjectRow};
use crate::site::format;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

/// Every issuer with an announcement or a grant.
pub fn issuers(snap: &Snapshot) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (k, _) in snap
        .prefixed(keys::LOTTERY_YEAR.prefix())
        .chain(snap.prefixed(keys::LOTTERY_GRANT.prefix()))
    {
        let parts = keys::LOTTERY_YEAR
            .parts(k)
            .or_else(|| keys::LOTTERY_GRANT.parts(k));
        if let Some(a) = parts.and_then(|mut p| p.next()) {
            out.insert(a.to_owned());
        }
    }
    out.into_iter().collect()
}

/// Grants by fiscal year and purpose, summed over every issuer, per currency: (currency,
/// fiscal year, purpose) -> amount.
fn by_year_and_purpose(snap: &Snapshot) -> BTreeMap<(String, i64, String), Decimal> {
    let mut out: BTreeMap<(String, i64, String), Decimal> = BTreeMap::new();
    for g in snap.typed_values::<GrantRow>(keys::LOTTERY_GRANT.prefix()) {
        let g = &g.record.grant;
        let key = (
            g.currency.as_str().to_owned(),
            i64::from(g.fiscal_year.0),
            g.purpose.as_str().to_owned(),
        );
        *out.entry(key).or_default() += g.amount.decimal();
    }
    out
}

/// The year-by-purpose summary: a table per currency, a row per purpose, a column per fiscal
/// year and the total, so a phone reads a few columns (years are few, purposes many).
fn summary(c: &Ctx, snap: &Snapshot) -> Markup {
    let sums = by_year_and_purpose(snap);
    let currencies: BTreeSet<&str> = sums.keys().map(|(cur, _, _)| cur.as_str()).collect();
    html! {
        @for cur in currencies {
            @let years: BTreeSet<i64> = sums.keys().filter(|k| k.0 == cur).map(|k| k.1).collect();
            @let purposes: BTreeSet<&str> = sums.keys().filter(|k| k.0 == cur).map(|k| k.2.as_str()).collect();
            @let cell = |y: i64, p: &str| sums.get(&(cur.to_owned(), y, p.to_owned())).copied().unwrap_or_default();
            div.table-wrap { table.lottery-summary.stack-on-phone {
                caption { (c.t("各年度按类别的资助（", "Grants by fiscal year and purpose (")) (cur) (c.t("）", ")")) }
                thead { tr {
                    th scope="col" { (c.t("类别", "Purpose")) }
                    @for y in &years { th.num scope="col" { (c.lang.year(*y)) } }
                    th.num scope="col" { (c.t("合计", "Total")) }
                } }
                tbody {
                    @for p in &purposes {
                        tr {
                            th scope="row" { (c.lang.lottery_purpose(p)) }
                            @for y in &years { td.num data-label=(c.lang.year(*y)) { (format::money(cell(*y, p), cur)) } }
                            td.num data-label=(c.t("合计", "Total")) { (format::money(years.iter().map(|y| cell(*y, p)).sum(), cur)) }
                        }
                    }
                    tr.total {
                        th scope="row" { (c.t("合计", "Total")) }
                        @for y in &years { td.num data-label=(c.lang.year(*y)) { (format::money(purposes.iter().map(|p| cell(*y, p)).sum(), cur)) } }
                        td.num data-label=(c.t("合计", "Total")) { (format::money(sums.iter().filter(|(k, _)| k.0 == cur).map(|(_, v)| *v).sum(), cur)) }
                    }
                }
            } }
        }
    }
}

pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        p { (c.t("各福利彩票发行机构按年度公告公益金的筹集与分配，并逐笔披露资助及其使用。",
                 "Each welfare-lottery issuer announces, per fiscal year, what its public-welfare fund raised and how it was allocated, and discloses every grant and its use.")) }
        h2 { (c.t("发行机构", "Issuers")) }
        ul { @for a in issuers(snap) {
            li { a href=(c.href(&lottery_path(&a))) { (super::name_text(c, &snap.org_name(&a))) } }
        } }
        h2 { (c.t("各年度资助", "Grants by year")) }
        p { (c.t("按资金年度和类别合计每笔已披露的资助（含尚未公告的年度）。",
                 "Every disclosed grant, summed by fiscal year and purpose (years not yet announced included).")) }
        (summary(c, snap))
        (downloads(c, "lottery_grants"))
    };
    page(
        c,
        &Shell {
            title: c.t("福彩公益金", "Welfare-lottery funds"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}

pub fn render(c: &Ctx, snap: &Snapshot, admin: &str) -> Option<Markup> {
    let years: Vec<LotteryYearRow> = snap
        .typed_values(&keys::LOTTERY_YEAR.under(&[&admin]))
        .collect();
    let grants: Vec<GrantRow> = snap
        .typed_rows(&keys::LOTTERY_GRANT.under(&[&admin]))
        .map(|(_, g)| g)
        .collect();
    if years.is_empty() && grants.is_empty() {
        return None;
    }
    let body = html! {
        p { (c.t("发行机构：", "Issuer: ")) (org_link(c, snap, admin)) }
        h2 { (c.t("年度公告", "Annual announcements")) }
        @for y in &years {
            @let y = &y.body;
            @let cur = y.currency.as_str();
            div.table-wrap { table {
                caption { (c.lang.year(i64::from(y.fiscal_year.0))) " · " (c.t("公告于 ", "announced ")) (c.lang.date(y.announced_on)) }
                tbody {
                    tr { th scope="row" { (c.t("筹集", "Raised")) } (money_td(y.raised.0, cur)) }
                    @for a in &y.allocated {
                        tr { th scope="row" { (c.t("分配：", "Allocated: ")) (c.lang.lottery_purpose(a.purpose.as_str())) } (money_td(a.amount.decimal(), cur)) }
                    }
                    tr { th scope="row" { (c.t("结转", "Carried forward")) } (money_td(y.carried_forward.0, cur)) }
                    tr { th scope="row" { (c.t("公告文件哈希", "Document hash")) } td.hash { (y.document) } }
                }
            } }
        }
        (super::trust_lottery_figures::lottery_execution(c, snap, admin))
        h2 { (c.t("资助", "Grants")) }
        div.table-wrap { table.stack-on-phone {
            caption { (c.t("每笔资助及其使用", "Every grant and its use")) }
            thead { tr {
                th scope="col" { (c.t("资助", "Grant")) }
                th scope="col" { (c.t("受资助项目", "Recipient project")) }
                th scope="col" { (c.t("类别", "Purpose")) }
                th.num scope="col" { (c.t("金额", "Amount")) }
                th scope="col" { (c.t("使用情况", "Reported use")) }
                th.num scope="col" { (c.t("未使用", "Unused")) }
            } }
            tbody { @for g in &grants {
                @let b = &g.record.grant;
                @let cur = &*b.currency.to_string();
                @let to = b.recipient_org.as_str();
                tr {
                    td data-label=(c.t("资助", "Grant")) { (b.grant_id) " " (entry_link(c, g.record.seq)) br; (c.lang.date(b.granted_on)) }
                    td data-label=(c.t("受资助项目", "Recipient project")) {
                        // A welfare institution that is not a charity receives a grant itself.
                        @match &b.recipient_project {
                            None => (org_link(c, snap, to)),
                            Some(project) => a href=(c.href(&project_path(to, project.as_str()))) { (super::name_text(c, &snap.org_name(to))) " · " (super::name_text(c, &recipient_title(c, snap, to, project.as_str()))) },
                        }
                    }
                    td data-label=(c.t("类别", "Purpose")) { (c.lang.lottery_purpose(b.purpose.as_str())) }
                    td.num data-label=(c.t("金额", "Amount")) { (format::money(b.amount.decimal(), cur)) }
                    // One line per use: its date, amount and entry (a plain list: the date
                    // already leads each line, a bullet before it was one mark too many).
                    td data-label=(c.t("使用情况", "Reported use")) { ul.plain.uses { @for u in &g.record.usages {
                        li { (c.lang.date(u.used_on)) (c.t("：", ": ")) (format::money(u.amount.0, cur)) " " (entry_link(c, u.seq)) }
                    } } }
                    td.num data-label=(c.t("未使用", "Unused")) { (format::money(g.remaining.0, cur)) }
                }
            } }
        } }
    };
    Some(page(
        c,
        &Shell {
            title: &format!(
                "{} · {}",
                c.t("福彩公益金", "Welfare-lottery fund"),
                snap.org_name(admin)
            ),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    ))
}

/// The title of the project a grant went to, in the page's language (its id if the project is
/// not in the views).
fn recipient_title(c: &Ctx, snap: &Snapshot, org: &str, project: &str) -> String {
    snap.typed::<ProjectRow>(&keys::PROJECT.key(&[&org, &project]))
        .map_or_else(
            || project.to_owned(),
            |p| super::project::title(c, &p).to_owned(),
        )
}
