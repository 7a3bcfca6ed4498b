//! One organisation, in the order a regulator reads it (issue 16): its status first (ratio
//! failures of finished years, disclosures late or missing, this year's obligations, and a link
//! to its rows on the supervision page), then its money (income and spending by year, the
//! regulator ratios with the reason beside every exception), then the details (registration,
//! obligations not met, projects, its entries that were amended or voided, the corrections it
//! made, the entries it signed), and its signing keys last.

use maud::{Markup, html};
use rust_decimal::Decimal;

use super::orgs::{name, yes_no};
use super::{MAX_ROWS, entries_table, entry_link, money_td, project_path};
use crate::money::compliance::{self, Cmp};
use crate::money::keys;
use crate::money::obligations::OrgObligation;
use crate::money::timeliness::Status;
use crate::money::views::rows::{ComplianceRow, FiguresRow, OrgTimeRow, ProjectRow};
use crate::site::chart::axis::{self, Periods, Step};
use crate::site::chart::{self, Bars, Series};
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;
use crate::site::supervision::{self, RatioRow, RatioStatus};
use crate::site::yearly::FigureField;

pub fn render(c: &Ctx, snap: &Snapshot, uscc: &str) -> Option<Markup> {
    let o = snap.org(uscc)?;
    let r = &o.register;
    let timeline: Option<OrgTimeRow> = snap.typed(&keys::ORG_TIME.key(&[&uscc]));
    let author = format!("org:{uscc}");
    let signed: Vec<_> = snap.signed_by(&author).collect();
    let corrections: Vec<_> = signed.iter().filter(|e| e.kind == "correction").collect();
    let keys: Vec<_> = snap.keys.iter().filter(|k| k.holder == author).collect();
    let figures: Vec<FiguresRow> = snap.typed_values(&keys::FIGURES.under(&[&uscc])).collect();
    let cny: Vec<&FiguresRow> = figures
        .iter()
        .filter(|f| f.currency.as_str() == "CNY")
        .collect();
    let compliance: Vec<ComplianceRow> = snap
        .typed_values(&keys::COMPLIANCE.under(&[&uscc]))
        .collect();
    let projects: Vec<ProjectRow> = snap
        .typed_rows(&keys::PROJECT.under(&[&uscc]))
        .map(|(_, p)| p)
        .collect();
    let duties = snap.obligations(Some(uscc));
    let reasons = supervision::ratio_rows(snap, Some(uscc));
    let current = supervision::current_year(snap);
    // A year in progress is not judged: its spending is not complete (issue 16).
    let in_progress = |year: i64| current.is_some_and(|y| year >= y);
    let open_duties: Vec<_> = duties
        .iter()
        .filter(|d| d.judged.status != Status::Met)
        .collect();
    let body = html! {
        (status_section(c, snap, uscc, &duties, &reasons, &compliance))
        p.compare-link { a href=(c.href(&super::compare::link(&[uscc]))) { (c.t("与其他机构逐年比较", "Compare with other organisations, year by year")) } }
        h2 { (c.t("历年收入与支出", "Income and spending by year")) }
        @if !cny.is_empty() { (years_chart(c, snap, &cny)) }
        div.table-wrap { table {
            caption { (c.t("年度数字（各币种）", "Yearly figures (every currency)")) }
            thead { tr {
                th scope="col" { (c.t("年度", "Year")) }
                th.num scope="col" { (c.t("收入", "Income")) }
                th.num scope="col" { (c.t("其中捐赠", "of which donations")) }
                th.num scope="col" { (c.t("公益项目支出", "Programmes")) }
                th.num scope="col" { (c.t("管理费用", "Administration")) }
                th.num scope="col" { (c.t("募捐成本", "Fundraising")) }
                th.num scope="col" { (c.t("年末净资产", "Net assets at year end")) }
            } }
            tbody { @for f in &figures {
                @let cur = f.currency.as_str();
                tr {
                    th scope="row" { (c.lang.year(i64::from(f.year))) " " (cur) }
                    (money_td(f.income.0, cur))
                    (money_td(f.donation_income.0, cur))
                    (money_td(f.charitable_spending.0, cur))
                    (money_td(f.administrative_costs.0, cur))
                    (money_td(f.fundraising_costs.0, cur))
                    (super::net_assets::cell(c, snap, f.year, f.net_assets_year_end, cur))
                }
            } }
        } }
        h2 #ratios { (c.t("监管比例", "Regulator ratios")) }
        @if compliance.is_empty() { p { (c.t("不适用或暂无数据。", "Not applicable or no figures yet.")) } }
        @for row in &compliance {
            @let (year, currency) = (i64::from(row.year), row.currency.as_str());
            div.table-wrap { table {
                caption { (c.lang.year(year)) " " (currency) @if in_progress(year) { (c.t("（年度未结束，仅供参考）", " (year in progress: not judged)")) } }
                thead { tr {
                    th scope="col" { (c.t("指标", "Figure")) }
                    th.num scope="col" { (c.t("数值", "Value")) }
                    th.num scope="col" { (c.t("标准", "Threshold")) }
                    th scope="col" { (c.t("结论", "Result")) }
                } }
                tbody { @for f in &row.figures {
                    @let why = reasons.iter().find(|r| r.year == year && r.currency == currency && r.figure.id == f.id);
                    (super::ratios::figure_rows(c, f, currency))
                    // The reason on a line of its own, so the four columns stay readable on a phone.
                    @if let Some(r) = why { tr.reason { td colspan="4" { (super::regulator::reason(c, &r.reason)) } } }
                } }
            } }
            (super::org_time::judged_on(c, row, currency))
        }
        h2 { (c.t("登记信息", "Registration")) }
        dl.facts {
            dt { (c.t("名称", "Name")) } dd { (super::name_text(c, r.name.as_str())) @if let Some(en) = &r.name_en { " · " (en) } }
            dt { (c.t("统一社会信用代码", "Unified social credit code")) } dd.hash { (uscc) }
            dt { (c.t("类型", "Type")) } dd { (c.lang.org_type(r.org_type.as_str())) }
            dt { (c.t("地区", "Region")) } dd { (crate::site::regions::name(c.lang, r.region.as_str())) " (" (r.region.as_str()) ")" }
            dt { (c.t("公开募捐资格", "Public fundraising")) } dd { (yes_no(c, super::org_time::holds_now(&o, timeline.as_ref()))) }
            dt { (c.t("登记日期", "Registered on")) } dd { (c.lang.date(r.registered_on)) }
            dt { (c.t("登记条目", "Registration entry")) } dd { (entry_link(c, o.seq)) }
        }
        (super::org_time::history(c, timeline.as_ref()))
        @if snap.judged_on.is_some() {
            h2 #duties { (c.t("信息公开义务", "Disclosure obligations")) }
            (super::obligations::judged_on(c, snap))
            p { (c.t("按时公开 ", "Met on time: ")) (duties.len() - open_duties.len()) (c.t(" 项；以下为逾期、逾期未公开和待公开的义务。", "; below, those disclosed late, missing, or due.")) }
            @if !open_duties.is_empty() { (super::obligations::table(c, snap, &open_duties, false)) }
        }
        h2 { (c.t("项目", "Projects")) }
        @if projects.is_empty() { p { (c.t("暂无项目。", "No projects.")) } } @else {
            ul { @for p in &projects {
                li { a href=(c.href(&project_path(uscc, p.record.open.id.as_str()))) { (super::name_text(c, super::project::title(c, p))) } (super::project::distinction(c, p)) }
            } }
        }
        (super::goods::org_section(c, snap, uscc))
        h2 { (c.t("更正", "Corrections")) }
        (super::corrected::org_section(c, snap, uscc))
        @if corrections.is_empty() { p { (c.t("没有更正。", "No corrections.")) } } @else {
            (entries_table(c, snap, c.t("本机构的更正", "Corrections it made"), corrections.iter().rev().map(|e| **e)))
        }
        h2 { (c.t("签名的条目", "Entries it signed")) }
        p { (c.t("共 ", "")) (signed.len()) (c.t(" 条；下表为最新的条目，完整列表见下载。", " entries; the newest are below, all of them in the downloads.")) }
        (entries_table(c, snap, c.t("最新签名的条目", "Newest signed entries"), signed.iter().rev().take(MAX_ROWS).copied()))
        (super::downloads(c, &super::org_entries_data(uscc)))
        h2 { (c.t("签名密钥", "Signing keys")) }
        div.table-wrap { table {
            caption { (c.t("密钥及其历史", "Keys and their history")) }
            thead { tr {
                th scope="col" { (c.t("公钥", "Public key")) }
                th scope="col" { (c.t("启用于", "Added at")) }
                th scope="col" { (c.t("吊销于", "Revoked at")) }
            } }
            tbody { @for k in &keys { tr {
                td.hash { (k.key) }
                td { (entry_link(c, k.added_at)) }
                td { @match k.revoked_at { Some(r) => (entry_link(c, r)), None => (c.t("有效", "in use")) } }
            } } }
        } }
    };
    Some(page(
        c,
        &Shell {
            title: name(c, &o),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    ))
}

/// Income beside spending (stacked by category) per year in CNY, every year from the first row to
/// the last, the year under way marked.
fn years_chart(c: &Ctx, snap: &Snapshot, cny: &[&FiguresRow]) -> Markup {
    let years: Vec<i32> = cny.iter().map(|r| r.year).collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return html! {};
    };
    let col = |f: FigureField| {
        let amounts = cny.iter().map(|r| (r.year, f(r).0));
        axis::dense(first, last, amounts)
    };
    chart::bars(&Bars {
        id: "org-years",
        title: c.t("历年收入与支出（人民币）", "Income and spending by year (CNY)"),
        lang: c.lang,
        periods: Periods::span(Step::Year, first, last),
        series: vec![
            Series { name: c.t("收入", "Income"), values: col(|f| f.income), stack: 0 },
            Series { name: c.t("公益项目支出", "Programmes"), values: col(|f| f.charitable_spending), stack: 1 },
            Series { name: c.t("管理费用", "Administration"), values: col(|f| f.administrative_costs), stack: 1 },
            Series { name: c.t("募捐成本", "Fundraising"), values: col(|f| f.fundraising_costs), stack: 1 },
        ],
        currency: "CNY",
        today: snap.judged_on,
        over: Some((0, 1, c.t(
            "支出多于当年收入，差额来自以前年度收到、结余下来的资金。",
            "spending exceeded that year's income; the difference was paid from money received in earlier years.",
        ))),
    })
}

/// A ratio of the compliance rows (0.0583) as a percentage ("5.83%").
pub fn ratio(r: Decimal) -> String {
    format!("{:.2}%", (r * Decimal::from(100)).round_dp(2))
}

pub fn comparison(c: Cmp) -> &'static str {
    match c {
        Cmp::AtLeast => "≥",
        Cmp::AtMost => "≤",
    }
}

/// A verdict in words, styled by class (never colour alone).
pub fn status(c: &Ctx, verdict: compliance::Status) -> Markup {
    use compliance::Status as V;
    match verdict {
        V::Pass => html! { span.verdict.pass { "✓ " (c.t("达标", "Pass")) } },
        V::Fail => html! { span.verdict.fail { "✗ " (c.t("未达标", "Fail")) } },
        V::Exempt => html! { span.verdict { (c.t("豁免", "Exempt")) } },
        V::InProgress => html! { span.verdict { (c.t("进行中", "In progress")) } },
        V::NotEnoughData => html! { span.verdict.muted { (c.t("数据不足", "Not enough data")) } },
    }
}

/// What a regulator looks for first (issue 16): ratio failures of finished years, disclosures
/// late or missing, and the obligations falling due this year, with a link to the
/// organisation's rows on the supervision page.
fn status_section(
    c: &Ctx,
    snap: &Snapshot,
    uscc: &str,
    duties: &[OrgObligation],
    ratios: &[RatioRow],
    compliance: &[ComplianceRow],
) -> Markup {
    let failed: Vec<&RatioRow> = ratios
        .iter()
        .filter(|r| matches!(r.status, RatioStatus::Fail | RatioStatus::Explained))
        .collect();
    let judged = compliance
        .iter()
        .any(|r| supervision::current_year(snap).is_some_and(|y| i64::from(r.year) < y));
    let count = |st: Status| duties.iter().filter(|d| d.judged.status == st).count();
    let (late, missing) = (count(Status::Late), count(Status::Missing));
    let worst = duties
        .iter()
        .filter(|d| d.judged.status == Status::Missing)
        .map(|d| d.judged.days_late)
        .max();
    let this_year = snap.judged_on.map(|d| d.year());
    let due_this_year: Vec<&OrgObligation> = duties
        .iter()
        .filter(|d| Some(d.judged.due.year()) == this_year)
        .collect();
    html! {
        h2 #status { (c.t("监管状态", "Status")) }
        ul.flags {
            @if !failed.is_empty() {
                li.bad {
                    strong { (c.t("比例未达标：", "Ratio failures: ")) }
                    @for (i, r) in failed.iter().enumerate() {
                        @if i > 0 { (c.t("；", "; ")) }
                        (c.lang.year(r.year)) " " (super::ratios::label(c, &r.figure))
                        @if r.status == RatioStatus::Explained { (c.t("（已说明）", " (explained)")) }
                    }
                }
            } @else if judged {
                li.ok { (c.t("已结束年度的监管比例均达标或豁免。", "Every finished year's ratios passed or were exempt.")) }
            } @else {
                li { (c.t("监管比例：不适用或暂无已结束年度的数据。", "Ratios: not applicable, or no finished year yet.")) }
            }
            @if snap.judged_on.is_some() {
                @if late + missing > 0 {
                    li.bad {
                        strong { (c.t("信息公开：", "Disclosures: ")) }
                        (missing) (c.t(" 项逾期未公开", " missing"))
                        @if let Some(w) = worst { (c.t("（最长逾期 ", " (the oldest ")) (w) (c.t(" 天）", " days late)")) }
                        (c.t("，", ", ")) (late) (c.t(" 项逾期公开。", " disclosed late."))
                    }
                } @else {
                    li.ok { (c.t("没有逾期的信息公开。", "No disclosure late or missing.")) }
                }
                @if let Some(y) = this_year {
                    li {
                        strong { (c.lang.year(i64::from(y))) (c.t("到期的公开义务：", " obligations: ")) }
                        (due_this_year.len()) (c.t(" 项", " falling due"))
                        @for st in [Status::Met, Status::Late, Status::Missing, Status::Due] {
                            @let n = due_this_year.iter().filter(|d| d.judged.status == st).count();
                            @if n > 0 { (c.t("，", ", ")) (super::obligations::status_label(c, st)) " " (n) }
                        }
                        (c.t("。", "."))
                    }
                }
            }
        }
        @if !due_this_year.is_empty() {
            details.this-year {
                summary { (c.t("今年到期的公开义务", "This year's obligations")) }
                (super::obligations::table(c, snap, &due_this_year, false))
            }
        }
        p { a href=(c.href(&super::regulator::org_rows_path(uscc))) { (c.t("在监管视图中查看本组织 →", "This organisation on the supervision page →")) } }
    }
}
