//! Storage adapter: the only module that speaks SQL.
//!
//! The core never sees the database; it asks for node hashes through [`crate::ledger::merkle::NodeReader`]
//! and receives entries as leaf bytes. Everything here is a thin, transactional mapping of those
//! requests onto one of two databases, chosen by the URL scheme:
//!
//! - `sqlite:` (or a plain path): the embedded default, one file, WAL and `synchronous = FULL`.
//! - `postgres://`: one PostgreSQL primary shared by any number of `sunshine serve` processes.
//!
//! Both run the same SQL through sqlx's `Any` driver (`$1` placeholders work on both), so the
//! two backends cannot drift apart; they differ only in their migrations (`migrations/sqlite`,
//! `migrations/postgres`) and in how an append takes the write lock ([`append`]).
//!
//! - [`reads`]: entries, nodes, checkpoints and views; they never take the append lock and go to
//!   the read pool, which may be a replica (`DATABASE_READ_URL`).
//! - [`append`]: the append transaction, serialised by the database across processes.
//! - [`cosigned`]: checkpoints that reached the witness quorum, with their cosignatures.
//! - [`copy`]: a whole ledger copied between databases (`sunshine migrate`).
//! - [`nodes`]: the bridge from the synchronous Merkle algorithms to the asynchronous reads.

mod append;
mod copy;
mod cosigned;
mod nodes;
mod reads;
mod snapshots;
pub mod witness;

pub use append::{APPEND_LOCK, AppendTx, ViewWrite};
pub use cosigned::CosignedRow;
pub use nodes::{FetchedNodes, TreeReadError};
pub use reads::ViewsReader;

use std::str::FromStr;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};

use crate::ledger::Hash;
use crate::ledger::columns::LookupColumns;

/// Connections per pool: appends hold one, catch-up and receipts read on others.
const MAX_CONNECTIONS: u32 = 8;

/// Every SQLite connection's settings. WAL lets readers run beside the writer; FULL: a commit is
/// on disk before we answer, even across power loss; a writer waits up to 30 s for another
/// process's write transaction before giving up.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";

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
    /// A unique key (a seq, a tree node, a checkpoint size) was already stored when this
    /// transaction inserted it: another writer got there first, outside the append lock or in a
    /// race the lock did not cover. Nothing of this transaction was written; preparing the
    /// append again against the current log is safe.
    #[error("another writer stored {0} first")]
    Duplicate(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("no ledger at {0}: run `sunshine init` first")]
    Missing(String),
    #[error("the destination already holds data ({0}); refusing to copy over it")]
    NotEmpty(String),
    #[error("unsupported database URL {0:?}: use a SQLite path, sqlite:PATH or postgres://...")]
    Url(String),
}

impl StoreError {
    /// Whether this append lost a race with another writer and nothing was written: trying
    /// again against the current log is safe.
    pub fn is_race(&self) -> bool {
        matches!(self, StoreError::Conflict { .. } | StoreError::Duplicate(_))
    }

    /// `e`, as [`StoreError::Duplicate`] when it is a unique-constraint violation on `what`.
    /// Both databases report one (SQLite's extended code 2067/1555, PostgreSQL's SQLSTATE
    /// 23505) through sqlx's portable [`sqlx::error::DatabaseError::is_unique_violation`].
    pub(crate) fn on_insert(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        move |e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Duplicate(what.to_owned())
            }
            _ => StoreError::Db(e),
        }
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend of a URL as [`database_url`] returns it.
    pub fn of(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Url(url.to_owned()))
        }
    }
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
    pub columns: LookupColumns,
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
    /// The record rows the entries wrote ([`crate::money::records`]); with `reset_from`, they
    /// replace the stored rows of the entries from there on (a correction's rebuild).
    pub records: RecordRows,
}

/// Record rows to write with an append: (key, value, seq of the entry that wrote it).
#[derive(Debug, Clone, Default)]
pub struct RecordRows {
    /// `Some(from)`: the stored rows written by entries from `from` on go first.
    pub reset_from: Option<u64>,
    pub rows: Vec<(String, String, u64)>,
}

impl RecordRows {
    /// Follows an admission: `Some` adds the records it wrote; `None` says a correction's
    /// rebuild rewrote every record row in the append transaction already, these included.
    pub fn follow(&mut self, records: Option<crate::money::records::Records>) {
        match records {
            Some(records) => self.then(records),
            None => *self = RecordRows::default(),
        }
    }

    /// These rows followed by the records of the entries after them.
    pub fn then(&mut self, records: crate::money::records::Records) {
        if let Some(from) = records.reset_from {
            self.rows.retain(|(_, _, seq)| *seq < from);
            self.reset_from = Some(self.reset_from.map_or(from, |f| f.min(from)));
        }
        self.rows.extend(
            records
                .rows
                .iter()
                .map(crate::money::records::Record::stored_row),
        );
    }
}

/// Where the ledger lives: a `sqlite:` or `postgres://` URL, or a plain path taken as a SQLite
/// file.
pub fn database_url(db: &str) -> String {
    if db.contains("://") || db.starts_with("sqlite:") {
        db.to_owned()
    } else {
        format!("sqlite:{db}")
    }
}

/// A ledger database: a write pool on the primary and a read pool (the same one unless a read
/// replica was named).
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    write: AnyPool,
    read: AnyPool,
}

impl Store {
    /// Opens (and with `create`, creates) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str, create: bool) -> Result<Store, StoreError> {
        Self::open_with_reads(url, None, create).await
    }

    /// As [`Store::open`], with reads (pages, proofs, tiles, views) served from `read_url`, e.g.
    /// a streaming replica of the PostgreSQL primary. Appends, catch-up and receipts always use
    /// the primary ([`Store::primary`]).
    pub async fn open_with_reads(
        url: &str,
        read_url: Option<&str>,
        create: bool,
    ) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let write = connect(url, backend, create).await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&write).await?,
            Backend::Postgres => sqlx::migrate!("migrations/postgres").run(&write).await?,
        }
        let read = match read_url.filter(|r| *r != url) {
            Some(r) => connect(r, Backend::of(r)?, false).await?,
            None => write.clone(),
        };
        Ok(Store {
            backend,
            write,
            read,
        })
    }

    /// Drops the PostgreSQL database `url` names, disconnecting anyone still on it (for the
    /// benchmarks' throwaway ledgers).
    pub async fn drop_database(url: &str) -> Result<(), StoreError> {
        use sqlx::migrate::MigrateDatabase;
        sqlx::any::install_default_drivers();
        Ok(sqlx::Any::force_drop_database(url).await?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The same store with reads on the primary: for whoever must see its own writes at once
    /// (the append pipeline's catch-up, receipts, idempotent replays).
    pub fn primary(&self) -> Store {
        Store {
            read: self.write.clone(),
            ..self.clone()
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

async fn connect(url: &str, backend: Backend, create: bool) -> Result<AnyPool, StoreError> {
    let pool = AnyPoolOptions::new().max_connections(MAX_CONNECTIONS);
    match backend {
        Backend::Sqlite => {
            let mut opts = SqliteConnectOptions::from_str(url)?.create_if_missing(create);
            let path = opts.get_filename().to_path_buf();
            if path.as_os_str() != ":memory:" {
                if !create && !path.exists() {
                    return Err(StoreError::Missing(path.display().to_string()));
                }
                // The Any driver takes a URL, where a relative path's first component would
                // be read as a (lower-cased) host name: make it absolute first.
                let absolute = std::path::absolute(&path)
                    .map_err(|e| StoreError::Url(format!("{}: {e}", path.display())))?;
                opts = opts.filename(absolute);
            }
            let any = AnyConnectOptions::from_url(&opts.to_url_lossy())?;
            Ok(pool
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute(sqlx::raw_sql(SQLITE_PRAGMAS))
                            .await
                            .map(|_| ())
                    })
                })
                .connect_with(any)
                .await?)
        }
        Backend::Postgres => {
            if create {
                use sqlx::migrate::MigrateDatabase;
                // Two processes creating the same database at once: the loser's CREATE fails
                // (a duplicate key in pg_database), and the database it wanted exists.
                if !sqlx::Any::database_exists(url).await?
                    && let Err(e) = sqlx::Any::create_database(url).await
                    && !sqlx::Any::database_exists(url).await?
                {
                    return Err(e.into());
                }
            }
            // The commit is the durability point: synchronous_commit stays on (the default).
            Ok(pool
                .acquire_timeout(Duration::from_secs(60))
                .connect(url)
                .await?)
        }
    }
}

/// Database integers are signed 64-bit; the log's are unsigned.
pub(crate) fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n)
        .map_err(|_| StoreError::Corrupt(format!("{n} exceeds the database integer range")))
}

/// A number a caller asks about (a seq, a tree size, an index), as the database spells it; `None`
/// beyond the database's range, where no row can be. Unlike [`to_i64`], which guards what we
/// write, this never reports corruption: a request for entry 2^63 is a question with the answer
/// "no such entry", not a sign that the database is damaged.
pub(crate) fn arg(n: u64) -> Option<i64> {
    i64::try_from(n).ok()
}

pub(crate) fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative value {n} in the log")))
}

pub(crate) fn hash_of(bytes: &[u8], what: &str) -> Result<Hash, StoreError> {
    Hash::from_slice(bytes).ok_or_else(|| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}
