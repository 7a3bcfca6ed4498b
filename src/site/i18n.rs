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
        let (zh, en) = match wire {
            "foundation" => ("基金会", "Foundation"),
            "social_group" => ("社会团体", "Social group"),
            "social_service_org" => ("社会服务机构", "Social service organisation"),
            "trust_company" => ("信托公司", "Trust company"),
            "lottery_administrator" => ("福彩发行机构", "Welfare-lottery issuer"),
            other => return other.to_owned(),
        };
        self.t(zh, en).to_owned()
    }

    /// The label of a spending category.
    pub fn category(self, wire: &str) -> String {
        self.label(CATEGORIES, wire)
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

/// Spending categories: wire value, zh, en.
pub const CATEGORIES: &[(&str, &str, &str)] = &[
    ("programme", "公益项目", "Programmes"),
    ("administration", "管理费用", "Administration"),
    ("fundraising", "募捐成本", "Fundraising"),
];

/// Entry kinds: wire value, zh, en.
pub const KINDS: &[(&str, &str, &str)] = &[
    ("genesis", "创世", "Genesis"),
    ("org.register", "机构登记", "Organisation registered"),
    ("org.keys", "机构密钥变更", "Organisation keys changed"),
    ("project.open", "设立项目", "Project opened"),
    ("project.update", "项目变更", "Project updated"),
    ("project.close", "结束项目", "Project closed"),
    ("donation", "捐赠", "Donation"),
    ("disbursement", "支出", "Disbursement"),
    ("grant.transfer", "资助转出", "Grant transfer"),
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
    ("report.annual", "年度报告", "Annual report"),
    ("explanation", "情况说明", "Explanation"),
    ("correction", "更正", "Correction"),
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
    }
}
