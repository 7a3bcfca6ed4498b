//! The entry viewer: one page per language (`entries/index.html?seq=N`) shows any entry. A page
//! per entry per language was most of the site's bytes (about 5 KB each, two per entry), and
//! the published log already holds every entry's exact bytes in its entry bundles.
//!
//! The page carries labels only. In the browser, `static/verify.js` fetches the bundle holding
//! entry N and the signed checkpoint from `log/`, and proves the entry's inclusion; only after
//! that does `static/view.js` render the entry from the proven bytes (kind, signer, time, body
//! fields, the bytes themselves). Body fields are named in the page's language beside their wire
//! names, and read as money, dates, words and links to the organisation, project and receipt.
//! A tampered bundle fails the proof and nothing of it is shown. An entry a later correction
//! amended or voided says so above its body, with the notice, the correcting entry and what
//! changed (from [`crate::site::corrected`]'s files: the bytes themselves never change). The page never changes as the
//! log grows, except when a regulator is named (their names are in the labels).

use maud::{Markup, html};
use serde_json::json;

use crate::money::views::keys;
use crate::site::i18n::{CATEGORIES, FIELDS, KINDS, ORG_TYPES, VALUES};
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;
use crate::site::{corrected, shards};

/// The viewer's path within a language; `?seq=N` picks the entry.
pub const PATH: &str = "entries/index.html";

/// The words for enumerated body values: organisation types and the rest, in one object.
fn values(c: &Ctx) -> serde_json::Value {
    let mut all = c.lang.labels(ORG_TYPES);
    if let (Some(all), serde_json::Value::Object(rest)) =
        (all.as_object_mut(), c.lang.labels(VALUES))
    {
        all.extend(rest);
    }
    all
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let regulators: serde_json::Map<_, _> = snap
        .prefixed(keys::REGULATOR.prefix())
        .map(|(k, r)| {
            let id = k.trim_start_matches(keys::REGULATOR.prefix()).to_owned();
            let name = r["name"].as_str().unwrap_or(&id).to_owned();
            (id, name.into())
        })
        .collect();
    let labels = json!({
        "title": c.t("账本条目", "Ledger entry"),
        "kinds": c.lang.labels(KINDS),
        "fields": c.lang.labels(FIELDS),
        "values": values(c),
        "categories": c.lang.labels(CATEGORIES),
        "yes": c.t("是", "Yes"),
        "no": c.t("否", "No"),
        "regulator": c.t("监管机构", "Regulator"),
        "regulators": regulators,
        "operator": c.t("账本运营方", "Ledger operator"),
        "badSeq": c.t("条目序号应为非负整数。", "An entry number is a whole number, 0 or more."),
        "unreadable": c.t("已验证的条目字节无法读取为条目。", "The verified entry bytes do not read as an entry."),
        "correction": super::corrected::labels(c),
    });
    let body = html! {
        form.lookup.entry-lookup method="get" action="index.html" {
            label { (c.t("条目序号", "Entry number"))
                input name="seq" type="number" min="0" step="1" required autocomplete="off";
            }
            button type="submit" { (c.t("查看", "Show")) }
        }
        section.verify data-log=(c.asset("log/")) data-vkey=(snap.vkey) aria-labelledby="verify-h" {
            h2 #verify-h { "验证 / Verify" }
            p.verify-status role="status" aria-live="polite" {
                (c.t("输入条目序号查看。您的浏览器从已发布的日志取出该条目的原始字节，对照运营方签名的检查点验证其包含证明，验证通过后才显示条目（需要脚本）。离线验证：",
                     "Enter an entry number. Your browser fetches the entry's exact bytes from the published log and checks its inclusion proof against the operator-signed checkpoint before showing it (this needs script). To verify offline: "))
                code { "sunshine prove --seq N" }
                (c.t("，或对导出的日志运行 ", ", or run "))
                code { "sunshine audit --dir ." }
                (c.t("。", " over the published log."))
            }
        }
        div.entry-view hidden data-labels=(labels.to_string())
            data-entry-href="index.html?seq=" data-orgs-href=(c.href("orgs/"))
            data-projects-href=(c.href("projects/")) data-receipt-href=(c.href(super::receipt::VIEW_PATH))
            data-org-data=(c.asset(shards::DIR)) data-corrected=(c.asset(corrected::DIR)) {
            dl.facts {
                dt { (c.t("序号", "Seq")) } dd data-field="seq" {}
                dt { (c.t("类型", "Kind")) } dd data-field="kind" {}
                dt { (c.t("签名者", "Signed by")) } dd data-field="author" {}
                dt { (c.t("签名公钥", "Signing key")) } dd.hash data-field="key" {}
                dt { (c.t("记录日期", "Recorded")) } dd data-field="recorded" {}
                dt { (c.t("叶子哈希", "Leaf hash")) } dd.hash data-field="leaf-hash" {}
                dt { (c.t("相邻条目", "Neighbours")) } dd data-field="neighbours" {}
            }
            div.correction data-field="correction" hidden {}
            h2 { (c.t("条目内容", "Body")) }
            dl.facts data-field="body" {}
            h2 { (c.t("条目原文", "Entry bytes")) }
            p.muted { (c.t("以下为便于阅读的格式；叶子哈希按 RFC 9162 对规范化 JSON 原始字节计算：SHA-256(0x00 ‖ 字节)。原始字节见已发布日志的条目包（",
                           "Pretty-printed for reading; the leaf hash is RFC 9162's SHA-256(0x00 ‖ bytes) over the exact canonical JSON bytes, which are in the published log's entry bundles ("))
                a href=(c.asset("log/checkpoint")) { "log/" } (c.t("）。", ")."))
            }
            pre.leaf data-field="leaf" {}
        }
    };
    page(
        c,
        &Shell {
            title: c.t("账本条目", "Ledger entry"),
            verify: true,
            viewer: true,
            as_of: None,
        },
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::i18n::Lang;
    use crate::site::snapshot::s;

    #[test]
    fn the_viewer_carries_labels_and_no_entry() {
        let mut snap = Snapshot {
            vkey: "example.org/log+01234567+AQ==".into(),
            ..Snapshot::default()
        };
        snap.insert_view("regulator/R1".into(), json!({"name": "广东省民政厅 <b>"}));
        let c = Ctx::new(Lang::En, PATH);
        let html = render(&c, &snap).into_string();
        assert!(html.contains("static/view.js"), "{html}");
        assert!(html.contains("data-log=\"../../log/\""));
        assert!(!html.contains("<b>"), "names are escaped");
        assert!(s(&snap.views["regulator/R1"], "name").contains("民政厅"));
    }
}
