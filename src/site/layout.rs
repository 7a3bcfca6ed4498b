//! The HTML shell every page shares: `<head>` with the Content-Security-Policy, the stylesheet
//! and (on pages that verify) our one script; a skip link; `<header>` with the navigation and
//! the language switch to the same page in the other language; `<main>`; `<footer>`.
//!
//! Every link is relative to the page, computed from its depth, so the exported site works
//! under any path prefix on any static host.

use maud::{DOCTYPE, Markup, html};

use super::i18n::Lang;

/// The policy: our own files only, no inline script or style, images from us or `data:`.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";

/// Relative prefixes from a page `depth` directories below the site root to the root.
const ROOTS: [&str; 6] = [
    "",
    "../",
    "../../",
    "../../../",
    "../../../../",
    "../../../../../",
];

/// Where a page is and in which language; makes its relative links. Every page renders dozens
/// of links, so the prefix to the root is worked out once, here.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub lang: Lang,
    /// The page's path within its language, e.g. `orgs/index.html`.
    pub path: &'a str,
    root: &'static str,
}

/// `parts` joined, allocated once.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

impl<'a> Ctx<'a> {
    /// # Panics
    /// On a path more than five directories deep: no page of ours is (the deepest is
    /// `en/receipts/{org}/{no}.html`).
    pub fn new(lang: Lang, path: &'a str) -> Self {
        let depth = lang.dir().matches('/').count() + path.matches('/').count();
        let root = ROOTS
            .get(depth)
            .copied()
            .expect("site paths are at most five directories deep");
        Ctx { lang, path, root }
    }

    /// The page's path from the site root (`en/orgs/index.html`).
    pub fn file(&self) -> String {
        concat(&[self.lang.dir(), self.path])
    }

    /// The relative prefix from this page to the site root ("", "../", "../../").
    pub fn root(&self) -> &'static str {
        self.root
    }

    /// A link to another page in this language.
    pub fn href(&self, target: &str) -> String {
        concat(&[self.root, self.lang.dir(), target])
    }

    /// A link to a language-neutral file (`static/`, `log/`, `data/`).
    pub fn asset(&self, target: &str) -> String {
        concat(&[self.root, target])
    }

    /// This page in the other language.
    pub fn switch(&self) -> String {
        concat(&[self.root, self.lang.other().dir(), self.path])
    }

    pub fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        self.lang.t(zh, en)
    }
}

/// What the shell needs besides the body.
pub struct Shell<'a> {
    pub title: &'a str,
    /// Pages with a verification widget load `static/verify.js`.
    pub verify: bool,
    /// The entry and receipt viewers also load `static/view.js` (after `verify.js`, whose
    /// events it uses), which renders what they show in the browser.
    pub viewer: bool,
    /// The log size the page's figures reflect; none on pages that must not change as the log
    /// grows (entries, receipts), so incremental builds leave them alone.
    pub as_of: Option<u64>,
}

/// A page's description for search engines and link previews: one sentence saying what this
/// kind of page holds (issue 16), naming the thing for a page about one thing; a page of a kind
/// it does not know says its title and what the site is.
fn description(c: &Ctx, title: &str) -> String {
    use super::Page;
    let about = |what: (&'static str, &'static str)| concat(&[title, c.t(what.0, what.1)]);
    let kind: (&str, &str) = match Page::parse(c.path) {
        Some(Page::Home) => (
            "本站公开慈善组织的每一笔捐赠、支出、慈善信托和福彩公益金资助，每条记录都已签名、可在浏览器中核验。",
            "Every donation, payment, charitable trust and welfare-lottery grant charities disclosed, each signed and checkable in your browser.",
        ),
        Some(Page::Orgs(_)) => (
            "：账本上的慈善组织，及其类型、地区和公开募捐资格。",
            ": the charities on the ledger, with their type, region and public-fundraising status.",
        ),
        Some(Page::Org(_)) => {
            return about((
                "的登记信息、信息公开义务、项目、历年收入与支出、监管比例和它签名的条目。",
                "'s registration, disclosure duties, projects, income and spending by year, regulator ratios and the entries it signed.",
            ));
        }
        Some(Page::Projects) => (
            "每个慈善项目的目标、已募集和已支出金额。",
            "Every charitable project with its target and the money raised and spent.",
        ),
        Some(Page::Project(..)) => {
            return about((
                "：项目目标、每月募集与支出、每笔捐赠和每笔支出及其凭证。",
                ": the project's target, money raised and spent month by month, and every donation and payment with its evidence.",
            ));
        }
        Some(Page::Trusts) => (
            "每个已备案慈善信托的期限、慈善目的、信托财产、余额和受益方。",
            "Every filed charitable trust with its term, purpose, property, what is left and who received its money.",
        ),
        Some(Page::Trust(_)) => {
            return about((
                "：备案信息、受托人、期限、慈善目的、信托财产、每笔支出和年度报告。",
                ": filing, trustee, term, purpose, property, every payment and the annual reports.",
            ));
        }
        Some(Page::Lottery) => (
            "福彩公益金的发行机构，以及按年度和类别汇总的资助。",
            "Welfare-lottery public-welfare funds: the issuers, and grants by year and purpose.",
        ),
        Some(Page::LotteryIssuer(_)) => {
            return about((
                "：年度公告和每笔资助及其使用。",
                ": yearly announcements and every grant with its use.",
            ));
        }
        Some(Page::Receipts) => (
            "按收据号查询捐赠，查看善款去向。",
            "Look up a donation by its receipt number and see where the money went.",
        ),
        Some(Page::Receipt) => (
            "一笔捐赠的收据：捐赠本身、善款去向，以及对照签名账本的核验。",
            "A donation receipt: the gift, where the money went, and a check against the signed ledger.",
        ),
        Some(Page::Entry) => (
            "一条账本条目的内容摘要和原文，在浏览器中对照签名检查点核验。",
            "One ledger entry, summarised and in full, checked in your browser against the signed checkpoint.",
        ),
        Some(Page::Audit) => (
            "如何离线核验整本账本和本站公布的数字。",
            "How to verify the whole ledger and this site's figures offline.",
        ),
        Some(Page::Obligations) => (
            "慈善组织的信息公开义务：按时、逾期和逾期未公开的披露。",
            "Charities' disclosure duties: what was disclosed on time, late, or not at all.",
        ),
        Some(Page::Submit) => (
            "慈善组织签名并提交信息公开表格的页面。",
            "Where a charity signs and submits its disclosure spreadsheet.",
        ),
        _ => (
            "慈善组织的捐赠、支出和信息公开记录在一本签名的公开账本里，每条记录都可以在浏览器中核验。",
            "Charities' donations, spending and disclosures in a signed public ledger; every record can be checked in your browser.",
        ),
    };
    match Page::parse(c.path) {
        Some(Page::Orgs(_)) => concat(&[title, c.t(kind.0, kind.1)]),
        Some(_) => c.t(kind.0, kind.1).to_owned(),
        None => concat(&[title, c.t("。", ". "), c.t(kind.0, kind.1)]),
    }
}

/// Wraps `body` in the page shell.
pub fn page(c: &Ctx, shell: &Shell, body: Markup) -> Markup {
    let site = c.t("阳光慈善账本", "Sunshine Ledger");
    let nav: [(&str, &str, &str); 9] = [
        ("index.html", "首页", "Home"),
        ("orgs/index.html", "慈善组织", "Organisations"),
        ("projects/index.html", "项目", "Projects"),
        ("trusts/index.html", "慈善信托", "Trusts"),
        ("lottery/index.html", "福彩公益金", "Lottery funds"),
        ("receipts/index.html", "捐赠查询", "Receipt lookup"),
        ("obligations.html", "信息公开义务", "Disclosure duties"),
        ("regulator/index.html", "监管视图", "Supervision"),
        ("audit.html", "审计", "Audit"),
    ];
    html! {
        (DOCTYPE)
        html lang=(c.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                // The site's name once: a title that already names it stands alone (issue 16).
                @if shell.title.contains(site) {
                    title { (shell.title) }
                } @else {
                    title { (shell.title) " · " (site) }
                }
                meta name="description" content=(description(c, shell.title));
                link rel="stylesheet" href=(c.asset("static/site.css"));
                link rel="alternate" type="application/atom+xml" href=(c.href("feed.atom")) title=(c.t("最新披露", "Latest disclosures"));
                link rel="alternate" hreflang=(c.lang.other().code()) href=(c.switch());
                @if shell.verify || shell.viewer {
                    script src=(c.asset("static/verify.js")) defer {}
                }
                @if shell.viewer {
                    script src=(c.asset("static/view.js")) defer {}
                }
            }
            body {
                a.skip href="#main" { (c.t("跳到正文", "Skip to content")) }
                header {
                    a.brand href=(c.href("index.html")) { (site) }
                    nav aria-label=(c.t("主导航", "Main")) {
                        ul {
                            @for (target, zh, en) in nav {
                                li {
                                    @if target == c.path {
                                        a href=(c.href(target)) aria-current="page" { (c.t(zh, en)) }
                                    } @else {
                                        a href=(c.href(target)) { (c.t(zh, en)) }
                                    }
                                }
                            }
                        }
                    }
                    // Search from every page: a plain GET to the search page, which works on a
                    // static host (issue 16: the list's box needed the live server).
                    form.site-search role="search" method="get" action=(c.href("search/index.html")) {
                        input type="search" name="q" aria-label=(c.t("搜索机构、项目、信托或收据号", "Search organisations, projects, trusts or receipts"))
                            placeholder=(c.t("搜索机构、项目…", "Search…")) autocomplete="off";
                        button type="submit" { (c.t("搜索", "Search")) }
                    }
                    a.lang href=(c.switch()) lang=(c.lang.other().code()) hreflang=(c.lang.other().code()) {
                        (c.lang.other().name())
                    }
                }
                main #main tabindex="-1" {
                    h1 lang=[super::pages::name_lang(c, shell.title)] { (shell.title) }
                    (body)
                }
                footer {
                    p {
                        @if let Some(n) = shell.as_of {
                            (c.t("本页数据截至账本第 ", "Figures as of ledger entry "))
                            (n)
                            (c.t(" 条。", "."))
                            " "
                        }
                        a href=(c.href("audit.html")) { (c.t("如何离线核验", "How to verify offline")) }
                        " · "
                        a href=(c.href("feed.atom")) { "Atom" }
                        " · "
                        a href=(c.asset("data/index.json")) { (c.t("数据下载", "Data downloads")) }
                    }
                }
            }
        }
    }
}
