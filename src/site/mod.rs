//! The public disclosure site: pages for donors, journalists and regulators, rendered with maud
//! from the ledger's derived views, served live by `sunshine serve` and exported as a static
//! site by `sunshine site build` — the same bytes either way.
//!
//! # Layout
//! - [`snapshot`]: what pages read — the views, entry summaries, the checkpoint, key history.
//! - [`source`]: the one adapter with I/O here: fills a snapshot (and entry documents) from the
//!   store.
//! - [`typed`]: a snapshot's rows read as their view family's row type.
//! - [`i18n`]: the two languages (zh at the root, en under `en/`), dates, wire-value labels.
//! - [`format`]: money ("¥1,234.50") and counts.
//! - [`regions`]: GB/T 2260 region names (a table kept as data, with its source and date).
//! - [`layout`]: the page shell (CSP, navigation, language switch), relative links.
//! - [`chart`]: server-side SVG bar charts with a data table beside them.
//! - [`pages`]: one file per page kind.
//! - [`feed`]: the Atom feed of new disclosures.
//! - [`data`]: CSV and JSON downloads of every list.
//! - [`spreadsheet`]: the one CSV writer: a BOM, and cells a spreadsheet would run as formulas
//!   neutralised.
//! - [`slug`]: ids into file names, so no page lands on another or on a list page.
//! - [`shards`]: receipts as per-organisation JSON shards, which the receipt viewer reads.
//! - [`corrected`]: corrected entries' notices as JSON files, which the entry viewer reads.
//! - [`search`]: the search index the search page reads in the browser.
//! - [`yearly`]: organisations' money and ratios by year, for the list and the comparison.
//! - [`build`]: the static export, incremental through a manifest of content hashes.
//!
//! [`Page`] names every page by its path, so the live server and the exporter agree on URLs:
//! [`Page::parse`] is the inverse of [`Page::path`]. Entries and receipts have no page each:
//! one viewer page per language shows any of them in the browser (`static/view.js`), from the
//! published log and the receipt shards, so the site's size follows its organisations and
//! projects, not its entries.

pub mod build;
pub mod chart;
pub mod corrected;
pub mod data;
pub mod delta;
pub mod feed;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod pages;
pub mod regions;
pub mod search;
pub mod shards;
pub mod slug;
pub mod snapshot;
pub mod source;
pub mod spreadsheet;
pub mod supervision;
pub mod typed;
pub mod yearly;

use crate::money::views::keys;
use i18n::Lang;
use layout::Ctx;
use pages::orgs::Filter;
use snapshot::Snapshot;

/// The stylesheet, embedded so the binary serves and exports it with no files beside it.
pub const SITE_CSS: &str = include_str!("../../public/site.css");
/// The in-browser verifier (`public/verify.js`).
pub const VERIFY_JS: &str = include_str!("../../public/verify.js");
/// The entry and receipt viewers (`public/view.js`).
pub const VIEW_JS: &str = include_str!("../../public/view.js");
/// The static 404 page's script (`public/notfound.js`), which finds the site's root.
pub const NOTFOUND_JS: &str = include_str!("../../public/notfound.js");
/// The signing page's script (`public/submit.js`).
pub const SUBMIT_JS: &str = include_str!("../../public/submit.js");
/// Search, the organisation list's filters and sorting, and the comparison (`public/explore.js`).
pub const EXPLORE_JS: &str = include_str!("../../public/explore.js");
/// The supervision page's filters and sorting (`public/regulator.js`).
pub const REGULATOR_JS: &str = include_str!("../../public/regulator.js");

/// The static hosts' `404.html`: the same for every ledger, rendered once.
pub fn static_404() -> &'static str {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PAGE.get_or_init(|| pages::missing::render_static().into_string())
}

/// Every page, by what it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Home,
    Orgs(Filter),
    Org(String),
    Projects,
    Project(String, String),
    Trusts,
    Trust(String),
    Lottery,
    LotteryIssuer(String),
    Receipts,
    /// The receipt viewer (`?org=..&no=..` picks the receipt).
    Receipt,
    /// The entry viewer (`?seq=N` picks the entry).
    Entry,
    Audit,
    /// Disclosure obligations judged on the build date.
    Obligations,
    /// The signing page: a spreadsheet checked by the server, signed in the browser.
    Submit,
    /// Search over organisations, projects and trusts, in the browser from a prebuilt index.
    Search,
    /// Two or three organisations side by side over the years (`?orgs=A,B,C`).
    Compare,
    /// The supervision section: ratio failures and late disclosures (issue 16).
    Regulator,
}

/// A path segment an id may be: what [`crate::money::types::Ident`] and USCCs allow.
fn segment(s: &str) -> Option<String> {
    (!s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    .then(|| s.to_owned())
}

impl Page {
    /// The page's path within its language.
    pub fn path(&self) -> String {
        match self {
            Page::Home => "index.html".into(),
            Page::Orgs(f) => f.path(),
            Page::Org(u) => pages::org_path(u),
            Page::Projects => "projects/index.html".into(),
            Page::Project(o, id) => pages::project_path(o, id),
            Page::Trusts => "trusts/index.html".into(),
            Page::Trust(id) => pages::trust_path(id),
            Page::Lottery => "lottery/index.html".into(),
            Page::LotteryIssuer(a) => pages::lottery_path(a),
            Page::Receipts => "receipts/index.html".into(),
            Page::Receipt => pages::receipt::VIEW_PATH.into(),
            Page::Entry => pages::entry::PATH.into(),
            Page::Audit => "audit.html".into(),
            Page::Obligations => pages::obligations::PATH.into(),
            Page::Submit => pages::submit::PATH.into(),
            Page::Search => pages::search::PATH.into(),
            Page::Compare => pages::compare::PATH.into(),
            Page::Regulator => pages::regulator::PATH.into(),
        }
    }

    /// The organisation whose unit the page renders from ([`snapshot`]): pages that list an
    /// organisation's donations or every entry it signed. The rest render from the summaries.
    pub fn org(&self) -> Option<&str> {
        match self {
            Page::Org(u) | Page::Project(u, _) => Some(u),
            _ => None,
        }
    }

    /// The page at `path` (within a language), if the path has a page's shape.
    pub fn parse(path: &str) -> Option<Page> {
        let parts: Vec<&str> = path.split('/').collect();
        let html = |p: &str| p.strip_suffix(".html").and_then(slug::decode);
        Some(match parts.as_slice() {
            ["index.html"] => Page::Home,
            ["audit.html"] => Page::Audit,
            ["obligations.html"] => Page::Obligations,
            ["projects", "index.html"] => Page::Projects,
            ["trusts", "index.html"] => Page::Trusts,
            ["lottery", "index.html"] => Page::Lottery,
            ["receipts", "index.html"] => Page::Receipts,
            ["receipts", "view.html"] => Page::Receipt,
            ["entries", "index.html"] => Page::Entry,
            ["submit", "index.html"] => Page::Submit,
            ["search", "index.html"] => Page::Search,
            ["compare", "index.html"] => Page::Compare,
            ["regulator", "index.html"] => Page::Regulator,
            ["orgs", f] => match Filter::parse(f) {
                Some(f) => Page::Orgs(f),
                None => Page::Org(html(f)?),
            },
            ["projects", o, id] => Page::Project(slug::decode(o)?, html(id)?),
            ["trusts", id] => Page::Trust(html(id)?),
            ["lottery", a] => Page::LotteryIssuer(html(a)?),
            _ => return None,
        })
    }
}

/// Where an older site's page per entry (`entries/{seq}.html`) or per receipt
/// (`receipts/{org}/{no}.html`) now is, as a link relative to the old page: the live server
/// redirects old links there (a static host cannot, and keeping a file per old page would cost
/// what the viewers save).
pub fn moved(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let html = |p: &str| p.strip_suffix(".html").and_then(segment);
    match parts.as_slice() {
        ["entries", n] => {
            let seq: u64 = n.strip_suffix(".html")?.parse().ok()?;
            Some(format!("index.html?seq={seq}"))
        }
        ["receipts", o, n] => Some(format!("../view.html?org={}&no={}", segment(o)?, html(n)?)),
        _ => None,
    }
}

/// Splits a site path into its language and the path within it (`en/orgs/index.html`).
pub fn split_lang(path: &str) -> (Lang, &str) {
    match path.strip_prefix("en/") {
        Some(rest) => (Lang::En, rest),
        None => (Lang::Zh, path),
    }
}

/// Every page the snapshot has.
pub fn all_pages(snap: &Snapshot) -> Vec<Page> {
    let mut out = vec![
        Page::Home,
        Page::Projects,
        Page::Trusts,
        Page::Lottery,
        Page::Receipts,
        Page::Receipt,
        Page::Entry,
        Page::Audit,
        Page::Obligations,
        Page::Submit,
        Page::Search,
        Page::Compare,
        Page::Regulator,
    ];
    out.extend(pages::orgs::filters(snap).into_iter().map(Page::Orgs));
    out.extend(
        snap.typed_rows::<crate::money::views::rows::OrgRow>(keys::ORG.prefix())
            .map(|(_, o)| Page::Org(o.register.org.to_string())),
    );
    out.extend(
        snap.typed_rows::<crate::money::views::rows::ProjectRow>(keys::PROJECT.prefix())
            .map(|(_, p)| Page::Project(p.record.org.to_string(), p.record.open.id.to_string())),
    );
    out.extend(pages::trusts::ids(snap).into_iter().map(Page::Trust));
    out.extend(
        pages::lottery::issuers(snap)
            .into_iter()
            .map(Page::LotteryIssuer),
    );
    out
}

/// Renders `page` in `lang`; `None` when the snapshot has no such thing. `query` is the org
/// list's live search text.
pub fn render(snap: &Snapshot, lang: Lang, page: &Page, query: Option<&str>) -> Option<String> {
    let path = page.path();
    let c = Ctx::new(lang, &path);
    let markup = match page {
        Page::Home => pages::home::render(&c, snap),
        Page::Orgs(f) => pages::orgs::render(&c, snap, f, query),
        Page::Org(u) => pages::org::render(&c, snap, u)?,
        Page::Projects => pages::project::render_index(&c, snap),
        Page::Project(o, id) => pages::project::render(&c, snap, o, id)?,
        Page::Trusts => pages::trusts::render_index(&c, snap),
        Page::Trust(id) => pages::trusts::render(&c, snap, id)?,
        Page::Lottery => pages::lottery::render_index(&c, snap),
        Page::LotteryIssuer(a) => pages::lottery::render(&c, snap, a)?,
        Page::Receipts => pages::receipt::render_index(&c, snap),
        Page::Receipt => pages::receipt::render(&c, snap),
        Page::Entry => pages::entry::render(&c, snap),
        Page::Audit => pages::audit::render(&c, snap),
        Page::Obligations => pages::obligations::render(&c, snap),
        Page::Submit => pages::submit::render(&c),
        Page::Search => pages::search::render(&c, snap),
        Page::Compare => pages::compare::render(&c, snap),
        Page::Regulator => pages::regulator::render(&c, snap),
    };
    Some(markup.into_string())
}

/// Directories deep a page may be for its relative links ([`layout::Ctx`]).
const MAX_PAGE_DEPTH: usize = 4;

/// The live server's answer to a page path with no page (`rest`, within `lang`): a page in the
/// language saying so, with links relative to where the reader is. A path deeper than any page
/// of ours gets links from the language's root, which a browser resolves against the deep
/// path wrongly but harmlessly.
pub fn render_missing(lang: Lang, rest: &str) -> String {
    let path = if rest.matches('/').count() <= MAX_PAGE_DEPTH {
        rest
    } else {
        "index.html"
    };
    pages::missing::render_page(&Ctx::new(lang, path)).into_string()
}

/// The live server's answer to a receipt lookup (`rest`: `receipts/index.html` or
/// `receipts/view.html`) that found no receipt `no` of `org`.
pub fn render_missing_receipt(
    snap: &Snapshot,
    lang: Lang,
    rest: &str,
    org: &str,
    no: &str,
) -> String {
    pages::missing::render_receipt(&Ctx::new(lang, rest), snap, org, no).into_string()
}

#[cfg(test)]
mod tests {
    use super::{Page, moved};

    /// A trust with id `index` overwrote the trust list (issue 16): whatever the ids, every
    /// page has a path of its own, list pages included, and the path reads back as its page.
    #[test]
    fn no_id_makes_a_page_land_on_another_or_on_a_list() {
        use super::pages::orgs::Filter;
        let ids = [
            "index",
            "INDEX",
            "index.html",
            "..",
            ".",
            "a/b",
            "%2F",
            "善款",
            "type-x",
            "region-1",
            "fundraising-yes",
            "_x",
            "~69ndex",
            "x",
            "X",
        ]
        .map(str::to_owned)
        .into_iter()
        .chain(["y".repeat(40), "z".repeat(300)]);
        let mut pages = vec![
            Page::Home,
            Page::Orgs(Filter::All),
            Page::Orgs(Filter::Fundraising(true)),
            Page::Orgs(Filter::Fundraising(false)),
            Page::Projects,
            Page::Trusts,
            Page::Lottery,
            Page::Receipts,
            Page::Receipt,
            Page::Entry,
            Page::Audit,
            Page::Obligations,
            Page::Submit,
            Page::Regulator,
        ];
        for id in ids {
            pages.extend([
                Page::Org(id.clone()),
                Page::Orgs(Filter::Type(id.clone())),
                Page::Orgs(Filter::Region(id.clone())),
                Page::Project(id.clone(), id.clone()),
                Page::Project("53440100MJ0001000W".into(), id.clone()),
                Page::Trust(id.clone()),
                Page::LotteryIssuer(id.clone()),
            ]);
        }
        let mut seen = std::collections::HashMap::new();
        for page in &pages {
            let path = page.path();
            assert!(
                path.split('/')
                    .all(|s| !s.is_empty() && s != "." && s != ".."),
                "{page:?}: {path}"
            );
            if let Some(other) = seen.insert(path.clone(), page) {
                panic!("{page:?} and {other:?} are both at {path}");
            }
            // A page deeper than its kind's (an id holding `/`) would be another page's too.
            assert_eq!(
                path.matches('/').count(),
                match page {
                    Page::Home | Page::Audit | Page::Obligations => 0,
                    Page::Project(..) => 2,
                    _ => 1,
                },
                "{page:?}: {path}"
            );
            if !path.contains("~h") {
                assert_eq!(Page::parse(&path).as_ref(), Some(page), "{path}");
            }
        }
    }

    #[test]
    fn old_entry_and_receipt_links_move_to_the_viewers() {
        assert_eq!(
            moved("entries/42.html").as_deref(),
            Some("index.html?seq=42")
        );
        assert_eq!(
            moved("receipts/53440100MJ0001000W/JZ-1.html").as_deref(),
            Some("../view.html?org=53440100MJ0001000W&no=JZ-1")
        );
        assert_eq!(moved("entries/index.html"), None);
        assert_eq!(moved("receipts/a b/c.html"), None);
        for page in [Page::Entry, Page::Receipt] {
            assert_eq!(Page::parse(&page.path()), Some(page));
        }
    }
}
