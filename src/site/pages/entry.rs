//! One entry: its exact leaf bytes (pretty-printed, with the bytes' hash beside them), the
//! signer, and its RFC 9162 inclusion proof in the first checkpoint that covers it. That
//! checkpoint never changes, so neither does the page: incremental builds write it once. The
//! verification widget checks the entry against the latest checkpoint in the browser.

use maud::{Markup, html};

use super::{entry_link, signer};
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::{EntryDoc, Snapshot};
use crate::site::text::Text;

/// `snap` supplies names and the verifier key only (both fixed once an entry exists).
pub fn render(c: &Ctx, snap: &Snapshot, doc: &EntryDoc) -> Markup {
    let e = &doc.meta;
    let body = html! {
        dl.facts {
            dt { (c.t("类型", "Kind")) } dd { (c.lang.kind(&e.kind)) " (" code { (e.kind) } ")" }
            dt { (c.t("签名者", "Signed by")) } dd { (signer(c, snap, &e.author)) " · " code { (e.author) } }
            dt { (c.t("签名公钥", "Signing key")) } dd.hash { (Text(&e.key)) }
            dt { (c.t("记录日期", "Recorded")) } dd { (super::recorded(c, e)) }
            dt { (c.t("叶子哈希", "Leaf hash")) } dd.hash { (Text(&e.leaf_hash)) }
            dt { (c.t("相邻条目", "Neighbours")) } dd {
                @if e.seq > 0 { (entry_link(c, e.seq - 1)) " " }
                @if e.seq + 1 < doc.checkpoint_size { (entry_link(c, e.seq + 1)) }
            }
        }
        h2 { (c.t("条目原文", "Entry bytes")) }
        p.muted { (c.t("以下为便于阅读的格式；叶子哈希按 RFC 9162 对规范化 JSON 原始字节计算：SHA-256(0x00 ‖ 字节)。",
                       "Pretty-printed for reading; the leaf hash is RFC 9162's SHA-256(0x00 ‖ bytes) over the exact canonical JSON bytes.")) }
        pre.leaf { (Text(&doc.pretty)) }
        p { (c.t("原始字节见已发布日志的条目包（", "The exact bytes are in the published log's entry bundle (")) a href=(c.asset("log/checkpoint")) { "log/" } (c.t("）。", ").")) }
        h2 { (c.t("包含证明", "Inclusion proof")) }
        p { (c.t("相对于账本大小为 ", "Relative to the signed checkpoint of size "))
            (doc.checkpoint_size) (c.t(" 的签名检查点：", ":")) }
        ol.hash { @for h in &doc.proof { li { (Text(h)) } } }
        pre.hash { (Text(&doc.checkpoint_note)) }
        section.verify data-seq=(e.seq) data-log=(c.asset("log/")) data-vkey=(snap.vkey) data-leaf-hash=(e.leaf_hash) aria-labelledby="verify-h" {
            h2 #verify-h { "验证 / Verify" }
            p.verify-status role="status" aria-live="polite" {
                (c.t("离线验证：", "To verify offline: "))
                code { "sunshine prove --seq " (e.seq) " --size " (doc.checkpoint_size) }
                (c.t("，或对导出的日志运行 ", ", or run "))
                code { "sunshine audit --dir ." }
                (c.t("。", " over the published log."))
            }
        }
    };
    page(
        c,
        &Shell {
            title: &format!("{} #{}", c.t("账本条目", "Ledger entry"), e.seq),
            verify: true,
            as_of: None,
        },
        body,
    )
}
