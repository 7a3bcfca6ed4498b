//! Disclosure obligations judged on the build date: every organisation's late, missing and
//! upcoming disclosures on one page (what a regulator acts on), and each organisation's own on
//! its page. The date is printed with them: the same ledger shows more missing deadlines a
//! month later, with no new entry.

use maud::{Markup, html};

use super::entry_link;
use crate::ledger::time::format_date;
use crate::money::obligations::{FlatRow, OrgObligation};
use crate::money::timeliness::Status;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

/// The page's path within a language.
pub const PATH: &str = "obligations.html";

pub fn status_label(c: &Ctx, s: Status) -> &'static str {
    match s {
        Status::Met => c.t("按时公开", "met"),
        Status::Late => c.t("逾期公开", "late"),
        Status::Due => c.t("待公开", "due"),
        Status::Missing => c.t("逾期未公开", "missing"),
    }
}

pub fn kind_label(c: &Ctx, kind: &str) -> &'static str {
    match kind {
        "annual_report" => c.t("年度报告", "Annual report"),
        "project_updates" => c.t("项目实施情况（定期）", "Project updates"),
        "project_close" => c.t("项目结项报告", "Project close-out"),
        "emergency_updates" => c.t("应急募捐情况（定期）", "Emergency updates"),
        "related_party" => c.t("关联交易", "Related-party transaction"),
        "trust_filing" => c.t("慈善信托备案", "Trust filing"),
        "trust_report" => c.t("慈善信托年度报告", "Trust report"),
        "trust_termination" => c.t("慈善信托终止报告", "Trust termination report"),
        "lottery_announcement" => c.t("彩票公益金公告", "Lottery announcement"),
        "campaign_updates" => c.t("募捐情况（定期）", "Fundraising updates"),
        "campaign_final" => c.t("募捐活动结束报告", "Campaign final report"),
        "partner_evaluation" => c.t("公开募捐合作方评估", "Partner evaluation"),
        "major_projects" => c.t("重大项目实施情况（年度）", "Major projects (annual)"),
        "audited_financial_report" => c.t("经审计的财务会计报告", "Audited financial report"),
        "major_event" => c.t(
            "重大资产变动、投资、交易",
            "Major asset change, investment or transaction",
        ),
        "related_party_list" => c.t("关联方名单报送", "Related-party list filed"),
        "settlor_trust" => c.t("作为委托人设立慈善信托", "Trust set up as settlor"),
        _ => c.t("其他", "Other"),
    }
}

/// The day obligations are judged on, as a sentence.
pub fn judged_on(c: &Ctx, snap: &Snapshot) -> Markup {
    html! {
        @if let Some(d) = snap.judged_on {
            p.muted { (c.t("判断日期（中国时间）：", "Judged on (China time): ")) time datetime=(format_date(d)) { (format_date(d)) } }
        }
    }
}

/// A table of obligations; `with_org` adds the organisation column.
pub fn table(c: &Ctx, snap: &Snapshot, rows: &[&OrgObligation], with_org: bool) -> Markup {
    html! {
        // On a phone each obligation reads as a block, each cell named: eight columns made
        // rows a screen tall, the source one character a line. The names come from
        // `table.obligations` in site.css, by column, not from a label on every cell: the
        // table grows with the ledger's obligations, in two languages.
        div.table-wrap { table.stack-on-phone.obligations {
            caption { (c.t("信息公开义务", "Disclosure obligations")) }
            thead { tr {
                @if with_org { th scope="col" { (c.t("组织", "Organisation")) } }
                th scope="col" { (c.t("义务", "Obligation")) }
                th scope="col" { (c.t("事项", "Subject")) }
                th scope="col" { (c.t("截止日期", "Due")) }
                th scope="col" { (c.t("状态", "Status")) }
                th scope="col" { (c.t("公开日期", "Disclosed")) }
                th.num scope="col" { (c.t("逾期天数", "Days late")) }
                th scope="col" { (c.t("依据", "Source")) }
            } }
            tbody { @for o in rows {
                @let r = FlatRow::from(*o);
                tr data-status=(r.status) {
                    @if with_org { th scope="row" { (super::org_link(c, snap, &r.org)) } }
                    td { (kind_label(c, r.kind)) }
                    td { (r.subject) @if !r.period.is_empty() { " #" (r.period) } }
                    td.date { (r.due) }
                    td.status { (status_label(c, o.judged.status)) }
                    td.date {
                        (r.disclosed)
                        @if let Some(seq) = o.judged.met_by { " " (entry_link(c, seq)) }
                    }
                    td.num { (r.days_late) }
                    td { small { (r.source) } }
                }
            } }
        } }
    }
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let all = snap.obligations(None);
    let open: Vec<&OrgObligation> = all
        .iter()
        .filter(|o| matches!(o.judged.status, Status::Late | Status::Missing))
        .collect();
    let due: Vec<&OrgObligation> = all
        .iter()
        .filter(|o| o.judged.status == Status::Due)
        .collect();
    let body = html! {
        (judged_on(c, snap))
        p { (c.t("按法定期限逐项判断：截止日期未到为“待公开”；逾期后公开的始终标为“逾期公开”并注明逾期天数。完整列表见 ",
                 "Each obligation is judged against its legal deadline: one whose due date has not passed is \"due\"; one disclosed after its due date stays \"late\", with the days it was late. The full list is in "))
            a href=(c.asset("data/obligations.csv")) { "CSV" } " / " a href=(c.asset("data/obligations.json")) { "JSON" } (c.t("。", ".")) }
        h2 { (c.t("逾期", "Late and missing")) }
        @if open.is_empty() { p { (c.t("无。", "None.")) } } @else { (table(c, snap, &open, true)) }
        h2 { (c.t("待公开", "Due")) }
        @if due.is_empty() { p { (c.t("无。", "None.")) } } @else { (table(c, snap, &due, true)) }
    };
    page(
        c,
        &Shell {
            title: c.t("信息公开义务", "Disclosure obligations"),
            verify: false,
            viewer: false,
            as_of: Some(snap.as_of),
        },
        body,
    )
}
