//! Two or three organisations side by side over the years (`compare/index.html?orgs=A,B,C`):
//! income, spending and the regulator ratios per year, one table per figure with a column per
//! organisation. `static/explore.js` builds the tables from one small file per organisation
//! ([`crate::site::yearly`]), so the page works on a static host; the organisation list's
//! ticked boxes and each organisation's page link here.

use maud::{Markup, html};
use serde_json::json;

use super::orgs::name;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;
use crate::site::{supervision, yearly};

/// The page's path within a language.
pub const PATH: &str = "compare/index.html";
/// Most organisations compared at once: more columns than this do not fit a phone.
pub const MAX_ORGS: usize = 3;

/// The link comparing `orgs`, within a language.
pub fn link(orgs: &[&str]) -> String {
    format!("{PATH}?orgs={}", orgs.join(","))
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    // A year in progress holds its net assets so far, not at year end: the script says so in
    // its cell, to the day the figures run to, as the organisation page does
    // ([`super::net_assets`]).
    let to = supervision::ratios_read_on(snap)
        .map(|d| c.lang.date(d))
        .unwrap_or_default();
    let labels = json!({
        "year": c.t("年度", "Year"),
        "partial": c.t("（未结束）", " (year not over)"),
        "income": c.t("收入", "Income"),
        "donation_income": c.t("其中捐赠收入", "of which donations"),
        "charitable_spending": c.t("慈善活动支出", "Charitable spending"),
        "administrative_costs": c.t("管理费用", "Administrative costs"),
        "fundraising_costs": c.t("募捐成本", "Fundraising costs"),
        "total_spending": c.t("总支出", "Total spending"),
        "net_assets_year_end": c.t("年末净资产", "Net assets at year end"),
        "so_far": c.t("截至目前 ", "so far "),
        "in_progress_to": format!("{}{to}", c.t("年度未结束，数据截至 ", "year in progress; figures to ")),
        "charitable_ratio": c.t("慈善活动支出比例", "Charitable spending ratio"),
        "admin_ratio": c.t("管理费用比例", "Administrative cost ratio"),
        "basis": {
            "charitable_spending_vs_prior_revenue": super::orgs::basis(c, "charitable_spending_vs_prior_revenue"),
            "charitable_spending_vs_prior_net_assets": super::orgs::basis(c, "charitable_spending_vs_prior_net_assets"),
        },
        "pass": c.t("达标", "pass"),
        "fail": c.t("未达标", "fail"),
        "exempt": c.t("豁免", "exempt"),
        "not_enough_data": c.t("数据不足", "not enough data"),
        "in_progress": c.t("进行中", "in progress"),
        "explained": c.t("已说明", "explained"),
        "pick": c.t("请选择两至三家机构进行比较。", "Choose two or three organisations to compare."),
        "unknown": c.t("没有这家机构：", "No such organisation: "),
        "failed": c.t("无法读取数据：", "Could not read the figures: "),
        "title": c.t("比较：", "Compare: "),
        "none": c.t("该年度无数据", "no figures"),
    });
    let orgs: Vec<_> = snap.orgs().collect();
    let body = html! {
        p { (c.t("选择两至三家机构，逐年比较收入、支出和监管比例。金额为人民币；比例由监管比例规则计算，未结束的年度已标出。",
                 "Choose two or three organisations to compare their income, spending and regulator ratios year by year. Money is in CNY; the ratios are those the regulator's rules compute; a year not yet over is marked.")) }
        form.lookup.compare-form method="get" action=(c.href(PATH)) {
            @for i in 0..MAX_ORGS {
                label { (c.t("机构 ", "Organisation ")) (i + 1)
                    select name="org" {
                        option value="" { "—" }
                        @for o in &orgs {
                            option value=(o.register.org.as_str()) { (name(c, o)) }
                        }
                    }
                }
            }
            button type="submit" { (c.t("比较", "Compare")) }
        }
        div #compare data-dir=(c.asset(yearly::DIR)) data-root=(c.href("")) data-lang=(c.lang.code())
            data-labels=(labels.to_string()) aria-live="polite" {
            noscript { p { (c.t("比较表在您的浏览器中生成，需要启用脚本；同样的数字见下载的 figures.csv。",
                                "The comparison is built in your browser and needs scripts; the same figures are in the figures.csv download.")) } }
        }
        (super::downloads(c, "figures"))
        script src=(c.asset("static/explore.js")) defer {}
    };
    page(
        c,
        &Shell {
            title: c.t("机构比较", "Compare organisations"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}
