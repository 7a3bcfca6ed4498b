//! How to verify the whole ledger offline, with the operator's verifier key.

use maud::{Markup, html};

use crate::site::format;
use crate::site::layout::{Ctx, Shell, page};
use crate::site::snapshot::Snapshot;

pub fn render(c: &Ctx, snap: &Snapshot) -> Markup {
    let body = html! {
        p { (c.t("不必信任本网站：整个账本可以离线重放和核验。已发布的日志（检查点、瓦片和条目包）位于 ",
                 "You need not trust this site: the whole ledger can be replayed and checked offline. The published log (checkpoint, tiles and entry bundles) is at "))
            a href=(c.asset("log/checkpoint")) { "log/" }
            (c.t("，格式为 C2SP tlog-tiles。", ", in the C2SP tlog-tiles layout.")) }
        h2 { (c.t("运营方验证公钥", "Operator verifier key")) }
        pre.hash { (snap.vkey) }
        p { (c.t("同一公钥也发布于 ", "The same key is published at ")) a href=(c.asset("log/operator.vkey")) { "log/operator.vkey" } (c.t("。请通过其他渠道（如监管机构公告）核对它。", "; compare it with a copy from another channel, such as the regulator's notice.")) }
        h2 { (c.t("步骤", "Steps")) }
        ol {
            li { (c.t("将 log/ 目录下的全部文件（任何静态镜像均可）下载到一个文件夹中，保留 log/ 前缀。", "Download every file under log/ (from any mirror) into a folder, keeping the log/ prefix.")) }
            li { (c.t("在该文件夹中运行：", "In that folder, run:")) pre { "sunshine audit --dir ." } }
            li { (c.t("该命令重放每一条目：规范化编码、签名、签名时密钥的授权、哈希链、每个检查点的默克尔树根及其签名。",
                      "It replays every entry: canonical encoding, signatures, each key's authority at the time, the hash chain, and the Merkle root and signature of every checkpoint.")) }
            li { (c.t("确认输出的条目数和树根与首页显示的检查点一致：",
                      "Check that the size and root it prints match the checkpoint on the home page:"))
                @if let Some(cp) = &snap.checkpoint {
                    " " (format::count(cp.size)) " · " code.hash { (cp.root_hex) }
                }
            }
        }
        p { (c.t("单条记录可在其条目页或收据页中于浏览器内核验；数据亦可下载为 ", "Single records can be checked in the browser on their entry or receipt page; the figures can also be downloaded as "))
            a href=(c.asset("data/index.json")) { "CSV / JSON" } (c.t("。", ".")) }
    };
    page(
        c,
        &Shell {
            title: c.t("离线审计", "Audit offline"),
            verify: false,
            viewer: false,
            as_of: None,
        },
        body,
    )
}
