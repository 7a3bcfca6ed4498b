//! RFC 8785 JSON Canonicalization Scheme: the only serialisation that is ever hashed or signed.
//!
//! The canonicaliser itself is `serde_json_canonicalizer` (written after its author found faults in
//! `serde_jcs`); this module adds the spec's restriction that hashed JSON holds integers only, and
//! only integers that every JSON implementation reads exactly (|n| <= 2^53 - 1), so that a verifier
//! in JavaScript or Python reproduces our bytes.

use serde::Serialize;
use serde_json::Value;

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

/// The RFC 8785 bytes of any serialisable value.
pub fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, JcsError> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| JcsError::Serialise(e.to_string()))
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
