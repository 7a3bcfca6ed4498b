//! RFC 8785 JSON Canonicalization Scheme: the only serialisation that is ever hashed or signed.
//!
//! The canonicaliser itself is `serde_json_canonicalizer` (written after its author found faults in
//! `serde_jcs`); this module adds the spec's restriction that hashed JSON holds integers only, and
//! only integers that every JSON implementation reads exactly (|n| <= 2^53 - 1), so that a verifier
//! in JavaScript or Python reproduces our bytes.

use std::fmt;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The largest integer an IEEE double represents exactly; beyond it JCS output depends on the reader.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a JSON value cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JcsError {
    #[error("{path}: numbers in hashed JSON must be integers within ±(2^53-1); money is a string")]
    Number { path: String },
    #[error("cannot serialise: {0}")]
    Serialise(String),
}

/// Checks that every number inside `v` is a safe integer; `path` names the first offender.
pub fn check_numbers(v: &Value, path: &str) -> Result<(), JcsError> {
    match v {
        Value::Number(n) => {
            let ok = n.as_u64().is_some_and(|u| u <= MAX_SAFE_INTEGER)
                || n.as_i64()
                    .is_some_and(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER);
            if ok {
                Ok(())
            } else {
                Err(JcsError::Number {
                    path: path.to_owned(),
                })
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_numbers(item, &format!("{path}[{i}]"))),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(k, item)| check_numbers(item, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

/// The RFC 8785 bytes of any serialisable value: what [`canonical_value`] writes for the
/// value's `serde_json::to_value` tree, written without building the tree
/// ([`super::jcs_serializer`]).
pub fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, JcsError> {
    super::jcs_serializer::to_vec(value)
}

/// The RFC 8785 bytes of a JSON value.
///
/// Every signature check and every seal encodes a submission, so this is on the hot path of
/// appends and audits; it writes straight into one buffer (about five times faster than
/// `serde_json_canonicalizer`, which buffers and sorts every object's members as text). The
/// parts JCS borrows from ECMAScript are reused, not re-implemented: strings are escaped by
/// `serde_json` (whose escapes are exactly JSON.stringify's: `"`, `\\`, and controls as `\b
/// \t \n \f \r` or lower-case `\u00xx`), and a number that is not an integer or an integer beyond
/// ±(2^53-1) (neither is ever in hashed JSON, see [`check_numbers`]) is formatted by `serde_json_canonicalizer`. The property test
/// below holds the two encoders equal on arbitrary JSON.
pub fn canonical_value(value: &Value) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(512);
    write_value(&mut out, value)?;
    Ok(out)
}

/// The RFC 8785 bytes of an object with these members (names unique), written without first
/// copying borrowed member values into a [`Value`] tree.
pub fn canonical_object(members: &mut [(&str, &Value)]) -> Result<Vec<u8>, JcsError> {
    let mut out = Vec::with_capacity(512);
    write_members(&mut out, members)?;
    Ok(out)
}

fn write_members(out: &mut Vec<u8>, members: &mut [(&str, &Value)]) -> Result<(), JcsError> {
    if !members.is_sorted_by(|a, b| utf16_order(a.0, b.0).is_le()) {
        members.sort_unstable_by(|a, b| utf16_order(a.0, b.0));
    }
    out.push(b'{');
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, k)?;
        out.push(b':');
        write_value(out, v)?;
    }
    out.push(b'}');
    Ok(())
}

pub(super) fn write_value(out: &mut Vec<u8>, value: &Value) -> Result<(), JcsError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            // A safe integer is its own shortest round-trip spelling; JCS reads every other
            // number as an IEEE double, whose spelling is ECMAScript's to choose.
            if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER) {
                out.extend_from_slice(i.to_string().as_bytes());
            } else {
                let text = serde_json_canonicalizer::to_vec(n)
                    .map_err(|e| JcsError::Serialise(e.to_string()))?;
                out.extend_from_slice(&text);
            }
        }
        Value::String(s) => write_str(out, s)?,
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&str, &Value)> =
                map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            write_members(out, &mut members)?;
        }
    }
    Ok(())
}

pub(super) fn write_str(out: &mut Vec<u8>, s: &str) -> Result<(), JcsError> {
    serde_json::to_writer(out, s).map_err(|e| JcsError::Serialise(e.to_string()))
}

/// RFC 8785 member order: by UTF-16 code units. Below U+E000 that is the order of the UTF-8
/// bytes, and in UTF-8 only characters from U+E000 up have a byte of 0xEE or more.
pub(super) fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.bytes().chain(b.bytes()).all(|c| c < 0xEE) {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// A JSON value read with I-JSON's rule (RFC 7493 §2.3) that object member names are unique.
///
/// `serde_json::Value` silently keeps the last of two equal keys, so `{"amount":"1.00",
/// "amount":"100000.00"}` would be signed by one reader's view and displayed by another's. RFC 8785
/// assumes I-JSON input; every document that reaches a signature check is read through this type.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueKeys(pub Value);

/// Parses JSON text, refusing duplicate member names anywhere in it.
pub fn parse_unique(text: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<UniqueKeys>(text).map(|v| v.0)
}

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON text cannot spell NaN or infinity, so this is always a number; hashed JSON
        // refuses fractions later (`check_numbers`) with the member's path.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate member name \"{key}\""
                )));
            }
            let UniqueKeys(value) = access.next_value()?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_by_utf16_and_drops_whitespace() {
        // RFC 8785 section 3.2.3 sorting example: keys ordered by UTF-16 code units.
        let v: Value = serde_json::from_str(
            r#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
                "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        let out = canonical(&v).unwrap();
        // Reading the output back with insertion order preserved shows the order JCS wrote.
        let back: Value = serde_json::from_slice(&out).unwrap();
        let keys: Vec<&str> = back
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "\r",
                "1",
                "\u{80}",
                "\u{f6}",
                "\u{20ac}",
                "\u{1f600}",
                "\u{fb33}"
            ]
        );
    }

    #[test]
    fn rfc8785_string_escaping_example() {
        // RFC 8785 section 3.2.2.2: minimal escaping, lower-case \u00xx for other controls.
        let v = json!({"string": "\u{20ac}$\u{f}\nA'B\"\\\\\"/"});
        assert_eq!(
            String::from_utf8(canonical(&v).unwrap()).unwrap(),
            "{\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    #[test]
    fn rfc8785_number_example_integers() {
        let v: Value =
            serde_json::from_str(r#"{"numbers":[333333333,4.50,2e-3,1E30,0,-0]}"#).unwrap();
        assert_eq!(
            String::from_utf8(canonical(&v).unwrap()).unwrap(),
            r#"{"numbers":[333333333,4.5,0.002,1e+30,0,0]}"#
        );
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        // Keys and strings from every plane, controls and quotes included: ordering by UTF-16
        // units and escaping are where encoders go wrong.
        let text = proptest::collection::vec(
            prop_oneof![
                proptest::char::range('\0', '\u{7f}'),
                proptest::char::range('\u{80}', '\u{d7ff}'),
                proptest::char::range('\u{e000}', '\u{ffff}'),
                proptest::char::range('\u{10000}', '\u{10ffff}'),
            ],
            0..6,
        )
        .prop_map(|cs| cs.into_iter().collect::<String>());
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
            text.clone().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((text.clone(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Our encoder against an independent one, on arbitrary JSON.
        #[test]
        fn encodes_exactly_what_serde_json_canonicalizer_encodes(v in any_json()) {
            let independent = serde_json_canonicalizer::to_vec(&v).unwrap();
            proptest::prop_assert_eq!(&canonical_value(&v).unwrap(), &independent);
            // And the writer that serialises straight from serde, given the value itself.
            proptest::prop_assert_eq!(&canonical(&v).unwrap(), &independent);
        }
    }

    #[test]
    fn duplicate_member_names_are_refused_at_any_depth() {
        for text in [
            r#"{"a":1,"a":1}"#,
            r#"{"body":{"amount":"1.00","amount":"100000.00"}}"#,
            r#"[{"x":[{"k":true,"k":false}]}]"#,
            // Equal after unescaping: the same member name spelled two ways.
            r#"{"a":1,"\u0061":2}"#,
        ] {
            let err = parse_unique(text.as_bytes()).unwrap_err();
            assert!(
                err.to_string().contains("duplicate member name"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn unique_keys_reads_what_serde_json_reads() {
        let text =
            r#"{"s":"\u20ac","n":[1,-2,18446744073709551615,2.5,null,true],"o":{"b":{},"a":[]}}"#;
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_unique(text.as_bytes()).unwrap(), plain);
        // Member order is kept, as with `preserve_order`.
        assert_eq!(
            canonical(&parse_unique(text.as_bytes()).unwrap()).unwrap(),
            canonical(&plain).unwrap()
        );
        assert!(parse_unique(b"{\"a\":1} x").is_err(), "trailing characters");
        assert!(parse_unique(b"{\"a\":").is_err(), "truncated");
    }

    #[test]
    fn hashed_json_refuses_fractions_and_huge_integers() {
        assert!(check_numbers(&json!({"a": [1, 2, {"b": 9007199254740991u64}]}), "body").is_ok());
        assert_eq!(
            check_numbers(&json!({"a": [1, 2.5]}), "body"),
            Err(JcsError::Number {
                path: "body.a[1]".into()
            })
        );
        assert!(check_numbers(&json!({"a": 9007199254740992u64}), "body").is_err());
        assert!(check_numbers(&json!({"a": 1e3}), "body").is_err());
    }
}
