//! Entries: a signed submission placed in the log at a sequence number, chained to its predecessor.
//!
//! leaf bytes = JCS(entry); leaf hash = SHA-256(0x00 || leaf bytes). The leaf bytes are the
//! published artefact: we store, serve and export exactly them, and re-derive everything else.

use serde::{Deserialize, Serialize};

use super::hash::{Hash, leaf_hash};
use super::jcs::{self, UniqueKeys};
use super::submission::{SUBMISSION_SIG_CONTEXT, SignedSubmission, SubmissionError};
use super::time::Timestamp;

/// The spec's upper bound on one entry's leaf bytes (they are framed by a u16 in entry bundles).
pub const MAX_ENTRY_BYTES: usize = 65_535;

/// A log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub prev: Hash,
    pub recorded_at: Timestamp,
    pub submission: SignedSubmission,
}

/// Why stored or served bytes are not a valid entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry is {0} bytes; the limit is 65535")]
    TooLarge(usize),
    #[error("entry bytes are not JSON: {0}")]
    Json(String),
    #[error("entry: {0}")]
    Shape(SubmissionError),
    #[error("entry bytes are not the RFC 8785 canonical form of the entry")]
    NotCanonical,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    seq: u64,
    prev: Hash,
    recorded_at: Timestamp,
    submission: UniqueKeys,
}

impl Entry {
    /// JCS(entry). Errors only when the entry is over the size limit.
    pub fn leaf_bytes(&self) -> Result<Vec<u8>, EntryError> {
        let bytes = jcs::canonical(self).map_err(|e| EntryError::Json(e.to_string()))?;
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge(bytes.len()));
        }
        Ok(bytes)
    }

    /// JCS(entry) from JCS(submission without `sig`), which the signature check has already
    /// computed: the submission is then not canonicalised a second time on the append path.
    ///
    /// JCS writes an object as its members sorted by name, joined by commas, so the entry is its
    /// four members in order (`prev`, `recorded_at`, `seq`, `submission`), and the signed
    /// submission is the unsigned one with `"sig"` inserted before `"time"` — the last member but
    /// one, after which only `time`'s timestamp and `v`'s integer follow, so the last `,"time":"`
    /// is that member. Anything unexpected falls back to the full encoding.
    pub fn leaf_bytes_from(&self, submission_jcs: &[u8]) -> Result<Vec<u8>, EntryError> {
        const TIME_MEMBER: &[u8] = b",\"time\":\"";
        let at = submission_jcs
            .windows(TIME_MEMBER.len())
            .rposition(|w| w == TIME_MEMBER);
        let (Some(at), true) = (at, self.seq <= jcs::MAX_SAFE_INTEGER) else {
            return self.leaf_bytes();
        };
        let mut out = Vec::with_capacity(submission_jcs.len() + 320);
        out.extend_from_slice(b"{\"prev\":\"");
        out.extend_from_slice(self.prev.to_hex().as_bytes());
        out.extend_from_slice(b"\",\"recorded_at\":\"");
        out.extend_from_slice(self.recorded_at.to_string().as_bytes());
        out.extend_from_slice(b"\",\"seq\":");
        out.extend_from_slice(self.seq.to_string().as_bytes());
        out.extend_from_slice(b",\"submission\":");
        out.extend_from_slice(&submission_jcs[..at]);
        out.extend_from_slice(b",\"sig\":\"");
        out.extend_from_slice(self.submission.sig.to_hex().as_bytes());
        out.push(b'"');
        out.extend_from_slice(&submission_jcs[at..]);
        out.push(b'}');
        if out.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge(out.len()));
        }
        Ok(out)
    }

    /// Reads leaf bytes back, insisting they are exactly the canonical encoding: any other
    /// spelling of the same entry would have a different leaf hash.
    pub fn from_leaf_bytes(bytes: &[u8]) -> Result<Entry, EntryError> {
        Entry::from_leaf_bytes_signed(bytes).map(|(entry, _)| entry)
    }

    /// [`Entry::from_leaf_bytes`], and the submission's signing bytes, which the canonical
    /// check computes on the way (an audit needs both, and encoding is most of the cost).
    pub fn from_leaf_bytes_signed(bytes: &[u8]) -> Result<(Entry, Vec<u8>), EntryError> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge(bytes.len()));
        }
        let raw: RawEntry =
            serde_json::from_slice(bytes).map_err(|e| EntryError::Json(e.to_string()))?;
        let submission =
            SignedSubmission::from_value(raw.submission.0).map_err(EntryError::Shape)?;
        let entry = Entry {
            seq: raw.seq,
            prev: raw.prev,
            recorded_at: raw.recorded_at,
            submission,
        };
        let signing = entry.submission.submission.signing_bytes();
        if entry.leaf_bytes_from(&signing[SUBMISSION_SIG_CONTEXT.len()..])? != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok((entry, signing))
    }
}

/// An entry together with its encoding and leaf hash, computed once.
#[derive(Debug, Clone)]
pub struct SealedEntry {
    pub entry: Entry,
    pub leaf: Vec<u8>,
    pub hash: Hash,
}

impl SealedEntry {
    pub fn seal(entry: Entry) -> Result<SealedEntry, EntryError> {
        let leaf = entry.leaf_bytes()?;
        let hash = leaf_hash(&leaf);
        Ok(SealedEntry { entry, leaf, hash })
    }

    /// As [`SealedEntry::seal`], given JCS(submission without `sig`) (see
    /// [`Entry::leaf_bytes_from`]).
    pub fn seal_with(entry: Entry, submission_jcs: &[u8]) -> Result<SealedEntry, EntryError> {
        let leaf = entry.leaf_bytes_from(submission_jcs)?;
        // Every append in the test suite checks the splice against the full encoding.
        debug_assert_eq!(Ok(&leaf), entry.leaf_bytes().as_ref());
        let hash = leaf_hash(&leaf);
        Ok(SealedEntry { entry, leaf, hash })
    }

    pub fn open(leaf: Vec<u8>) -> Result<SealedEntry, EntryError> {
        SealedEntry::open_signed(leaf).map(|(sealed, _)| sealed)
    }

    /// [`SealedEntry::open`], and the submission's signing bytes.
    pub fn open_signed(leaf: Vec<u8>) -> Result<(SealedEntry, Vec<u8>), EntryError> {
        let (entry, signing) = Entry::from_leaf_bytes_signed(&leaf)?;
        let hash = leaf_hash(&leaf);
        Ok((SealedEntry { entry, leaf, hash }, signing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::keys::SecretKey;
    use crate::ledger::submission::Submission;
    use serde_json::json;

    fn entry() -> Entry {
        let key = SecretKey::from_seed([1; 32]);
        let sub = Submission::from_value(json!({"v": 1, "kind": "donation",
            "author": "org:91350100M000100Y43", "key": key.public().to_hex(),
            "time": "2026-11-23T08:30:00Z", "nonce": "nonce-0001", "body": {"b": 1, "a": "x"}}))
        .unwrap();
        Entry {
            seq: 0,
            prev: Hash::ZERO,
            recorded_at: "2026-11-23T08:30:01Z".parse().unwrap(),
            submission: sub.sign(&key),
        }
    }

    #[test]
    fn leaf_bytes_round_trip_and_are_canonical() {
        let e = entry();
        let bytes = e.leaf_bytes().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("{\"prev\":\"0000"), "{text}");
        assert!(text.contains("\"body\":{\"a\":\"x\",\"b\":1}"));
        assert_eq!(Entry::from_leaf_bytes(&bytes).unwrap(), e);
    }

    #[test]
    fn leaf_bytes_from_the_submission_encoding_equal_the_full_encoding() {
        let key = SecretKey::from_seed([2; 32]);
        // Bodies whose members are named like the submission's own (`time`, `sig`, `v`),
        // nested, escaped and non-ASCII: the splice must still find the top-level member.
        let bodies = [
            json!({}),
            json!({"time": "x\",\"time\":\"", "sig": {"time": "2026-11-23T08:30:00Z"}, "v": 1}),
            json!({"z": [1, {"time": "a", "v": [2]}], "名称": "基金会\u{1F600}", "e": "\\\"\n"}),
            json!({"amount": "1.00", "list": [], "nested": {"sig": "ff", "time": ",\"time\":\""}}),
        ];
        for (i, body) in bodies.into_iter().enumerate() {
            let sub = Submission::from_value(json!({"v": 1, "kind": "donation",
                "author": "org:91350100M000100Y43", "key": key.public().to_hex(),
                "time": "2026-11-23T08:30:00Z", "nonce": format!("nonce-{i:04}"), "body": body}))
            .unwrap();
            for seq in [0, 7, 1 << 40] {
                let e = Entry {
                    seq,
                    prev: Hash::sha256(&seq.to_be_bytes()),
                    recorded_at: "2026-11-23T08:30:01Z".parse().unwrap(),
                    submission: sub.clone().sign(&key),
                };
                let jcs = jcs::canonical(&e.submission.submission).unwrap();
                assert_eq!(
                    String::from_utf8(e.leaf_bytes_from(&jcs).unwrap()).unwrap(),
                    String::from_utf8(e.leaf_bytes().unwrap()).unwrap()
                );
            }
        }
    }

    #[test]
    fn non_canonical_bytes_are_refused() {
        let bytes = entry().leaf_bytes().unwrap();
        let pretty = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
        )
        .unwrap();
        assert_eq!(
            Entry::from_leaf_bytes(&pretty),
            Err(EntryError::NotCanonical)
        );
    }
}
