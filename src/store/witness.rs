//! A witness's state database (`sunshine witness`): one SQLite file beside its key.
//!
//! C2SP tlog-witness requires checking the old size against the latest cosigned checkpoint and
//! persisting the new one atomically, or two concurrent requests can roll a log back. Here the
//! write is a compare-and-swap: [`WitnessStore::advance`] moves a log's row only if it still
//! holds the state the decision was made against, in one statement, so it holds across tasks
//! and across processes sharing the file. The commit is on disk (`synchronous = FULL`) before
//! the caller answers, so a `kill -9` can lose a request in flight but never a size that was
//! cosigned and returned.

use std::path::Path;

use sqlx::Row as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::StoreError;
use crate::ledger::Hash;
use crate::ledger::witness::Cosigned;

/// The witness's record of one log, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub cosigned: Cosigned,
    /// The log's checkpoint note with our cosignature, for monitors.
    pub checkpoint: String,
}

/// A refused request kept as possible evidence of a fork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub origin: String,
    pub status: u16,
    pub reason: String,
    pub request: String,
}

/// The witness's SQLite file.
#[derive(Clone, Debug)]
pub struct WitnessStore {
    pool: SqlitePool,
}

fn size_to_db(size: u64) -> Result<i64, StoreError> {
    i64::try_from(size).map_err(|_| StoreError::Corrupt(format!("tree size {size} exceeds 2^63-1")))
}

impl WitnessStore {
    /// Opens (with `create`, creates) the state database at `path` and migrates it.
    pub async fn open(path: &Path, create: bool) -> Result<WitnessStore, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(_) | sqlx::Error::Io(_) if !create => {
                    StoreError::Missing(path.display().to_string())
                }
                e => StoreError::Db(e),
            })?;
        sqlx::migrate!("migrations/witness").run(&pool).await?;
        Ok(WitnessStore { pool })
    }

    /// What the witness last cosigned for `origin`, if anything.
    pub async fn latest(&self, origin: &str) -> Result<Option<LogRecord>, StoreError> {
        let row = sqlx::query("SELECT size, root, checkpoint FROM logs WHERE origin = ?")
            .bind(origin)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let size: i64 = r.try_get("size")?;
            let root: Vec<u8> = r.try_get("root")?;
            Ok(LogRecord {
                cosigned: Cosigned {
                    size: u64::try_from(size)
                        .map_err(|_| StoreError::Corrupt(format!("negative size {size}")))?,
                    root: Hash::from_slice(&root)
                        .ok_or_else(|| StoreError::Corrupt("root is not 32 bytes".into()))?,
                },
                checkpoint: r.try_get("checkpoint")?,
            })
        })
        .transpose()
    }

    /// Move `origin` from `from` (`None`: never cosigned) to `to`, storing `checkpoint`.
    /// Returns `false`, writing nothing, when another request moved it first: the caller must
    /// read the state again and decide again.
    pub async fn advance(
        &self,
        origin: &str,
        from: Option<&Cosigned>,
        to: &Cosigned,
        checkpoint: &str,
        now_secs: i64,
    ) -> Result<bool, StoreError> {
        let size = size_to_db(to.size)?;
        let done = match from {
            None => {
                sqlx::query(
                    "INSERT INTO logs (origin, size, root, checkpoint, updated_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (origin) DO NOTHING",
                )
                .bind(origin)
                .bind(size)
                .bind(&to.root.as_bytes()[..])
                .bind(checkpoint)
                .bind(now_secs)
                .execute(&self.pool)
                .await?
            }
            Some(f) => {
                sqlx::query(
                    "UPDATE logs SET size = ?, root = ?, checkpoint = ?, updated_at = ? \
                 WHERE origin = ? AND size = ? AND root = ?",
                )
                .bind(size)
                .bind(&to.root.as_bytes()[..])
                .bind(checkpoint)
                .bind(now_secs)
                .bind(origin)
                .bind(size_to_db(f.size)?)
                .bind(&f.root.as_bytes()[..])
                .execute(&self.pool)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    /// Keep a refused request that carried a valid log signature.
    pub async fn record_refusal(&self, r: &Refused, now_secs: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refused (origin, received_at, status, reason, request) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&r.origin)
        .bind(now_secs)
        .bind(i64::from(r.status))
        .bind(&r.reason)
        .bind(&r.request)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every kept refusal, oldest first.
    pub async fn refusals(&self) -> Result<Vec<Refused>, StoreError> {
        let rows = sqlx::query("SELECT origin, status, reason, request FROM refused ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| {
                let status: i64 = r.try_get("status")?;
                Ok(Refused {
                    origin: r.try_get("origin")?,
                    status: u16::try_from(status)
                        .map_err(|_| StoreError::Corrupt(format!("status {status}")))?,
                    reason: r.try_get("reason")?,
                    request: r.try_get("request")?,
                })
            })
            .collect()
    }

    /// The latest cosigned checkpoint note of every log, for `GET /<origin hash>/checkpoint`.
    pub async fn checkpoints(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT origin, checkpoint FROM logs ORDER BY origin")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|r| Ok((r.try_get("origin")?, r.try_get("checkpoint")?)))
            .collect()
    }
}
