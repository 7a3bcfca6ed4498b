//! An organisation over time on its page (issue 14, part 3): beside each year's ratios, the
//! public-fundraising status the year was judged with and the ledger's and the audited figures
//! side by side, every difference flagged; under its registration, the status and registration
//! changes the regulator recorded and the opening balance it declared.

use maud::{Markup, html};

use super::entry_link;
use crate::money::regulator::sides::{AmountItem, Side, YearAmounts, YearSides};
use crate::money::views::rows::{ComplianceRow, OrgRow, OrgTimeRow};
use crate::site::format;
use crate::site::layout::Ctx;

/// The status a `compliance/` row was judged with, and its figures side by side.
pub fn judged_on(c: &Ctx, row: &ComplianceRow, currency: &str) -> Markup {
    let status = if row.public_fundraising {
        c.t("有公开募捐资格", "with public-fundraising status")
    } else {
        c.t("无公开募捐资格", "without public-fundraising status")
    };
    html! {
        p.muted { (c.t("按该年12月31日的资格判定：", "Judged on the status in force on 31 December: ")) (status) }
        @for y in &row.sides {
            @if let Some(audited) = &y.audited { (sides_table(c, y, audited, currency)) }
        }
    }
}

fn sides_table(c: &Ctx, y: &YearSides, audited: &YearAmounts, currency: &str) -> Markup {
    let difference = |item: AmountItem| y.differences.iter().find(|d| d.item == item);
    html! {
        div.table-wrap { table.sides {
            caption {
                (c.lang.year(i64::from(y.year))) (c.t("账本数与审计数", ": the ledger's and the audited figures"))
                @if let Some(seq) = y.report_seq { " (" (c.t("年度报告 ", "annual report ")) (entry_link(c, seq)) ")" }
                @if y.used == Side::Audited { " — " (c.t("比例按审计数计算", "the ratios use the audited figures")) }
            }
            thead { tr {
                th scope="col" { (c.t("项目", "Item")) }
                th.num scope="col" { (c.t("账本数", "Ledger")) }
                th.num scope="col" { (c.t("审计数", "Audited")) }
                th.num scope="col" { (c.t("差额（审计数−账本数）", "Difference (audited − ledger)")) }
            } }
            tbody { @for item in AmountItem::ALL {
                @let (zh, en) = item.labels();
                tr {
                    th scope="row" { (c.t(zh, en)) }
                    td.num { (format::money(item.of(&y.ledger).0, currency)) }
                    td.num { (format::money(item.of(audited).0, currency)) }
                    td.num { @match difference(item) {
                        Some(d) => strong.flag { "⚠ " (format::money(d.difference.0, currency)) " " (c.t("不一致", "differs")) },
                        None => (c.t("一致", "agrees")),
                    } }
                }
            } }
        } }
    }
}

/// The `org_time/` row's history: status changes, registration changes, opening balance.
pub fn history(c: &Ctx, t: Option<&OrgTimeRow>) -> Markup {
    let Some(t) = t else { return html! {} };
    html! {
        @if !t.fundraising.is_empty() {
            h3 { (c.t("公开募捐资格变更", "Public-fundraising status changes")) }
            ul { @for x in &t.fundraising { li {
                (c.lang.date(x.body.effective_on)) (c.t(" 起", " from: "))
                @if x.body.change.holds() { (c.t("取得公开募捐资格", "status granted")) } @else { (c.t("公开募捐资格被撤销", "status revoked")) }
                " · " (entry_link(c, x.seq))
            } } }
        }
        @if !t.changes.is_empty() {
            h3 { (c.t("变更登记", "Registration changes")) }
            ul { @for x in &t.changes { li {
                @let b = &x.body;
                (c.lang.date(b.effective_on)) (c.t(" 起：", " from: "))
                @for (v, zh, en) in [
                    (b.name.as_ref().map(|v| v.as_str().to_owned()), "名称", "name"),
                    (b.name_en.as_ref().map(|v| v.as_str().to_owned()), "英文名称", "English name"),
                    (b.org_type.map(|v| c.lang.org_type(v.as_str())), "类型", "type"),
                    (b.region.as_ref().map(|v| v.as_str().to_owned()), "地区", "region"),
                ] {
                    @if let Some(v) = v { (c.t(zh, en)) " " (v) "; " }
                }
                (entry_link(c, x.seq))
            } } }
        }
        @if let Some(o) = &t.opening {
            @let (b, cur) = (&o.body, o.body.currency.as_str());
            h3 { (c.t("期初净资产（加入账本时申报）", "Opening net assets (declared on joining the ledger)")) }
            dl.facts {
                dt { (c.t("截至", "As of")) } dd { (c.lang.date(b.as_of)) }
                dt { (c.t("净资产合计", "Net assets")) } dd { (format::money(b.net_assets.0, cur)) }
                dt { (c.t("其中限定性", "of which restricted")) } dd { (format::money(b.restricted.0, cur)) }
                dt { (c.t("其中非限定性", "of which unrestricted")) } dd { (format::money(b.unrestricted.0, cur)) }
                dt { (c.t("依据文件", "Document")) } dd.hash { (b.document) }
                dt { (c.t("申报条目", "Entry")) } dd { (entry_link(c, o.seq)) }
            }
        }
    }
}

/// Whether the organisation holds the status now: its last change, else its registration.
pub fn holds_now(org: &OrgRow, t: Option<&OrgTimeRow>) -> bool {
    t.and_then(|t| t.fundraising.last())
        .map_or(org.register.public_fundraising, |x| x.body.change.holds())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::i18n::Lang;
    use serde_json::Value;

    /// One side's figures: `revenue` and the rest at 1,000,000.00.
    fn amounts(revenue: &str) -> Value {
        let m = "1000000.00";
        serde_json::json!({"revenue": revenue, "donations": m, "charitable_spending": m,
            "admin_costs": m, "total_spending": m, "net_assets_year_end": m})
    }

    #[test]
    fn the_audited_side_is_shown_and_a_difference_flagged() {
        let c = Ctx::new(Lang::Zh, "orgs/x.html");
        let row: ComplianceRow = serde_json::from_value(serde_json::json!({
            "org": ORG, "year": 2025, "currency": "CNY", "public_fundraising": true,
            "figures": [], "sides": [
            {"year": 2024, "used": "audited", "report_seq": 7,
             "ledger": amounts("1000000.00"), "audited": amounts("1200000.00"),
             "differences": [{"item": "revenue", "label_zh": "收入合计",
                 "label_en": "Total revenue", "ledger": "1000000.00", "audited": "1200000.00",
                 "difference": "200000.00"}]},
            {"year": 2025, "used": "ledger", "ledger": amounts("5.00"), "differences": []}]}))
        .expect("a whole compliance row");
        let html = judged_on(&c, &row, "CNY").into_string();
        assert!(html.contains("有公开募捐资格"), "{html}");
        assert!(
            html.contains("¥1,200,000.00") && html.contains("⚠ ¥200,000.00"),
            "{html}"
        );
        assert_eq!(html.matches("不一致").count(), 1, "{html}");
        // The ledger-only year has no audited side to show.
        assert_eq!(html.matches("<table").count(), 1, "{html}");
    }

    const ORG: &str = "91350100M000100Y43";

    /// An `org_time/` row with these status changes, in order.
    fn timeline(changes: &[&str]) -> OrgTimeRow {
        let fundraising: Vec<Value> = changes
            .iter()
            .enumerate()
            .map(|(i, change)| {
                serde_json::json!({"seq": i + 2, "recorded_at": "2025-03-01T00:00:00Z",
                    "org": ORG, "change": change, "effective_on": "2025-03-01",
                    "decision": "ab".repeat(32)})
            })
            .collect();
        serde_json::from_value(serde_json::json!({"fundraising": fundraising, "changes": []}))
            .unwrap()
    }

    #[test]
    fn the_status_now_is_the_last_change() {
        let org: OrgRow = serde_json::from_value(serde_json::json!({"seq": 1,
            "recorded_at": "2025-01-01T00:00:00Z", "org": ORG, "name": "甲基金会",
            "org_type": "foundation", "region": "440300", "public_fundraising": false,
            "registered_on": "2020-01-01", "keys": []}))
        .unwrap();
        assert!(!holds_now(&org, None));
        assert!(!holds_now(&org, Some(&timeline(&["granted", "revoked"]))));
        assert!(holds_now(&org, Some(&timeline(&["granted"]))));
        assert!(!holds_now(&org, Some(&timeline(&[]))));
    }
}
