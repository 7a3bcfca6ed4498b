//! Region names for GB/T 2260 codes, so pages say "广州市" rather than "地区 440100" (issue 16).
//!
//! The names are data, in `regions.tsv` beside this file, with their source and date in its
//! header: every provincial-level division and the prefecture-level cities the demo and the tests
//! use. The full list changes every year and runs to thousands of lines; a code not in the table
//! shows as its province's name with the code ("广东省 440111"), and a code whose province is
//! unknown as the bare code.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::i18n::Lang;

/// `code\tzh\ten` lines; `#` starts a comment line.
const TABLE: &str = include_str!("regions.tsv");

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static NAMES: OnceLock<HashMap<&str, (&str, &str)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?, (f.next()?, f.next()?)))
            })
            .collect()
    })
}

fn pick(lang: Lang, names: (&'static str, &'static str)) -> &'static str {
    lang.t(names.0, names.1)
}

/// The region's name in `lang`: the table's, else the province's name and the code, else the
/// code.
pub fn name(lang: Lang, code: &str) -> String {
    if let Some(n) = table().get(code) {
        return pick(lang, *n).to_owned();
    }
    let province = code
        .get(..2)
        .and_then(|p| table().get(format!("{p}0000").as_str()));
    match province {
        Some(p) => format!("{} {code}", pick(lang, *p)),
        None => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_names_and_unknown_ones_keep_their_code() {
        assert_eq!(name(Lang::Zh, "440100"), "广州市");
        assert_eq!(name(Lang::En, "440100"), "Guangzhou");
        assert_eq!(name(Lang::Zh, "110000"), "北京市");
        assert_eq!(name(Lang::Zh, "440111"), "广东省 440111");
        assert_eq!(name(Lang::En, "440111"), "Guangdong 440111");
        assert_eq!(name(Lang::Zh, "990000"), "990000");
        assert_eq!(name(Lang::Zh, ""), "");
    }

    /// Every province the ledger accepts ([`crate::money::types::RegionCode`]) has a name, and
    /// every line of the table is a six-digit code with two names.
    #[test]
    fn the_table_names_every_province_the_ledger_accepts() {
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 3, "{line}");
            assert!(
                f[0].len() == 6 && f[0].bytes().all(|b| b.is_ascii_digit()),
                "{line}"
            );
            assert!(!f[1].is_empty() && !f[2].is_empty(), "{line}");
        }
        for p in 10..=99 {
            let code = format!("{p}0000");
            if crate::money::types::RegionCode::parse(&code).is_some() {
                assert!(table().contains_key(code.as_str()), "{code}");
            }
        }
        let lines = TABLE.lines().filter(|l| !l.starts_with('#')).count();
        assert_eq!(table().len(), lines, "a code is listed twice");
    }
}
