//! Charitable trusts (慈善信托): the list, each trust with its term, purpose, property, what is
//! left and who received its money; and each trust's filing facts, trustee, settlors and
//! supervisor, disbursements (recipient and purpose from their entries) and annual reports.

use maud::{Markup, html};

use super::{date_td, downloads, entry_link, money_td, org_link, trust_path};
use crate::money::bodies::{TrustDisburse, TrustFile};
use crate::money::keys;
use crate::money::views::rows::TrustRow;
use crate::site::format;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

/// The trust's term: "1 Jan 2024 – 31 Dec 2034", or from its start with no end date.
fn term(c: &Ctx, f: &TrustFile) -> String {
    let from = c.lang.date(f.term_start);
    match f.term_end {
        Some(end) => format!("{from} – {}", c.lang.date(end)),
        None => format!(
            "{from}{}",
            c.t("起，无固定期限", " onwards, with no end date")
        ),
    }
}

/// Who the trust's money went to, each once, in the order first paid, from the bodies of its
/// `trust.disburse` entries (the view keeps the amounts; the payee is in the entry).
fn recipients(snap: &Snapshot, t: &TrustRow) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in &t.disbursements {
        let payee = snap
            .body::<TrustDisburse>(d.seq)
            .map(|b| b.payee_display.as_str().to_owned());
        if let Some(p) = payee.filter(|p| !out.contains(p)) {
            out.push(p);
        }
    }
    out
}

/// Recipients shown on the list before "and N more".
const RECIPIENTS_LISTED: usize = 5;

/// Every trust as a card a phone reads down: term, purpose, property and what is left, and who
/// received its money (issue 16).
pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        p { (c.t("慈善信托由受托人（信托公司或慈善组织）管理，信托财产独立于受托人自有财产，按备案的慈善目的使用。",
                 "A charitable trust is run by its trustee (a trust company or a charity); its property is held apart from the trustee's own and spent on the purpose it was filed for.")) }
        ul.trust-list {
            @for t in snap.typed_values::<TrustRow>(keys::TRUST.prefix()) {
                @let f = &t.filing;
                @let cur = f.currency.as_str();
                @let who = recipients(snap, &t);
                li.card {
                    h2 { a href=(c.href(&trust_path(f.trust_id.as_str()))) lang=[super::name_lang(c, f.name.as_str())] { (f.name) } }
                    dl.facts {
                        dt { (c.t("受托人", "Trustee")) } dd { (org_link(c, snap, f.trustee.as_str())) }
                        dt { (c.t("慈善目的", "Purpose")) } dd { (c.lang.purpose(f.purpose.as_str())) }
                        dt { (c.t("期限", "Term")) } dd { (term(c, f)) }
                        dt { (c.t("信托财产", "Property")) } dd { (format::money(f.property.decimal(), cur)) }
                        dt { (c.t("尚余", "Not yet spent")) } dd { (format::money(t.balance.0, cur)) }
                        dt { (c.t("受益方", "Recipients")) } dd {
                            @if who.is_empty() { (c.t("尚无支出", "nothing paid out yet")) } @else {
                                @for (i, r) in who.iter().take(RECIPIENTS_LISTED).enumerate() {
                                    @if i > 0 { (c.t("、", ", ")) } (super::name_text(c, r))
                                }
                                @if who.len() > RECIPIENTS_LISTED {
                                    (c.t("等 ", " and ")) (who.len() - RECIPIENTS_LISTED) (c.t(" 个", " more"))
                                }
                            }
                        }
                    }
                }
            }
        }
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
    let t: TrustRow = snap.typed(&keys::TRUST.key(&[&id]))?;
    let f = &t.filing;
    let cur = f.currency.as_str();
    let body = html! {
        dl.facts {
            dt { (c.t("备案编号", "Filing number")) } dd.hash { (f.filing_no) }
            dt { (c.t("备案机关", "Filed with")) } dd { (f.filing_authority) }
            dt { (c.t("备案日期", "Filed on")) } dd { (c.lang.date(f.filed_on)) }
            dt { (c.t("受托人", "Trustee")) } dd { (org_link(c, snap, f.trustee.as_str())) }
            dt { (c.t("监察人", "Supervisor")) } dd { (f.supervisor.as_ref().map_or(c.t("无", "none"), |v| v.as_str())) }
            dt { (c.t("慈善目的", "Purpose")) } dd { (c.lang.purpose(f.purpose.as_str())) }
            dt { (c.t("信托财产", "Property")) } dd { (format::money(f.property.decimal(), cur)) }
            dt { (c.t("当前余额", "Balance")) } dd { (format::money(t.balance.0, cur)) }
            dt { (c.t("期限", "Term")) } dd { (term(c, f)) }
            dt { (c.t("委托人", "Settlors")) } dd {
                @for (i, st) in f.settlors.iter().enumerate() {
                    @if i > 0 { (c.t("、", ", ")) } (super::name_text(c, st.display.as_str()))
                }
            }
            dt { (c.t("受益方", "Recipients")) } dd {
                @let who = recipients(snap, &t);
                @if who.is_empty() { (c.t("尚无支出", "nothing paid out yet")) } @else {
                    (who.len()) (c.t(" 个，见下表", ", listed below"))
                }
            }
            dt { (c.t("备案条目", "Filing entry")) } dd { (entry_link(c, t.seq)) }
        }
        (super::trust_lottery_figures::trust_years(c, snap, &t))
        h2 { (c.t("支出", "Disbursements")) }
        div.table-wrap { table.stack-on-phone {
            caption { (c.t("信托支出", "Trust disbursements")) }
            thead { tr {
                th scope="col" { (c.t("条目", "Entry")) }
                th scope="col" { (c.t("日期", "Paid on")) }
                th scope="col" { (c.t("受益方", "Recipient")) }
                th scope="col" { (c.t("用途", "Purpose")) }
                th.num scope="col" { (c.t("金额", "Amount")) }
            } }
            tbody { @for d in &t.disbursements {
                @let seq = d.seq;
                @let b = snap.body::<TrustDisburse>(seq);
                // On a phone a payment reads as a block, each cell named: five columns left
                // the recipient one character a line.
                tr {
                    td data-label=(c.t("条目", "Entry")) { (entry_link(c, seq)) }
                    td data-label=(c.t("日期", "Paid on")) { (c.lang.date(d.paid_on)) }
                    td data-label=(c.t("受益方", "Recipient")) { (super::name_text(c, b.as_ref().map_or("", |b| b.payee_display.as_str()))) }
                    td data-label=(c.t("用途", "Purpose")) { (super::name_text(c, b.as_ref().map_or("", |b| b.purpose.as_str()))) }
                    td.num data-label=(c.t("金额", "Amount")) { (format::money(d.amount.0, cur)) }
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
            tbody { @for (year, r) in &t.reports {
                tr {
                    th scope="row" { (year) " " (entry_link(c, r.seq)) }
                    (money_td(r.body.disbursed.0, cur))
                    (date_td(c, r.body.reported_on))
                    td.hash { (r.body.document) }
                }
            } }
        } }
    };
    Some(page(
        c,
        &Shell {
            title: f.name.as_str(),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    ))
}

/// Trust ids, for the page list.
pub fn ids(snap: &Snapshot) -> Vec<String> {
    snap.typed_values::<TrustRow>(keys::TRUST.prefix())
        .map(|t| t.filing.trust_id.as_str().to_owned())
        .collect()
}
