//! What the live server answers, in the page's language, when a page or a receipt is not there
//! (issue 16): an HTML page with status 404 rather than the API's JSON error, so a donor who
//! mistyped a link or a receipt number reads what to do next. API routes keep their JSON.

use maud::{DOCTYPE, Markup, html};

use super::receipt;
use crate::site::i18n::Lang;
use crate::site::layout::{CSP, Ctx, Shell, page};
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

/// Where a static host's 404 page may be, below the site's root, for its script ladder: the
/// deepest page of ours is three directories down (`en/projects/{org}/{id}.html`, and an older
/// site's `en/receipts/{org}/{no}.html`), a mistyped address a few more.
pub const STATIC_404_DEPTH: usize = 8;

/// The static site's `404.html`, at its root, which static hosts serve for any missing address
/// at any depth (GitHub Pages, Netlify, Cloudflare Pages and others look for this name). No
/// relative link can work from every depth, so the stylesheet and links are root-absolute
/// (right for a site at the host's root), and `static/notfound.js`, loaded by a ladder of
/// relative paths of which only the right one exists, points them at the site's real root
/// wherever it is. It speaks both languages: it cannot know which the reader was using until
/// the script sees the address.
pub fn render_static() -> Markup {
    let links = |lang: Lang| {
        html! {
            ul {
                @for (to, zh, en) in [("index.html", "首页", "Home"), ("orgs/index.html", "慈善组织", "Organisations"), ("receipts/index.html", "捐赠查询", "Receipt lookup")] {
                    @let to = format!("{}{to}", lang.dir());
                    li { a href=(format!("/{to}")) data-to=(to) { (lang.t(zh, en)) } }
                }
            }
        }
    };
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="robots" content="noindex";
                title { "页面不存在 · Page not found" }
                meta name="description" content="这个地址没有页面。There is no page at this address.";
                link rel="stylesheet" href="/static/site.css";
                @for depth in 0..=STATIC_404_DEPTH {
                    script src=(format!("{}static/notfound.js", "../".repeat(depth))) defer {}
                }
            }
            body {
                header {
                    a.brand href="/index.html" data-to="index.html" { "阳光慈善账本 " span lang="en" { "Sunshine Ledger" } }
                }
                main #main {
                    h1 { "页面不存在 " span lang="en" { "· Page not found" } }
                    div.not-found-langs {
                        section lang="zh-CN" {
                            p { "这个地址没有页面：链接可能有误，或者页面已经移走。" }
                            (links(Lang::Zh))
                        }
                        section lang="en" {
                            p { "There is no page at this address: the link may be mistyped, or the page has moved." }
                            (links(Lang::En))
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_static_404_loads_its_script_from_every_depth_and_links_from_the_root() {
        let html = render_static().into_string();
        for depth in 0..=STATIC_404_DEPTH {
            let src = format!("src=\"{}static/notfound.js\"", "../".repeat(depth));
            assert!(html.contains(&src), "{src}: {html}");
        }
        assert!(
            html.contains(r#"href="/en/orgs/index.html" data-to="en/orgs/index.html""#),
            "{html}"
        );
        assert!(html.contains(r#"href="/static/site.css""#));
        assert!(!html.contains("href=\"../"), "no relative link: {html}");
    }
}
