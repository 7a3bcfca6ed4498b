//! SQLite implementation of the store.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use futures_util::{Stream, StreamExt, TryStreamExt};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use super::{AppendBatch, StoreError, StoredEntry};
use crate::ledger::Hash;

/// Rows per multi-row INSERT (6 bound values each stays far below SQLite's variable limit).
const ROWS_PER_STATEMENT: usize = 200;

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT_SECS: u64 = 30;

/// A ledger database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n)
        .map_err(|_| StoreError::Corrupt(format!("{n} exceeds the database integer range")))
}

fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative value {n} in the log")))
}

fn hash_of(bytes: &[u8], what: &str) -> Result<Hash, StoreError> {
    Hash::from_slice(bytes).ok_or_else(|| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}

impl Store {
    /// Opens (and with `create`, creates) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str, create: bool) -> Result<Store, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before we answer, even across power loss.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(BUSY_TIMEOUT_SECS))
            .foreign_keys(true);
        if !create {
            let path = opts.get_filename();
            if path.as_os_str() != ":memory:" && !path.exists() {
                return Err(StoreError::Missing(path.display().to_string()));
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Store { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Number of entries in the log.
    pub async fn size(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries")
            .fetch_one(&self.pool)
            .await?;
        to_u64(n)
    }

    /// Number of stored interior tree nodes.
    pub async fn node_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tree_nodes")
            .fetch_one(&self.pool)
            .await?;
        to_u64(n)
    }

    /// Commits one append: entries, nodes, checkpoint and views, atomically, after checking that
    /// nobody else appended since `batch.base_size` was read.
    pub async fn append(&self, batch: &AppendBatch) -> Result<(), StoreError> {
        let mut tx: Transaction<'_, Sqlite> = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let size: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entries")
            .fetch_one(&mut *tx)
            .await?;
        let size = to_u64(size)?;
        if size != batch.base_size {
            return Err(StoreError::Conflict {
                expected: batch.base_size,
                found: size,
            });
        }
        // Multi-row statements: one round trip to SQLite's worker thread per chunk, not per row.
        for chunk in batch.entries.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO entries (seq, leaf_hash, author, nonce, kind, leaf) ",
            );
            let mut bad = None;
            q.push_values(chunk, |mut row, e| {
                let seq = to_i64(e.seq).unwrap_or_else(|err| {
                    bad = Some(err);
                    -1
                });
                row.push_bind(seq)
                    .push_bind(e.leaf_hash.as_bytes().to_vec())
                    .push_bind(e.author.clone())
                    .push_bind(e.nonce.clone())
                    .push_bind(e.kind)
                    .push_bind(e.leaf.clone());
            });
            if let Some(err) = bad {
                return Err(err);
            }
            q.build().execute(&mut *tx).await?;
        }
        for chunk in batch.nodes.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO tree_nodes (level, idx, hash) ");
            let mut bad = None;
            q.push_values(chunk, |mut row, (level, idx, hash)| {
                let idx = to_i64(*idx).unwrap_or_else(|err| {
                    bad = Some(err);
                    -1
                });
                row.push_bind(i64::from(*level))
                    .push_bind(idx)
                    .push_bind(hash.as_bytes().to_vec());
            });
            if let Some(err) = bad {
                return Err(err);
            }
            q.build().execute(&mut *tx).await?;
        }
        let new_size = batch.base_size + batch.entries.len() as u64;
        sqlx::query("INSERT INTO checkpoints (size, note) VALUES (?, ?)")
            .bind(to_i64(new_size)?)
            .bind(&batch.checkpoint)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the cached views with `rows`, computed at log size `size`, in one transaction.
    pub async fn replace_views(
        &self,
        size: u64,
        rows: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM views").execute(&mut *tx).await?;
        let rows: Vec<(&String, &String)> = rows.iter().collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO views (key, value) ");
            q.push_values(chunk, |mut row, (k, v)| {
                row.push_bind(k.as_str()).push_bind(v.as_str());
            });
            q.build().execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO view_size (id, size) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size")
            .bind(to_i64(size)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The log size the cached views were computed at, if they ever were.
    pub async fn view_size(&self) -> Result<Option<u64>, StoreError> {
        let n: Option<i64> = sqlx::query_scalar("SELECT size FROM view_size WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        n.map(to_u64).transpose()
    }

    /// The leaf bytes of entry `seq`.
    pub async fn entry(&self, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let row = sqlx::query("SELECT seq, leaf_hash, leaf FROM entries WHERE seq = ?")
            .bind(to_i64(seq)?)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| stored_entry(&r)).transpose()
    }

    /// The seq of the entry with this leaf hash.
    pub async fn seq_by_hash(&self, hash: &Hash) -> Result<Option<u64>, StoreError> {
        let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM entries WHERE leaf_hash = ?")
            .bind(hash.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await?;
        seq.map(to_u64).transpose()
    }

    /// The seq and leaf bytes of the entry `author` submitted with `nonce`, if any.
    pub async fn entry_by_nonce(
        &self,
        author: &str,
        nonce: &str,
    ) -> Result<Option<StoredEntry>, StoreError> {
        let row =
            sqlx::query("SELECT seq, leaf_hash, leaf FROM entries WHERE author = ? AND nonce = ?")
                .bind(author)
                .bind(nonce)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| stored_entry(&r)).transpose()
    }

    /// Entries from `from` on, in seq order, streamed (memory does not grow with the log).
    pub fn entries_from(
        &self,
        from: u64,
    ) -> impl Stream<Item = Result<StoredEntry, StoreError>> + '_ {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        sqlx::query("SELECT seq, leaf_hash, leaf FROM entries WHERE seq >= ? ORDER BY seq")
            .bind(from)
            .fetch(&self.pool)
            .map(|r| r.map_err(StoreError::from).and_then(|r| stored_entry(&r)))
    }

    /// Up to `limit` entries starting at `from`.
    pub async fn entries_range(
        &self,
        from: u64,
        limit: u64,
    ) -> Result<Vec<StoredEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, leaf_hash, leaf FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?",
        )
        .bind(to_i64(from)?)
        .bind(to_i64(limit)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_entry).collect()
    }

    /// Stored hashes at tree `level` (>= 1), streamed in index order: (index, hash bytes).
    pub fn level_nodes(
        &self,
        level: u8,
    ) -> impl Stream<Item = Result<(u64, Vec<u8>), StoreError>> + '_ {
        sqlx::query("SELECT idx, hash FROM tree_nodes WHERE level = ? ORDER BY idx")
            .bind(i64::from(level))
            .fetch(&self.pool)
            .map(|r| {
                let r = r?;
                Ok((to_u64(r.try_get("idx")?)?, r.try_get("hash")?))
            })
    }

    /// The hashes of the given complete subtrees; level 0 reads leaf hashes from the entries.
    /// Missing nodes are an error: the caller only asks for nodes a tree of its size has.
    pub async fn nodes(&self, ids: &[(u8, u64)]) -> Result<HashMap<(u8, u64), Hash>, StoreError> {
        let mut out = HashMap::with_capacity(ids.len());
        let mut conn = self.pool.acquire().await?;
        for &(level, idx) in ids {
            if out.contains_key(&(level, idx)) {
                continue;
            }
            let bytes: Option<Vec<u8>> = if level == 0 {
                sqlx::query_scalar("SELECT leaf_hash FROM entries WHERE seq = ?")
                    .bind(to_i64(idx)?)
                    .fetch_optional(&mut *conn)
                    .await?
            } else {
                sqlx::query_scalar("SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?")
                    .bind(i64::from(level))
                    .bind(to_i64(idx)?)
                    .fetch_optional(&mut *conn)
                    .await?
            };
            let bytes = bytes.ok_or_else(|| {
                StoreError::Corrupt(format!("tree node level {level} index {idx} is missing"))
            })?;
            out.insert((level, idx), hash_of(&bytes, "tree node")?);
        }
        Ok(out)
    }

    /// The hashes at `level` with indices in `start..end` (for hash tiles), in index order.
    pub async fn node_range(
        &self,
        level: u8,
        start: u64,
        end: u64,
    ) -> Result<Vec<Hash>, StoreError> {
        let rows: Vec<Vec<u8>> = if level == 0 {
            sqlx::query_scalar(
                "SELECT leaf_hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq",
            )
            .bind(to_i64(start)?)
            .bind(to_i64(end)?)
            .fetch_all(&self.pool)
            .await?
        } else {
            sqlx::query_scalar(
                "SELECT hash FROM tree_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
            )
            .bind(i64::from(level))
            .bind(to_i64(start)?)
            .bind(to_i64(end)?)
            .fetch_all(&self.pool)
            .await?
        };
        rows.iter().map(|b| hash_of(b, "tree node")).collect()
    }

    /// The newest checkpoint note and its size.
    pub async fn latest_checkpoint(&self) -> Result<Option<(u64, String)>, StoreError> {
        let row = sqlx::query("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("note")?)))
            .transpose()
    }

    /// The smallest stored checkpoint covering at least `size` entries.
    pub async fn checkpoint_covering(
        &self,
        size: u64,
    ) -> Result<Option<(u64, String)>, StoreError> {
        let row =
            sqlx::query("SELECT size, note FROM checkpoints WHERE size >= ? ORDER BY size LIMIT 1")
                .bind(to_i64(size)?)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("note")?)))
            .transpose()
    }

    /// The checkpoint stored for exactly `size` entries.
    pub async fn checkpoint_at(&self, size: u64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT note FROM checkpoints WHERE size = ?")
                .bind(to_i64(size)?)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// All checkpoints in size order, streamed: (size column, note).
    pub fn checkpoints(&self) -> impl Stream<Item = Result<(u64, String), StoreError>> + '_ {
        sqlx::query("SELECT size, note FROM checkpoints ORDER BY size")
            .fetch(&self.pool)
            .map(|r| {
                let r = r?;
                Ok((to_u64(r.try_get("size")?)?, r.try_get("note")?))
            })
    }

    /// Cached view rows in key order, streamed.
    pub fn views(&self) -> impl Stream<Item = Result<(String, String), StoreError>> + '_ {
        sqlx::query("SELECT key, value FROM views ORDER BY key")
            .fetch(&self.pool)
            .map(|r| {
                let r = r?;
                Ok((r.try_get("key")?, r.try_get("value")?))
            })
    }

    /// One cached view row.
    pub async fn view(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT value FROM views WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Cached view rows whose key starts with `prefix`, in key order.
    pub async fn views_with_prefix(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let upper = format!("{prefix}\u{10FFFF}");
        let rows =
            sqlx::query("SELECT key, value FROM views WHERE key >= ? AND key < ? ORDER BY key")
                .bind(prefix)
                .bind(upper)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("key")?, r.try_get("value")?)))
            .collect()
    }

    /// Collects a fallible stream; a small helper for tests and short listings.
    pub async fn collect<T>(
        s: impl Stream<Item = Result<T, StoreError>>,
    ) -> Result<Vec<T>, StoreError> {
        s.try_collect().await
    }
}

fn stored_entry(r: &sqlx::sqlite::SqliteRow) -> Result<StoredEntry, StoreError> {
    Ok(StoredEntry {
        seq: to_u64(r.try_get("seq")?)?,
        leaf_hash: r.try_get("leaf_hash")?,
        leaf: r.try_get("leaf")?,
    })
}
