//! The pure ledger core: wire format v1 (`../shared/spec/ledger-v1.md`, documented in
//! docs/FORMAT.md). No I/O, no async, no SQL: everything here is a function of bytes, so a test,
//! an auditor or another implementation can check it without our storage.

pub mod amount;
pub mod authority;
pub mod columns;
pub mod cosignature;
pub mod entry;
pub mod fingerprints;
pub mod hash;
pub mod ids;
pub mod jcs;
pub mod jcs_serializer;
pub mod keys;
pub mod kind;
pub mod merkle;
pub mod note;
pub mod parallel;
pub mod sorted;
pub mod submission;
pub mod tiles;
pub mod time;
pub mod tlog_proof;
pub mod verify;
pub mod witness;
pub mod witness_policy;

pub use amount::{Amount, Currency};
pub use entry::{Entry, SealedEntry};
pub use hash::Hash;
pub use ids::Uscc;
pub use keys::{PublicKey, SecretKey, Sig};
pub use kind::{Kind, Role};
pub use submission::{Author, Nonce, SignedSubmission, Submission, SubmissionError};
pub use time::Timestamp;
