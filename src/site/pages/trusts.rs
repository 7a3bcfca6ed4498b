//! Charitable trusts (慈善信托): the list, and each trust's filing facts, trustee and supervisor,
//! property, disbursements (with purpose and evidence from their entries) and annual reports.

use maud::{Markup, html};
use serde_json::Value;

use super::{date_td, downloads, entry_link, money_td, org_link, trust_path};
use crate::money::views::keys;
use crate::site::format;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::{Snapshot, s};

pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        div.table-wrap { table {
            caption { (c.t("已备案的慈善信托", "Filed charitable trusts")) }
            thead { tr {
                th scope="col" { (c.t("名称", "Name")) }
                th scope="col" { (c.t("受托人", "Trustee")) }
                th.num scope="col" { (c.t("信托财产", "Property")) }
                th.num scope="col" { (c.t("余额", "Balance")) }
            } }
            tbody { @for t in snap.rows(keys::TRUST.prefix()) {
                @let f = &t["filing"];
                tr {
                    td { a href=(c.href(&trust_path(s(f, "trust_id")))) { (s(f, "name")) } }
                    td { (org_link(c, snap, s(f, "trustee"))) }
                    (money_td(&f["property"], s(f, "currency")))
                    (money_td(&t["balance"], s(f, "currency")))
                }
            } }
        } }
        (downloads(c, "trusts"))
    };
    page(
        c,
        &Shell {
            title: c.t("慈善信托", "Charitable trusts"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}

pub fn render(c: &Ctx, snap: &Snapshot, id: &str) -> Option<Markup> {
    let t = snap.view(&keys::TRUST.key(&[&id]))?;
    let f = &t["filing"];
    let cur = s(f, "currency");
    let body = html! {
        dl.facts {
            dt { (c.t("备案编号", "Filing number")) } dd.hash { (s(f, "filing_no")) }
            dt { (c.t("备案机关", "Filed with")) } dd { (s(f, "filing_authority")) }
            dt { (c.t("备案日期", "Filed on")) } dd { (c.lang.date_str(s(f, "filed_on"))) }
            dt { (c.t("受托人", "Trustee")) } dd { (org_link(c, snap, s(f, "trustee"))) }
            dt { (c.t("监察人", "Supervisor")) } dd { (f["supervisor"].as_str().unwrap_or(c.t("无", "none"))) }
            dt { (c.t("慈善目的", "Purpose")) } dd { (s(f, "purpose")) }
            dt { (c.t("信托财产", "Property")) } dd { (format::money_str(s(f, "property"), cur)) }
            dt { (c.t("当前余额", "Balance")) } dd { (format::money_str(s(t, "balance"), cur)) }
            dt { (c.t("期限", "Term")) } dd { (c.lang.date_str(s(f, "term_start"))) " – " (c.lang.date_str(s(f, "term_end"))) }
            dt { (c.t("备案条目", "Filing entry")) } dd { @if let Some(seq) = t["seq"].as_u64() { (entry_link(c, seq)) } }
        }
        h2 { (c.t("支出", "Disbursements")) }
        div.table-wrap { table {
            caption { (c.t("信托支出", "Trust disbursements")) }
            thead { tr {
                th scope="col" { (c.t("条目", "Entry")) }
                th scope="col" { (c.t("日期", "Paid on")) }
                th scope="col" { (c.t("用途", "Purpose")) }
                th.num scope="col" { (c.t("金额", "Amount")) }
            } }
            tbody { @for d in t["disbursements"].as_array().into_iter().flatten() {
                @let seq = d["seq"].as_u64().unwrap_or_default();
                tr {
                    td { (entry_link(c, seq)) }
                    (date_td(c, &d["paid_on"]))
                    td { (snap.entry(seq).and_then(|e| e.body.as_ref()).map(|b| s(b, "purpose")).unwrap_or("")) }
                    (money_td(&d["amount"], cur))
                }
            } }
        } }
        h2 { (c.t("年度报告", "Annual reports")) }
        div.table-wrap { table {
            caption { (c.t("年度报告", "Annual reports")) }
            thead { tr {
                th scope="col" { (c.t("年度", "Year")) }
                th.num scope="col" { (c.t("支出", "Disbursed")) }
                th scope="col" { (c.t("报告日期", "Reported on")) }
                th scope="col" { (c.t("报告文件哈希", "Document hash")) }
            } }
            tbody { @for (year, r) in t["reports"].as_object().into_iter().flatten() {
                tr {
                    th scope="row" { (year) " " @if let Some(seq) = r["seq"].as_u64() { (entry_link(c, seq)) } }
                    (money_td(&r["disbursed"], cur))
                    (date_td(c, &r["reported_on"]))
                    td.hash { (s(r, "document")) }
                }
            } }
        } }
    };
    Some(page(
        c,
        &Shell {
            title: s(f, "name"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    ))
}

/// Trust ids, for the page list.
pub fn ids(snap: &Snapshot) -> Vec<String> {
    snap.rows(keys::TRUST.prefix())
        .map(|t: &Value| s(&t["filing"], "trust_id").to_owned())
        .collect()
}
