//! The columns a database keeps beside each leaf for lookups: facts of the submission, so the
//! core defines them and both the store (which writes them) and the audit (which holds them to
//! the leaf) use this one definition.

use super::SignedSubmission;

/// The author, nonce and kind a database stores beside each leaf, unhashed, so that it can find
/// an entry by them (a re-sent submission is answered with the entry its nonce names). An
/// edited column would send that lookup to the wrong entry or to none, so the audit holds each
/// to the leaf like every other stored byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupColumns {
    pub author: String,
    pub nonce: String,
    pub kind: String,
}

impl LookupColumns {
    /// The columns as they must be stored for `submission`.
    pub fn of(submission: &SignedSubmission) -> LookupColumns {
        let s = &submission.submission;
        LookupColumns {
            author: s.author.to_string(),
            nonce: s.nonce.to_string(),
            kind: s.kind.as_str().to_owned(),
        }
    }

    /// The first column that differs from `expected`'s.
    pub(crate) fn first_difference(&self, expected: &LookupColumns) -> Option<&'static str> {
        [
            ("author", &self.author, &expected.author),
            ("nonce", &self.nonce, &expected.nonce),
            ("kind", &self.kind, &expected.kind),
        ]
        .into_iter()
        .find(|(_, stored, want)| stored != want)
        .map(|(name, _, _)| name)
    }
}
