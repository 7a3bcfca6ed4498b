//! Text the entry pages show at length — the leaf re-indented for reading, hashes, the
//! checkpoint note — made without per-byte work: a full build puts every leaf of the log
//! through these twice (once per language), so they are most of a full build's CPU outside
//! the file system.
//!
//! - [`pretty`] re-indents JSON token by token, as `serde_json::to_string_pretty` would lay it
//!   out, without building a JSON tree; strings and numbers are copied byte for byte.
//! - [`Text`] is escaped exactly as maud escapes any `(value)` (`&`, `<`, `>`, `"`), but copies
//!   the runs between those bytes whole instead of pushing byte by byte.

use maud::Render;

/// The spaces one level of indentation adds (what `serde_json::to_string_pretty` uses).
const INDENT: &[u8] = b"  ";

fn newline(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    for _ in 0..depth {
        out.extend_from_slice(INDENT);
    }
}

/// `json` re-indented for reading: two spaces per level, `": "` after keys, empty objects and
/// arrays kept as `{}` and `[]`. Whitespace between tokens is dropped and strings and numbers
/// are copied as they are, so canonical (RFC 8785) JSON comes out exactly as
/// `serde_json::to_string_pretty` would print it. Text that is not JSON comes out re-spaced
/// but never lost; if the result would not be UTF-8 the input is returned unchanged.
pub fn pretty(json: &str) -> String {
    let b = json.as_bytes();
    let mut out = Vec::with_capacity(b.len() + b.len() / 2);
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'"' => {
                let start = i;
                i += 1;
                while let Some(&d) = b.get(i) {
                    i += if d == b'\\' { 2 } else { 1 };
                    if d == b'"' {
                        break;
                    }
                }
                out.extend_from_slice(&b[start..i.min(b.len())]);
                continue;
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let next = i
                    + 1
                    + b[i + 1..]
                        .iter()
                        .take_while(|x| x.is_ascii_whitespace())
                        .count();
                out.push(c);
                if b.get(next) == Some(&close) {
                    out.push(close);
                    i = next + 1;
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            b',' => {
                out.push(b',');
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            c if c.is_ascii_whitespace() => {}
            _ => {
                let start = i;
                while b.get(i).is_some_and(|d| {
                    !matches!(d, b',' | b':' | b'}' | b']' | b'"') && !d.is_ascii_whitespace()
                }) {
                    i += 1;
                }
                out.extend_from_slice(&b[start..i]);
                continue;
            }
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| json.to_owned())
}

/// Text escaped for HTML exactly as maud escapes a `(value)`, copied in runs.
pub struct Text<'a>(pub &'a str);

/// Whether any of the eight bytes of `word` is one HTML escaping replaces (a bytewise
/// "has zero byte" test of `word` XOR each of them, as in memchr).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has = |b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    has(b'&') || has(b'<') || has(b'>') || has(b'"')
}

impl Render for Text<'_> {
    fn render_to(&self, out: &mut String) {
        let s = self.0;
        let bytes = s.as_bytes();
        out.reserve(s.len());
        let mut from = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Skip eight bytes at a time while none of them needs escaping.
            if let Some(word) = bytes.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                if !needs_escape(u64::from_le_bytes(w)) {
                    i += 8;
                    continue;
                }
            }
            let entity = match bytes[i] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => {
                    i += 1;
                    continue;
                }
            };
            // `i` is at an ASCII byte, so both slices end on character boundaries.
            out.push_str(&s[from..i]);
            out.push_str(entity);
            i += 1;
            from = i;
        }
        out.push_str(&s[from..]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use maud::{Render, html};
    use serde_json::Value;

    use super::{Text, pretty};

    #[test]
    fn pretty_matches_serde_json_on_canonical_json() {
        let canonical = [
            r#"{"a":1,"b":[],"c":{},"d":[1,{"e":"x,y:{z}[\"q\\\"]"}],"f":null,"g":true,"h":-1500,"i":0.5}"#,
            r#"[]"#,
            r#"{}"#,
            r#""just a string""#,
            r#"{"名称":"东莞市莞邑助老基金会","nested":{"deep":[[],[{}],["\u001f\n"]]}}"#,
        ];
        for text in canonical {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                pretty(text),
                serde_json::to_string_pretty(&v).unwrap(),
                "{text}"
            );
        }
    }

    #[test]
    fn pretty_keeps_every_byte_of_text_that_is_not_json() {
        for text in ["", "not json", "{\"open", "\"\\", "\\\u{e9}", "]]}}"] {
            let out = pretty(text);
            let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            assert_eq!(strip(&out), strip(text), "{text:?}");
        }
    }

    #[test]
    fn text_is_escaped_exactly_as_maud_escapes() {
        let long = "0123456789abcdef\"中文 text <b>&amp;</b> ".repeat(9);
        for s in [
            "",
            "plain",
            "<script>alert(\"x\")</script>",
            "a&b&&<<>>\"\"",
            "中文<>&\"文字",
            "&",
            &long,
        ] {
            assert_eq!(Text(s).render().into_string(), html! { (s) }.into_string());
        }
    }
}
