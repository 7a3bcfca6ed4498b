//! The two page languages: Simplified Chinese (the default, at the site root) and English (under
//! `en/`). Strings are written in place as `(zh, en)` pairs through [`Lang::t`], so each page
//! reads with both languages side by side and a missing translation cannot compile; the few
//! wire values a page shows (organisation types, entry kinds, spending categories) have their
//! labels here.

use time::Date;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The directory this language's pages live under, relative to the site root.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Zh => "",
            Lang::En => "en/",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The name of the language, in itself (for the switch).
    pub fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::En => "English",
        }
    }

    /// Picks this language's string.
    pub fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        self.pick(zh, en)
    }

    /// Picks this language's version of text the ledger holds in both (a figure's labels in
    /// a `compliance/` row), as [`Lang::t`] does for the page's own strings.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// A date in the page's language: "2026年3月5日", "5 Mar 2026".
    pub fn date(self, d: Date) -> String {
        match self {
            Lang::Zh => format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day()),
            Lang::En => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec",
                ];
                let m = MONTHS[usize::from(u8::from(d.month())) - 1];
                format!("{} {m} {}", d.day(), d.year())
            }
        }
    }

    /// A `YYYY-MM-DD` string from a view as a date in this language; other text as is.
    pub fn date_str(self, s: &str) -> String {
        crate::ledger::time::parse_date(s).map_or_else(|_| s.to_owned(), |d| self.date(d))
    }

    /// A year heading: "2025年", "2025".
    pub fn year(self, y: i64) -> String {
        match self {
            Lang::Zh => format!("{y}年"),
            Lang::En => y.to_string(),
        }
    }

    /// The label of an organisation type's wire value.
    pub fn org_type(self, wire: &str) -> String {
        self.label(ORG_TYPES, wire)
    }

    /// The label of a spending category.
    pub fn category(self, wire: &str) -> String {
        self.label(CATEGORIES, wire)
    }

    /// The label of a charitable purpose (a project's or a trust's).
    pub fn purpose(self, wire: &str) -> String {
        self.label(PURPOSES, wire)
    }

    /// The label of a welfare-lottery purpose. Purposes are the administrator's own words; the
    /// common ones are translated, any other reads as written.
    pub fn lottery_purpose(self, wire: &str) -> String {
        self.label(LOTTERY_PURPOSES, wire)
    }

    /// The label of an entry kind.
    pub fn kind(self, wire: &str) -> String {
        self.label(KINDS, wire)
    }

    /// `wire`'s label in `table`, or `wire` itself when the table has none.
    fn label(self, table: &[(&str, &'static str, &'static str)], wire: &str) -> String {
        table
            .iter()
            .find(|(w, _, _)| *w == wire)
            .map_or(wire, |(_, zh, en)| self.t(zh, en))
            .to_owned()
    }

    /// Every wire value of `table` with its label in this language: what the in-browser viewers
    /// (`static/view.js`) are handed, so they label kinds and categories as the pages do.
    pub fn labels(self, table: &[(&'static str, &'static str, &'static str)]) -> serde_json::Value {
        table
            .iter()
            .map(|(w, zh, en)| ((*w).to_owned(), self.t(zh, en).into()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

/// Organisation types (docs/FORMAT.md, `org.register`): wire value, zh, en.
pub const ORG_TYPES: &[(&str, &str, &str)] = &[
    ("foundation", "基金会", "Foundation"),
    ("social_group", "社会团体", "Social group"),
    (
        "social_service_org",
        "社会服务机构",
        "Social service organisation",
    ),
    ("trust_company", "信托公司", "Trust company"),
    (
        "lottery_administrator",
        "福彩发行机构",
        "Welfare-lottery issuer",
    ),
    (
        "welfare_institution",
        "社会福利机构（非慈善组织）",
        "Welfare institution (not a charity)",
    ),
];

/// The other enumerated values of entry bodies (docs/FORMAT.md section 6: donation form, donor,
/// payee and settlor types, receipt, correction action), so the entry viewer shows words, not
/// wire values. No two fields use one wire value for different things, so one table serves all.
pub const VALUES: &[(&str, &str, &str)] = &[
    ("cash", "现金", "Cash"),
    ("in_kind", "物资", "In kind"),
    ("individual", "个人", "Individual"),
    ("organisation", "机构", "Organisation"),
    ("anonymous", "匿名", "Anonymous"),
    ("group", "群体", "Group"),
    ("issued", "已开具", "Issued"),
    ("waived", "捐赠人放弃", "Waived by the donor"),
    ("void", "作废", "Void"),
    ("amend", "修改", "Amend"),
    ("other", "其他", "Other"),
    // A trust's receipts and fees (issue 14); a fee type `trustee`/`supervisor` reads as the
    // party paid.
    ("contribution", "追加委托", "Contribution"),
    ("investment_income", "投资收益", "Investment income"),
    ("other_income", "其他收入", "Other income"),
    ("custody", "保管费", "Custody fee"),
];

/// Entry body fields (docs/FORMAT.md section 6): wire name, zh, en. The entry viewer labels a
/// field with its wire name beside these, so a reader can match it to the format document, and
/// lists a body's fields in this order (roughly the format's, a currency after its amount).
pub const FIELDS: &[(&str, &str, &str)] = &[
    ("org", "机构", "Organisation"),
    ("name", "名称", "Name"),
    ("name_en", "英文名称", "English name"),
    ("org_type", "机构类型", "Organisation type"),
    ("region", "地区代码", "Region code"),
    ("public_fundraising", "公开募捐", "Public fundraising"),
    ("registered_on", "登记日期", "Registered on"),
    ("keys", "公钥", "Keys"),
    ("add", "新增公钥", "Keys added"),
    ("revoke", "撤销公钥", "Keys revoked"),
    ("origin", "日志名", "Log name"),
    ("operator_key", "运营方公钥", "Operator key"),
    ("regulators", "监管机构", "Regulators"),
    ("id", "编号", "Id"),
    ("title", "标题", "Title"),
    ("title_en", "英文标题", "English title"),
    ("purpose", "用途", "Purpose"),
    ("target", "目标", "Target"),
    ("start", "开始日期", "Starts"),
    ("end", "结束日期", "Ends"),
    (
        "fundraising_filing_no",
        "募捐方案备案编号",
        "Fundraising filing number",
    ),
    ("emergency", "紧急募捐", "Emergency"),
    ("description", "说明", "Description"),
    ("project", "项目", "Project"),
    ("as_of", "截至", "As of"),
    ("progress", "进展", "Progress"),
    ("raised", "已募集", "Raised"),
    ("spent", "已支出", "Spent"),
    ("beneficiaries", "受益人数", "Beneficiaries"),
    ("document", "文件哈希", "Document hash"),
    ("change", "变更", "Change"),
    ("effective_on", "生效日期", "Effective on"),
    ("decision", "决定文件哈希", "Decision document hash"),
    ("net_assets", "净资产合计", "Net assets"),
    ("restricted", "限定性净资产", "Restricted net assets"),
    ("unrestricted", "非限定性净资产", "Unrestricted net assets"),
    ("audited", "审计数字", "Audited figures"),
    ("closed_on", "结束日期", "Closed on"),
    ("summary", "总结", "Summary"),
    ("leftover", "剩余资金", "Leftover"),
    ("leftover_to", "剩余资金转入", "Leftover moved to"),
    ("receipt_no", "收据号", "Receipt number"),
    ("received_on", "收到日期", "Received on"),
    ("form", "形式", "Form"),
    ("amount", "金额", "Amount"),
    ("currency", "币种", "Currency"),
    ("in_kind", "物资", "Goods"),
    ("item", "物资品目", "Goods item"),
    ("quantity", "数量", "Quantity"),
    ("recipient_type", "受助方类型", "Recipient type"),
    ("recipient_display", "受助方", "Recipient"),
    ("distributed_on", "发放日期", "Distributed on"),
    ("donor_type", "捐赠人类型", "Donor type"),
    ("donor_display", "捐赠人", "Donor"),
    ("named_with_consent", "经同意具名", "Named with consent"),
    ("receipt", "收据", "Receipt"),
    ("commitment", "收据承诺值", "Receipt commitment"),
    ("restricted_until_year", "限定使用年度", "Restricted until"),
    ("category", "类别", "Category"),
    ("payee_type", "收款方类型", "Payee type"),
    ("payee_display", "收款方", "Payee"),
    ("evidence", "凭证哈希", "Evidence hashes"),
    ("paid_on", "支付日期", "Paid on"),
    ("related_party", "关联方", "Related party"),
    ("from_project", "转出项目", "From project"),
    ("to_org", "受资助机构", "To organisation"),
    ("to_project", "受资助项目", "To project"),
    ("trust_id", "信托编号", "Trust id"),
    ("trustee", "受托人", "Trustee"),
    ("settlors", "委托人", "Settlors"),
    ("supervisor", "监察人", "Supervisor"),
    ("property", "信托财产", "Trust property"),
    ("term_start", "信托期限起", "Term starts"),
    ("term_end", "信托期限止", "Term ends"),
    ("filing_no", "备案编号", "Filing number"),
    ("filing_authority", "备案机关", "Filed with"),
    ("signed_on", "签订日期", "Signed on"),
    ("filed_on", "备案日期", "Filed on"),
    ("source", "来源", "Source"),
    ("settlor", "委托人", "Settlor"),
    ("fee_type", "费用类别", "Fee type"),
    ("statement", "年度财务报表", "Yearly statement"),
    ("opening_property", "期初信托财产", "Opening property"),
    ("contributions", "追加委托", "Contributions"),
    ("fees", "费用", "Fees"),
    ("closing_property", "期末信托财产", "Closing property"),
    (
        "supervisor_opinion",
        "监察人意见哈希",
        "Supervisor's opinion hash",
    ),
    ("reason", "原因", "Reason"),
    ("terminated_on", "终止日期", "Ended on"),
    (
        "liquidation_report",
        "清算报告哈希",
        "Liquidation report hash",
    ),
    ("remaining_property", "剩余财产", "Remaining property"),
    ("remaining_to", "剩余财产去向", "Remaining property to"),
    ("remaining_to_org", "接收机构", "Receiving organisation"),
    ("executed", "执行情况", "Execution"),
    ("year", "年度", "Year"),
    ("disbursed", "支出", "Disbursed"),
    ("income", "收入", "Income"),
    ("closing_balance", "年末余额", "Closing balance"),
    ("reported_on", "报告日期", "Reported on"),
    ("grant_id", "资助编号", "Grant id"),
    ("fiscal_year", "资金年度", "Fiscal year"),
    ("recipient_org", "受资助机构", "Recipient organisation"),
    ("recipient_project", "受资助项目", "Recipient project"),
    ("granted_on", "资助日期", "Granted on"),
    ("administrator", "发行机构", "Issuer"),
    ("used_for", "用于", "Used for"),
    ("used_on", "使用日期", "Used on"),
    ("allocated", "分配", "Allocated"),
    ("carried_forward", "结转", "Carried forward"),
    ("announced_on", "公告日期", "Announced on"),
    ("work_report", "工作报告哈希", "Work report hash"),
    ("financial_report", "财务报告哈希", "Financial report hash"),
    ("published_on", "公布日期", "Published on"),
    ("figures", "数据", "Figures"),
    ("subject", "事项", "Subject"),
    ("text", "内容", "Text"),
    ("action", "更正方式", "Action"),
    ("notice", "更正说明", "Notice"),
    ("amended", "更正后内容", "Amended body"),
    ("campaign", "募捐活动", "Campaign"),
    ("projects", "募捐所用于的项目", "Projects raised for"),
    ("partners", "公开募捐合作方", "Fundraising partners"),
    (
        "partner_evaluation",
        "合作方评估哈希",
        "Partner evaluation hash",
    ),
    ("ended_on", "募捐结束日期", "Ended on"),
    ("audit_report", "审计报告哈希", "Audit report hash"),
    (
        "major_projects",
        "重大项目实施情况哈希",
        "Major projects hash",
    ),
    ("occurred_on", "发生日期", "Occurred on"),
];

/// Spending categories: wire value, zh, en.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("programme", "公益项目", "Programmes"),
    ("administration", "管理费用", "Administration"),
    ("fundraising", "募捐成本", "Fundraising"),
];

/// Charitable purposes (docs/FORMAT.md `purpose`: the activities Article 3 of the Charity Law of
/// the PRC lists, as the ledger spells them): wire value, zh, en.
pub const PURPOSES: &[(&str, &str, &str)] = &[
    ("扶贫济困", "扶贫济困", "Poverty relief"),
    ("扶老", "扶老", "Care for the elderly"),
    ("救孤", "救孤", "Care for orphans"),
    ("恤病", "恤病", "Help for the sick"),
    ("助残", "助残", "Help for people with disabilities"),
    ("优抚", "优抚", "Support for veterans and their families"),
    ("救灾", "救灾", "Disaster relief"),
    ("教育", "教育", "Education"),
    ("科学", "科学", "Science"),
    ("文化", "文化", "Culture"),
    ("卫生", "卫生", "Health"),
    ("体育", "体育", "Sport"),
    ("环境保护", "环境保护", "Environmental protection"),
    ("other", "其他", "Other"),
];

/// Welfare-lottery purposes as administrators write them (the demo's and the usual fields of
/// 福彩公益金 spending): wire value, zh, en.
pub const LOTTERY_PURPOSES: &[(&str, &str, &str)] = &[
    ("养老服务", "养老服务", "Elderly care"),
    ("儿童福利", "儿童福利", "Child welfare"),
    ("残疾人福利", "残疾人福利", "Disability welfare"),
    ("社会救助", "社会救助", "Social assistance"),
    ("社会事务", "社会事务", "Social affairs"),
    ("社会公益", "社会公益", "Public welfare"),
    ("other", "其他", "Other"),
];

/// Entry kinds: wire value, zh, en.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("genesis", "创世", "Genesis"),
    ("org.register", "机构登记", "Organisation registered"),
    ("org.keys", "机构密钥变更", "Organisation keys changed"),
    ("project.open", "设立项目", "Project opened"),
    ("project.update", "项目变更", "Project updated"),
    ("project.close", "结束项目", "Project closed"),
    ("campaign.open", "公开募捐活动", "Campaign opened"),
    ("campaign.update", "募捐情况公开", "Fundraising disclosed"),
    ("campaign.close", "募捐活动结束", "Campaign closed"),
    ("donation", "捐赠", "Donation"),
    ("disbursement", "支出", "Disbursement"),
    ("grant.transfer", "资助转出", "Grant transfer"),
    ("goods.distribute", "物资发放", "Goods distributed"),
    ("trust.file", "慈善信托备案", "Charitable trust filed"),
    ("trust.disburse", "信托支出", "Trust disbursement"),
    ("trust.report", "信托年度报告", "Trust annual report"),
    ("lottery.grant", "公益金资助", "Lottery fund grant"),
    ("lottery.usage", "公益金使用", "Lottery fund use"),
    (
        "lottery.announce",
        "公益金公告",
        "Lottery fund announcement",
    ),
    ("trust.receive", "信托财产收入", "Trust property received"),
    ("trust.fee", "信托费用", "Trust fee"),
    ("trust.terminate", "慈善信托终止", "Charitable trust ended"),
    ("lottery.receive", "公益金收入", "Lottery fund received"),
    ("report.annual", "年度报告", "Annual report"),
    ("explanation", "情况说明", "Explanation"),
    ("disclosure", "事项公开", "Disclosure"),
    ("correction", "更正", "Correction"),
    (
        "org.fundraising",
        "公开募捐资格变更",
        "Public-fundraising status change",
    ),
    ("org.change", "变更登记", "Registration change"),
    ("org.opening", "期初净资产", "Opening balance"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_read_naturally_in_each_language() {
        assert_eq!(Lang::Zh.date(date!(2026 - 03 - 05)), "2026年3月5日");
        assert_eq!(Lang::En.date(date!(2026 - 03 - 05)), "5 Mar 2026");
        assert_eq!(Lang::En.date_str("2025-12-31"), "31 Dec 2025");
        assert_eq!(Lang::Zh.date_str("not a date"), "not a date");
    }

    #[test]
    fn labels_hand_the_browser_what_pages_show() {
        assert_eq!(Lang::En.kind("donation"), "Donation");
        assert_eq!(Lang::Zh.category("programme"), "公益项目");
        assert_eq!(Lang::Zh.kind("unknown.kind"), "unknown.kind");
        assert_eq!(Lang::En.labels(KINDS)["correction"], "Correction");
        assert_eq!(Lang::Zh.org_type("trust_company"), "信托公司");
        assert_eq!(Lang::En.org_type("no_such_type"), "no_such_type");
        assert_eq!(
            Lang::En.purpose("助残"),
            "Help for people with disabilities"
        );
        assert_eq!(Lang::Zh.purpose("other"), "其他");
        assert_eq!(Lang::En.lottery_purpose("社会公益"), "Public welfare");
    }

    #[test]
    fn every_body_field_of_the_format_has_a_label_once() {
        // The body fields docs/FORMAT.md's tables list, from `genesis` to the derived views,
        // apart from the table of value types.
        let format = include_str!("../../docs/FORMAT.md");
        let at = |s: &str| format.find(s).unwrap_or_else(|| panic!("{s} in FORMAT.md"));
        let tables = [
            &format[at("### `genesis`")..at("### Common value types")],
            &format[at("### Rules for every body")..at("## 7.")],
        ];
        let rows = tables.iter().flat_map(|t| t.lines());
        for line in rows.filter(|l| l.starts_with("| ")) {
            let name = line.split('|').nth(1).unwrap_or("").trim();
            for field in name.split(", ") {
                let wire = field.trim();
                if wire.is_empty() || wire == "field" || wire == "type" || wire.contains(' ') {
                    continue;
                }
                if !wire.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                    continue;
                }
                assert_eq!(
                    FIELDS.iter().filter(|(w, _, _)| *w == wire).count(),
                    1,
                    "body field {wire} of docs/FORMAT.md needs one label"
                );
            }
        }
    }
}
