//! Search (`search/index.html?q=..`): organisations, projects and trusts by any part of their
//! Chinese or English name or their ids, and receipts through the receipt lookup. The page is
//! the same on every host; `static/explore.js` fetches the prebuilt index
//! ([`crate::site::search`]) and lists what matches, so it works on a static host with no
//! server. The header's search box on every page submits here.

use maud::{Markup, html};
use serde_json::json;

use crate::site::layout::{Ctx, Shell, page};
use crate::site::search::INDEX_PATH;
use crate::site::snapshot::Snapshot;

/// The page's path within a language.
pub const PATH: &str = "search/index.html";

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let labels = json!({
        "orgs": c.t("慈善组织", "Organisations"),
        "projects": c.t("项目", "Projects"),
        "trusts": c.t("慈善信托", "Charitable trusts"),
        "none": c.t("没有找到匹配的机构、项目或信托。", "No organisation, project or trust matches."),
        "found": c.t("条结果", "results"),
        "of": c.t("发起机构：", "by "),
        "trustee": c.t("受托人：", "trustee "),
        "failed": c.t("无法读取搜索索引。", "The search index could not be read."),
        "title": c.t("搜索：", "Search: "),
    });
    let body = html! {
        form.lookup.search-page role="search" method="get" action=(c.href(PATH)) {
            label { (c.t("机构、项目或信托的名称（中文或英文任意一段）、统一社会信用代码、项目编号或收据号",
                         "Any part of a name (Chinese or English), a credit code, a project id or a receipt number"))
                input #search-q type="search" name="q" autocomplete="off";
            }
            button type="submit" { (c.t("搜索", "Search")) }
        }
        section.receipt-route hidden aria-labelledby="receipt-route-h" {
            h2 #receipt-route-h { (c.t("这像是一个收据号", "This looks like a receipt number")) }
            p { (c.t("收据号由各机构自行编排，不同机构可能相同：请选择出具收据的机构，然后查询。",
                     "Each organisation numbers its own receipts, so two may share a number: choose the organisation that issued it, then look it up.")) }
            (super::receipt::lookup_filled(c, snap, "", ""))
        }
        div #search-results data-index=(c.asset(INDEX_PATH)) data-root=(c.href("")) data-lang=(c.lang.code())
            data-labels=(labels.to_string()) aria-live="polite" {
            noscript { p { (c.t("搜索在您的浏览器中进行，需要启用脚本。也可以浏览", "Search runs in your browser and needs scripts. You can also browse "))
                a href=(c.href("orgs/index.html")) { (c.t("机构列表", "the organisation list")) } (c.t("。", ".")) } }
        }
        script src=(c.asset("static/explore.js")) defer {}
    };
    page(
        c,
        &Shell {
            title: c.t("搜索", "Search"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}
