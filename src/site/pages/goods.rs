//! Goods stock (物资, issue 14) on the project and organisation pages, from the `goods/`
//! summary rows: per item, what came in, what was given out and what is still in stock, by
//! quantity with its unit, and by value when the item is valued. Goods are their own ledger
//! (`crate::money::goods`): these figures are never added to the money cards beside them.

use maud::{Markup, html};

use crate::money::types::Money;
use crate::money::views::keys;
use crate::money::views::rows::{GoodsRow, ProjectRow};
use crate::site::format;
use crate::site::layout::Ctx;
use crate::site::snapshot::Snapshot;

/// The stock of project `id` of `org`, or nothing when it never received goods.
pub fn project_section(c: &Ctx, snap: &Snapshot, org: &str, id: &str) -> Markup {
    let rows: Vec<GoodsRow> = snap
        .typed_values(&keys::GOODS.under(&[&org, &"project", &id]))
        .collect();
    if rows.is_empty() {
        return html! {};
    }
    section(c, snap, &rows, false)
}

/// Every stock of `org`: its unrestricted goods and each project's, or nothing when it never
/// received goods.
pub fn org_section(c: &Ctx, snap: &Snapshot, org: &str) -> Markup {
    let rows: Vec<GoodsRow> = snap.typed_values(&keys::GOODS.under(&[&org])).collect();
    if rows.is_empty() {
        return html! {};
    }
    section(c, snap, &rows, true)
}

/// A quantity with its unit: "1,500 袋".
fn quantity(row: &GoodsRow, q: crate::money::books::goods::Qty) -> String {
    format!("{} {}", format::group(&q.to_string()), row.unit)
}

/// A value of a valued item, or words saying the item is moved by quantity alone (the writer
/// gives an item its values exactly when it has a currency).
fn value(c: &Ctx, row: &GoodsRow, value: Option<Money>) -> String {
    match (row.currency, value) {
        (Some(cur), Some(v)) => format::money(v.0, cur.as_str()),
        _ => c.t("未估值", "not valued").to_owned(),
    }
}

fn section(c: &Ctx, snap: &Snapshot, rows: &[GoodsRow], by_fund: bool) -> Markup {
    let label = |zh, en| c.t(zh, en);
    html! {
        h2 #goods { (c.t("物资库存", "Goods in stock")) }
        p { (c.t("捐赠的物资单独记账，按数量发放（先进先出），不计入上面的资金数字；有估值凭证的物资按数量折算金额，精确到分。",
                 "Donated goods are kept apart from money and given out by quantity (first in, first out); they are not in the money figures above. Goods valued with a proof carry the value of their quantity, to the cent.")) }
        // On a phone an item reads as a block, each figure named (few rows: a label per cell
        // costs little here).
        div.table-wrap { table.stack-on-phone.goods {
            caption { (c.t("物资：收到、发放与库存", "Goods: received, given out and in stock")) }
            thead { tr {
                th scope="col" { (label("物资", "Item")) }
                @if by_fund { th scope="col" { (label("所属", "Held for")) } }
                th.num scope="col" { (label("收到", "Received")) }
                th.num scope="col" { (label("已发放", "Given out")) }
                th.num scope="col" { (label("库存", "In stock")) }
                th.num scope="col" { (label("收到价值", "Value received")) }
                th.num scope="col" { (label("发放价值", "Value given out")) }
                th.num scope="col" { (label("库存价值", "Value in stock")) }
            } }
            tbody { @for r in rows { tr {
                th scope="row" {
                    (r.stock.item)
                    // What the goods are, in the first gift's words (rows of ledgers before
                    // issue 14's extras have none).
                    @if let Some(d) = &r.description { br; small.muted { (d) } }
                }
                @if by_fund {
                    td data-label=(label("所属", "Held for")) {
                        @match &r.stock.project {
                            Some(p) => { a href=(c.href(&super::project_path(r.stock.org.as_str(), p.as_str()))) { (project_title(c, snap, r.stock.org.as_str(), p.as_str())) } }
                            None => { (c.t("非限定性", "Unrestricted")) }
                        }
                    }
                }
                td.num data-label=(label("收到", "Received")) { (quantity(r, r.received)) }
                td.num data-label=(label("已发放", "Given out")) { (quantity(r, r.distributed)) }
                td.num data-label=(label("库存", "In stock")) { (quantity(r, r.in_stock)) }
                td.num data-label=(label("收到价值", "Value received")) { (value(c, r, r.value_received)) }
                td.num data-label=(label("发放价值", "Value given out")) { (value(c, r, r.value_distributed)) }
                td.num data-label=(label("库存价值", "Value in stock")) { (value(c, r, r.value_in_stock)) }
            } } }
        } }
    }
}

/// A project's title in the page's language, or its id when the project row is missing.
fn project_title(c: &Ctx, snap: &Snapshot, org: &str, id: &str) -> String {
    snap.typed::<ProjectRow>(&keys::PROJECT.key(&[&org, &id]))
        .map_or_else(
            || id.to_owned(),
            |p| super::project::title(c, &p).to_owned(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::i18n::Lang;
    use serde_json::json;

    /// The demo's rice (1,000 bags worth 33,333.33 and 500 worth 16,000.00; 300 and 800 given
    /// out) and quilts (200, unvalued; 150 given out), as their `goods/` rows hold them.
    const ORG: &str = "51330100MJ00010182";

    fn snapshot() -> Snapshot {
        let mut snap = Snapshot::default();
        snap.insert_view(
            keys::GOODS.key(&[&ORG, &"project", &"P1", &"rice"]),
            json!({"org": ORG, "project": "P1", "item": "rice", "description": "大米（5公斤装）",
                   "unit": "袋", "currency": "CNY",
                   "received": "1500", "distributed": "1100", "in_stock": "400",
                   "value_received": "49333.33", "value_distributed": "36533.33",
                   "value_in_stock": "12800.00", "gifts": 2, "distributions": 2, "lots": []}),
        );
        snap.insert_view(
            keys::GOODS.key(&[&ORG, &"unrestricted", &"quilts"]),
            json!({"org": ORG, "item": "quilts", "unit": "床", "received": "200",
                   "distributed": "150", "in_stock": "50", "gifts": 1, "distributions": 1,
                   "lots": []}),
        );
        snap.insert_view(
            keys::PROJECT.key(&[&ORG, &"P1"]),
            // A whole project row: pages read it as its typed row.
            json!({"org": "51330100MJ00010182", "seq": 9, "recorded_at": "2024-01-22T08:00:00Z",
                   "open": {"id": "P1", "title": "救灾口粮", "title_en": "Flood relief food",
                            "purpose": "救灾", "region": "330100", "target": "100000.00",
                            "currency": "CNY", "start": "2024-01-22"},
                   "updates": [], "balances": {}}),
        );
        snap
    }

    #[test]
    fn a_projects_stock_shows_by_quantity_and_value_and_nothing_else() {
        let snap = snapshot();
        let c = Ctx::new(Lang::Zh, "projects/ORG/P1.html");
        let html = project_section(&c, &snap, ORG, "P1").into_string();
        // 1,500 − 1,100 = 400 bags; 49,333.33 − 36,533.33 = 12,800.00.
        for want in [
            "1,500 袋",
            "1,100 袋",
            "400 袋",
            "¥49,333.33",
            "¥36,533.33",
            "¥12,800.00",
            r#"data-label="库存价值""#,
            r#"<th scope="row">rice<br><small class="muted">大米（5公斤装）</small></th>"#,
        ] {
            assert!(html.contains(want), "{want}: {html}");
        }
        assert!(
            !html.contains("quilts"),
            "the unrestricted stock is not the project's: {html}"
        );
        let other = project_section(&c, &snap, ORG, "P2").into_string();
        assert_eq!(other, "", "a project without goods shows no goods section");
    }

    #[test]
    fn an_organisations_stock_names_each_fund_and_says_when_goods_are_not_valued() {
        let snap = snapshot();
        let c = Ctx::new(Lang::En, "orgs/ORG.html");
        let html = org_section(&c, &snap, ORG).into_string();
        assert!(
            html.contains("Flood relief food") && html.contains("Unrestricted"),
            "{html}"
        );
        assert!(
            html.contains("50 床") && html.contains("not valued"),
            "{html}"
        );
        assert_eq!(
            html.matches("<tr>").count(),
            3,
            "a header and two items: {html}"
        );
        // A row without a description (written before it was kept) shows the item's id alone.
        assert!(html.contains(r#"<th scope="row">quilts</th>"#), "{html}");
        assert_eq!(org_section(&c, &snap, "OTHER").into_string(), "");
    }
}
