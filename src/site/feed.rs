//! The Atom feed (RFC 4287) of new disclosures: the newest entries, one `<entry>` each, linking
//! to the entry pages. Links are relative to the feed's own URL (Atom resolves them against
//! it), so the feed works under any path prefix, like the pages.

use maud::{Markup, html};

use super::i18n::Lang;
use super::pages::entry_path;
use super::snapshot::Snapshot;
use crate::ledger::Timestamp;

/// How many entries the feed carries.
pub const FEED_ENTRIES: usize = 50;
// The summaries keep the newest entries for the feed.
const _: () = assert!(FEED_ENTRIES <= crate::site::snapshot::NEWEST_ENTRIES);

fn rfc3339(unix: i64) -> String {
    Timestamp::from_unix(unix).map_or_else(String::new, |t| t.to_string())
}

/// The feed in `lang` (`feed.atom` or `en/feed.atom`).
pub fn render(snap: &Snapshot, lang: Lang) -> String {
    let updated = snap
        .newest()
        .next()
        .map(|e| rfc3339(e.recorded_at))
        .unwrap_or_default();
    let title = lang.t(
        "阳光慈善账本：最新披露",
        "Sunshine Ledger: latest disclosures",
    );
    let feed: Markup = html! {
        feed xmlns="http://www.w3.org/2005/Atom" {
            title { (title) }
            id { "urn:sunshine-ledger:feed:" (snap.vkey.split('+').next().unwrap_or("")) ":" (lang.code()) }
            updated { (updated) }
            link rel="alternate" type="text/html" href="index.html" {}
            author { name { (lang.t("阳光慈善账本", "Sunshine Ledger")) } }
            @for e in snap.newest().take(FEED_ENTRIES) {
                entry {
                    title { "#" (e.seq) " " (lang.kind(e.kind)) }
                    id { "urn:sunshine-ledger:leaf:" (e.leaf_hash) }
                    updated { (rfc3339(e.recorded_at)) }
                    link rel="alternate" type="text/html" href=(entry_path(e.seq)) {}
                    summary { (e.kind) " · " (e.author) }
                }
            }
        }
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{}",
        feed.into_string()
    )
}
