//! Keeping personal data out of the ledger.
//!
//! The log is public and append-only: a name, ID number or phone number written once can never be
//! removed. So every string of every body is scanned before parsing for things shaped like a PRC
//! resident ID number (18 characters, or the old 15 digits) or a mainland mobile number, and display
//! names of individuals must be masked. The scan errs on the side of refusing: the sender can
//! always rephrase, but the ledger can never forget.

use serde_json::{Map, Value};

use super::error::{MoneyError, Rule};

/// Labels an individual may be shown as without any part of a name.
pub const GENERIC_LABELS: &[&str] = &["爱心人士", "匿名", "anonymous"];

/// Scans every string (and object key) under `v` for personal data; `path` names the first hit.
pub fn scan_personal_data(v: &Value, path: &str) -> Result<(), MoneyError> {
    match v {
        Value::String(s) => scan_string(s, || path.to_owned()),
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
                Value::String(s) => scan_string(s, at),
                Value::Array(_) | Value::Object(_) => scan_personal_data(item, &at()),
                _ => Ok(()),
            }
        })
}

fn scan_string(s: &str, path: impl FnOnce() -> String) -> Result<(), MoneyError> {
    match personal_data_in(s) {
        Some(what) => Err(MoneyError::refused(
            path(),
            Rule::PersonalData,
            format!("looks like {what}; personal data must never enter the ledger"),
        )),
        None => Ok(()),
    }
}

/// What personal data `s` seems to hold, if any.
///
/// Whole-string hashes and keys (64 hex) and amounts are skipped: they are not personal data, and
/// random hex contains long digit runs often enough to refuse honest entries.
pub fn personal_data_in(s: &str) -> Option<&'static str> {
    if is_hex64(s) || is_amount_like(s) {
        return None;
    }
    // Full-width digits (０-９) count as digits: they are an easy way around a naive filter.
    let chars: Vec<char> = s.chars().map(fold_digit).collect();
    for run in digit_runs(&chars, false)
        .into_iter()
        .chain(digit_runs(&chars, true))
    {
        if let Some(what) = classify(&run) {
            return Some(what);
        }
    }
    None
}

fn fold_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        'ｘ' | 'Ｘ' => 'X',
        _ => c,
    }
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

/// Maximal runs of digits (an ID's trailing X included). With `joined`, single spaces and hyphens
/// between digits do not break a run, so `138-1234-5678` is one run.
fn digit_runs(chars: &[char], joined: bool) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next_is_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() {
            cur.push(c);
        } else if (c == 'X' || c == 'x') && cur.len() == 17 {
            cur.push('X');
        } else if joined && !cur.is_empty() && matches!(c, ' ' | '-' | '\u{3000}') && next_is_digit
        {
            // separator inside a number: keep the run going
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
        i += 1;
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

fn classify(run: &str) -> Option<&'static str> {
    let b = run.as_bytes();
    match b.len() {
        11 if b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) => Some("a mobile phone number"),
        18 if plausible_birth_date(&run[6..14]) => Some("a resident ID number"),
        15 if plausible_birth_date(&format!("19{}", &run[6..12])) => Some("a resident ID number"),
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

    #[test]
    fn finds_id_numbers_and_mobile_numbers_in_any_spelling() {
        for bad in [
            "11010519491231002X",
            "身份证110105194912310021",
            "电话13812345678",
            "138-1234-5678",
            "138 1234 5678",
            "１３８１２３４５６７８",
            "110105491231002",
        ] {
            assert!(personal_data_in(bad).is_some(), "{bad}");
        }
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
        ] {
            assert!(personal_data_in(ok).is_none(), "{ok}");
        }
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
