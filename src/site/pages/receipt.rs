//! Donor receipts: the lookup form (`receipts/index.html`), and the one receipt page per
//! language (`receipts/view.html?org=..&no=..`) that shows any donation in the browser.
//!
//! A page per donation per language cost two files of about 4 KB on disk each; now the
//! donation's row, its trace and its entry's leaf hash are in the organisation's receipt shard
//! ([`crate::site::shards`]), which `static/view.js` fetches and renders with the labels this
//! page carries. The verification widget (`static/verify.js`) then proves the donation's entry
//! included in the signed checkpoint, with the leaf hash the shard claims, and checks that the
//! proven entry is this organisation's donation with this receipt number.
//!
//! The page answers a donor's questions in their order (issue 16): the gift; where the money
//! went (each payment's date, purpose, project, payee as the entry shows it, and the part of it
//! the gift paid for), with one sentence on first-in-first-out; then how to check it — the
//! in-browser proof, saying exactly what was checked against what, and the receipt secret, with
//! where it comes from. On a phone the money trail starts within the first screen; the hashes
//! come after it. When nothing matches, [`not_found`] says what may be wrong in the page's
//! language.
//!
//! The lookup form is a plain GET to the viewer, so it works on a static host too; and a link to
//! the lookup page itself, `receipts/?org=..&receipt=..` (issue 16), lands on the receipt.

use maud::{Markup, html};
use serde_json::json;

use crate::money::views::keys;
use crate::money::views::rows::DonationRow;
use crate::site::i18n::CATEGORIES;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::shards;
use crate::site::snapshot::Snapshot;

/// The viewer's path within a language; `?org=..&no=..` picks the receipt.
pub const VIEW_PATH: &str = "receipts/view.html";

/// The lookup form, on the lookup page and below every receipt. On the lookup page it `lands`:
/// `static/view.js` sends a link `receipts/?org=..&receipt=..` on to the receipt viewer.
/// `filled` is what a donor asked for, to try again.
fn lookup(c: &Ctx, snap: &Snapshot, lands: bool, filled: Option<(&str, &str)>) -> Markup {
    let (org, no) = filled.unwrap_or_default();
    html! {
        form.lookup method="get" action=(c.href(VIEW_PATH)) data-lands[lands] {
            // The donor picks the organisation named on the receipt: none is chosen for them
            // (the first of the list was, and a lookup there finds nothing).
            label { (c.t("开具收据的机构", "Organisation that issued the receipt"))
                select name="org" required {
                    option value="" disabled selected[org.is_empty()] { (c.t("请选择", "Choose one")) }
                    @for o in snap.orgs() {
                        @let code = o.register.org.as_str();
                        option value=(code) selected[code == org] { (super::orgs::name(c, &o)) " (" (code) ")" }
                    }
                }
            }
            label { (c.t("收据号", "Receipt number")) input name="no" required autocomplete="off" value=(no); }
            button type="submit" { (c.t("查询", "Look up")) }
        }
    }
}

/// The receipt number organisation `org` issued as `no`, or as `no` in capitals (donors type
/// numbers as they like; organisations issue them in capitals): what a lookup lands on. The
/// receipt viewer does the same in the browser from the shards.
pub fn resolve(snap: &Snapshot, org: &str, no: &str) -> Option<String> {
    // Key parts never hold a `/`: one here would reach into another key.
    if org.contains('/') || no.contains('/') {
        return None;
    }
    let upper = no.to_ascii_uppercase();
    [no, upper.as_str()]
        .into_iter()
        .find(|n| snap.view(&keys::DONATION.key(&[&org, n])).is_some())
        .map(str::to_owned)
}

/// The lookup form filled in with a receipt that was not found.
pub fn lookup_filled(c: &Ctx, snap: &Snapshot, org: &str, no: &str) -> Markup {
    lookup(c, snap, false, Some((org, no)))
}

pub fn render_index(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        p { (c.t("选择出具收据的机构，输入收据号，查看这笔捐赠的去向和验证状态。",
                 "Choose the organisation that issued your receipt and enter its number to see your donation, where it went and whether it is in the signed ledger.")) }
        (lookup(c, snap, true, None))
        h2 { (c.t("直接打开收据页", "Opening a receipt page directly")) }
        p { (c.t("收据页的地址是（两种写法都可以，在任何静态网站上都能打开）：", "A receipt's page is at either of these (both work on any static host): ")) }
        pre { (c.href(VIEW_PATH)) "?org={" (c.t("机构代码", "credit code")) "}&no={" (c.t("收据号", "receipt number")) "}\n"
              (c.href("receipts/")) "?org={" (c.t("机构代码", "credit code")) "}&receipt={" (c.t("收据号", "receipt number")) "}" }
        p { (c.t("例如：", "For example: "))
            @if let Some(d) = snap.typed_values::<DonationRow>(keys::DONATION.prefix()).next() {
                @let path = super::receipt_path(d.record.org.as_str(), d.record.body.receipt_no.as_str());
                a href=(c.href(&path)) { (path) }
            }
        }
        h2 { (c.t("核对保存的证明文件", "Checking a saved proof file")) }
        p { (c.t("收据页可以下载捐赠的证明文件（.tlog-proof）。选择或拖放到这里，即在您的浏览器中用运营方公钥和见证人名单核对，无需联网。",
                 "A receipt page offers the donation's proof file (.tlog-proof). Choose it or drop it here: your browser checks it with the operator's key and the witness list, without going online.")) }
        form.proof-file data-log=(c.asset("log/")) data-vkey=(snap.vkey) {
            label { (c.t("证明文件", "Proof file")) input type="file" name="file" accept=".tlog-proof,text/plain"; }
            output {}
        }
    };
    page(
        c,
        &Shell {
            title: c.t("捐赠查询", "Receipt lookup"),
            verify: true,
            viewer: true,
            as_of: None,
        },
        body,
    )
}

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let labels = json!({
        "title": c.t("捐赠收据", "Donation receipt"),
        "loading": c.t("正在读取收据…", "Reading the receipt…"),
        "notFound": c.t("没有找到这张收据：请核对机构和收据号。", "No such receipt: check the organisation and the receipt number."),
        "inKind": c.t("物资捐赠", "In kind"),
        "unrestricted": c.t("非定向（机构统筹使用）", "Unrestricted (general fund)"),
        "unrestrictedFund": c.t("非定向资金", "Unrestricted fund"),
        "noTrace": c.t("这笔捐赠没有可追踪的资金（例如未估值的物资）。", "This donation has no money to trace (for example goods without a valuation)."),
        "spent": c.t("已用于支出", "Spent"),
        "unspent": c.t("尚未使用", "Not yet spent"),
        "noneSpent": c.t("这笔捐赠尚未被支出。", "None of this donation has been spent yet."),
        "spentCaption": c.t("支出（先进先出）", "Spent (first in, first out)"),
        "payee": c.t("收款方：", "Paid to "),
        "entry": c.t("条目 ", "entry "),
        "more": c.t("其余 {n} 笔支出", "{n} more payments"),
        "movedCaption": c.t("转入其他资金", "Moved to other funds"),
        "goodsDistributed": c.t("已发放物资", "Goods given out"),
        "goodsInStock": c.t("尚在库存", "Still in stock"),
        "goodsCaption": c.t("物资发放（按数量，先进先出）", "Goods given out (by quantity, first in, first out)"),
        "goodsNone": c.t("这批物资尚未发放。", "None of these goods has been given out yet."),
        "goodsNote": c.t("物资单独记账，不计入资金账户：下面是用到您捐赠物资的发放记录，估值物资按数量折算金额（精确到分）。",
                         "Goods are kept apart from money: these are the distributions that gave out your goods; valued goods carry the value of the quantity, to the cent."),
        "recipient": c.t("受助方：", "Given to "),
        "categories": c.lang.labels(CATEGORIES),
        "correction": super::corrected::labels(c),
    });
    let body = html! {
        p.receipt-status role="status" aria-live="polite" {
            (c.t("输入收据号查看捐赠及其去向（需要脚本）。", "Enter a receipt number to see the donation and where it went (this needs script)."))
        }
        (not_found(c, None))
        div.receipt-view hidden data-labels=(labels.to_string())
            data-entry-href=(c.href(&super::entry_path_prefix())) data-orgs-href=(c.href("orgs/"))
            data-projects-href=(c.href("projects/")) data-pages-href=(c.href("")) data-org-data=(c.asset(shards::DIR)) {
            p.fail data-field="voided" hidden { (c.t("这笔捐赠记录已被更正作废。", "This donation record was voided by a correction.")) }
            div.correction data-field="correction" hidden {}
            // The gift, then where it went, then how to check it: what a donor came to ask
            // first, on a phone's first screen (issue 16).
            dl.facts.gift {
                dt { (c.t("受赠机构", "Received by")) } dd data-field="org" {}
                dt { (c.t("捐赠人", "Donor")) } dd data-field="donor" {}
                dt { (c.t("金额", "Amount")) } dd data-field="amount" {}
                dt { (c.t("收到日期", "Received on")) } dd data-field="received-on" {}
                dt { (c.t("定向项目", "Restricted to project")) } dd data-field="project" {}
            }
            section.trail aria-labelledby="trail-h" {
                h2 #trail-h { (c.t("善款去向", "Where the money went")) }
                p.fifo { (c.t(
                    "每个资金账户按“先进先出”使用善款：每笔支出先用掉该账户里最早收到、尚未用完的捐款，下面列出的就是用到您这笔捐款的那部分支出。",
                    "Funds pay out first in, first out: each payment uses the oldest unspent gifts in its fund first. These are the parts of payments your gift paid for.")) }
                div data-field="trace" {}
            }
            section.check aria-labelledby="check-h" {
                h2 #check-h { (c.t("核对这张收据", "Checking this receipt")) }
                dl.facts {
                    dt { (c.t("收据号", "Receipt number")) } dd.hash data-field="receipt-no" {}
                    dt { (c.t("账本条目", "Ledger entry")) } dd data-field="entry" {}
                    dt { (c.t("条目哈希", "Leaf hash")) } dd.hash data-field="leaf-hash" {}
                }
                section.verify data-log=(c.asset("log/")) data-vkey=(snap.vkey) aria-labelledby="verify-h" {
                    h3 #verify-h { (c.t("这笔捐赠在账本里吗", "Is this gift in the ledger?")) }
                    p.verify-status role="status" aria-live="polite" {
                        (c.t("离线验证：下载 ", "To check offline: fetch "))
                        a href=(c.asset("log/checkpoint")) { "log/" }
                        (c.t("，运行 ", ", run "))
                        code { "sunshine audit --dir ." }
                        (c.t("，并确认上面的条目哈希。", ", and confirm the entry has the leaf hash shown above."))
                    }
                }
                h3 { (c.t("确认这是您的捐赠", "Confirm this donation is yours")) }
                p.secret-origin { (c.t(
                    "收据密钥是机构登记这笔捐赠时随机生成、随收据交给您的 64 位十六进制数；账本只公开它的 SHA-256 哈希，所以能核对它的只有持有收据的人。",
                    "The receipt secret is 64 hexadecimal digits the organisation drew at random when it recorded your gift and handed you with the receipt; the ledger publishes only its SHA-256 hash, so only the holder of the receipt can match it.")) }
                form.receipt-secret data-secret-hash="" {
                    label { (c.t("收据密钥（仅在您的浏览器中核对，不会发送）", "Receipt secret (checked in your browser only, never sent)"))
                        input name="secret" autocomplete="off";
                    }
                    button type="submit" { (c.t("核对", "Check")) }
                    output {}
                }
            }
        }
        h2 { (c.t("查询其他收据", "Look up another receipt")) }
        (lookup(c, snap, false, None))
    };
    page(
        c,
        &Shell {
            title: c.t("捐赠收据", "Donation receipt"),
            verify: true,
            viewer: true,
            as_of: None,
        },
        body,
    )
}

/// What the viewer shows when no receipt matches, in the page's language: what may be wrong and
/// what to do, rather than a bare "not found". The viewer keeps it hidden and `static/view.js`
/// fills in what was asked; the live server renders it with `asked` (the organisation as shown,
/// the receipt number) on its own page ([`super::missing`]).
pub fn not_found(c: &Ctx, asked: Option<(&str, &str)>) -> Markup {
    let (org, no) = asked.unwrap_or_default();
    html! {
        section.not-found hidden[asked.is_none()] aria-labelledby=[asked.is_none().then_some("not-found-h")] {
            @if asked.is_none() {
                h2 #not-found-h { (c.t("没有找到这张收据", "We could not find this receipt")) }
            }
            p {
                @if c.lang == crate::site::i18n::Lang::Zh {
                    "机构 " strong data-field="asked-org" { (org) } " 的公开记录里没有收据号 " strong.hash data-field="asked-no" { (no) } "。"
                } @else {
                    "There is no receipt number " strong.hash data-field="asked-no" { (no) } " in the published records of " strong data-field="asked-org" { (org) } "."
                }
            }
            ul {
                li { (c.t("请对照纸质或电子收据核对收据号：字母、数字和连字符都要一致。", "Check the number against your paper or electronic receipt: letters, digits and hyphens must all match.")) }
                li { (c.t("请确认选择的是出具收据的机构（收据上的统一社会信用代码）。", "Check that you chose the organisation that issued the receipt (the credit code printed on it).")) }
                li { (c.t("机构把捐赠记入账本后，这里才能查到；刚收到的捐赠可能还没有记入。", "A gift shows here once the organisation has recorded it in the ledger; a very recent one may not be recorded yet.")) }
                li { (c.t("仍然查不到，请联系出具收据的机构。", "If it still does not show, ask the organisation that issued the receipt.")) }
            }
        }
    }
}
