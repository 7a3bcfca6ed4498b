//! Issue 14's trust and lottery figures as tables: a trust's years as the ledger holds them
//! (property at start and end and what moved it, whether the year's report was checked), its
//! receipts, fees and end; an issuer's fiscal years with the money received against the amount
//! announced, and the grants' share and execution by purpose.

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::entry_link;
use crate::money::books::lottery::funds::RaisedStatus;
use crate::money::books::trusts::TrustFlow;
use crate::money::keys;
use crate::money::types::Money;
use crate::money::views::rows::{LotteryExecutionRow, TrustRow, TrustYearRow};
use crate::site::format;
use crate::site::layout::Ctx;
use crate::site::snapshot::Snapshot;

/// A ratio from a view (0.625) as a percentage, or "—" when the view has none.
fn rate(v: Option<Decimal>) -> String {
    v.map_or_else(|| "—".to_owned(), |r| format::percent(r, Decimal::ONE))
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

/// One money figure of a `trust_year/` row.
type TrustYearField = fn(&TrustYearRow) -> Money;

/// A trust year's money columns: the `trust_year/` field, and its label in zh and en.
const TRUST_YEAR_COLUMNS: [(TrustYearField, &str, &str); 7] = [
    (|y| y.opening_property, "期初", "Opening"),
    (|y| y.contributions, "追加", "Contributions"),
    (|y| y.income, "收益", "Income"),
    (|y| y.fees, "费用", "Fees"),
    (|y| y.disbursed, "支出", "Disbursed"),
    (|y| y.transferred_at_end, "终止移交", "Handed over"),
    (|y| y.closing_property, "期末", "Closing"),
];

/// The trust `t` (its `trust/` row): year by year, then receipts and fees, then its end.
pub fn trust_years(c: &Ctx, snap: &Snapshot, t: &TrustRow) -> Markup {
    let f = &t.filing;
    let (id, cur) = (f.trust_id.as_str(), f.currency.as_str());
    let years: Vec<TrustYearRow> = snap.typed_values(&keys::TRUST_YEAR.under(&[&id])).collect();
    let flows: Vec<(&str, &TrustFlow)> = t
        .receipts
        .iter()
        .map(|r| ("in", r))
        .chain(t.fees.iter().map(|r| ("out", r)))
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
                    th scope="row" { (y.year) }
                    // Labelled: on a phone each row is a block of label and value.
                    @for (field, zh, en) in TRUST_YEAR_COLUMNS {
                        td.num data-label=(c.t(zh, en)) { (format::money(field(y).0, cur)) }
                    }
                    td data-label=(c.t("年度报告", "Yearly report")) {
                        @match (y.report_seq, y.report_checked) {
                            (Some(seq), true) => { (c.t("✓ 已与账本核对 ", "✓ checked against the ledger ")) (entry_link(c, seq)) }
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
                        td data-label=(c.t("条目", "Entry")) { (entry_link(c, r.seq)) }
                        td data-label=(c.t("日期", "Date")) { (c.lang.date(r.on)) }
                        td data-label=(c.t("类别", "Kind")) { (flow_kind(c, &r.kind)) }
                        @let amount = format::money(r.amount.0, cur);
                        @if *dir == "in" {
                            td.num data-label=(c.t("收入", "In")) { (amount) } td.num {}
                        } @else {
                            td.num {} td.num data-label=(c.t("支出", "Out")) { (amount) }
                        }
                    }
                } }
            } }
        }
        @if let Some(end) = &t.terminated {
            @let b = &end.body;
            h2 { (c.t("信托终止", "Termination")) }
            dl.facts {
                dt { (c.t("终止日期", "Ended on")) } dd { (c.lang.date(b.terminated_on)) }
                dt { (c.t("原因", "Reason")) } dd { (super::name_text(c, b.reason.as_str())) }
                dt { (c.t("剩余财产", "Remaining property")) } dd { (format::money(b.remaining_property.0, cur)) }
                dt { (c.t("移交给", "Handed to")) } dd { (b.remaining_to.as_ref().map_or("—", |r| r.as_str())) }
                dt { (c.t("清算报告哈希", "Liquidation report hash")) } dd.hash { (b.liquidation_report) }
                dt { (c.t("监察人意见哈希", "Supervisor's opinion hash")) } dd.hash { (b.supervisor_opinion.as_ref().map_or_else(|| "—".to_owned(), ToString::to_string)) }
                dt { (c.t("报告用时", "Reported after")) } dd {
                    (end.days_to_report) (c.t(" 天", " days"))
                    @if end.reported_late {
                        " " strong { (c.t("✗ 超过终止事由发生后十五日（《信托法》公益信托章，条款号未核实）", "✗ over the 15 days after the cause (Trust Law, public-welfare trust chapter; article number not retrieved)")) }
                    } @else {
                        " " (c.t("✓ 十五日内", "✓ within 15 days"))
                    }
                }
                dt { (c.t("终止条目", "Entry")) } dd { (entry_link(c, end.seq)) }
            }
        }
    }
}

/// Issuer `admin`'s fiscal years: money in against the amount announced, and the grants'
/// execution by purpose.
pub fn lottery_execution(c: &Ctx, snap: &Snapshot, admin: &str) -> Markup {
    let years: Vec<LotteryExecutionRow> = snap
        .typed_values(&keys::LOTTERY_EXECUTION.under(&[&admin]))
        .collect();
    html! {
        @if !years.is_empty() {
            h2 { (c.t("执行情况", "Execution")) }
            p { (c.t("每个资金年度：账本记录的公益金收入与公告的筹集额，各类别资助的占比，以及受资助方报告的使用额与执行率。",
                     "Each fiscal year: the fund received as the ledger records it against the amount announced, each purpose's share of the grants, and what the recipients report using of them (the execution rate).")) }
        }
        @for y in &years {
            @let cur = y.currency.as_str();
            div.table-wrap { table.stack-on-phone {
                caption { (c.lang.year(i64::from(y.fiscal_year))) " · " (cur) }
                thead { tr {
                    th scope="col" { (c.t("类别", "Purpose")) }
                    th.num scope="col" { (c.t("资助笔数", "Grants")) }
                    th.num scope="col" { (c.t("资助额", "Granted")) }
                    th.num scope="col" { (c.t("占比", "Share")) }
                    th.num scope="col" { (c.t("已使用", "Used")) }
                    th.num scope="col" { (c.t("执行率", "Execution")) }
                } }
                tbody {
                    @for p in &y.by_purpose {
                        tr {
                            th scope="row" { (c.lang.lottery_purpose(p.purpose.as_str())) }
                            td.num data-label=(c.t("资助笔数", "Grants")) { (p.grants) }
                            td.num data-label=(c.t("资助额", "Granted")) { (format::money(p.granted.0, cur)) }
                            td.num data-label=(c.t("占比", "Share")) { (rate(p.share)) }
                            td.num data-label=(c.t("已使用", "Used")) { (format::money(p.used.0, cur)) }
                            td.num data-label=(c.t("执行率", "Execution")) { (rate(p.execution_rate)) }
                        }
                    }
                    tr.total {
                        th scope="row" { (c.t("合计", "Total")) }
                        td.num {}
                        td.num data-label=(c.t("资助额", "Granted")) { (format::money(y.granted.0, cur)) }
                        td.num {}
                        td.num data-label=(c.t("已使用", "Used")) { (format::money(y.used.0, cur)) }
                        td.num data-label=(c.t("执行率", "Execution")) { (rate(y.execution_rate)) }
                    }
                }
            } }
            dl.facts {
                dt { (c.t("公益金收入（账本）", "Fund received (ledger)")) }
                dd { @match y.received { Some(r) => { (format::money(r.0, cur)) } None => { (c.t("未记录", "not recorded")) } } }
                dt { (c.t("公告筹集额", "Raised, as announced")) }
                dd {
                    @if let Some(r) = y.raised_announced { (format::money(r.0, cur)) " " }
                    @match y.raised_status {
                        RaisedStatus::Checked => { (c.t("✓ 与收入记录一致", "✓ agrees with the receipts")) }
                        RaisedStatus::Declared => { strong { (c.t("✗ 未记录收入，无法核对", "✗ no receipts recorded: not checked")) } }
                        RaisedStatus::NotAnnounced => { (c.t("尚未公告", "not announced yet")) }
                    }
                }
                dt { (c.t("资助非慈善组织的福利机构", "Granted to welfare institutions (not charities)")) }
                dd { (format::money(y.granted_to_welfare_institutions.0, cur)) }
            }
        }
    }
}
