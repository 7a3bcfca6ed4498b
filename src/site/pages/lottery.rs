//! Welfare-lottery public-welfare funds (福彩公益金): per issuer and fiscal year the announcement
//! figures (raised, granted by purpose category, carried forward), then every grant with its
//! reported uses and what remains unused.

use std::collections::BTreeSet;

use maud::{Markup, html};

use super::{downloads, entry_link, lottery_path, money_td, org_link, project_path};
use crate::money::views::keys;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::{Snapshot, s};

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

pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        p { (c.t("各福利彩票发行机构按年度公告公益金的筹集与分配，并逐笔披露资助及其使用。",
                 "Each welfare-lottery issuer announces, per fiscal year, what its public-welfare fund raised and how it was allocated, and discloses every grant and its use.")) }
        ul { @for a in issuers(snap) {
            li { a href=(c.href(&lottery_path(&a))) { (snap.org_name(&a)) } }
        } }
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
    let years: Vec<_> = snap.rows(&keys::LOTTERY_YEAR.under(&[&admin])).collect();
    let grants: Vec<_> = snap.rows(&keys::LOTTERY_GRANT.under(&[&admin])).collect();
    if years.is_empty() && grants.is_empty() {
        return None;
    }
    let body = html! {
        p { (c.t("发行机构：", "Issuer: ")) (org_link(c, snap, admin)) }
        h2 { (c.t("年度公告", "Annual announcements")) }
        @for y in &years {
            @let cur = s(y, "currency");
            div.table-wrap { table {
                caption { (c.lang.year(y["fiscal_year"].as_i64().unwrap_or_default())) " · " (c.t("公告于 ", "announced ")) (c.lang.date_str(s(y, "announced_on"))) }
                tbody {
                    tr { th scope="row" { (c.t("筹集", "Raised")) } (money_td(&y["raised"], cur)) }
                    @for a in y["allocated"].as_array().into_iter().flatten() {
                        tr { th scope="row" { (c.t("分配：", "Allocated: ")) (c.lang.lottery_purpose(s(a, "purpose"))) } (money_td(&a["amount"], cur)) }
                    }
                    tr { th scope="row" { (c.t("结转", "Carried forward")) } (money_td(&y["carried_forward"], cur)) }
                    tr { th scope="row" { (c.t("公告文件哈希", "Document hash")) } td.hash { (s(y, "document")) } }
                }
            } }
        }
        h2 { (c.t("资助", "Grants")) }
        div.table-wrap { table {
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
                @let cur = s(g, "currency");
                tr {
                    td { (s(g, "grant_id")) " " @if let Some(seq) = g["seq"].as_u64() { (entry_link(c, seq)) } br; (c.lang.date_str(s(g, "granted_on"))) }
                    td { a href=(c.href(&project_path(s(g, "recipient_org"), s(g, "recipient_project")))) { (snap.org_name(s(g, "recipient_org"))) " · " (recipient_title(c, snap, g)) } }
                    td { (c.lang.lottery_purpose(s(g, "purpose"))) }
                    (money_td(&g["amount"], cur))
                    td { ul { @for u in g["usages"].as_array().into_iter().flatten() {
                        li { (c.lang.date_str(s(u, "used_on"))) " · " (crate::site::format::money_str(s(u, "amount"), cur)) " " @if let Some(seq) = u["seq"].as_u64() { (entry_link(c, seq)) } }
                    } } }
                    (money_td(&g["remaining"], cur))
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
fn recipient_title<'a>(c: &Ctx, snap: &'a Snapshot, grant: &'a serde_json::Value) -> &'a str {
    let (org, project) = (s(grant, "recipient_org"), s(grant, "recipient_project"));
    snap.view(&keys::PROJECT.key(&[&org, &project]))
        .map_or(project, |p| super::project::title(c, p))
}
