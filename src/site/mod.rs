//! The public disclosure site: pages for donors, journalists and regulators, rendered with maud
//! from the ledger's derived views, served live by `sunshine serve` and exported as a static
//! site by `sunshine site build` — the same bytes either way.
//!
//! # Layout
//! - [`snapshot`]: what pages read — the views, entry summaries, the checkpoint, key history.
//! - [`source`]: the one adapter with I/O here: fills a snapshot (and entry documents) from the
//!   store.
//! - [`i18n`]: the two languages (zh at the root, en under `en/`), dates, wire-value labels.
//! - [`format`]: money ("¥1,234.50") and counts.
//! - [`layout`]: the page shell (CSP, navigation, language switch), relative links.
//! - [`chart`]: server-side SVG bar charts with a data table beside them.
//! - [`pages`]: one file per page kind.
//! - [`feed`]: the Atom feed of new disclosures.
//! - [`text`]: long text for entry pages — JSON re-indented, HTML escaping in runs.
//! - [`data`]: CSV and JSON downloads of every list.
//! - [`build`]: the static export, incremental through a manifest of content hashes.
//!
//! [`Page`] names every page by its path, so the live server and the exporter agree on URLs:
//! [`Page::parse`] is the inverse of [`Page::path`].

pub mod build;
pub mod chart;
pub mod data;
pub mod feed;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod pages;
pub mod snapshot;
pub mod source;
pub mod text;

use i18n::Lang;
use layout::Ctx;
use pages::orgs::Filter;
use snapshot::{Snapshot, s};

/// The stylesheet, embedded so the binary serves and exports it with no files beside it.
pub const SITE_CSS: &str = include_str!("../../public/site.css");
/// The in-browser verifier (`public/verify.js`).
pub const VERIFY_JS: &str = include_str!("../../public/verify.js");

/// Every page except entry pages, by what it shows.
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
    Receipt(String, String),
    Audit,
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
            Page::Receipt(o, n) => pages::receipt_path(o, n),
            Page::Audit => "audit.html".into(),
        }
    }

    /// The page at `path` (within a language), if the path has a page's shape.
    pub fn parse(path: &str) -> Option<Page> {
        let parts: Vec<&str> = path.split('/').collect();
        let html = |p: &str| p.strip_suffix(".html").and_then(segment);
        Some(match parts.as_slice() {
            ["index.html"] => Page::Home,
            ["audit.html"] => Page::Audit,
            ["projects", "index.html"] => Page::Projects,
            ["trusts", "index.html"] => Page::Trusts,
            ["lottery", "index.html"] => Page::Lottery,
            ["receipts", "index.html"] => Page::Receipts,
            ["orgs", f] => match Filter::parse(f) {
                Some(f) => Page::Orgs(f),
                None => Page::Org(html(f)?),
            },
            ["projects", o, id] => Page::Project(segment(o)?, html(id)?),
            ["trusts", id] => Page::Trust(html(id)?),
            ["lottery", a] => Page::LotteryIssuer(html(a)?),
            ["receipts", o, n] => Page::Receipt(segment(o)?, html(n)?),
            _ => return None,
        })
    }
}

/// The seq an entry page path (`entries/{seq}.html`) names.
pub fn entry_seq(path: &str) -> Option<u64> {
    path.strip_prefix("entries/")?
        .strip_suffix(".html")?
        .parse()
        .ok()
}

/// Splits a site path into its language and the path within it (`en/orgs/index.html`).
pub fn split_lang(path: &str) -> (Lang, &str) {
    match path.strip_prefix("en/") {
        Some(rest) => (Lang::En, rest),
        None => (Lang::Zh, path),
    }
}

/// Every page the snapshot has, except entry pages.
pub fn all_pages(snap: &Snapshot) -> Vec<Page> {
    let mut out = vec![
        Page::Home,
        Page::Projects,
        Page::Trusts,
        Page::Lottery,
        Page::Receipts,
        Page::Audit,
    ];
    out.extend(pages::orgs::filters(snap).into_iter().map(Page::Orgs));
    out.extend(snap.rows("org/").map(|o| Page::Org(s(o, "org").to_owned())));
    out.extend(
        snap.rows("project/")
            .map(|p| Page::Project(s(p, "org").to_owned(), s(&p["open"], "id").to_owned())),
    );
    out.extend(pages::trusts::ids(snap).into_iter().map(Page::Trust));
    out.extend(
        pages::lottery::issuers(snap)
            .into_iter()
            .map(Page::LotteryIssuer),
    );
    out.extend(snap.prefixed("donation/").filter_map(|(k, _)| {
        let mut p = k.split('/').skip(1);
        Some(Page::Receipt(p.next()?.to_owned(), p.next()?.to_owned()))
    }));
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
        Page::Receipt(o, n) => pages::receipt::render(&c, snap, o, n)?,
        Page::Audit => pages::audit::render(&c, snap),
    };
    Some(markup.into_string())
}

/// Renders entry `doc`'s page in `lang`.
pub fn render_entry(snap: &Snapshot, lang: Lang, doc: &snapshot::EntryDoc) -> String {
    let path = pages::entry_path(doc.meta.seq);
    pages::entry::render(&Ctx::new(lang, &path), snap, doc).into_string()
}
