//! One organisation: registration facts, keys and their history, projects, income and spending
//! by year, the regulator ratios with pass or fail, its entries that were amended or voided (each
//! with its notice), the corrections it made and the entries it signed (the newest inline, all of
//! them in its CSV).

use maud::{Markup, html};
use rust_decimal::Decimal;
use serde_json::Value;

use super::orgs::{name, yes_no};
use super::{MAX_ROWS, entries_table, entry_link, money_td, project_path};
use crate::money::views::keys;
use crate::site::chart::axis::{self, Periods, Step};
use crate::site::chart::{self, Bars, Series};
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::{Snapshot, dec, s};

pub fn render(c: &Ctx, snap: &Snapshot, uscc: &str) -> Option<Markup> {
    let o = snap.view(&keys::ORG.key(&[&uscc]))?;
    let author = format!("org:{uscc}");
    let signed: Vec<_> = snap.entries.iter().filter(|e| e.author == author).collect();
    let corrections: Vec<_> = signed.iter().filter(|e| e.kind == "correction").collect();
    let keys: Vec<_> = snap.keys.iter().filter(|k| k.holder == author).collect();
    let figures: Vec<&Value> = snap.rows(&keys::FIGURES.under(&[&uscc])).collect();
    let cny: Vec<&&Value> = figures
        .iter()
        .filter(|f| s(f, "currency") == "CNY")
        .collect();
    let compliance: Vec<&Value> = snap.rows(&keys::COMPLIANCE.under(&[&uscc])).collect();
    let projects: Vec<&Value> = snap.rows(&keys::PROJECT.under(&[&uscc])).collect();
    let duties = snap.obligations(Some(uscc));
    let open_duties: Vec<_> = duties
        .iter()
        .filter(|d| d.judged.status != crate::money::timeliness::Status::Met)
        .collect();
    let body = html! {
        h2 { (c.t("登记信息", "Registration")) }
        dl.facts {
            dt { (c.t("名称", "Name")) } dd { (super::name_text(c, s(o, "name"))) @if let Some(en) = o["name_en"].as_str() { " · " (en) } }
            dt { (c.t("统一社会信用代码", "Unified social credit code")) } dd.hash { (uscc) }
            dt { (c.t("类型", "Type")) } dd { (c.lang.org_type(s(o, "org_type"))) }
            dt { (c.t("地区", "Region")) } dd { (crate::site::regions::name(c.lang, s(o, "region"))) " (" (s(o, "region")) ")" }
            dt { (c.t("公开募捐资格", "Public fundraising")) } dd { (yes_no(c, o["public_fundraising"].as_bool() == Some(true))) }
            dt { (c.t("登记日期", "Registered on")) } dd { (c.lang.date_str(s(o, "registered_on"))) }
            dt { (c.t("登记条目", "Registration entry")) } dd { @if let Some(seq) = o["seq"].as_u64() { (entry_link(c, seq)) } }
        }
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
        @if snap.judged_on.is_some() {
            h2 { (c.t("信息公开义务", "Disclosure obligations")) }
            (super::obligations::judged_on(c, snap))
            p { (c.t("按时公开 ", "Met on time: ")) (duties.len() - open_duties.len()) (c.t(" 项；以下为逾期、逾期未公开和待公开的义务。", "; below, those disclosed late, missing, or due.")) }
            @if !open_duties.is_empty() { (super::obligations::table(c, &open_duties, false)) }
        }
        h2 { (c.t("项目", "Projects")) }
        @if projects.is_empty() { p { (c.t("暂无项目。", "No projects.")) } } @else {
            ul { @for p in &projects {
                li { a href=(c.href(&project_path(uscc, s(&p["open"], "id")))) { (super::name_text(c, super::project::title(c, p))) } (super::project::distinction(c, p)) }
            } }
        }
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
                @let cur = s(f, "currency");
                tr {
                    th scope="row" { (c.lang.year(f["year"].as_i64().unwrap_or_default())) " " (cur) }
                    (money_td(&f["income"], cur))
                    (money_td(&f["donation_income"], cur))
                    (money_td(&f["charitable_spending"], cur))
                    (money_td(&f["administrative_costs"], cur))
                    (money_td(&f["fundraising_costs"], cur))
                    (money_td(&f["net_assets_year_end"], cur))
                }
            } }
        } }
        h2 { (c.t("监管比例", "Regulator ratios")) }
        @if compliance.is_empty() { p { (c.t("不适用或暂无数据。", "Not applicable or no figures yet.")) } }
        @for row in &compliance {
            div.table-wrap { table {
                caption { (c.lang.year(row["year"].as_i64().unwrap_or_default())) " " (s(row, "currency")) }
                thead { tr {
                    th scope="col" { (c.t("指标", "Figure")) }
                    th.num scope="col" { (c.t("数值", "Value")) }
                    th.num scope="col" { (c.t("标准", "Threshold")) }
                    th scope="col" { (c.t("结论", "Result")) }
                } }
                tbody { @for f in row["figures"].as_array().into_iter().flatten() {
                    tr {
                        td { (s(f, c.t("label_zh", "label_en"))) }
                        td.num { (ratio(s(f, "value"))) }
                        td.num { (comparison(s(f, "comparison"))) " " (ratio(s(f, "threshold"))) }
                        td { (status(c, s(f, "status"))) @if f["explained"].as_bool() == Some(true) { " " (c.t("（已说明）", "(explained)")) } }
                    }
                } }
            } }
        }
        h2 { (c.t("更正", "Corrections")) }
        (super::corrected::org_section(c, snap, uscc))
        @if corrections.is_empty() { p { (c.t("没有更正。", "No corrections.")) } } @else {
            (entries_table(c, snap, c.t("本机构的更正", "Corrections it made"), corrections.iter().rev().map(|e| **e)))
        }
        h2 { (c.t("签名的条目", "Entries it signed")) }
        p { (c.t("共 ", "")) (signed.len()) (c.t(" 条；下表为最新的条目，完整列表见下载。", " entries; the newest are below, all of them in the downloads.")) }
        (entries_table(c, snap, c.t("最新签名的条目", "Newest signed entries"), signed.iter().rev().take(MAX_ROWS).copied()))
        (super::downloads(c, &super::org_entries_data(uscc)))
    };
    Some(page(
        c,
        &Shell {
            title: name(c, o),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    ))
}

/// Income beside spending (stacked by category) per year in CNY, every year from the first row to
/// the last, the year under way marked.
fn years_chart(c: &Ctx, snap: &Snapshot, cny: &[&&Value]) -> Markup {
    let years: Vec<i32> = cny
        .iter()
        .filter_map(|r| r["year"].as_i64())
        .filter_map(|y| i32::try_from(y).ok())
        .collect();
    let (Some(&first), Some(&last)) = (years.iter().min(), years.iter().max()) else {
        return html! {};
    };
    let col = |f: &str| {
        let amounts = cny.iter().zip(&years).map(|(r, y)| (*y, dec(&r[f])));
        axis::dense(first, last, amounts)
    };
    chart::bars(&Bars {
        id: "org-years",
        title: c.t("历年收入与支出（人民币）", "Income and spending by year (CNY)"),
        lang: c.lang,
        periods: Periods::span(Step::Year, first, last),
        series: vec![
            Series { name: c.t("收入", "Income"), values: col("income"), stack: 0 },
            Series { name: c.t("公益项目支出", "Programmes"), values: col("charitable_spending"), stack: 1 },
            Series { name: c.t("管理费用", "Administration"), values: col("administrative_costs"), stack: 1 },
            Series { name: c.t("募捐成本", "Fundraising"), values: col("fundraising_costs"), stack: 1 },
        ],
        currency: "CNY",
        today: snap.judged_on,
        over: Some((0, 1, c.t(
            "支出多于当年收入，差额来自以前年度收到、结余下来的资金。",
            "spending exceeded that year's income; the difference was paid from money received in earlier years.",
        ))),
    })
}

/// A ratio from the compliance rows ("0.0583") as a percentage ("5.83%").
fn ratio(text: &str) -> String {
    match text.parse::<Decimal>() {
        Ok(r) => format!("{:.2}%", (r * Decimal::from(100)).round_dp(2)),
        Err(_) => text.to_owned(),
    }
}

fn comparison(wire: &str) -> &str {
    match wire {
        "at_least" => "≥",
        "at_most" => "≤",
        other => other,
    }
}

/// A verdict in words, styled by class (never colour alone).
pub fn status(c: &Ctx, wire: &str) -> Markup {
    match wire {
        "pass" => html! { span.pass { "✓ " (c.t("达标", "Pass")) } },
        "fail" => html! { span.fail { "✗ " (c.t("未达标", "Fail")) } },
        "exempt" => html! { span { (c.t("豁免", "Exempt")) } },
        _ => html! { span.muted { (c.t("数据不足", "Not enough data")) } },
    }
}
