//! Corrected items where readers look (issue 15, part 6; 2025 Disclosure Measures Art. 16: the
//! correction notice (更正说明) goes with the item it corrects): the words the receipt and entry
//! viewers use for a correction, and the organisation page's list of its corrected items.
//!
//! The notice itself comes from an item's `entry/{seq}` row (the live correction that last
//! changed it, the body first recorded and the one in force): server-side through
//! [`super::correction_note`], in the browser from the receipt shard or the
//! [`crate::site::corrected`] files.

use maud::{Markup, html};
use serde_json::{Value, json};

use super::{correction_note, entry_link};
use crate::ledger::Kind;
use crate::money::views::rows::EntryRow;
use crate::site::corrected;
use crate::site::i18n::FIELDS;
use crate::site::layout::Ctx;
use crate::site::snapshot::Snapshot;

/// What `static/view.js` writes beside a corrected receipt or entry, in the page's language.
pub fn labels(c: &Ctx) -> Value {
    json!({
        "amended": c.t("已更正", "Amended"),
        "voided": c.t("已作废", "Voided"),
        "by": c.t("更正条目", "by entry"),
        "notice": c.t("更正说明：", "Notice: "),
        "was": c.t("原为", "was"),
        "now": c.t("现为", "now"),
        "asRecorded": c.t("下列条目内容为最初记录的原文。", "The body below is as first recorded."),
        "unknown": c.t("无法读取本条目的更正情况。", "Whether this entry was corrected could not be read."),
        "fields": c.lang.labels(FIELDS),
    })
}

/// An organisation's entries that a live correction amended or voided, each with its notice,
/// the original and the current amount, and the correcting entry.
pub fn org_section(c: &Ctx, snap: &Snapshot, uscc: &str) -> Markup {
    let author = format!("org:{uscc}");
    table(
        c,
        snap,
        &author,
        |_| true,
        c.t(
            "没有被更正或作废的条目。",
            "No entry of it was amended or voided.",
        ),
    )
}

/// A project's entries (its opening, donations, payments, updates, close) that a live
/// correction amended or voided: a voided donation no longer counts on the page, and this is
/// where it says so.
pub fn project_section(c: &Ctx, snap: &Snapshot, org: &str, id: &str) -> Markup {
    let author = format!("org:{org}");
    // Bodies are the log's wire JSON, of the entry's own kind: read by field name.
    let concerns = |body: &Option<Value>| {
        body.as_ref().is_some_and(|b| {
            ["project", "from_project"]
                .iter()
                .any(|f| b[f].as_str() == Some(id))
        })
    };
    table(
        c,
        snap,
        &author,
        |row| {
            concerns(&row.original)
                || concerns(&row.current)
                || (row.kind == Kind::ProjectOpen
                    && row.original.as_ref().and_then(|b| b["id"].as_str()) == Some(id))
        },
        c.t(
            "本项目没有被更正或作废的条目。",
            "No entry of this project was amended or voided.",
        ),
    )
}

/// The entries signed by `author` that a live correction changed and `pick` keeps, as a table.
fn table(
    c: &Ctx,
    snap: &Snapshot,
    author: &str,
    pick: impl Fn(&EntryRow) -> bool,
    none: &str,
) -> Markup {
    let items: Vec<(u64, &str, EntryRow)> = snap
        .signed_by(author)
        .filter_map(|e| Some((e.seq, e.kind, corrected::row(snap, e.seq)?)))
        .filter(|(_, _, row)| pick(row))
        .collect();
    html! {
        @if items.is_empty() {
            p { (none) }
        } @else {
            div.table-wrap { table.corrected {
                caption { (c.t("被更正或作废的条目", "Entries amended or voided")) }
                thead { tr {
                    th scope="col" { (c.t("条目", "Entry")) }
                    th scope="col" { (c.t("类型", "Kind")) }
                    th scope="col" { (c.t("更正", "Correction")) }
                } }
                tbody { @for (seq, kind, row) in &items { tr {
                    td { (entry_link(c, *seq)) }
                    td { (c.lang.kind(kind)) }
                    td { (correction_note(c, row)) }
                } } }
            } }
        }
    }
}
