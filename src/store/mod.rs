//! Storage adapter: the only module that speaks SQL.
//!
//! The core never sees the database; it asks for node hashes through [`crate::ledger::merkle::NodeReader`]
//! and receives entries as leaf bytes. Everything here is a thin, transactional mapping of those
//! requests onto SQLite (the embedded default). An append is one transaction: the entries, their
//! tree nodes, and the new signed checkpoint commit together or not at all.

mod nodes;
mod sqlite;

pub use nodes::{FetchedNodes, TreeReadError};

pub use sqlite::Store;

use crate::ledger::Hash;

/// Storage failures. Callers never see SQL text in user-facing messages; the log does.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the ledger moved on while this append was prepared (expected size {expected}, found {found})"
    )]
    Conflict { expected: u64, found: u64 },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("no ledger at {0}: run `sunshine init` first")]
    Missing(String),
}

/// One stored entry row.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub seq: u64,
    pub leaf_hash: Vec<u8>,
    pub leaf: Vec<u8>,
}

/// A new entry row, prepared by the append pipeline.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub seq: u64,
    pub leaf_hash: Hash,
    pub author: String,
    pub nonce: String,
    pub kind: &'static str,
    pub leaf: Vec<u8>,
}

/// Everything one append transaction writes.
#[derive(Debug, Clone, Default)]
pub struct AppendBatch {
    /// The log size the batch was prepared against; the transaction refuses to commit otherwise.
    pub base_size: u64,
    pub entries: Vec<NewEntry>,
    /// Newly completed Merkle nodes at levels >= 1: (level, index, hash).
    pub nodes: Vec<(u8, u64, Hash)>,
    /// The signed checkpoint note for the new size.
    pub checkpoint: String,
}

/// Where the ledger lives: a `sqlite:` URL, or a plain path taken as a SQLite file.
pub fn database_url(db: &str) -> String {
    if db.contains("://") || db.starts_with("sqlite:") {
        db.to_owned()
    } else {
        format!("sqlite:{db}")
    }
}
