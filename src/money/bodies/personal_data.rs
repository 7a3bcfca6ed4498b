//! Keeping personal data out of the ledger.
//!
//! The log is public and append-only: a name, ID number or phone number written once can never be
//! removed. So every string of every body is scanned before parsing for things shaped like a PRC
//! resident ID number (18 characters, or the old 15 digits) or a mainland mobile number, and display
//! names of individuals must be masked. The scan errs on the side of refusing: the sender can
//! always rephrase, but the ledger can never forget.
//!
//! The scan reads text the way a person would, not byte by byte (issue 18): Unicode NFKC first
//! (full-width digits and `＋`, ideographic spaces), then format characters such as zero-width
//! spaces are dropped, every decimal digit of any script (Arabic-Indic `١٣٨…`) and the Chinese
//! numerals (`〇一二…九`, `零`, `壹贰叁…`) read as their ASCII digit, and any run of separators
//! (white space, `- . / ( ) _ +`, dashes) joins the digit groups around it. A `+86`/`0086`
//! prefix before a mobile number is part of it.
//!
//! Free text (labels, names, titles, descriptions, and any field not listed below) is scanned for
//! numbers anywhere inside it. Ids ([`ID_FIELDS`]: receipt numbers, project ids, filing numbers)
//! are refused only when the whole id is such a number: a receipt number is the issuer's own
//! serial and contains long digit runs by chance, while a phone number used as the id itself is
//! the habit the scan exists to stop. `docs/FORMAT.md` ("Personal data") records the decision.

use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization as _;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};

use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Ident, is_invisible};

/// Labels an individual may be shown as without any part of a name.
pub const GENERIC_LABELS: &[&str] = &["爱心人士", "匿名", "anonymous"];

/// Member names whose values are ids (the `id` type of `docs/FORMAT.md`): scanned as a whole,
/// see the module doc. A name missing here gets the stricter free-text scan, so forgetting one
/// errs towards refusing.
pub const ID_FIELDS: &[&str] = &[
    "receipt_no",
    "id",
    "project",
    "campaign",
    "from_project",
    "to_project",
    "recipient_project",
    "fundraising_filing_no",
    "filing_no",
    "trust_id",
    "grant_id",
];

/// Scans every string (and object key) under `v` for personal data; `path` names the first hit.
pub fn scan_personal_data(v: &Value, path: &str) -> Result<(), MoneyError> {
    match v {
        Value::String(s) => refuse_if(personal_data_in(s), || path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| scan_personal_data(item, &format!("{path}[{i}]"))),
        Value::Object(map) => scan_members(map, path, None),
        _ => Ok(()),
    }
}

/// Scans the members of `map` (each name and value) except the one named `skip`.
pub fn scan_members(
    map: &Map<String, Value>,
    path: &str,
    skip: Option<&str>,
) -> Result<(), MoneyError> {
    map.iter()
        .filter(|(k, _)| Some(k.as_str()) != skip)
        .try_for_each(|(k, item)| {
            // Paths are only spelled out for an error or a nested value: this runs on every
            // string of every appended body.
            let at = || format!("{path}.{k}");
            if personal_data_in(k).is_some() {
                return Err(MoneyError::refused(
                    at(),
                    Rule::PersonalData,
                    "field name looks like personal data",
                ));
            }
            match item {
                Value::String(s) => {
                    let found = if ID_FIELDS.contains(&k.as_str()) && Ident::parse(s).is_some() {
                        personal_data_as_id(s)
                    } else {
                        personal_data_in(s)
                    };
                    refuse_if(found, at)
                }
                Value::Array(_) | Value::Object(_) => scan_personal_data(item, &at()),
                _ => Ok(()),
            }
        })
}

fn refuse_if(found: Option<&'static str>, path: impl FnOnce() -> String) -> Result<(), MoneyError> {
    match found {
        Some(what) => Err(MoneyError::refused(
            path(),
            Rule::PersonalData,
            format!("looks like {what}; personal data must never enter the ledger"),
        )),
        None => Ok(()),
    }
}

/// What personal data free text `s` seems to hold, if any, anywhere inside it.
///
/// Whole-string hashes and keys (64 hex) and amounts are skipped: they are not personal data, and
/// random hex contains long digit runs often enough to refuse honest entries.
pub fn personal_data_in(s: &str) -> Option<&'static str> {
    if is_hex64(s) || is_amount_like(s) {
        return None;
    }
    if too_few_digits(s) {
        return None;
    }
    let pieces = pieces(s);
    // No digit, no number: most text, read without building its groups.
    if !pieces.iter().any(|p| matches!(p, Piece::Digit(_))) {
        return None;
    }
    for chain in chains(&pieces) {
        // Every stretch of consecutive groups, so `138 1234 5678 2025` is still caught.
        for start in 0..chain.len() {
            let mut number = String::new();
            for group in &chain[start..] {
                if number.ends_with('X') {
                    break;
                }
                number.push_str(group);
                if number.len() > MAX_NUMBER_CHARS {
                    break;
                }
                if let Some(what) = classify(&number) {
                    return Some(what);
                }
            }
        }
    }
    None
}

/// What personal data the id `s` is, if the whole id (separators aside) is a phone or ID number.
pub fn personal_data_as_id(s: &str) -> Option<&'static str> {
    if too_few_digits(s) {
        return None;
    }
    let mut number = String::new();
    for p in pieces(s) {
        match p {
            Piece::Digit(d) => number.push(char::from(b'0' + d)),
            Piece::X => number.push('X'),
            Piece::Sep => {}
            Piece::Other => return None,
        }
    }
    let x_only_last = number.find('X').is_none_or(|i| i + 1 == number.len());
    if x_only_last { classify(&number) } else { None }
}

/// The longest number [`classify`] recognises: `0086` and a mobile number.
const MAX_NUMBER_CHARS: usize = 18;

/// The fewest digits of a number [`classify`] recognises: a mobile number's 11.
const MIN_NUMBER_DIGITS: usize = 11;

/// Whether `s` holds too few digits for any number [`classify`] names, read without building
/// its pieces: only for text of ASCII and ideographs, which reads as itself (see [`pieces`]);
/// NFKC may turn one character of other text into several digits (`⑩`). Dates, amounts and
/// most receipt numbers end here.
fn too_few_digits(s: &str) -> bool {
    let mut digits = 0;
    for c in s.chars() {
        if !(c.is_ascii() || is_cjk_unified(c)) {
            return false;
        }
        if digit_value(c).is_some() {
            digits += 1;
            if digits >= MIN_NUMBER_DIGITS {
                return false;
            }
        }
    }
    true
}

/// One character of text as the scan reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Piece {
    Digit(u8),
    /// An `X`, which ends an ID number whose check digit is 10.
    X,
    Sep,
    Other,
}

/// `s` normalised (NFKC), without format and other invisible characters, as pieces.
fn pieces(s: &str) -> Vec<Piece> {
    let piece = |c: char| {
        if let Some(d) = digit_value(c) {
            Piece::Digit(d)
        } else if matches!(c, 'X' | 'x') {
            Piece::X
        } else if is_separator(c) {
            Piece::Sep
        } else {
            Piece::Other
        }
    };
    if s.chars().all(|c| c.is_ascii() || is_cjk_unified(c)) {
        // NFKC leaves ASCII and the unified ideographs as they are, and neither holds a format
        // or invisible character: the common case, read without the Unicode tables.
        s.chars().map(piece).collect()
    } else {
        s.nfkc()
            .filter(|&c| c.general_category() != GeneralCategory::Format && !is_invisible(c))
            .map(piece)
            .collect()
    }
}

/// Runs of digit groups joined only by separators: `+86 (138) 1234-5678` is one chain of four
/// groups. A group is a maximal run of digits, with an `X` straight after it kept on its end.
fn chains(pieces: &[Piece]) -> Vec<Vec<String>> {
    let mut chains: Vec<Vec<String>> = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    let mut group = String::new();
    // Whether only separators came since the last group ended (so the next group joins it).
    let mut joinable = false;
    for &p in pieces {
        match p {
            Piece::Digit(d) => {
                if group.is_empty() && !joinable && !chain.is_empty() {
                    chains.push(std::mem::take(&mut chain));
                }
                if group.ends_with('X') {
                    end_group(&mut group, &mut chain);
                    chains.push(std::mem::take(&mut chain));
                }
                group.push(char::from(b'0' + d));
            }
            Piece::X if !group.is_empty() && !group.ends_with('X') => group.push('X'),
            Piece::Sep => {
                if !group.is_empty() {
                    end_group(&mut group, &mut chain);
                    joinable = true;
                }
            }
            Piece::X | Piece::Other => {
                end_group(&mut group, &mut chain);
                joinable = false;
            }
        }
    }
    end_group(&mut group, &mut chain);
    if !chain.is_empty() {
        chains.push(chain);
    }
    chains
}

fn end_group(group: &mut String, chain: &mut Vec<String>) {
    if !group.is_empty() {
        chain.push(std::mem::take(group));
    }
}

/// Zero of every run of decimal digits (Unicode's Nd) that NFKC does not already fold to ASCII.
/// Unicode encodes each script's digits 0 to 9 in a row, so a digit's value is its distance
/// from its zero. A test checks this list against every Nd character the Unicode tables know.
const DIGIT_ZEROS: &[u32] = &[
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0,
    0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50, 0x11D50, 0x11DA0,
    0x11DE0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0, 0x1E140, 0x1E2F0,
    0x1E4F0, 0x1E5F1, 0x1E950,
];

/// The value of `c` as a decimal digit: ASCII, any script's decimal digit, or a Chinese numeral
/// (the everyday `〇一二…九`/`零` and the financial `壹贰叁…`, which people write out to slip past
/// a digit filter).
fn digit_value(c: char) -> Option<u8> {
    if let Some(d) = c.to_digit(10) {
        return u8::try_from(d).ok();
    }
    let chinese = match c {
        '〇' | '零' => Some(0),
        '一' | '壹' => Some(1),
        '二' | '贰' | '貳' => Some(2),
        '三' | '叁' | '參' => Some(3),
        '四' | '肆' => Some(4),
        '五' | '伍' => Some(5),
        '六' | '陆' | '陸' => Some(6),
        '七' | '柒' => Some(7),
        '八' | '捌' => Some(8),
        '九' | '玖' => Some(9),
        _ => None,
    };
    if chinese.is_some() || c.is_ascii() {
        return chinese;
    }
    let cp = u32::from(c);
    let zero = DIGIT_ZEROS.iter().rev().find(|&&z| z <= cp)?;
    let d = cp - zero;
    (d <= 9 && c.general_category() == GeneralCategory::DecimalNumber).then_some(d as u8)
}

/// The CJK Unified Ideographs block (U+4E00 to U+9FFF): letters (Lo) that NFKC leaves as they
/// are, with no combining class; a test checks this against the Unicode tables.
fn is_cjk_unified(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Characters people put between the digit groups of a number.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '.' | '/' | '(' | ')' | '_' | '+' | '·' | '・' | '~'
        )
        // ASCII's one dash is listed above, and an ideograph is a letter.
        || (!c.is_ascii()
            && !is_cjk_unified(c)
            && c.general_category() == GeneralCategory::DashPunctuation)
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_amount_like(s: &str) -> bool {
    s.split_once('.').is_some_and(|(i, f)| {
        !i.is_empty()
            && f.len() == 2
            && i.bytes().all(|b| b.is_ascii_digit())
            && f.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Names the personal data `number` (ASCII digits, maybe an `X` last) is, if it is some.
fn classify(number: &str) -> Option<&'static str> {
    let b = number.as_bytes();
    // A mainland mobile number may carry the country code: +86 138…, 0086 138…
    let mobile = |m: &[u8]| {
        m.len() == 11
            && m.iter().all(u8::is_ascii_digit)
            && m[0] == b'1'
            && (b'3'..=b'9').contains(&m[1])
    };
    let mobile_number = mobile(b)
        || (b.len() == 13 && b.starts_with(b"86") && mobile(&b[2..]))
        || (b.len() == 15 && b.starts_with(b"0086") && mobile(&b[4..]));
    if mobile_number {
        return Some("a mobile phone number");
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        18 if digits(0..17)
            && (b[17].is_ascii_digit() || b[17] == b'X')
            && plausible_birth_date(&number[6..14]) =>
        {
            Some("a resident ID number")
        }
        15 if digits(0..15) && plausible_birth_date(&format!("19{}", &number[6..12])) => {
            Some("a resident ID number")
        }
        _ => None,
    }
}

/// `YYYYMMDD` with a 19xx/20xx year, month 01-12 and day 01-31: what ID numbers carry at 7-14.
fn plausible_birth_date(s: &str) -> bool {
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!((n(0..4), n(4..6), n(6..8)), (Some(y), Some(m), Some(d)) if (1900..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// Whether `s` is a masked personal name: one visible character then 1 to 3 `*` ("张*",
/// "欧**"), or a generic label such as "爱心人士". Keeping only the first character (usually the
/// surname) is the masking Chinese charity platforms use for public donor lists.
pub fn is_masked_name(s: &str) -> bool {
    if GENERIC_LABELS.contains(&s) {
        return true;
    }
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest: Vec<char> = chars.collect();
    first != '*'
        && !first.is_whitespace()
        && (1..=3).contains(&rest.len())
        && rest.iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every spelling of issue 18's attack run that was written to the ledger, and the two that
    /// were already refused.
    const DISGUISED: &[&str] = &[
        "13812345678",
        "+86 13812345678",
        "+8613812345678",
        "8613812345678",
        "138.1234.5678",
        "(138)1234-5678",
        "138  1234  5678",
        "110105/19491231/002X",
        "1\u{200B}3\u{200B}8\u{200B}1\u{200B}2\u{200B}3\u{200B}4\u{200B}5\u{200B}6\u{200B}7\u{200B}8",
        "138\u{2060}1234\u{FEFF}5678",
        "110105\u{200B}19491231\u{200C}002X",
        "١٣٨١٢٣٤٥٦٧٨",
        "۱۳۸۱۲۳۴۵۶۷۸",
        "१३८१२३४५६७८",
        "一三八一二三四五六七八",
        "壹叁捌壹贰叁肆伍陆柒捌",
        "一一〇一〇五一九四九一二三一〇〇二X",
        "一一零一零五一九四九一二三一零零二x",
        "＋８６ １３８ １２３４ ５６７８",
        "0086-138-1234-5678",
        "电话 138 — 1234 — 5678 谢谢",
        "138 1234 5678 2025",
        "2025 年 138_1234_5678",
        "身份证 110105 1949 1231 002X",
        "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖",
    ];

    #[test]
    fn finds_id_numbers_and_mobile_numbers_in_any_spelling() {
        for bad in DISGUISED.iter().copied().chain([
            "11010519491231002X",
            "身份证110105194912310021",
            "电话13812345678",
            "138-1234-5678",
            "138 1234 5678",
            "１３８１２３４５６７８",
            "110105491231002",
        ]) {
            assert!(personal_data_in(bad).is_some(), "{bad}");
        }
    }

    /// Text with fewer digits than the shortest number `classify` names is passed without its
    /// pieces being built; one digit more and it is read. Text beyond ASCII and ideographs is
    /// always read: NFKC may make one character several digits (`⑩` is `10`).
    #[test]
    fn text_with_fewer_digits_than_a_mobile_number_is_passed_unread() {
        let mobile = "13812345678";
        let id = "11010519491231002X";
        for len in 0..MIN_NUMBER_DIGITS {
            for number in [&mobile[..len], &id[..len]] {
                assert_eq!(classify(number), None, "{number}");
                assert!(too_few_digits(number), "{number}");
                assert!(too_few_digits(&format!("电话{number}号")), "{number}");
            }
        }
        assert!(!too_few_digits(mobile));
        assert_eq!(classify(mobile), Some("a mobile phone number"));
        // Chinese numerals count as digits.
        assert!(!too_few_digits("一三八一二三四五六七八"));
        for (text, digits) in [("⑩⑬⑧⑫", 7), ("电话 ⑬⑧ ⑫③④ ⑤⑥⑦⑧", 11)] {
            assert!(!too_few_digits(text), "{text}");
            let read = pieces(text)
                .iter()
                .filter(|p| matches!(p, Piece::Digit(_)))
                .count();
            assert_eq!(read, digits, "{text}");
        }
        assert_eq!(
            personal_data_in("电话 ⑬⑧ ⑫③④ ⑤⑥⑦⑧"),
            Some("a mobile phone number")
        );
    }

    #[test]
    fn says_which_kind_of_number_it_found() {
        assert_eq!(
            personal_data_in("+86 138 1234 5678"),
            Some("a mobile phone number")
        );
        assert_eq!(
            personal_data_in("110105/19491231/002X"),
            Some("a resident ID number")
        );
    }

    #[test]
    fn leaves_ordinary_numbers_alone() {
        for ok in [
            "2026-11-23",
            "收据号 2026000123",
            "13812345678.00",
            "采购大米 1200 公斤，单价 5.20 元",
            &"1".repeat(64),
            "ZJ-2026-0001",
            "23812345678",
            "2025-01-01 至 2025-12-31",
            "二〇二五年度工作报告",
            "第一期 第二期 第三期",
            "138****5678",
            "床位 10、12、13、15、18、20",
            "1,234,567,890.00 元",
            "v1.2.3 (build 45)",
        ] {
            assert!(personal_data_in(ok).is_none(), "{ok}");
        }
    }

    #[test]
    fn the_fast_path_reads_the_unified_ideographs_as_the_unicode_tables_do() {
        for c in ('\u{4E00}'..='\u{9FFF}').filter(|&c| is_cjk_unified(c)) {
            let folded: String = c.to_string().nfkc().collect();
            assert_eq!(folded, c.to_string(), "NFKC changes U+{:04X}", u32::from(c));
            let category = c.general_category();
            assert!(
                category == GeneralCategory::OtherLetter,
                "U+{:04X} is {category:?}",
                u32::from(c)
            );
            assert!(!is_invisible(c) && !is_separator(c));
        }
        assert!(!is_cjk_unified('\u{4DFF}') && !is_cjk_unified('\u{A000}'));
        // Text of ideographs and ASCII only takes the fast path: its numbers are still found,
        // in Chinese numerals too, and its dashes still join groups.
        assert_eq!(
            personal_data_in("捐款人电话13812345678谢谢"),
            Some("a mobile phone number")
        );
        assert_eq!(
            personal_data_in("电话一三八一二三四五六七八"),
            Some("a mobile phone number")
        );
        assert_eq!(
            personal_data_in("电话138-1234-5678"),
            Some("a mobile phone number")
        );
        assert_eq!(personal_data_in("李*捐赠 2026-12-01"), None);
    }

    #[test]
    fn every_decimal_digit_unicode_knows_reads_as_its_value() {
        let mut previous: Option<(u32, u8)> = None;
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            if c.general_category() != GeneralCategory::DecimalNumber {
                previous = None;
                continue;
            }
            let folded: Vec<char> = c.to_string().nfkc().collect();
            let d = match folded[..] {
                [f] => digit_value(f),
                _ => None,
            };
            let Some(d) = d else {
                panic!(
                    "U+{:04X} is a decimal digit the scan cannot read",
                    u32::from(c)
                );
            };
            // Within a run of digits each is one more than the last, 9 wrapping to 0.
            if let Some((cp, pd)) = previous {
                assert_eq!(cp + 1, u32::from(c));
                assert_eq!(d, (pd + 1) % 10, "U+{:04X}", u32::from(c));
            }
            previous = Some((u32::from(c), d));
        }
    }

    #[test]
    fn an_id_is_refused_only_when_the_whole_id_is_a_number_of_a_person() {
        for bad in [
            "13812345678",
            "138-1234-5678",
            "138.1234.5678",
            "8613812345678",
            "11010519491231002X",
            "110105-19491231-002X",
        ] {
            assert!(personal_data_as_id(bad).is_some(), "{bad}");
        }
        // Serials with an 11-digit run inside: the free-text scan refuses them, the id scan not.
        for ok in [
            "RC13812345678",
            "A13900001111B",
            "JZ-2026-13812345678",
            "NO.15912345678-01",
        ] {
            assert!(personal_data_in(ok).is_some(), "{ok}");
            assert!(personal_data_as_id(ok).is_none(), "{ok}");
        }
    }

    #[test]
    fn id_fields_get_the_id_scan_and_every_other_field_the_free_text_scan() {
        let body = |receipt: &str, display: &str| json!({"receipt_no": receipt, "donor_display": display, "project": "P-1"});
        let scan = |v: Value| scan_personal_data(&v, "body");
        assert!(scan(body("RC13812345678", "爱心人士")).is_ok());
        let e = scan(body("RC-1", "RC13812345678")).unwrap_err();
        assert_eq!(e.field(), "body.donor_display");
        let e = scan(body("138-1234-5678", "爱心人士")).unwrap_err();
        assert_eq!((e.field(), e.code()), ("body.receipt_no", "personal_data"));
        // Not an id at all (a space, a `+`): read as free text, and refused.
        let e = scan(body("R +86 13812345678", "爱心人士")).unwrap_err();
        assert_eq!(e.field(), "body.receipt_no");
        // A field not on the list is free text, even if it looks like an id.
        let v = json!({"note": "RC13812345678"});
        assert!(scan(v).is_err());
    }

    #[test]
    fn scan_names_the_path() {
        let v = json!({"a": [{"note": "ok"}, {"note": "call 13912345678"}]});
        let e = scan_personal_data(&v, "body").unwrap_err();
        assert_eq!(e.field(), "body.a[1].note");
        assert_eq!(e.code(), "personal_data");
    }

    #[test]
    fn masked_names() {
        for ok in [
            "张*",
            "欧阳*"
                .chars()
                .take(1)
                .chain("**".chars())
                .collect::<String>()
                .as_str(),
            "爱心人士",
            "Z***",
        ] {
            assert!(is_masked_name(ok), "{ok}");
        }
        for bad in ["张三", "*三", "张****", "", "张 *", "**"] {
            assert!(!is_masked_name(bad), "{bad}");
        }
    }
}
