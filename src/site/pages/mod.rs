//! One file per page kind; each is a pure function from the [`Snapshot`] (and its own key) to
//! markup, wrapped in the shared [`layout`](super::layout). This file holds the small pieces
//! several pages use: links to entries and organisations, the entry table, money cells.

pub mod audit;
pub mod compare;
pub mod corrected;
pub mod entry;
pub mod goods;
pub mod home;
pub mod lottery;
pub mod missing;
pub mod net_assets;
pub mod obligations;
pub mod org;
pub mod org_time;
pub mod orgs;
pub mod project;
pub mod ratios;
pub mod receipt;
pub mod regulator;
pub mod search;
pub mod submit;
pub mod trust_lottery_figures;
pub mod trusts;

use maud::{Markup, html};
use serde_json::Value;

use super::layout::Ctx;
use super::snapshot::{EntryMeta, Snapshot};
use super::{format, slug};
use crate::money::types::CorrectionAction;
use crate::money::views::keys;
use crate::money::views::rows::{EntryRow, RegulatorRow};
use rust_decimal::Decimal;

/// Most rows a page lists inline; the rest are in the page's CSV and JSON downloads.
pub const MAX_ROWS: usize = 200;

/// The entry viewer's link within a language, missing only the seq.
pub fn entry_path_prefix() -> String {
    format!("{}?seq=", entry::PATH)
}

/// The link to entry `seq` within a language: the entry viewer.
pub fn entry_path(seq: u64) -> String {
    format!("{}{seq}", entry_path_prefix())
}

// Page paths of things with ids: every id goes through `slug::encode` here, so no id's page
// lands on another's or on a list page.

pub fn org_path(uscc: &str) -> String {
    format!("orgs/{}.html", slug::encode(uscc))
}

pub fn project_path(org: &str, id: &str) -> String {
    format!("projects/{}/{}.html", slug::encode(org), slug::encode(id))
}

/// The link to a receipt within a language: the receipt viewer. Credit codes and receipt
/// numbers are idents (ASCII letters, digits, `.`, `_`, `-`), safe in a query as they are.
pub fn receipt_path(org: &str, receipt_no: &str) -> String {
    format!("{}?org={org}&no={receipt_no}", receipt::VIEW_PATH)
}

pub fn trust_path(id: &str) -> String {
    format!("trusts/{}.html", slug::encode(id))
}

pub fn lottery_path(admin: &str) -> String {
    format!("lottery/{}.html", slug::encode(admin))
}

/// An organisation's entries download (`data/{this}.csv`), by its encoded code.
pub fn org_entries_data(uscc: &str) -> String {
    format!("orgs/{}-entries", slug::encode(uscc))
}

/// A project's donations download (`data/{this}.csv`).
pub fn project_donations_data(org: &str, id: &str) -> String {
    format!(
        "projects/{}/{}-donations",
        slug::encode(org),
        slug::encode(id)
    )
}

/// The correction notice of a corrected item, where the item is shown (2025 Disclosure
/// Measures Art. 16): amended or voided, by which entry, the notice, the amount first recorded
/// beside the one now in force, and any other field the amendment changed. `e` is the item's
/// `entry/{seq}` row.
pub fn correction_note(c: &Ctx, e: &EntryRow) -> Markup {
    let Some(corr) = &e.correction else {
        return html! {};
    };
    let amended = corr.action == CorrectionAction::Amend;
    // The bodies are the log's wire JSON, of the entry's own kind: read by field name.
    let field = |body: &Option<Value>, f: &str| {
        body.as_ref().and_then(|b| b[f].as_str().map(str::to_owned))
    };
    let currency = field(&e.original, "currency").unwrap_or_default();
    html! {
        span.correction {
            @if amended { (c.t("已更正", "Amended")) } @else { (c.t("已作废", "Voided")) }
            " · " (c.t("更正条目 ", "by entry ")) (entry_link(c, corr.by))
            " · " (c.t("更正说明：", "Notice: ")) (corr.notice)
            @if let Some(orig) = field(&e.original, "amount") {
                " · " (c.t("原金额 ", "originally ")) (format::money_str(&orig, &currency))
                @if let Some(now) = field(&e.current, "amount") {
                    (c.t("，现金额 ", ", now ")) (format::money_str(&now, &currency))
                }
            }
            @if amended { @for (field, was, now) in changed_fields(e) {
                " · " (field_name(c, field)) (c.t("：原为 ", ": was ")) (plain(was)) (c.t("，现为 ", ", now ")) (plain(now))
            } }
        }
    }
}

/// The top-level body fields an amendment changed, apart from the amount (shown on its own):
/// (name, original, current).
fn changed_fields(e: &EntryRow) -> Vec<(&str, &Value, &Value)> {
    let (Some(was), Some(now)) = (&e.original, &e.current) else {
        return Vec::new();
    };
    let (Some(was_fields), Some(now_fields)) = (was.as_object(), now.as_object()) else {
        return Vec::new();
    };
    let keys: std::collections::BTreeSet<&String> =
        was_fields.keys().chain(now_fields.keys()).collect();
    // Indexing a Value (not its map) gives null for a field only one side has.
    keys.into_iter()
        .filter(|k| *k != "amount")
        .map(|k| (k.as_str(), &was[k.as_str()], &now[k.as_str()]))
        .filter(|(_, a, b)| a != b)
        .collect()
}

/// A body field's name in the page's language, or its wire name.
fn field_name<'a>(c: &Ctx, field: &'a str) -> &'a str {
    super::i18n::FIELDS
        .iter()
        .find(|(w, ..)| *w == field)
        .map_or(field, |&(_, zh, en)| c.t(zh, en))
}

/// A body value as text: strings as they are, "—" for none, anything else as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// Whether `text` holds Chinese characters (the CJK ideograph blocks).
pub fn has_cjk(text: &str) -> bool {
    text.chars().any(|ch| {
        matches!(ch, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
    })
}

/// The `lang` a name needs inside a page: on an English page, a Chinese name (an organisation,
/// project or trust with no English name) is marked `zh-CN`, so a screen reader reads it as
/// Chinese and the browser picks a Chinese font for it (issue 16).
pub fn name_lang(c: &Ctx, text: &str) -> Option<&'static str> {
    (c.lang == super::i18n::Lang::En && has_cjk(text)).then_some("zh-CN")
}

/// A name as text, in a `lang="zh-CN"` span when [`name_lang`] says so.
pub fn name_text(c: &Ctx, text: &str) -> Markup {
    match name_lang(c, text) {
        Some(lang) => html! { span lang=(lang) { (text) } },
        None => html! { (text) },
    }
}

/// "#123" linking to the entry page.
pub fn entry_link(c: &Ctx, seq: u64) -> Markup {
    html! { a href=(c.href(&entry_path(seq))) { "#" (seq) } }
}

/// An organisation's name linking to its page (the code when it is not registered).
pub fn org_link(c: &Ctx, snap: &Snapshot, uscc: &str) -> Markup {
    if let Some(o) = snap.org(uscc) {
        let name = orgs::name(c, &o);
        html! { a href=(c.href(&org_path(uscc))) lang=[name_lang(c, name)] { (name) } }
    } else {
        html! { span.hash { (uscc) } }
    }
}

/// A money cell.
pub fn money_td(amount: Decimal, currency: &str) -> Markup {
    html! { td.num { (format::money(amount, currency)) } }
}

/// A date cell, in the page's language.
pub fn date_td(c: &Ctx, date: time::Date) -> Markup {
    html! { td { (c.lang.date(date)) } }
}

/// The date an entry was recorded, in the page's language.
pub fn recorded(c: &Ctx, e: &EntryMeta) -> String {
    e.date().map(|d| c.lang.date(d)).unwrap_or_default()
}

/// A table of entries, newest first as given; a corrected one with its correction notice.
pub fn entries_table<'a>(
    c: &Ctx,
    snap: &Snapshot,
    caption: &str,
    entries: impl Iterator<Item = &'a EntryMeta>,
) -> Markup {
    html! {
        div.table-wrap {
            table {
                caption { (caption) }
                thead { tr {
                    th scope="col" { (c.t("序号", "Seq")) }
                    th scope="col" { (c.t("类型", "Kind")) }
                    th scope="col" { (c.t("签名者", "Signed by")) }
                    th scope="col" { (c.t("记录日期", "Recorded")) }
                } }
                tbody {
                    @for e in entries {
                        tr {
                            td { (entry_link(c, e.seq)) }
                            td { (c.lang.kind(e.kind)) }
                            td { (signer(c, snap, &e.author)) }
                            td { (recorded(c, e)) }
                        }
                        @if let Some(row) = crate::site::corrected::row(snap, e.seq) {
                            tr.correction { td colspan="4" { (correction_note(c, &row)) } }
                        }
                    }
                }
            }
        }
    }
}

/// Who signed: the organisation's name, the regulator's, or the operator.
pub fn signer(c: &Ctx, snap: &Snapshot, author: &str) -> Markup {
    if let Some(org) = author.strip_prefix("org:") {
        return org_link(c, snap, org);
    }
    if let Some(reg) = author.strip_prefix("regulator:") {
        let name = snap
            .typed::<RegulatorRow>(&keys::REGULATOR.key(&[&reg]))
            .map_or_else(|| reg.to_owned(), |r| r.name);
        return html! { (c.t("监管机构 ", "Regulator ")) (name) };
    }
    html! { (c.t("账本运营方", "Ledger operator")) }
}

/// A download list: the same rows as CSV and JSON.
pub fn downloads(c: &Ctx, name: &str) -> Markup {
    html! {
        p.downloads {
            (c.t("下载：", "Download: "))
            a href=(c.asset(&format!("data/{name}.csv"))) { "CSV" }
            " · "
            a href=(c.asset(&format!("data/{name}.json"))) { "JSON" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::types::Ident;
    use proptest::prelude::*;

    /// Whether a static host would publish the file at `path` as it is.
    fn plain_file(path: &str) -> bool {
        let file = path.rsplit('/').next().unwrap_or_default();
        !file.starts_with(['.', '_', '-']) && !path.split('/').any(|s| s == ".." || s == ".")
    }

    proptest! {
        /// Whatever id the ledger accepts (issue 18: `..` made `...html`), its page is a plain
        /// file: not hidden, not skipped by Jekyll, no `.` or `..` segment.
        #[test]
        fn every_accepted_id_makes_a_plain_file_name(s in "[A-Za-z0-9._-]{1,64}|\\.{1,3}[a-z]{0,2}") {
            if let Some(id) = Ident::parse(&s) {
                prop_assert!(plain_file(&project_path("53440100MJ0001000W", id.as_str())));
                prop_assert!(plain_file(&trust_path(id.as_str())));
            } else {
                // In the alphabet and refused: only for its first character.
                prop_assert!(s.starts_with(['.', '_', '-']), "{s}");
            }
        }
    }
}
