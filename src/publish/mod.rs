//! What the operator publishes and how outsiders check it, apart from the database.
//!
//! - [`export`]: writes the published log layout (C2SP tlog-tiles under `log/`) to a directory.
//! - [`cosigned`]: which checkpoint the export publishes (the newest witness-cosigned one).
//! - [`dir_audit`]: audits such a directory from its files alone, with no database.
//! - [`monitor`]: follows a published log from outside and reports any inconsistency.
//! - [`tiles`]: the bytes of one tile read from the store, the same for the export and the live
//!   server.
//! - [`proofs`]: inclusion and consistency proofs against stored checkpoints, for the API and
//!   the CLI.
pub mod cosigned;
pub mod dir_audit;
pub mod export;
pub mod monitor;
pub mod proofs;
pub mod tiles;
