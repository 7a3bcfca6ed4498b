//! Submissions: what an author signs, and the signed form the ledger accepts.
//!
//! Signing input = `SUBMISSION_SIG_CONTEXT || JCS(submission without "sig")`. The context string
//! keeps a submission signature from ever being valid as any other message we sign.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::ids::Uscc;
use super::jcs::{self, JcsError, UniqueKeys};
use super::keys::{PublicKey, SecretKey, Sig};
use super::kind::{Kind, Role};
use super::time::Timestamp;

/// Domain separation prefix of every submission signature.
pub const SUBMISSION_SIG_CONTEXT: &[u8] = b"sunshine-ledger/v1/submission\n";
/// The only wire format version this code reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// Who speaks: `operator`, `regulator:<USCC>` or `org:<USCC>`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Author {
    Operator,
    Regulator(Uscc),
    Org(Uscc),
}

impl Author {
    pub fn role(&self) -> Role {
        match self {
            Author::Operator => Role::Operator,
            Author::Regulator(_) => Role::Regulator,
            Author::Org(_) => Role::Org,
        }
    }

    /// The organisation this author speaks for, if it is one.
    pub fn org(&self) -> Option<&Uscc> {
        match self {
            Author::Org(id) => Some(id),
            _ => None,
        }
    }
}

/// Why a string is not an author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadAuthor {
    #[error("author must be \"operator\", \"regulator:<code>\" or \"org:<code>\"")]
    Shape,
    #[error("author code: {0}")]
    Code(#[from] super::ids::BadUscc),
}

impl FromStr for Author {
    type Err = BadAuthor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "operator" {
            return Ok(Author::Operator);
        }
        match s.split_once(':') {
            Some(("regulator", code)) => Ok(Author::Regulator(code.parse()?)),
            Some(("org", code)) => Ok(Author::Org(code.parse()?)),
            _ => Err(BadAuthor::Shape),
        }
    }
}

impl fmt::Display for Author {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Author::Operator => f.write_str("operator"),
            Author::Regulator(id) => write!(f, "regulator:{id}"),
            Author::Org(id) => write!(f, "org:{id}"),
        }
    }
}

impl fmt::Debug for Author {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Author({self})")
    }
}

impl Serialize for Author {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Author {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A per-author unique token: 8 to 64 characters of `[A-Za-z0-9_-]`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Nonce(String);

/// Why a string is not a nonce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nonce must be 8 to 64 characters of A-Z a-z 0-9 _ -")]
pub struct BadNonce;

impl Nonce {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A fresh random nonce (22 URL-safe characters, 128 bits).
    pub fn random() -> Nonce {
        use base64::Engine;
        let bytes: [u8; 16] = rand::random();
        Nonce(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }
}

impl FromStr for Nonce {
    type Err = BadNonce;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = (8..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if ok {
            Ok(Nonce(s.to_owned()))
        } else {
            Err(BadNonce)
        }
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Nonce {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Nonce {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// What an author signs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submission {
    pub v: u64,
    pub kind: Kind,
    pub author: Author,
    pub key: PublicKey,
    pub time: Timestamp,
    pub nonce: Nonce,
    pub body: Value,
}

/// A submission with its author's signature: the unit the ledger appends.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedSubmission {
    pub submission: Submission,
    pub sig: Sig,
}

/// Why a submission cannot be read. `field` names the JSON path at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SubmissionError {
    pub field: String,
    pub message: String,
}

impl SubmissionError {
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        SubmissionError {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

impl From<JcsError> for SubmissionError {
    fn from(e: JcsError) -> Self {
        match e {
            JcsError::Number { path } => {
                SubmissionError::new(path, "numbers must be integers; money is a string")
            }
            JcsError::Serialise(m) => SubmissionError::new("", m),
        }
    }
}

/// Deserialises `T` from a JSON value, naming the field at fault on error.
pub fn from_value_at<T: serde::de::DeserializeOwned>(
    v: Value,
    prefix: &str,
) -> Result<T, SubmissionError> {
    serde_path_to_error::deserialize(v).map_err(|e| at_path(e, prefix))
}

/// As [`from_value_at`], reading a borrowed value (no copy of the JSON tree).
pub fn from_value_ref_at<T: serde::de::DeserializeOwned>(
    v: &Value,
    prefix: &str,
) -> Result<T, SubmissionError> {
    serde_path_to_error::deserialize(v).map_err(|e| at_path(e, prefix))
}

fn at_path(e: serde_path_to_error::Error<serde_json::Error>, prefix: &str) -> SubmissionError {
    let path = e.path().to_string();
    let field = match (prefix.is_empty(), path.as_str()) {
        (true, _) => path.clone(),
        (false, ".") => prefix.to_owned(),
        (false, p) => format!("{prefix}.{p}"),
    };
    SubmissionError::new(field, e.into_inner())
}

impl Submission {
    /// Reads an unsigned submission (the input of `sunshine sign`).
    pub fn from_value(v: Value) -> Result<Submission, SubmissionError> {
        let sub: Submission = from_value_at(v, "")?;
        sub.check()?;
        Ok(sub)
    }

    fn check(&self) -> Result<(), SubmissionError> {
        if self.v != FORMAT_VERSION {
            return Err(SubmissionError::new(
                "v",
                format!("unsupported version {}, expected 1", self.v),
            ));
        }
        if !self.body.is_object() {
            return Err(SubmissionError::new("body", "must be a JSON object"));
        }
        jcs::check_numbers(&self.body, "body")?;
        Ok(())
    }

    /// The exact bytes the author's signature covers.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut out = SUBMISSION_SIG_CONTEXT.to_vec();
        out.extend(
            self.canonical()
                .expect("a checked submission always serialises"),
        );
        out
    }

    /// JCS(submission). The body, the bulk of it, is encoded in place rather than copied into
    /// a [`Value`] tree first: every signature check pays for this encoding.
    fn canonical(&self) -> Result<Vec<u8>, JcsError> {
        fn value<T: Serialize>(v: &T) -> Result<Value, JcsError> {
            serde_json::to_value(v).map_err(|e| JcsError::Serialise(e.to_string()))
        }
        // Destructured so that a new member cannot be left out of the signature.
        let Submission {
            v,
            kind,
            author,
            key,
            time,
            nonce,
            body,
        } = self;
        jcs::canonical_object(&mut [
            ("author", &value(author)?),
            ("body", body),
            ("key", &value(key)?),
            ("kind", &value(kind)?),
            ("nonce", &value(nonce)?),
            ("time", &value(time)?),
            ("v", &Value::from(*v)),
        ])
    }

    pub fn sign(self, key: &SecretKey) -> SignedSubmission {
        let sig = key.sign(&self.signing_bytes());
        SignedSubmission {
            submission: self,
            sig,
        }
    }
}

impl SignedSubmission {
    /// Reads a signed submission: the submission members plus `sig`, and nothing else.
    pub fn from_value(v: Value) -> Result<SignedSubmission, SubmissionError> {
        let Value::Object(mut map) = v else {
            return Err(SubmissionError::new(
                "",
                "a submission must be a JSON object",
            ));
        };
        let sig = map
            .remove("sig")
            .ok_or_else(|| SubmissionError::new("sig", "missing signature"))?;
        let sig: Sig = from_value_at(sig, "sig")?;
        let submission = Submission::from_value(Value::Object(map))?;
        Ok(SignedSubmission { submission, sig })
    }

    pub fn from_json(text: &[u8]) -> Result<SignedSubmission, SubmissionError> {
        let v = jcs::parse_unique(text)
            .map_err(|e| SubmissionError::new("", format!("malformed JSON: {e}")))?;
        Self::from_value(v)
    }

    /// Whether the signature verifies under the submission's own key.
    pub fn signature_valid(&self) -> bool {
        self.submission
            .key
            .verify(&self.submission.signing_bytes(), &self.sig)
    }

    pub fn to_value(&self) -> Value {
        let mut v = serde_json::to_value(&self.submission).expect("submissions serialise");
        if let Value::Object(map) = &mut v {
            map.insert("sig".into(), Value::String(self.sig.to_hex()));
        }
        v
    }
}

/// The signed form on the wire: the submission's members plus `sig`, serialised without an
/// intermediate `Value` (this is on the append hot path).
#[derive(Serialize)]
struct SignedRef<'a> {
    #[serde(flatten)]
    submission: &'a Submission,
    sig: &'a Sig,
}

impl Serialize for SignedSubmission {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SignedRef {
            submission: &self.submission,
            sig: &self.sig,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SignedSubmission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        SignedSubmission::from_value(UniqueKeys::deserialize(d)?.0)
            .map_err(serde::de::Error::custom)
    }
}

/// Builds an unsigned submission for `author` with a fresh nonce at the current time.
pub fn draft(kind: Kind, author: Author, key: &SecretKey, body: Map<String, Value>) -> Submission {
    Submission {
        v: FORMAT_VERSION,
        kind,
        author,
        key: key.public(),
        time: Timestamp::now(),
        nonce: Nonce::random(),
        body: Value::Object(body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample(key: &SecretKey) -> Value {
        json!({"v": 1, "kind": "donation", "author": "org:91350100M000100Y43",
               "key": key.public().to_hex(), "time": "2026-11-23T08:30:00Z",
               "nonce": "abcdefgh", "body": {"amount": "1.00"}})
    }

    #[test]
    fn signing_bytes_are_the_context_and_the_generic_jcs_of_the_submission() {
        let key = SecretKey::from_seed([9; 32]);
        let mut v = sample(&key);
        v["body"] =
            json!({"z": [1, {"b": "\u{e9}\n", "a": null}], "a": "\u{1f600}", "\u{e000}": true});
        let sub = Submission::from_value(v).unwrap();
        let mut expected = SUBMISSION_SIG_CONTEXT.to_vec();
        expected.extend(serde_json_canonicalizer::to_vec(&sub).unwrap());
        assert_eq!(sub.signing_bytes(), expected);
    }

    #[test]
    fn sign_then_read_back_verifies() {
        let key = SecretKey::from_seed([7; 32]);
        let signed = Submission::from_value(sample(&key)).unwrap().sign(&key);
        let back = SignedSubmission::from_value(signed.to_value()).unwrap();
        assert!(back.signature_valid());
        assert!(
            back.submission
                .signing_bytes()
                .starts_with(SUBMISSION_SIG_CONTEXT)
        );
    }

    #[test]
    fn a_changed_body_breaks_the_signature() {
        let key = SecretKey::from_seed([7; 32]);
        let mut v = Submission::from_value(sample(&key))
            .unwrap()
            .sign(&key)
            .to_value();
        v["body"]["amount"] = json!("2.00");
        assert!(!SignedSubmission::from_value(v).unwrap().signature_valid());
    }

    #[test]
    fn errors_name_the_field() {
        let key = SecretKey::from_seed([7; 32]);
        let cases: [(&str, Value); 6] = [
            ("kind", json!("gift")),
            ("author", json!("org:123")),
            ("nonce", json!("short")),
            ("time", json!("2026-11-23T08:30:00+08:00")),
            ("key", json!("abcd")),
            ("v", json!(2)),
        ];
        for (field, bad) in cases {
            let mut v = sample(&key);
            v[field] = bad;
            let err = Submission::from_value(v).unwrap_err();
            assert_eq!(err.field, field, "{err}");
        }
        let mut v = sample(&key);
        v["extra"] = json!(1);
        assert!(
            Submission::from_value(v)
                .unwrap_err()
                .message
                .contains("unknown field")
        );
        let mut v = sample(&key);
        v["body"]["amount"] = json!(1.5);
        assert_eq!(Submission::from_value(v).unwrap_err().field, "body.amount");
    }
}
