//! The entry viewer: one page per language (`entries/index.html?seq=N`) shows any entry. A page
//! per entry per language was most of the site's bytes (about 5 KB each, two per entry), and
//! the published log already holds every entry's exact bytes in its entry bundles.
//!
//! The page carries labels only. In the browser, `static/verify.js` fetches the bundle holding
//! entry N and the signed checkpoint from `log/`, and proves the entry's inclusion; only after
//! that does `static/view.js` render the entry from the proven bytes (kind, signer, time, body
//! fields, the bytes themselves). Body fields are named in the page's language beside their wire
//! names, and read as money, dates, words and links to the organisation, project and receipt.
//! A tampered bundle fails the proof and nothing of it is shown. An entry a later correction
//! amended or voided says so above its body, with the notice, the correcting entry and what
//! changed (from [`crate::site::corrected`]'s files: the bytes themselves never change). The page never changes as the
//! log grows, except when a regulator is named (their names are in the labels).

use maud::{Markup, html};
use serde_json::json;

use crate::money::views::keys;
use crate::money::views::rows::RegulatorRow;
use crate::site::i18n::{CATEGORIES, FIELDS, KINDS, ORG_TYPES, VALUES};
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;
use crate::site::{corrected, shards};

/// The viewer's path within a language; `?seq=N` picks the entry.
pub const PATH: &str = "entries/index.html";

/// The words for enumerated body values: organisation types and the rest, in one object.
fn values(c: &Ctx) -> serde_json::Value {
    let mut all = c.lang.labels(ORG_TYPES);
    if let (Some(all), serde_json::Value::Object(rest)) =
        (all.as_object_mut(), c.lang.labels(VALUES))
    {
        all.extend(rest);
    }
    all
}

/// The summary sentence above an entry's fields, per kind: who, what, how much, when. `{name}`
/// marks where the viewer puts a value (a link where it has one): `org` the signer, `date` the
/// body's date, `amount` with its currency, `fund` the project (linked) or the unrestricted
/// fund, and the body's own fields by name. A kind without one gets `other`.
fn summaries(c: &Ctx) -> serde_json::Value {
    json!({
        "donation": c.t("{date}，{org}收到{donor_display}的捐赠 {amount}，{fund}。收据号 {receipt_no}。",
                        "On {date}, {org} received {amount} from {donor_display}, {fund}. Receipt {receipt_no}."),
        "disbursement": c.t("{date}，{org}从{fund}向{payee_display}支付 {amount}，用途：{purpose}（{category}）。",
                            "On {date}, {org} paid {amount} from {fund} to {payee_display} for {purpose} ({category})."),
        "grant.transfer": c.t("{date}，{org}从{fund}向{to_org}的项目{to_project}拨付 {amount}，用途：{purpose}。",
                              "On {date}, {org} granted {amount} from {fund} to {to_org}'s project {to_project} for {purpose}."),
        "goods.distribute": c.t("{date}，{org}向{recipient_display}发放物资 {quantity}（{item}），用途：{purpose}。",
                                "On {date}, {org} gave {quantity} ({item}) to {recipient_display} for {purpose}."),
        "project.open": c.t("{org}设立项目{id}，目标 {amount}，{date}开始。",
                            "{org} opened the project {id}, with a target of {amount}, starting {date}."),
        "project.update": c.t("{org}公开项目{project}截至{date}的进展。",
                              "{org} reported the progress of the project {project} as of {date}."),
        "project.close": c.t("{date}，{org}结束项目{project}。", "On {date}, {org} closed the project {project}."),
        "trust.file": c.t("慈善信托「{name}」于{date}备案，受托人{trustee}，信托财产 {amount}。",
                          "The charitable trust “{name}” was filed on {date}, with {trustee} as trustee and property of {amount}."),
        "trust.disburse": c.t("{date}，受托人{org}从慈善信托 {trust_id} 向{payee_display}支付 {amount}，用途：{purpose}。",
                              "On {date}, the trustee {org} paid {amount} from the charitable trust {trust_id} to {payee_display} for {purpose}."),
        "trust.report": c.t("受托人{org}于{date}报告慈善信托 {trust_id} 的 {year} 年度情况，当年支出 {disbursed}。",
                            "On {date}, the trustee {org} reported on the charitable trust {trust_id} for {year}: {disbursed} disbursed that year."),
        "lottery.grant": c.t("{date}，{org}以福彩公益金资助{recipient_org}的项目{recipient_project} {amount}（{purpose}）。",
                             "On {date}, {org} granted {amount} of welfare-lottery funds to {recipient_org}'s project {recipient_project} ({purpose})."),
        "lottery.usage": c.t("{date}，{org}使用{administrator}的福彩公益金资助 {grant_id} 中的 {amount}，用于：{used_for}。",
                             "On {date}, {org} used {amount} of the welfare-lottery grant {grant_id} from {administrator} for {used_for}."),
        "lottery.announce": c.t("{org}于{date}公告 {fiscal_year} 年度福彩公益金：筹集 {raised}，结转 {carried_forward}。",
                                "On {date}, {org} announced its welfare-lottery fund for {fiscal_year}: {raised} raised, {carried_forward} carried forward."),
        "trust.receive": c.t("{date}，慈善信托 {trust_id} 收到 {amount}（{source}）。",
                             "On {date}, the charitable trust {trust_id} received {amount} ({source})."),
        "trust.fee": c.t("{date}，慈善信托 {trust_id} 向{payee_display}支付费用 {amount}（{fee_type}）。",
                         "On {date}, the charitable trust {trust_id} paid {amount} to {payee_display} ({fee_type})."),
        "trust.terminate": c.t("受托人{org}报告慈善信托 {trust_id} 于{date}终止，剩余财产 {remaining_property}。",
                               "The trustee {org} reported that the charitable trust {trust_id} ended on {date}, with {remaining_property} remaining."),
        "lottery.receive": c.t("{date}，{org}收到 {fiscal_year} 年度福彩公益金 {amount}（{source}）。",
                               "On {date}, {org} received {amount} of welfare-lottery funds for {fiscal_year} ({source})."),
        "org.register": c.t("{org}登记为{org_type}，登记日期{date}。", "{org} was registered as a {org_type} on {date}."),
        "report.annual": c.t("{org}于{date}公布 {year} 年度报告。", "On {date}, {org} published its annual report for {year}."),
        "disclosure": c.t("{org}于{date}公开一项事项（{subject}）。", "On {date}, {org} disclosed an event ({subject})."),
        "explanation": c.t("{org}于{date}发布情况说明：{subject}。", "On {date}, {org} published an explanation: {subject}."),
        "correction": c.t("{org}更正第 {target} 号条目（{action}）。", "{org} corrected entry {target} ({action})."),
        "other": c.t("{kind}，由{org}签名，记录于{recorded}。", "{kind}, signed by {org}, recorded on {recorded}."),
        "fundTo": c.t("限定用于项目{project}", "restricted to the project {project}"),
        "unrestrictedTo": c.t("非限定捐赠（机构可用于其任何慈善活动）", "unrestricted (the organisation may use it for any of its charitable work)"),
        "fundFrom": c.t("项目{project}", "the project {project}"),
        "unrestrictedFrom": c.t("非限定资金", "its unrestricted funds"),
        "goods": c.t("物资：{quantity} {unit} {description}", "goods: {quantity} {unit} of {description}"),
    })
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let regulators: serde_json::Map<_, _> = snap
        .typed_values::<RegulatorRow>(keys::REGULATOR.prefix())
        .map(|r| (r.id.to_string(), r.name.into()))
        .collect();
    let labels = json!({
        "title": c.t("账本条目", "Ledger entry"),
        "kinds": c.lang.labels(KINDS),
        "fields": c.lang.labels(FIELDS),
        "values": values(c),
        "categories": c.lang.labels(CATEGORIES),
        "yes": c.t("是", "Yes"),
        "no": c.t("否", "No"),
        "regulator": c.t("监管机构", "Regulator"),
        "regulators": regulators,
        "operator": c.t("账本运营方", "Ledger operator"),
        "badSeq": c.t("条目序号应为非负整数。", "An entry number is a whole number, 0 or more."),
        "unreadable": c.t("已验证的条目字节无法读取为条目。", "The verified entry bytes do not read as an entry."),
        "correction": super::corrected::labels(c),
        "summary": summaries(c),
        "treeNote": c.t(
            "第 {seq} 号条目是账本的第 {seq} 个叶子（从 0 数起）。上面的包含证明对照的是本站发布的最新签名检查点（树大小 {size}，即第 0 至 {last} 号条目），而不是截至本条目的树：每个检查点都包含它之前的所有条目，所以树大小是签名时账本的条目数，大于本条目的序号。在账本服务器上运行 sunshine prove --seq {seq}，默认对照账本当时最新的检查点，树大小可能更大；两棵树是否一致可用 sunshine prove --from A --to B 核对。",
            "Entry {seq} is leaf {seq} of the log, counting from 0. The inclusion proof above runs to the newest signed checkpoint this site publishes (tree size {size}: entries 0 to {last}), not to a tree that ends at this entry: every checkpoint covers all the entries before it, so its size is how many entries the log held when it was signed, more than this entry's number. On the ledger's server, sunshine prove --seq {seq} proves against the ledger's latest checkpoint by default, which may be newer, with a larger tree size still; sunshine prove --from A --to B shows the two trees agree.",
        ),
    });
    let body = html! {
        form.lookup.entry-lookup method="get" action="index.html" {
            label { (c.t("条目序号", "Entry number"))
                input name="seq" type="number" min="0" step="1" required autocomplete="off";
            }
            button type="submit" { (c.t("查看", "Show")) }
        }
        // What the entry says, in a sentence, first: filled in once the entry is verified.
        p.entry-summary data-field="summary" hidden {}
        section.verify data-log=(c.asset("log/")) data-vkey=(snap.vkey) aria-labelledby="verify-h" {
            h2 #verify-h { "验证 / Verify" }
            p.verify-status role="status" aria-live="polite" {
                (c.t("输入条目序号查看。您的浏览器从已发布的日志取出该条目的原始字节，对照运营方签名的检查点验证其包含证明，验证通过后才显示条目（需要脚本）。离线验证：",
                     "Enter an entry number. Your browser fetches the entry's exact bytes from the published log and checks its inclusion proof against the operator-signed checkpoint before showing it (this needs script). To verify offline: "))
                code { "sunshine prove --seq N" }
                (c.t("，或对导出的日志运行 ", ", or run "))
                code { "sunshine audit --dir ." }
                (c.t("。", " over the published log."))
            }
        }
        details.tree-note data-field="tree-note" hidden {
            summary { (c.t("为什么树大小大于条目序号？", "Why is the tree size larger than the entry number?")) }
            p.muted {}
        }
        div.entry-view hidden data-labels=(labels.to_string())
            data-entry-href="index.html?seq=" data-orgs-href=(c.href("orgs/"))
            data-projects-href=(c.href("projects/")) data-receipt-href=(c.href(super::receipt::VIEW_PATH))
            data-org-data=(c.asset(shards::DIR)) data-corrected=(c.asset(corrected::DIR)) {
            dl.facts {
                dt { (c.t("序号", "Seq")) } dd data-field="seq" {}
                dt { (c.t("类型", "Kind")) } dd data-field="kind" {}
                dt { (c.t("签名者", "Signed by")) } dd data-field="author" {}
                dt { (c.t("签名公钥", "Signing key")) } dd.hash data-field="key" {}
                dt { (c.t("记录日期", "Recorded")) } dd data-field="recorded" {}
                dt { (c.t("叶子哈希", "Leaf hash")) } dd.hash data-field="leaf-hash" {}
                dt { (c.t("相邻条目", "Neighbours")) } dd data-field="neighbours" {}
            }
            div.correction data-field="correction" hidden {}
            h2 { (c.t("条目内容", "Body")) }
            dl.facts data-field="body" {}
            h2 { (c.t("条目原文", "Entry bytes")) }
            p.muted { (c.t("以下为便于阅读的格式；叶子哈希按 RFC 9162 对规范化 JSON 原始字节计算：SHA-256(0x00 ‖ 字节)。原始字节见已发布日志的条目包（",
                           "Pretty-printed for reading; the leaf hash is RFC 9162's SHA-256(0x00 ‖ bytes) over the exact canonical JSON bytes, which are in the published log's entry bundles ("))
                a href=(c.asset("log/checkpoint")) { "log/" } (c.t("）。", ")."))
            }
            pre.leaf data-field="leaf" {}
        }
    };
    page(
        c,
        &Shell {
            title: c.t("账本条目", "Ledger entry"),
            verify: true,
            viewer: true,
            as_of: None,
        },
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::i18n::Lang;

    #[test]
    fn the_viewer_carries_labels_and_no_entry() {
        let mut snap = Snapshot {
            vkey: "example.org/log+01234567+AQ==".into(),
            ..Snapshot::default()
        };
        let id = "91350100M000100Y43";
        snap.insert_view(
            keys::REGULATOR.key(&[&id]),
            json!({"id": id, "name": "广东省民政厅 <b>", "seq": 0}),
        );
        let c = Ctx::new(Lang::En, PATH);
        let html = render(&c, &snap).into_string();
        assert!(html.contains("static/view.js"), "{html}");
        assert!(html.contains("data-log=\"../../log/\""));
        assert!(!html.contains("<b>"), "names are escaped");
        assert!(
            html.contains("广东省民政厅"),
            "the regulator's name is in the labels"
        );
    }
}
