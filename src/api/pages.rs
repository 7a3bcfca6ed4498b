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
use crate::site::layout::CSP;
use crate::site::pages::receipt;
use crate::site::snapshot::Snapshot;
use crate::site::source;
use crate::site::{self, Page, corrected, data, feed, moved, shards, split_lang};

/// The cached snapshot, replaced when the views reflect a new log size or the day changes.
#[derive(Default)]
pub struct PageCache(Mutex<Option<Arc<Snapshot>>>);

impl PageCache {
    async fn get(&self, app: &AppState) -> Result<Arc<Snapshot>, ApiError> {
        let size = app.reads().view_size().await?.unwrap_or(0);
        // Obligations are judged on today's date: a new day renders afresh, new entries or not.
        let today = crate::ledger::Timestamp::now().china_date();
        let mut slot = self.0.lock().await;
        if let Some(c) = slot
            .as_ref()
            .filter(|c| c.as_of == size && c.judged_on == Some(today))
        {
            return Ok(c.clone());
        }
        let snap = source::snapshot(app.reads())
            .await
            .map_err(ApiError::internal)?;
        let c = Arc::new(snap);
        *slot = Some(c.clone());
        Ok(c)
    }
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
        match receipt::resolve(&snap, &org, &no) {
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
    let cached = app.pages.get(&app).await?;
    let missing = is_html_route(&path).then(|| rest.clone());
    let body = tokio::task::spawn_blocking(move || {
        let snap = &*cached;
        if path == "feed.atom" || path == "en/feed.atom" {
            return Some(feed::render(snap, lang).into_bytes());
        }
        if let Some(file) = path.strip_prefix(shards::DIR) {
            return shards::file(snap, file);
        }
        if let Some(file) = path.strip_prefix(corrected::DIR) {
            return corrected::file(snap, file);
        }
        if let Some(name) = path.strip_prefix("data/") {
            // Tables are built one at a time, up to the one asked for.
            if name == "index.json" {
                let mut listed = Vec::new();
                data::for_each_table(snap, |name, t| {
                    listed.push((name, t.rows.len()));
                    true
                });
                return Some(data::index(&listed));
            }
            let (stem, ext) = name.rsplit_once('.')?;
            let mut found = None;
            data::for_each_table(snap, |name, t| {
                if name != stem {
                    return true;
                }
                found = match ext {
                    "csv" => Some(t.csv()),
                    "json" => Some(t.json()),
                    _ => None,
                };
                false
            });
            return found;
        }
        let page = Page::parse(&rest)?;
        site::render(snap, lang, &page, query.q.as_deref()).map(String::into_bytes)
    })
    .await
    .map_err(ApiError::internal)?;
    match body {
        Some(b) => Ok(respond(ct, b)),
        None => match missing {
            Some(rest) => Ok(not_found_html(site::render_missing(lang, &rest))),
            None => Err(ApiError::not_found("no such page")),
        },
    }
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
