//! Ids into file names, in one place: every page path and download name built from an id goes
//! through [`encode`], and the live server reads paths back through [`decode`].
//!
//! A trust with the id `index` once overwrote the trust list page (issue 16). Ids the ledger
//! accepts are ASCII letters, digits, `.`, `_` and `-` ([`crate::money::types::Ident`]), but
//! the site must not depend on that staying so: whatever an id is, its file name
//!
//! - is one path segment, not hidden, not `.` or `..`, and not skipped by Jekyll (no leading
//!   `.`, `_` or `-`);
//! - never equals a list page's name in the same directory (`index`, and the organisation
//!   list's filters `type-…`, `region-…`, `fundraising-…`), compared without case, since some
//!   hosts' file systems ignore case;
//! - differs from every other id's (two ids differing only in case still differ, so on a host
//!   that ignores case they could share a file: ids are issued by each organisation in its own
//!   style, and the demo and every id seen so far keep one case);
//! - fits a file system's 255-byte name limit.
//!
//! The encoding: letters, digits, `_`, `-` and `.` stay as they are (so the ids in use keep
//! their readable names); any other byte of the UTF-8 id, and a leading `.`, `_` or `-`, is
//! `~XX` (upper-case hex); a name that would be a list page's gets its first character written
//! `~XX`. `~` followed by two hex digits never occurs otherwise, so decoding is unambiguous. An
//! encoding longer than [`MAX_STEM_BYTES`] is cut and followed by `~h` and 32 hex digits of
//! SHA-256 of the id: distinct as long as SHA-256 is, but not decodable (no such id can be in
//! the ledger today; the live server answers 404 for it). `~` is an unreserved URL character,
//! so links need no percent-encoding.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

/// Longest encoded name before the hashed form, in bytes: with `.html` and the hash well
/// under 255.
pub const MAX_STEM_BYTES: usize = 120;

/// Names of list pages (without `.html`), compared without case: an id encoding to one of
/// these, or starting with one of the prefixes, is escaped.
const RESERVED: &[&str] = &["index"];
const RESERVED_PREFIXES: &[&str] = &["index.", "type-", "region-", "fundraising-"];

fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn escape(out: &mut String, b: u8) {
    // Writing to a String cannot fail.
    let _ = write!(out, "~{b:02X}");
}

/// The file name stem (without `.html`) or directory name for `id`.
pub fn encode(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for (i, b) in id.bytes().enumerate() {
        if plain(b) && !(i == 0 && matches!(b, b'.' | b'_' | b'-')) {
            out.push(char::from(b));
        } else {
            escape(&mut out, b);
        }
    }
    if out.is_empty() {
        return "~".into();
    }
    let lower = out.to_ascii_lowercase();
    if RESERVED.contains(&lower.as_str()) || RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p))
    {
        // A plain first byte (escaped ones start with `~`, which no reserved name does).
        let first = out.as_bytes()[0];
        let mut escaped = String::with_capacity(out.len() + 2);
        escape(&mut escaped, first);
        escaped.push_str(&out[1..]);
        out = escaped;
    }
    if out.len() > MAX_STEM_BYTES {
        // Cut before an escape that would be split: an escape is three bytes from its `~`.
        let mut cut = MAX_STEM_BYTES / 2;
        while out.as_bytes()[cut.saturating_sub(2)..cut].contains(&b'~') {
            cut -= 1;
        }
        let digest = Sha256::digest(id.as_bytes());
        out = format!("{}~h{}", &out[..cut], hex::encode(&digest[..16]));
    }
    out
}

/// The id whose [`encode`] is `stem`; `None` for anything [`encode`] does not make (so each id
/// has exactly one path) and for hashed names.
pub fn decode(stem: &str) -> Option<String> {
    if stem == "~" {
        return Some(String::new());
    }
    let bytes = stem.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'~' {
            let hex = stem.get(i + 1..i + 3)?;
            if !hex
                .bytes()
                .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(&h))
            {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else if plain(b) {
            out.push(b);
            i += 1;
        } else {
            return None;
        }
    }
    let id = String::from_utf8(out).ok()?;
    (encode(&id) == stem).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether a static host publishes `name` as a file of its own, and a file system takes it.
    fn plain_file_name(name: &str) -> bool {
        !name.is_empty()
            && name.len() <= 255
            && !name.contains(['/', '\\', '%', '?', '#', '\0'])
            && !name.starts_with(['.', '_', '-'])
            && name.is_ascii()
    }

    fn hostile() -> Vec<String> {
        let mut ids: Vec<String> = [
            "index",
            "INDEX",
            "Index",
            "index.html",
            "index.",
            "..",
            ".",
            "",
            "a/b",
            "a\\b",
            "%2F",
            "%2f",
            "~",
            "~41",
            "~h",
            "type-foundation",
            "region-440100",
            "fundraising-yes",
            "Type-x",
            "-x",
            "_config",
            ".git",
            "善款",
            "ａ",
            "a b",
            "a?b#c",
            "A",
            "a",
            "x.html",
            "index.html.html",
            "\u{0}",
            "~2E.",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        ids.push("x".repeat(64));
        ids.push("x".repeat(500));
        ids.push(format!("{}y", "x".repeat(499)));
        ids.push("善".repeat(200));
        ids.push(format!("{}~", "a".repeat(59)));
        ids
    }

    #[test]
    fn hostile_ids_get_distinct_plain_names_that_are_no_list_page() {
        let ids = hostile();
        let mut seen = std::collections::BTreeMap::new();
        for id in &ids {
            let name = format!("{}.html", encode(id));
            assert!(plain_file_name(&name), "{id:?} -> {name}");
            let lower = name.to_ascii_lowercase();
            assert_ne!(lower, "index.html", "{id:?}");
            for p in ["type-", "region-", "fundraising-", "index."] {
                assert!(!lower.starts_with(p), "{id:?} -> {name}");
            }
            if let Some(other) = seen.insert(name.clone(), id) {
                panic!("{id:?} and {other:?} both make {name}");
            }
            if encode(id).contains("~h") {
                assert!(encode(id).len() <= MAX_STEM_BYTES, "{id:?}");
                assert_eq!(decode(&encode(id)), None);
            } else {
                assert_eq!(decode(&encode(id)).as_deref(), Some(id.as_str()), "{id:?}");
            }
        }
        // The names in use stay as they are.
        for id in ["JZ2024-000002", "53440100MJ0001000W", "p1.2", "edu_2024"] {
            assert_eq!(encode(id), id);
        }
        assert_eq!(encode("index"), "~69ndex");
    }

    #[test]
    fn decoding_takes_only_what_encoding_makes() {
        for stem in [
            "~41", "~2e.", "a~4", "a~zz", "a b", "a/b", "~h00", "", "index", "..",
        ] {
            assert_eq!(decode(stem), None, "{stem:?}");
        }
    }

    proptest! {
        /// Any string: a plain file name, and one only it has (decoding gives it back).
        #[test]
        fn any_id_encodes_to_a_plain_name_of_its_own(id in any::<String>()) {
            let stem = encode(&id);
            prop_assert!(plain_file_name(&format!("{stem}.html")), "{stem}");
            if !stem.contains("~h") {
                prop_assert_eq!(decode(&stem), Some(id));
            }
        }
    }
}
