//! Donor receipt lookup: the lookup form, and one page per donation with the verification widget
//! (`static/verify.js` checks the entry against the latest signed checkpoint in the browser), the
//! receipt-secret form, and where its money went (the trace to disbursements). The widget and the
//! form come straight after the donation's facts: they answer what a donor came to ask, and a
//! large unrestricted gift's trace runs to a hundred disbursements that would bury them.
//!
//! Receipt numbers are unique per organisation, so a receipt's page is
//! `receipts/{org}/{receipt_no}.html`. The lookup form is a plain GET: the live server
//! redirects `receipts/index.html?org=..&no=..` to the page; a static host cannot, so the page
//! spells the URL pattern out (no inline script is allowed, and none is needed).

use maud::{Markup, html};
use serde_json::Value;

use super::{date_td, entry_link, money_td, org_link, project_path};
use crate::site::format;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::{Snapshot, donation_fields, s};

pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        p { (c.t("输入捐赠收据号和出具收据的机构代码，查看这笔捐赠的去向和验证状态。",
                 "Enter your receipt number and the issuing organisation's credit code to see your donation, where it went and whether it is in the signed ledger.")) }
        form.lookup method="get" action=(c.href("receipts/index.html")) {
            label { (c.t("机构统一社会信用代码", "Organisation credit code"))
                select name="org" {
                    @for o in snap.rows("org/") { option value=(s(o, "org")) { (s(o, "name")) " (" (s(o, "org")) ")" } }
                }
            }
            label { (c.t("收据号", "Receipt number")) input name="no" required autocomplete="off"; }
            button type="submit" { (c.t("查询", "Look up")) }
        }
        h2 { (c.t("直接打开收据页", "Opening a receipt page directly")) }
        p { (c.t("在静态镜像上，收据页的地址是：", "On a static mirror, a receipt's page is at: ")) }
        pre { (c.href("receipts/")) "{" (c.t("机构代码", "credit code")) "}/{" (c.t("收据号", "receipt number")) "}.html" }
        p { (c.t("例如：", "For example: "))
            @if let Some(d) = snap.rows("donation/").next() {
                @let path = super::receipt_path(s(d, "org"), s(d, "receipt_no"));
                a href=(c.href(&path)) { (path) }
            }
        }
    };
    page(
        c,
        &Shell {
            title: c.t("捐赠查询", "Receipt lookup"),
            verify: false,
            as_of: None,
        },
        body,
    )
}

/// Everything [`render`] reads, serialized: the donation row, its trace, the organisation's
/// name (and whether it is registered), the entry's leaf hash and the verifier key. Equal
/// inputs make equal pages, so an incremental build compares these instead of rendering
/// (`build::fingerprint`); anything `render` comes to read must be added here, and the
/// incremental-equals-full test in `tests/site.rs` fails until it is.
pub fn inputs(snap: &Snapshot, org: &str, no: &str) -> Option<Vec<u8>> {
    let row = snap.view(&format!("donation/{org}/{no}"))?;
    let trace = snap.view(&format!("trace/{org}/{no}"));
    let org_name = snap.view(&format!("org/{org}")).map(|o| &o["name"]);
    let d = donation_fields(row);
    let leaf_hash = d["seq"]
        .as_u64()
        .and_then(|seq| snap.entry(seq))
        .map(|e| e.leaf_hash.as_str());
    serde_json::to_vec(&(row, trace, org_name, leaf_hash, &snap.vkey)).ok()
}

pub fn render(c: &Ctx, snap: &Snapshot, org: &str, no: &str) -> Option<Markup> {
    let row = snap.view(&format!("donation/{org}/{no}"))?;
    let voided = row["status"] == "voided";
    let d = donation_fields(row);
    let seq = d["seq"].as_u64()?;
    let leaf_hash = snap.entry(seq).map(|e| e.leaf_hash.as_str()).unwrap_or("");
    let trace = snap.view(&format!("trace/{org}/{no}"));
    let cur = s(d, "currency");
    let body = html! {
        @if voided { p.fail { (c.t("这笔捐赠记录已被更正作废。", "This donation record was voided by a correction.")) } }
        dl.facts {
            dt { (c.t("收据号", "Receipt number")) } dd.hash { (no) }
            dt { (c.t("受赠机构", "Received by")) } dd { (org_link(c, snap, org)) }
            dt { (c.t("捐赠人", "Donor")) } dd { (s(d, "donor_display")) }
            dt { (c.t("金额", "Amount")) } dd { @if d["amount"].is_string() { (format::money_str(s(d, "amount"), cur)) } @else { (c.t("物资捐赠", "In kind")) } }
            dt { (c.t("收到日期", "Received on")) } dd { (c.lang.date_str(s(d, "received_on"))) }
            dt { (c.t("定向项目", "Restricted to project")) } dd {
                @match d["project"].as_str() {
                    Some(p) => a href=(c.href(&project_path(org, p))) { (p) },
                    None => (c.t("非定向（机构统筹使用）", "Unrestricted (the organisation's general fund)")),
                }
            }
            dt { (c.t("账本条目", "Ledger entry")) } dd { (entry_link(c, seq)) }
            dt { (c.t("条目哈希", "Leaf hash")) } dd.hash { (leaf_hash) }
        }
        section.verify data-seq=(seq) data-log=(c.asset("log/")) data-vkey=(snap.vkey) data-leaf-hash=(leaf_hash) aria-labelledby="verify-h" {
            h2 #verify-h { "验证 / Verify" }
            p.verify-status role="status" aria-live="polite" {
                (c.t("浏览器中的验证需要脚本。离线验证：下载 ", "Checking in the browser needs script. To check offline: fetch "))
                a href=(c.asset("log/checkpoint")) { "log/" }
                (c.t("，运行 ", ", run "))
                code { "sunshine audit --dir ." }
                (c.t("，并确认条目 #", ", and confirm entry #"))
                (seq)
                (c.t(" 的哈希与上面一致。", " has the leaf hash shown above."))
            }
        }
        h2 { (c.t("确认这是您的捐赠", "Confirm this donation is yours")) }
        form.receipt-secret data-secret-hash=(s(d, "commitment")) {
            label { (c.t("收据密钥（仅在您的浏览器中核对，不会发送）", "Receipt secret (checked in your browser only, never sent)"))
                input name="secret" autocomplete="off";
            }
            button type="submit" { (c.t("核对", "Check")) }
            output {}
        }
        h2 { (c.t("善款去向", "Where the money went")) }
        @match trace.filter(|_| d["amount"].is_string()) {
            Some(t) => (trace_tables(c, t, cur)),
            None => p { (c.t("这笔捐赠没有可追踪的资金（例如未估值的物资）。", "This donation has no money to trace (for example goods without a valuation).")) },
        }
    };
    Some(page(
        c,
        &Shell {
            title: &format!("{} {no}", c.t("捐赠收据", "Donation receipt")),
            verify: true,
            as_of: None,
        },
        body,
    ))
}

fn fund(c: &Ctx, f: &Value) -> Markup {
    let org = s(f, "org");
    html! {
        @match f["project"].as_str() {
            Some(p) => a href=(c.href(&project_path(org, p))) { (p) },
            None => (c.t("非定向资金", "unrestricted fund")),
        }
    }
}

fn trace_tables(c: &Ctx, t: &Value, cur: &str) -> Markup {
    html! {
        ul.cards {
            li { (c.t("已用于支出", "Spent")) span.figure { (format::money_str(s(t, "spent_total"), cur)) } }
            li { (c.t("尚未使用", "Not yet spent")) span.figure { (format::money_str(s(t, "unspent_total"), cur)) } }
        }
        @if t["spent"].as_array().is_none_or(|a| a.is_empty()) {
            p { (c.t("这笔捐赠尚未被支出。", "None of this donation has been spent yet.")) }
        } @else { div.table-wrap { table {
            caption { (c.t("支出（先进先出）", "Spent (first in, first out)")) }
            thead { tr {
                th scope="col" { (c.t("支出条目", "Disbursement")) }
                th scope="col" { (c.t("资金", "Fund")) }
                th scope="col" { (c.t("日期", "Paid on")) }
                th scope="col" { (c.t("类别", "Category")) }
                th.num scope="col" { (c.t("金额", "Amount")) }
            } }
            tbody { @for x in t["spent"].as_array().into_iter().flatten() {
                tr {
                    td { @if let Some(seq) = x["seq"].as_u64() { (entry_link(c, seq)) }
                         @for v in x["via"].as_array().into_iter().flatten() { " ← " @if let Some(seq) = v.as_u64() { (entry_link(c, seq)) } } }
                    td { (fund(c, &x["fund"])) }
                    (date_td(c, &x["paid_on"]))
                    td { (c.lang.category(s(x, "category"))) }
                    (money_td(&x["amount"], s(&x["fund"], "currency")))
                }
            } }
        } } }
        @let moved = t["moved"].as_array().into_iter().flatten().collect::<Vec<_>>();
        @if !moved.is_empty() {
            div.table-wrap { table {
                caption { (c.t("转入其他资金", "Moved to other funds")) }
                tbody { @for m in moved { tr {
                    td { @if let Some(seq) = m["seq"].as_u64() { (entry_link(c, seq)) } }
                    td { (fund(c, &m["from"])) " → " (s(&m["to"], "org")) " / " (fund(c, &m["to"])) }
                    (money_td(&m["amount"], s(&m["from"], "currency")))
                } } }
            } }
        }
    }
}
