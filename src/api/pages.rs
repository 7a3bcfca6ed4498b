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
        _ => {}
    }
    let (lang, rest) = split_lang(&path);
    let rest = rest.to_owned();
    if rest == "receipts/index.html"
        && let (Some(org), Some(no)) = (&query.org, query.no.as_ref().or(query.receipt.as_ref()))
    {
        let org = org.trim().to_ascii_uppercase();
        return match moved(&format!("receipts/{org}/{}.html", no.trim())) {
            // The old form's target: the viewer is beside it, not one directory up.
            Some(to) => Ok(Redirect::to(to.trim_start_matches("../")).into_response()),
            None => Err(ApiError::malformed("no", "no: not a receipt number")),
        };
    }
    if let Some(to) = moved(&rest) {
        return Ok(Redirect::permanent(&to).into_response());
    }
    let cached = app.pages.get(&app).await?;
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
            let tables = data::tables(snap);
            if name == "index.json" {
                return Some(data::index(&tables));
            }
            let (stem, ext) = name.rsplit_once('.')?;
            let (_, t) = tables.iter().find(|(n, _)| n == stem)?;
            return match ext {
                "csv" => Some(t.csv()),
                "json" => Some(t.json()),
                _ => None,
            };
        }
        let page = Page::parse(&rest)?;
        site::render(snap, lang, &page, query.q.as_deref()).map(String::into_bytes)
    })
    .await
    .map_err(ApiError::internal)?;
    body.map(|b| respond(ct, b))
        .ok_or_else(|| ApiError::not_found("no such page"))
}
