//! The signing page (`submit/index.html`): a charity's staff pick their spreadsheet and their
//! sealed key file; the server checks the sheet (`POST /api/v1/import:check`, the code behind
//! `sunshine import --check`), and `static/submit.js` signs the rows in the browser and posts
//! them to `/api/v1/submissions:batch`, all or none.
//!
//! The private key never leaves the browser: the key file (`sunshine keygen --passphrase-file`)
//! is opened with WebCrypto (PBKDF2 and AES-GCM) and signs with WebCrypto Ed25519. The page
//! carries labels only; it needs a live server, since a static host answers no API.

use maud::{Markup, html};
use serde_json::json;

use crate::site::layout::{Ctx, Shell, page};

pub const PATH: &str = "submit/index.html";

pub fn render(c: &Ctx) -> Markup {
    let mut labels = json!({
        "checking": c.t("正在检查……", "Checking…"),
        "readAs": c.t("文件读取方式", "File read as"),
        "rowsOk": c.t("行可以写入", "row(s) can be appended"),
        "problems": c.t("个问题：修改表格后重新检查。", "problem(s): fix the sheet and check again."),
        "row": c.t("第 {row} 行", "Row {row}"),
        "column": c.t("{column} 列", "column {column}"),
        "signing": c.t("正在用您的密钥在浏览器中签名……", "Signing in your browser with your key…"),
        "posting": c.t("正在提交……", "Sending…"),
        "done": c.t("已写入账本：{n} 条，条目 {first}–{last}。", "Written to the ledger: {n} entries, {first}–{last}."),
        "refused": c.t("账本拒绝了这一批，未写入任何条目：", "The ledger refused the batch; nothing was written: "),
        "badKey": c.t("密钥文件无法打开：口令错误，或文件不是 sunshine keygen 写出的密钥文件。", "The key file does not open: a wrong passphrase, or not a key file written by sunshine keygen."),
        "noEd25519": c.t("此浏览器不支持 WebCrypto Ed25519 签名。", "This browser does not support WebCrypto Ed25519 signatures."),
        "network": c.t("无法连接服务器：", "Cannot reach the server: "),
    });
    let codes: serde_json::Map<String, serde_json::Value> = RULE_NAMES
        .iter()
        .map(|(code, zh, en)| ((*code).to_owned(), c.t(zh, en).into()))
        .collect();
    labels["codes"] = codes.into();
    let body = html! {
        p { (c.t("选择 Excel/WPS 表格（.xlsx 或 .csv）和机构的密钥文件。服务器先检查每一行；检查通过后，在您的浏览器中用密钥签名并提交，全部写入或全部不写入。私钥不会离开浏览器。",
                 "Pick the spreadsheet (.xlsx or .csv) and the organisation's key file. The server checks every row first; then your browser signs the rows with your key and sends them, all or none. The private key never leaves this browser.")) }
        p.muted { (c.t("空白模板：", "Blank templates: ")) code { "sunshine import --template donations > donations.xlsx" } }
        div.submit-page data-labels=(labels.to_string())
            data-check=(c.asset("api/v1/import:check")) data-batch=(c.asset("api/v1/submissions:batch"))
            data-entry-href=(c.href("entries/index.html?seq=")) {
            form.submit-form {
                label { (c.t("机构统一社会信用代码", "Organisation (unified social credit code)"))
                    input name="org" type="text" required autocomplete="off" spellcheck="false"; }
                label { (c.t("表格文件", "Spreadsheet"))
                    input name="sheet" type="file" accept=".xlsx,.csv" required; }
                label { (c.t("密钥文件（.key.json）", "Key file (.key.json)"))
                    input name="keyfile" type="file" accept=".json" required; }
                label { (c.t("密钥口令", "Key passphrase"))
                    input name="passphrase" type="password" autocomplete="off" required; }
                button type="submit" name="check" { (c.t("检查", "Check")) }
            }
            p.submit-status role="status" aria-live="polite" {}
            ul.submit-problems {}
            div.table-wrap {
                table.submit-rows hidden {
                    thead { tr {
                        th scope="col" { (c.t("行", "Row")) }
                        th scope="col" { (c.t("内容", "What")) }
                        th scope="col" { (c.t("金额", "Amount")) }
                    } }
                    tbody {}
                }
            }
            button.submit-sign type="button" hidden { (c.t("签名并提交", "Sign and send")) }
            p { a.submit-receipts hidden download="receipts.csv" { (c.t("下载回执（CSV）", "Download the receipts (CSV)")) } }
        }
        script src=(c.asset("static/submit.js")) defer {}
    };
    page(
        c,
        &Shell {
            title: c.t("批量提交捐赠与支出", "Submit donations and disbursements"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}

/// The name of each rule a row can break, as the page shows it: (code, Chinese, English). The
/// codes are those of the cell rules (`crate::import::cells`), the import checks and the money
/// model (`crate::money::error`).
const RULE_NAMES: &[(&str, &str, &str)] = &[
    (
        "amount_decimals",
        "金额超过两位小数",
        "more than two decimals",
    ),
    ("amount_format", "不是金额", "not an amount"),
    ("amount_separator", "分隔符有歧义", "ambiguous separators"),
    (
        "amount_sign",
        "货币符号位置不对",
        "currency sign in the wrong place",
    ),
    ("amount_positive", "金额须为正数", "amount must be positive"),
    ("date_format", "不是日期", "not a date"),
    ("date_invalid", "日历上没有这一天", "no such day"),
    ("flag", "不是“是/否”", "not yes/no"),
    ("duplicate", "重复导入", "already imported"),
    ("overdraft", "余额不足", "overdraft"),
    ("future_date", "日期在将来", "date in the future"),
    (
        "key_not_allowed",
        "密钥不可用于该机构",
        "key not allowed for this organisation",
    ),
    ("invalid_body", "内容格式不对", "malformed content"),
    ("grant_overuse", "超出资助金额", "more than the grant"),
    ("unknown_org", "未登记的机构", "organisation not registered"),
    ("unknown_project", "没有这个项目", "no such project"),
    ("unknown_trust", "没有这个慈善信托", "no such trust"),
    ("unknown_grant", "没有这笔资助", "no such grant"),
    ("unknown_entry", "没有这个条目", "no such entry"),
    (
        "duplicate_org",
        "机构已登记",
        "organisation already registered",
    ),
    (
        "duplicate_project",
        "项目编号已用过",
        "project id already used",
    ),
    (
        "duplicate_receipt",
        "收据编号已用过",
        "receipt number already used",
    ),
    ("duplicate_trust", "信托编号已用过", "trust id already used"),
    ("duplicate_grant", "资助编号已用过", "grant id already used"),
    (
        "duplicate_report",
        "该年度报告已发布",
        "annual report already published",
    ),
    (
        "duplicate_trust_report",
        "该年度信托报告已发布",
        "trust report already published",
    ),
    (
        "duplicate_announcement",
        "该年度公告已发布",
        "announcement already published",
    ),
    ("out_of_order", "顺序错误", "out of order"),
    (
        "not_an_org",
        "只有登记的慈善组织可以提交",
        "only a registered organisation may submit this",
    ),
    ("not_owner", "不属于该机构", "not this organisation's"),
    ("wrong_org_type", "机构类型不符", "wrong organisation type"),
    (
        "no_public_fundraising",
        "没有公开募捐资格",
        "no public-fundraising status",
    ),
    ("filing_required", "需要备案编号", "filing number required"),
    (
        "filing_without_public",
        "无公开募捐资格却填写了备案编号",
        "filing number without public-fundraising status",
    ),
    ("bad_dates", "日期不合理", "dates do not fit"),
    ("year_not_over", "该年度尚未结束", "the year is not over"),
    (
        "unmasked_name",
        "个人姓名未遮盖",
        "personal name not masked",
    ),
    ("personal_data", "含有个人信息", "contains personal data"),
    ("project_closed", "项目已结项", "project closed"),
    ("self_transfer", "不能转给自己", "cannot transfer to itself"),
    (
        "leftover_mismatch",
        "结余与余额不符",
        "leftover differs from the balance",
    ),
    (
        "dissimilar_project",
        "结余须转入同类项目",
        "leftover must go to a similar project",
    ),
    ("figures_mismatch", "数字不一致", "figures do not agree"),
    ("currency_mismatch", "币种不符", "currency mismatch"),
    ("year_announced", "该年度已公告", "year already announced"),
    (
        "donation_form",
        "捐赠形式与金额不符",
        "donation form and amount do not fit",
    ),
    ("voided_correction", "更正已被撤销", "correction was voided"),
    ("already_voided", "条目已撤销", "entry already voided"),
    ("not_author", "不是原作者", "not the author"),
    ("not_correctable", "此类条目不能更正", "cannot be corrected"),
    (
        "amend_changes_id",
        "更正不能改编号",
        "an amendment keeps the id",
    ),
    (
        "restricted_to_project",
        "项目限定资金只能用于该项目的慈善活动",
        "a project's restricted money pays only its charitable activity",
    ),
    (
        "time_restricted",
        "时间限定的捐赠尚未到可使用的年度",
        "money restricted until a later year",
    ),
    (
        "status_unchanged",
        "公开募捐资格未改变（已有再授予或未有而撤销）",
        "public-fundraising status unchanged",
    ),
    (
        "opening_balance",
        "期初净资产不符（须为年末数，限定性与非限定性之和等于合计）",
        "opening balance does not fit",
    ),
    (
        "parts_mismatch",
        "审计数字分项与合计不符",
        "audited parts do not add up",
    ),
    (
        "audit_report_missing",
        "审计数字须附审计报告",
        "audited figures need the audit report",
    ),
    (
        "duplicate_opening",
        "期初余额已申报",
        "opening balance already declared",
    ),
];
