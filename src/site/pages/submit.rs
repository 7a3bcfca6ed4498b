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
    let labels = json!({
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
        "codes": {
            "amount_decimals": c.t("金额超过两位小数", "more than two decimals"),
            "amount_format": c.t("不是金额", "not an amount"),
            "amount_separator": c.t("分隔符有歧义", "ambiguous separators"),
            "amount_sign": c.t("货币符号位置不对", "currency sign in the wrong place"),
            "amount_positive": c.t("金额须为正数", "amount must be positive"),
            "date_format": c.t("不是日期", "not a date"),
            "date_invalid": c.t("日历上没有这一天", "no such day"),
            "flag": c.t("不是“是/否”", "not yes/no"),
            "duplicate": c.t("重复导入", "already imported"),
            "overdraft": c.t("余额不足", "overdraft"),
            "future_date": c.t("日期在将来", "date in the future"),
            "key_not_allowed": c.t("密钥不可用于该机构", "key not allowed for this organisation"),
        },
    });
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
