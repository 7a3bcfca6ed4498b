//! The search index the search page (`search/`) reads in the browser, so search works on a
//! static host with no server (issue 16): organisations, projects and trusts, each with its
//! Chinese and English names, its ids and the page it is on, written by `site build` to
//! [`INDEX_PATH`] and served by the live server from the same function.
//!
//! Receipts are not in it: there is one per donation, and their lookup already has its own
//! index (the receipt shards, [`super::shards`]); the search page sends a query shaped like a
//! receipt number to the receipt lookup. So the index grows with organisations, projects and
//! trusts, never with entries.
//!
//! Matching happens in the browser (`static/explore.js`): every word of the query must be a
//! substring of the item's text (names in both languages, ids, region and type names), after
//! folding case and full-width forms (NFKC); Chinese text matches on any run of characters.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::i18n::ORG_TYPES;
use super::pages::{org_path, project_path, trust_path};
use super::snapshot::Snapshot;
use crate::money::views::keys;
use crate::money::views::rows::{OrgRow, ProjectRow, TrustRow};

/// Where the index is, from the site root.
pub const INDEX_PATH: &str = "data/search/index.json";

/// The index: rows as short arrays (the column names are in `columns`) to keep it small. It
/// carries no log size, so a build whose new entries touch no name leaves its bytes alone.
pub fn index(snap: &Snapshot) -> Vec<u8> {
    let mut regions = BTreeMap::new();
    let mut region = |code: &str| {
        if !code.is_empty() {
            regions.entry(code.to_owned()).or_insert_with(|| {
                [super::i18n::Lang::Zh, super::i18n::Lang::En]
                    .map(|l| super::regions::name(l, code))
            });
        }
    };
    let orgs: Vec<Value> = snap
        .typed_rows::<OrgRow>(keys::ORG.prefix())
        .map(|(_, o)| {
            let o = &o.register;
            let code = o.org.as_str();
            region(o.region.as_str());
            json!([
                code,
                o.name.as_str(),
                o.name_en.as_ref().map_or("", |n| n.as_str()),
                o.org_type.as_str(),
                o.region.as_str(),
                org_path(code)
            ])
        })
        .collect();
    let projects: Vec<Value> = snap
        .typed_rows::<ProjectRow>(keys::PROJECT.prefix())
        .map(|(_, p)| {
            let (org, open) = (p.record.org.as_str(), &p.record.open);
            region(open.region.as_str());
            json!([
                org,
                open.id.as_str(),
                open.title.as_str(),
                open.title_en.as_ref().map_or("", |t| t.as_str()),
                open.purpose.as_str(),
                open.region.as_str(),
                project_path(org, open.id.as_str())
            ])
        })
        .collect();
    let trusts: Vec<Value> = snap
        .typed_values::<TrustRow>(keys::TRUST.prefix())
        .map(|t| {
            let f = &t.filing;
            json!([
                f.trust_id.as_str(),
                f.name.as_str(),
                f.trustee.as_str(),
                f.purpose.as_str(),
                f.filing_no.as_str(),
                trust_path(f.trust_id.as_str())
            ])
        })
        .collect();
    let types: BTreeMap<&str, [&str; 2]> = ORG_TYPES
        .iter()
        .map(|(w, zh, en)| (*w, [*zh, *en]))
        .collect();
    let doc = json!({
        "columns": {
            "orgs": ["org", "name", "name_en", "org_type", "region", "page"],
            "projects": ["org", "id", "title", "title_en", "purpose", "region", "page"],
            "trusts": ["id", "name", "trustee", "purpose", "filing_no", "page"],
        },
        "orgs": orgs,
        "projects": projects,
        "trusts": trusts,
        "regions": regions,
        "types": types,
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}
