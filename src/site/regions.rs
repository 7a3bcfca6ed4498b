//! Region names for GB/T 2260 codes, so pages say "广州市天河区" rather than "地区 440106"
//! (issue 16).
//!
//! The names are data, in `regions/gbt2260.tsv`, whose source and date `regions/README.md`
//! gives: the Ministry of Civil Affairs' list of 2021-01-04, every province, prefecture and
//! county. A county alone is ambiguous (four counties are called 鼓楼区), so a county-level code
//! reads with the level above it, as a Chinese address does: "广州市天河区", "北京市朝阳区". A
//! code the table lacks (created after its date) shows as the nearest level above it that it
//! has, with the code ("广州市 440199"); a code whose province is unknown as the bare code.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::i18n::Lang;

/// `code\tzh\ten` lines; `en` may be empty.
const TABLE: &str = include_str!("regions/gbt2260.tsv");

/// A line of the table: the Chinese name and the English one, if the table has one.
#[derive(Clone, Copy)]
struct Names {
    zh: &'static str,
    en: Option<&'static str>,
}

impl Names {
    /// The name in `lang`; English pages fall back to the Chinese name.
    fn pick(self, lang: Lang) -> &'static str {
        match (lang, self.en) {
            (Lang::En, Some(en)) => en,
            _ => self.zh,
        }
    }
}

fn table() -> &'static HashMap<&'static str, Names> {
    static NAMES: OnceLock<HashMap<&str, Names>> = OnceLock::new();
    NAMES.get_or_init(|| {
        TABLE
            .lines()
            .filter_map(|l| {
                let mut f = l.split('\t');
                let code = f.next()?;
                let zh = f.next()?;
                let en = f.next().filter(|e| !e.is_empty());
                Some((code, Names { zh, en }))
            })
            .collect()
    })
}

/// The province (`xx0000`) and prefecture (`xxyy00`) levels above a six-digit code, nearest
/// last; a level equal to the code itself is left out.
fn levels_above(code: &str) -> Vec<String> {
    let (Some(p), Some(c)) = (code.get(..2), code.get(..4)) else {
        return Vec::new();
    };
    [format!("{p}0000"), format!("{c}00")]
        .into_iter()
        .filter(|l| l != code)
        .collect()
}

/// The region's name in `lang`: the table's (a county with its prefecture, or with its province
/// where no prefecture is listed), else the nearest listed level above it and the code, else
/// the code.
pub fn name(lang: Lang, code: &str) -> String {
    let above = levels_above(code);
    let parent = above.iter().rev().find_map(|l| table().get(l.as_str()));
    match (table().get(code), parent) {
        (Some(own), Some(parent)) if !code.ends_with("00") => match lang {
            Lang::Zh => format!("{}{}", parent.zh, own.zh),
            Lang::En => format!("{}, {}", own.pick(lang), parent.pick(lang)),
        },
        (Some(own), _) => own.pick(lang).to_owned(),
        (None, Some(parent)) => format!("{} {code}", parent.pick(lang)),
        (None, None) => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known codes, looked up by hand in the Ministry's list of 2021-01-04.
    #[test]
    fn codes_read_as_names_with_the_level_above_a_county() {
        // Province and prefecture levels read alone.
        assert_eq!(name(Lang::Zh, "110000"), "北京市");
        assert_eq!(name(Lang::Zh, "440000"), "广东省");
        assert_eq!(name(Lang::En, "440000"), "Guangdong");
        assert_eq!(name(Lang::Zh, "440100"), "广州市");
        assert_eq!(name(Lang::En, "440100"), "Guangzhou");
        assert_eq!(name(Lang::Zh, "441900"), "东莞市");
        assert_eq!(name(Lang::Zh, "532500"), "红河哈尼族彝族自治州");
        assert_eq!(name(Lang::Zh, "652300"), "昌吉回族自治州");
        // A county with its prefecture: 4401 广州市, 06 天河区; 11 白云区.
        assert_eq!(name(Lang::Zh, "440106"), "广州市天河区");
        assert_eq!(name(Lang::Zh, "440111"), "广州市白云区");
        assert_eq!(name(Lang::Zh, "320106"), "南京市鼓楼区");
        assert_eq!(name(Lang::Zh, "350102"), "福州市鼓楼区");
        // No English county name: the Chinese one, then the prefecture's English name.
        assert_eq!(name(Lang::En, "440106"), "天河区, Guangzhou");
        // A municipality's district (no 110100 line) and a county under the province directly
        // (429000 is a placeholder, not a place): named after the province.
        assert_eq!(name(Lang::Zh, "110105"), "北京市朝阳区");
        assert_eq!(name(Lang::En, "110105"), "朝阳区, Beijing");
        assert_eq!(name(Lang::Zh, "500229"), "重庆市城口县");
        assert_eq!(name(Lang::Zh, "429004"), "湖北省仙桃市");
        assert_eq!(name(Lang::Zh, "429000"), "湖北省 429000");
        // Codes the list lacks: the nearest level it has, and the code.
        assert_eq!(name(Lang::Zh, "440199"), "广州市 440199");
        assert_eq!(name(Lang::En, "440199"), "Guangzhou 440199");
        assert_eq!(name(Lang::Zh, "449900"), "广东省 449900");
        assert_eq!(name(Lang::Zh, "990000"), "990000");
        assert_eq!(name(Lang::Zh, "990101"), "990101");
        assert_eq!(name(Lang::Zh, ""), "");
        assert_eq!(name(Lang::Zh, "4"), "4");
    }

    /// Every line is a six-digit code with a Chinese name, listed once and in order; the three
    /// levels have the sizes the README states; every province the ledger accepts
    /// ([`crate::money::types::RegionCode`]) has a name, and every county and prefecture a
    /// province.
    #[test]
    fn the_table_is_the_whole_list_and_names_every_province_the_ledger_accepts() {
        let mut last = "";
        let mut levels = [0; 3];
        for line in TABLE.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 3, "{line}");
            let code = f[0];
            assert!(
                code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
                "{line}"
            );
            assert!(code > last, "{code} out of order after {last}");
            last = code;
            assert!(!f[1].is_empty() && !f[1].contains('-'), "{line}");
            assert!(
                table().contains_key(&format!("{}0000", &code[..2])[..]),
                "{line}"
            );
            let level = if code.ends_with("0000") {
                0
            } else if code.ends_with("00") {
                1
            } else {
                2
            };
            levels[level] += 1;
        }
        assert_eq!(levels, [34, 333, 2846]);
        assert_eq!(table().len(), 34 + 333 + 2846);
        for p in 10..=99 {
            let code = format!("{p}0000");
            if crate::money::types::RegionCode::parse(&code).is_some() {
                assert!(table().contains_key(code.as_str()), "{code}");
            }
        }
    }
}
