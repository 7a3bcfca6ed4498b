//! What the live server answers, in the page's language, when a page or a receipt is not there
//! (issue 16): an HTML page with status 404 rather than the API's JSON error, so a donor who
//! mistyped a link or a receipt number reads what to do next. API routes keep their JSON.

use maud::{Markup, html};

use super::receipt;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

/// No page at the address asked for.
pub fn render_page(c: &Ctx) -> Markup {
    let body = html! {
        p { (c.t("这个地址没有页面：链接可能有误，或者页面已经移走。", "There is no page at this address: the link may be mistyped, or the page has moved.")) }
        ul {
            li { a href=(c.href("index.html")) { (c.t("首页", "Home")) } }
            li { a href=(c.href("orgs/index.html")) { (c.t("慈善组织", "Organisations")) } }
            li { a href=(c.href("receipts/index.html")) { (c.t("捐赠查询", "Receipt lookup")) } }
        }
    };
    page(
        c,
        &Shell {
            title: c.t("页面不存在", "Page not found"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}

/// No receipt `no` of organisation `org`: what was asked, what may be wrong, and the lookup
/// form filled in with it to try again.
pub fn render_receipt(c: &Ctx, snap: &Snapshot, org: &str, no: &str) -> Markup {
    let org_shown = match snap.org_name(org) {
        name if name != org => format!("{name} ({org})"),
        _ => org.to_owned(),
    };
    let body = html! {
        (receipt::not_found(c, Some((org_shown.as_str(), no))))
        h2 { (c.t("重新查询", "Try again")) }
        (receipt::lookup_filled(c, snap, org, no))
    };
    page(
        c,
        &Shell {
            title: c.t("没有找到这张收据", "We could not find this receipt"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}
