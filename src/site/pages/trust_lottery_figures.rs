//! Issue 14's trust and lottery figures as tables: a trust's years as the ledger holds them
//! (property at start and end and what moved it, whether the year's report was checked), its
//! receipts, fees and end; an issuer's fiscal years with the money received against the amount
//! announced, and the grants' share and execution by purpose.

use maud::{Markup, html};
use rust_decimal::Decimal;
use serde_json::Value;

use super::entry_link;
use crate::money::views::keys;
use crate::site::format;
use crate::site::layout::Ctx;
use crate::site::snapshot::{Snapshot, dec, s};

/// A ratio from a view ("0.625") as a percentage, or "—" when the view has none.
fn rate(v: &Value) -> String {
    if v.is_null() {
        return "—".to_owned();
    }
    format::percent(dec(v), Decimal::ONE)
}

/// A receipt's source or a fee's type in words.
fn flow_kind(c: &Ctx, wire: &str) -> String {
    let label = match wire {
        "contribution" => ("追加委托", "Contribution"),
        "investment_income" => ("投资收益", "Investment income"),
        "other_income" => ("其他收入", "Other income"),
        "trustee" => ("受托人报酬", "Trustee's fee"),
        "custody" => ("保管费", "Custody fee"),
        "supervisor" => ("监察人报酬", "Supervisor's fee"),
        "other" => ("其他费用", "Other cost"),
        _ => return wire.to_owned(),
    };
    c.t(label.0, label.1).to_owned()
}

/// A trust year's money columns: the `trust_year/` field, and its label in zh and en.
const TRUST_YEAR_COLUMNS: [(&str, &str, &str); 7] = [
    ("opening_property", "期初", "Opening"),
    ("contributions", "追加", "Contributions"),
    ("income", "收益", "Income"),
    ("fees", "费用", "Fees"),
    ("disbursed", "支出", "Disbursed"),
    ("transferred_at_end", "终止移交", "Handed over"),
    ("closing_property", "期末", "Closing"),
];

/// The trust `t` (its `trust/` row): year by year, then receipts and fees, then its end.
pub fn trust_years(c: &Ctx, snap: &Snapshot, t: &Value) -> Markup {
    let f = &t["filing"];
    let (id, cur) = (s(f, "trust_id"), s(f, "currency"));
    let years: Vec<&Value> = snap.rows(&keys::TRUST_YEAR.under(&[&id])).collect();
    let flows: Vec<(&str, &Value)> = t["receipts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| ("in", r))
        .chain(
            t["fees"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| ("out", r)),
        )
        .collect();
    html! {
        h2 { (c.t("逐年信托财产", "Trust property year by year")) }
        p { (c.t("按账本记录计算：期初 + 追加 + 收益 − 费用 − 支出 − 终止移交 = 期末。年度报告附有财务报表的，已与这些数字逐项核对；未附的仅为申报数。",
                 "Computed from the ledger's entries: opening + contributions + income − fees − disbursed − handed over at the end = closing. A yearly report with a statement was checked against these figures line by line; one without is declared only.")) }
        div.table-wrap { table.stack-on-phone {
            caption { (c.t("逐年信托财产", "Trust property by year")) }
            thead { tr {
                th scope="col" { (c.t("年度", "Year")) }
                @for (_, zh, en) in TRUST_YEAR_COLUMNS { th.num scope="col" { (c.t(zh, en)) } }
                th scope="col" { (c.t("年度报告", "Yearly report")) }
            } }
            tbody { @for y in &years {
                tr {
                    th scope="row" { (y["year"].as_i64().unwrap_or_default()) }
                    // Labelled: on a phone each row is a block of label and value.
                    @for (field, zh, en) in TRUST_YEAR_COLUMNS {
                        td.num data-label=(c.t(zh, en)) { (format::money(dec(&y[field]), cur)) }
                    }
                    td data-label=(c.t("年度报告", "Yearly report")) {
                        @match (y["report_seq"].as_u64(), y["report_checked"].as_bool()) {
                            (Some(seq), Some(true)) => { (c.t("✓ 已与账本核对 ", "✓ checked against the ledger ")) (entry_link(c, seq)) }
                            (Some(seq), _) => { (c.t("仅申报，未附财务报表 ", "declared only, no statement ")) (entry_link(c, seq)) }
                            (None, _) => { (c.t("无", "none")) }
                        }
                    }
                }
            } }
        } }
        @if !flows.is_empty() {
            // On a phone a movement reads as a block, each cell named: five columns left the
            // kind one character a line.
            div.table-wrap { table.stack-on-phone {
                caption { (c.t("信托财产的收入与费用", "Property received and fees paid")) }
                thead { tr {
                    th scope="col" { (c.t("条目", "Entry")) }
                    th scope="col" { (c.t("日期", "Date")) }
                    th scope="col" { (c.t("类别", "Kind")) }
                    th.num scope="col" { (c.t("收入", "In")) }
                    th.num scope="col" { (c.t("支出", "Out")) }
                } }
                tbody { @for (dir, r) in &flows {
                    tr {
                        td data-label=(c.t("条目", "Entry")) { @if let Some(seq) = r["seq"].as_u64() { (entry_link(c, seq)) } }
                        td data-label=(c.t("日期", "Date")) { (c.lang.date_str(s(r, "on"))) }
                        td data-label=(c.t("类别", "Kind")) { (flow_kind(c, s(r, "kind"))) }
                        @let amount = format::money(dec(&r["amount"]), cur);
                        @if *dir == "in" {
                            td.num data-label=(c.t("收入", "In")) { (amount) } td.num {}
                        } @else {
                            td.num {} td.num data-label=(c.t("支出", "Out")) { (amount) }
                        }
                    }
                } }
            } }
        }
        @if let Some(end) = t.get("terminated").filter(|e| !e.is_null()) {
            h2 { (c.t("信托终止", "Termination")) }
            dl.facts {
                dt { (c.t("终止日期", "Ended on")) } dd { (c.lang.date_str(s(end, "terminated_on"))) }
                dt { (c.t("原因", "Reason")) } dd { (super::name_text(c, s(end, "reason"))) }
                dt { (c.t("剩余财产", "Remaining property")) } dd { (format::money_str(s(end, "remaining_property"), cur)) }
                dt { (c.t("移交给", "Handed to")) } dd { (end["remaining_to"].as_str().unwrap_or("—")) }
                dt { (c.t("清算报告哈希", "Liquidation report hash")) } dd.hash { (s(end, "liquidation_report")) }
                dt { (c.t("监察人意见哈希", "Supervisor's opinion hash")) } dd.hash { (end["supervisor_opinion"].as_str().unwrap_or("—")) }
                dt { (c.t("报告用时", "Reported after")) } dd {
                    (end["days_to_report"].as_i64().unwrap_or_default()) (c.t(" 天", " days"))
                    @if end["reported_late"].as_bool() == Some(true) {
                        " " strong { (c.t("✗ 超过终止事由发生后十五日（《信托法》公益信托章，条款号未核实）", "✗ over the 15 days after the cause (Trust Law, public-welfare trust chapter; article number not retrieved)")) }
                    } @else {
                        " " (c.t("✓ 十五日内", "✓ within 15 days"))
                    }
                }
                dt { (c.t("终止条目", "Entry")) } dd { @if let Some(seq) = end["seq"].as_u64() { (entry_link(c, seq)) } }
            }
        }
    }
}

/// Issuer `admin`'s fiscal years: money in against the amount announced, and the grants'
/// execution by purpose.
pub fn lottery_execution(c: &Ctx, snap: &Snapshot, admin: &str) -> Markup {
    let years: Vec<&Value> = snap
        .rows(&keys::LOTTERY_EXECUTION.under(&[&admin]))
        .collect();
    html! {
        @if !years.is_empty() {
            h2 { (c.t("执行情况", "Execution")) }
            p { (c.t("每个资金年度：账本记录的公益金收入与公告的筹集额，各类别资助的占比，以及受资助方报告的使用额与执行率。",
                     "Each fiscal year: the fund received as the ledger records it against the amount announced, each purpose's share of the grants, and what the recipients report using of them (the execution rate).")) }
        }
        @for y in &years {
            @let cur = s(y, "currency");
            div.table-wrap { table.stack-on-phone {
                caption { (c.lang.year(y["fiscal_year"].as_i64().unwrap_or_default())) " · " (cur) }
                thead { tr {
                    th scope="col" { (c.t("类别", "Purpose")) }
                    th.num scope="col" { (c.t("资助笔数", "Grants")) }
                    th.num scope="col" { (c.t("资助额", "Granted")) }
                    th.num scope="col" { (c.t("占比", "Share")) }
                    th.num scope="col" { (c.t("已使用", "Used")) }
                    th.num scope="col" { (c.t("执行率", "Execution")) }
                } }
                tbody {
                    @for p in y["by_purpose"].as_array().into_iter().flatten() {
                        tr {
                            th scope="row" { (c.lang.lottery_purpose(s(p, "purpose"))) }
                            td.num data-label=(c.t("资助笔数", "Grants")) { (p["grants"].as_u64().unwrap_or_default()) }
                            td.num data-label=(c.t("资助额", "Granted")) { (format::money_str(s(p, "granted"), cur)) }
                            td.num data-label=(c.t("占比", "Share")) { (rate(&p["share"])) }
                            td.num data-label=(c.t("已使用", "Used")) { (format::money_str(s(p, "used"), cur)) }
                            td.num data-label=(c.t("执行率", "Execution")) { (rate(&p["execution_rate"])) }
                        }
                    }
                    tr.total {
                        th scope="row" { (c.t("合计", "Total")) }
                        td.num {}
                        td.num data-label=(c.t("资助额", "Granted")) { (format::money_str(s(y, "granted"), cur)) }
                        td.num {}
                        td.num data-label=(c.t("已使用", "Used")) { (format::money_str(s(y, "used"), cur)) }
                        td.num data-label=(c.t("执行率", "Execution")) { (rate(&y["execution_rate"])) }
                    }
                }
            } }
            dl.facts {
                dt { (c.t("公益金收入（账本）", "Fund received (ledger)")) }
                dd { @match y["received"].as_str() { Some(r) => { (format::money_str(r, cur)) } None => { (c.t("未记录", "not recorded")) } } }
                dt { (c.t("公告筹集额", "Raised, as announced")) }
                dd {
                    @match y["raised_announced"].as_str() { Some(r) => { (format::money_str(r, cur)) " " } None => {} }
                    @match s(y, "raised_status") {
                        "checked" => { (c.t("✓ 与收入记录一致", "✓ agrees with the receipts")) }
                        "declared" => { strong { (c.t("✗ 未记录收入，无法核对", "✗ no receipts recorded: not checked")) } }
                        _ => { (c.t("尚未公告", "not announced yet")) }
                    }
                }
                dt { (c.t("资助非慈善组织的福利机构", "Granted to welfare institutions (not charities)")) }
                dd { (format::money_str(s(y, "granted_to_welfare_institutions"), cur)) }
            }
        }
    }
}
