//! The public disclosure site, live: the same paths and the same bytes as the static export
//! (`sunshine site build`), rendered on request from a snapshot cached until the views move on.
//!
//! Three things only a server can do are added here: links to an older site's page per entry
//! (`entries/{seq}.html`) or per receipt (`receipts/{org}/{no}.html`) redirect to the viewers
//! that replaced them, as does the lookup page's `receipts/index.html?org=..&no=..` (or
//! `&receipt=..`, the link issue 16 asks for, which the static page follows in the browser); and the
//! organisation list filters by `?q=`. Pages carry a Content-Security-Policy header allowing only our own
//! script and stylesheet (the pages repeat it in a meta tag for static hosts).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::AppState;
use super::error::{ApiError, AppQuery};
use crate::money::views::keys;
use crate::site::layout::CSP;
use crate::site::pages::receipt;
use crate::site::snapshot::Snapshot;
use crate::site::source;
use crate::site::{self, Page, corrected, data, feed, moved, search, shards, split_lang, yearly};

/// The cached summaries and the unit last asked for ([`crate::site::snapshot`]), replaced
/// when the views reflect a new log size or the day changes. A page about one organisation
/// reads that organisation's unit; nothing reads the whole log but the downloads of it.
#[derive(Default)]
pub struct PageCache {
    summaries: Mutex<Option<Arc<Snapshot>>>,
    unit: Mutex<Option<Arc<Snapshot>>>,
    /// The summaries with the money raised by every project (a read of every donation row).
    raised: Mutex<Option<Arc<Snapshot>>>,
}

impl PageCache {
    async fn get(&self, app: &AppState) -> Result<Arc<Snapshot>, ApiError> {
        let size = app.reads().view_size().await?.unwrap_or(0);
        // Obligations are judged on today's date: a new day renders afresh, new entries or not.
        let today = crate::ledger::Timestamp::now().china_date();
        let mut slot = self.summaries.lock().await;
        if let Some(c) = slot
            .as_ref()
            .filter(|c| c.as_of == size && c.judged_on == Some(today))
        {
            return Ok(c.clone());
        }
        let (snap, _) = source::summaries(app.reads())
            .await
            .map_err(ApiError::internal)?;
        let c = Arc::new(snap);
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Organisation `org`'s unit of `summaries`; `None` for an organisation never registered.
    async fn unit(
        &self,
        app: &AppState,
        summaries: &Arc<Snapshot>,
        org: &str,
    ) -> Result<Option<Arc<Snapshot>>, ApiError> {
        if summaries.view(&keys::ORG.key(&[&org])).is_none() {
            return Ok(None);
        }
        let mut slot = self.unit.lock().await;
        if let Some(u) = slot.as_ref().filter(|u| {
            u.unit.as_deref() == Some(org)
                && u.as_of == summaries.as_of
                && u.judged_on == summaries.judged_on
        }) {
            return Ok(Some(u.clone()));
        }
        let mut source = source::source_at(app.reads(), summaries.as_of)
            .await
            .map_err(ApiError::internal)?;
        let unit = Arc::new(
            source
                .unit(summaries, org)
                .await
                .map_err(ApiError::internal)?,
        );
        *slot = Some(unit.clone());
        Ok(Some(unit))
    }

    /// `summaries` with [`Snapshot::raised`] filled, kept until the summaries move on.
    async fn with_raised(
        &self,
        app: &AppState,
        summaries: &Arc<Snapshot>,
    ) -> Result<Arc<Snapshot>, ApiError> {
        let mut slot = self.raised.lock().await;
        if let Some(r) = slot
            .as_ref()
            .filter(|r| r.as_of == summaries.as_of && r.judged_on == summaries.judged_on)
        {
            return Ok(r.clone());
        }
        let r = with_raised(app, summaries).await?;
        *slot = Some(r.clone());
        Ok(r)
    }

    /// The snapshot `page` renders from: its organisation's unit, the summaries with the money
    /// raised by every project for the project list, or the summaries.
    async fn for_page(
        &self,
        app: &AppState,
        summaries: Arc<Snapshot>,
        page: &Page,
    ) -> Result<Option<Arc<Snapshot>>, ApiError> {
        match page {
            Page::Projects => Ok(Some(self.with_raised(app, &summaries).await?)),
            _ => match page.org() {
                Some(org) => self.unit(app, &summaries, org).await,
                None => Ok(Some(summaries)),
            },
        }
    }
}

/// The summaries with [`Snapshot::raised`] filled (a read of every donation row).
async fn with_raised(app: &AppState, summaries: &Snapshot) -> Result<Arc<Snapshot>, ApiError> {
    let mut source = source::source_at(app.reads(), summaries.as_of)
        .await
        .map_err(ApiError::internal)?;
    let mut snap = summaries.clone();
    snap.raised = source.raised().await.map_err(ApiError::internal)?;
    Ok(Arc::new(snap))
}

/// The query strings pages understand.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Organisation list search.
    pub q: Option<String>,
    /// Receipt lookup: the receipt number and the issuing organisation.
    pub no: Option<String>,
    pub org: Option<String>,
    /// The receipt number as a shared link spells it (`receipts/?org=..&receipt=..`, issue 16).
    pub receipt: Option<String>,
}

fn respond(content_type: &'static str, body: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if content_type.starts_with("text/html")
        && let Ok(v) = HeaderValue::from_str(&format!("{CSP}; frame-ancestors 'none'"))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    r
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("atom") => "application/atom+xml; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        _ => "text/html; charset=utf-8",
    }
}

/// Any site path: pages in both languages, feeds, downloads and assets.
pub async fn page(
    State(app): State<AppState>,
    uri: Uri,
    AppQuery(query): AppQuery<PageQuery>,
) -> Result<Response, ApiError> {
    let mut path = uri.path().trim_start_matches('/').to_owned();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let ct = content_type(&path);
    match path.as_str() {
        "static/site.css" => return Ok(respond(ct, site::SITE_CSS.into())),
        "static/verify.js" => return Ok(respond(ct, site::VERIFY_JS.into())),
        "static/view.js" => return Ok(respond(ct, site::VIEW_JS.into())),
        "static/submit.js" => return Ok(respond(ct, site::SUBMIT_JS.into())),
        "static/explore.js" => return Ok(respond(ct, site::EXPLORE_JS.into())),
        "static/notfound.js" => return Ok(respond(ct, site::NOTFOUND_JS.into())),
        // The static hosts' not-found page, as the export writes it (this server answers a
        // missing page with its own 404 in the path's language).
        "404.html" => return Ok(respond(ct, site::static_404().into())),
        "static/regulator.js" => return Ok(respond(ct, site::REGULATOR_JS.into())),
        _ => {}
    }
    let (lang, rest) = split_lang(&path);
    let rest = rest.to_owned();
    if matches!(rest.as_str(), "receipts/index.html" | "receipts/view.html")
        && let (Some(org), Some(no)) = (&query.org, query.no.as_ref().or(query.receipt.as_ref()))
    {
        let (org, no) = (org.trim().to_ascii_uppercase(), no.trim().to_owned());
        let snap = app.pages.get(&app).await?;
        let unit = app.pages.unit(&app, &snap, &org).await?;
        match unit.as_deref().and_then(|u| receipt::resolve(u, &org, &no)) {
            // The viewer, asked for a receipt as issued: the page as any static host serves it.
            Some(found) if rest == "receipts/view.html" && found == no => {}
            // Both pages are in receipts/: the viewer is beside them.
            Some(found) => {
                return Ok(Redirect::to(&format!("view.html?org={org}&no={found}")).into_response());
            }
            None => {
                let html = site::render_missing_receipt(&snap, lang, &rest, &org, &no);
                return Ok(not_found_html(html));
            }
        }
    }
    if let Some(to) = moved(&rest) {
        return Ok(Redirect::permanent(&to).into_response());
    }
    let summaries = app.pages.get(&app).await?;
    let missing = is_html_route(&path).then(|| rest.clone());
    let body = if path == "feed.atom" || path == "en/feed.atom" {
        Some(feed::render(&summaries, lang).into_bytes())
    } else if let Some(file) = path.strip_prefix(shards::DIR) {
        let org = file.split_once('/').map_or("", |(o, _)| o);
        match app.pages.unit(&app, &summaries, org).await? {
            Some(unit) => shards::file(&unit, file),
            None => None,
        }
    } else if let Some(file) = path.strip_prefix(corrected::DIR) {
        corrected::file(&summaries, file)
    } else if path == search::INDEX_PATH {
        Some(search::index(&summaries))
    } else if let Some(file) = path.strip_prefix(yearly::DIR) {
        yearly::file(&summaries, file)
    } else if let Some(name) = path.strip_prefix("data/") {
        download(&app, summaries, name).await?
    } else {
        match Page::parse(&rest) {
            Some(page) => match app.pages.for_page(&app, summaries, &page).await? {
                Some(snap) => tokio::task::spawn_blocking(move || {
                    site::render(&snap, lang, &page, query.q.as_deref()).map(String::into_bytes)
                })
                .await
                .map_err(ApiError::internal)?,
                None => None,
            },
            None => None,
        }
    };
    match body {
        Some(b) => Ok(respond(ct, b)),
        None => match missing {
            Some(rest) => Ok(not_found_html(site::render_missing(lang, &rest))),
            None => Err(ApiError::not_found("no such page")),
        },
    }
}

/// The download `name` (below `data/`): from the summaries, from one organisation's unit, or,
/// for the lists of the whole log and the index of them all, read as it streams.
async fn download(
    app: &AppState,
    summaries: Arc<Snapshot>,
    name: &str,
) -> Result<Option<Vec<u8>>, ApiError> {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Ok(None);
    };
    let pick = |csv: Vec<u8>, json: Vec<u8>| match ext {
        "csv" => Some(csv),
        "json" => Some(json),
        _ => None,
    };
    if stem == data::ENTRIES || stem == data::DONATIONS {
        let (_, csv, json) = whole_log(app, &summaries, stem).await?;
        return Ok(pick(csv, json));
    }
    if name == "index.json" {
        let mut listed = Vec::new();
        data::summary_tables(
            &*app.pages.with_raised(app, &summaries).await?,
            |name, t| {
                listed.push((name, t.rows.len()));
                true
            },
        );
        for org in shards::orgs(&summaries) {
            if let Some(unit) = app.pages.unit(app, &summaries, &org).await? {
                data::unit_tables(&unit, &org, |name, t| {
                    listed.push((name, t.rows.len()));
                    true
                });
            }
        }
        for stem in [data::DONATIONS, data::ENTRIES] {
            listed.push((stem.to_owned(), whole_log(app, &summaries, stem).await?.0));
        }
        listed.sort();
        return Ok(Some(data::index(&listed)));
    }
    // Tables are built one at a time, up to the one asked for.
    let mut found = None;
    let mut find = |name: String, t: data::Table| {
        if name != stem {
            return true;
        }
        found = pick(t.csv(), t.json());
        false
    };
    match data::org_of(stem) {
        Some(org) => {
            if let Some(unit) = app.pages.unit(app, &summaries, &org).await? {
                data::unit_tables(&unit, &org, &mut find);
            }
        }
        None if stem == "projects" => {
            data::summary_tables(&*app.pages.with_raised(app, &summaries).await?, &mut find)
        }
        None => data::summary_tables(&summaries, &mut find),
    }
    Ok(found)
}

/// The download of every donation or every entry (`stem`), as (rows, CSV, JSON).
async fn whole_log(
    app: &AppState,
    summaries: &Arc<Snapshot>,
    stem: &str,
) -> Result<(usize, Vec<u8>, Vec<u8>), ApiError> {
    let finish = |s: data::Stream<Vec<u8>>| s.finish().map_err(ApiError::internal);
    if stem == data::ENTRIES {
        let mut out = data::Stream::new(data::ENTRY_COLUMNS, Vec::new(), Vec::new())
            .map_err(ApiError::internal)?;
        let mut rows = app.reads().entries_from(0);
        while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
            if row.seq >= summaries.as_of {
                break;
            }
            let meta = source::entry_meta(&row).map_err(ApiError::internal)?;
            out.row(&data::entry_cells(summaries, &meta))
                .map_err(ApiError::internal)?;
        }
        return finish(out);
    }
    let mut out = data::Stream::new(data::DONATION_COLUMNS, Vec::new(), Vec::new())
        .map_err(ApiError::internal)?;
    let mut source = source::source_at(app.reads(), summaries.as_of)
        .await
        .map_err(ApiError::internal)?;
    for org in shards::orgs(summaries) {
        let unit = source
            .unit(summaries, &org)
            .await
            .map_err(ApiError::internal)?;
        for d in data::live_donations(&unit) {
            out.row(&data::donation_cells(&unit, &d))
                .map_err(ApiError::internal)?;
        }
    }
    finish(out)
}

/// Whether a missing `path` is one a person opened in a browser, to be answered with an HTML
/// page in its language: anything but the API, the published log, downloads, feeds and assets,
/// whose clients read our JSON errors.
fn is_html_route(path: &str) -> bool {
    let (_, rest) = split_lang(path);
    content_type(path).starts_with("text/html")
        && !["api/", "log/", "data/", "static/"]
            .iter()
            .any(|p| path.starts_with(p) || rest.starts_with(p))
}

/// A page saying what is missing, with status 404 and the pages' headers.
fn not_found_html(html: String) -> Response {
    let mut r = respond("text/html; charset=utf-8", html.into_bytes());
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}
