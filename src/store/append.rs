//! The append transaction, serialised by the database itself.
//!
//! Several `sunshine serve` processes may append to one PostgreSQL at once, so an in-process
//! mutex cannot be what keeps the chain linear. Every append opens a transaction that first
//! takes the database's write lock — `BEGIN IMMEDIATE` on SQLite (one writer per file), a
//! transaction-scoped advisory lock on PostgreSQL — and only then reads the log size. The
//! caller prepares its entries against that size while it holds the lock, and the entries,
//! their tree nodes and the signed checkpoint commit together or not at all. A process killed
//! in the middle leaves an open transaction that the database rolls back, releasing the lock.
//!
//! Readers never take this lock.

use std::collections::BTreeMap;

use sqlx::{Any, Transaction};

use crate::money::views::ViewDelta;

use super::reads::{RECORD_SIZE_SQL, SIZE_SQL};
use super::{AppendBatch, Backend, RecordRows, Store, StoreError, to_i64, to_u64};
use crate::money::records::RECORD_DERIVATION;

/// Rows per multi-row INSERT (at most 6 bound values each: far below either database's limit).
const ROWS_PER_STATEMENT: usize = 200;

/// PostgreSQL advisory lock keys (scoped to the database by PostgreSQL). "SUNSHINE" in ASCII.
/// Public so that operators' tooling (and the tests) can see who holds it in `pg_locks`.
pub const APPEND_LOCK: i64 = 0x5355_4e53_4849_4e45;
/// Separate from the append lock, so refreshing the cached views never delays an append there.
const VIEWS_LOCK: i64 = APPEND_LOCK + 1;

/// An open append transaction holding the write lock; dropping it rolls back and unlocks.
pub struct AppendTx {
    tx: Transaction<'static, Any>,
    size: u64,
    backend: Backend,
}

impl Backend {
    /// The `n`-th (from 1) bind parameter of a statement whose parameters are bound in order.
    pub(super) fn placeholder(self, n: usize) -> String {
        match self {
            Backend::Sqlite => "?".to_owned(),
            Backend::Postgres => format!("${n}"),
        }
    }

    /// `INSERT INTO {table} ({columns}) VALUES (...), (...)` for `rows` rows. PostgreSQL numbers
    /// its placeholders (`$1, $2, ...`); SQLite gets anonymous `?`s, because SQLite finds a
    /// numbered placeholder's position by a linear search of the statement's names, which makes
    /// binding a 1,200-value insert quadratic (see [`Backend::placeholder`]).
    pub(super) fn insert_sql(self, table: &str, columns: &[&str], rows: usize) -> String {
        let width = columns.len();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&self.placeholder(r * width + c + 1));
            }
            sql.push(')');
        }
        sql
    }
}

impl Store {
    /// Opens a write transaction that holds the database's write lock, on the primary.
    pub(super) async fn begin_locked(
        &self,
        lock: i64,
    ) -> Result<Transaction<'static, Any>, StoreError> {
        match self.backend {
            Backend::Sqlite => Ok(self.write.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.write.begin().await?;
                sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                    .bind(lock)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Takes the append lock and reads the log size under it. Whatever this process prepares
    /// against [`AppendTx::size`] cannot be overtaken by another writer until it commits.
    pub async fn begin_append(&self) -> Result<AppendTx, StoreError> {
        let mut tx = self.begin_locked(APPEND_LOCK).await?;
        let size: i64 = sqlx::query_scalar(SIZE_SQL).fetch_one(&mut *tx).await?;
        Ok(AppendTx {
            tx,
            size: to_u64(size)?,
            backend: self.backend,
        })
    }

    /// Commits one append in a transaction of its own (see [`AppendTx::commit`]).
    pub async fn append(&self, batch: &AppendBatch) -> Result<(), StoreError> {
        self.begin_append().await?.commit(batch).await
    }

    /// Replaces the cached views, computed at log size `size`, in one transaction — unless
    /// another process already cached views of a longer log (views never go back).
    ///
    /// A [`ViewWrite::Delta`] is how the new views differ from the views of log size `base`. It
    /// is written only when the table holds exactly those (its size is `base`; views are a
    /// function of the log prefix, so equal sizes mean equal rows, whoever wrote them): a
    /// refresh then holds the write lock — which on SQLite is also the append lock — for the few
    /// keys the new entries touched, not for every donation ever recorded. Otherwise nothing is
    /// written and the answer is `false`: the caller must write every row.
    pub async fn replace_views(&self, size: u64, write: ViewWrite<'_>) -> Result<bool, StoreError> {
        let mut tx = self.begin_locked(VIEWS_LOCK).await?;
        let cached: Option<i64> = sqlx::query_scalar("SELECT size FROM view_size WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
        let cached = cached.map(to_u64).transpose()?;
        if cached.is_some_and(|c| c > size) {
            return Ok(true);
        }
        let upserts: Vec<(&String, &String)> = match write {
            ViewWrite::Delta { base, delta } if cached == Some(base) => {
                for chunk in delta.removed.chunks(ROWS_PER_STATEMENT) {
                    let marks: Vec<String> = (1..=chunk.len())
                        .map(|i| self.backend.placeholder(i))
                        .collect();
                    let sql = format!("DELETE FROM views WHERE key IN ({})", marks.join(", "));
                    let mut q = sqlx::query(&sql);
                    for k in chunk {
                        q = q.bind(k.as_str());
                    }
                    q.execute(&mut *tx).await?;
                }
                delta.set.iter().collect()
            }
            ViewWrite::Delta { .. } => return Ok(false),
            ViewWrite::Full(rows) => {
                sqlx::query("DELETE FROM views").execute(&mut *tx).await?;
                rows.iter().collect()
            }
        };
        let upserts = upserts
            .into_iter()
            .map(|(k, v)| (k.as_str(), v.as_str(), None));
        upsert_rows(&mut tx, self.backend, Derived::Views, upserts).await?;
        sqlx::query("INSERT INTO view_size (id, size) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET size = excluded.size")
            .bind(to_i64(size)?)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The tables of derived rows, each keyed by `key`.
#[derive(Debug, Clone, Copy)]
enum Derived {
    /// `views`: (key, value).
    Views,
    /// `records`: (key, value, seq of the entry that wrote the row).
    Records,
}

/// Writes rows into a table of derived rows, replacing rows with the same key, a statement per
/// [`ROWS_PER_STATEMENT`] rows. A `views` row has no seq (`None`).
async fn upsert_rows<'a>(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    table: Derived,
    rows: impl IntoIterator<Item = (&'a str, &'a str, Option<u64>)>,
) -> Result<(), StoreError> {
    let rows: Vec<(&str, &str, Option<u64>)> = rows.into_iter().collect();
    let (name, columns, set): (_, &[&str], _) = match table {
        Derived::Views => ("views", &["key", "value"], "value = excluded.value"),
        Derived::Records => (
            "records",
            &["key", "value", "seq"],
            "value = excluded.value, seq = excluded.seq",
        ),
    };
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "{} ON CONFLICT (key) DO UPDATE SET {set}",
            backend.insert_sql(name, columns, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (k, v, seq) in chunk {
            q = q.bind(*k).bind(*v);
            if let Some(seq) = seq {
                q = q.bind(to_i64(*seq)?);
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// What [`Store::replace_views`] writes.
#[derive(Debug, Clone, Copy)]
pub enum ViewWrite<'a> {
    /// Every row: the table is cleared first.
    Full(&'a BTreeMap<String, String>),
    /// The change from the views of log size `base`.
    Delta { base: u64, delta: &'a ViewDelta },
}

impl AppendTx {
    /// The log size under the lock: the next entry's seq.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Writes the entries, their nodes and the checkpoint, and commits: the commit is the
    /// durability point. Refuses a batch prepared against another size.
    pub async fn commit(mut self, batch: &AppendBatch) -> Result<(), StoreError> {
        if self.size != batch.base_size {
            return Err(StoreError::Conflict {
                expected: batch.base_size,
                found: self.size,
            });
        }
        // Multi-row statements: one round trip per chunk, not per row.
        for chunk in batch.entries.chunks(ROWS_PER_STATEMENT) {
            let columns = ["seq", "leaf_hash", "author", "nonce", "kind", "leaf"];
            let sql = self.backend.insert_sql("entries", &columns, chunk.len());
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(to_i64(e.seq)?)
                    .bind(e.leaf_hash.as_bytes().as_slice())
                    .bind(e.columns.author.as_str())
                    .bind(e.columns.nonce.as_str())
                    .bind(e.columns.kind.as_str())
                    .bind(e.leaf.as_slice());
            }
            q.execute(&mut *self.tx)
                .await
                .map_err(StoreError::on_insert("an entry with this seq"))?;
        }
        for chunk in batch.nodes.chunks(ROWS_PER_STATEMENT) {
            let sql = self
                .backend
                .insert_sql("tree_nodes", &["level", "idx", "hash"], chunk.len());
            let mut q = sqlx::query(&sql);
            for (level, idx, hash) in chunk {
                q = q
                    .bind(i64::from(*level))
                    .bind(to_i64(*idx)?)
                    .bind(hash.as_bytes().as_slice());
            }
            q.execute(&mut *self.tx)
                .await
                .map_err(StoreError::on_insert("a tree node"))?;
        }
        let new_size = batch.base_size + batch.entries.len() as u64;
        sqlx::query("INSERT INTO checkpoints (size, note) VALUES ($1, $2)")
            .bind(to_i64(new_size)?)
            .bind(batch.checkpoint.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(StoreError::on_insert("the checkpoint for this size"))?;
        // Records go with their entries, unless the stored ones are not those of the log before
        // this batch (a database from before records were kept): then the next start writes
        // them all ([`AppendTx::rewrite_records`]), and writing these would only hide the gap.
        if self.records_follow_log().await? {
            self.put_records(&batch.records).await?;
            self.set_record_size(new_size).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// Writes record rows in this transaction; with `reset_from`, the stored rows written by
    /// entries from that seq on go first (every row, from 0).
    pub async fn put_records(&mut self, records: &RecordRows) -> Result<(), StoreError> {
        if let Some(from) = records.reset_from {
            self.clear_records_from(from).await?;
        }
        self.put_record_rows(&records.rows).await
    }

    /// Deletes the stored record rows written by entries from seq `from` on.
    async fn clear_records_from(&mut self, from: u64) -> Result<(), StoreError> {
        match from {
            // Every row, whatever its seq column holds.
            0 => {
                sqlx::query("DELETE FROM records")
                    .execute(&mut *self.tx)
                    .await?
            }
            _ => {
                sqlx::query("DELETE FROM records WHERE seq >= $1")
                    .bind(to_i64(from)?)
                    .execute(&mut *self.tx)
                    .await?
            }
        };
        Ok(())
    }

    /// Whether the stored records are those of the log before this transaction's entries:
    /// only then may an append write records (see [`AppendTx::commit`]).
    pub async fn records_follow_log(&mut self) -> Result<bool, StoreError> {
        let record_size: Option<i64> = sqlx::query_scalar(RECORD_SIZE_SQL)
            .bind(RECORD_DERIVATION)
            .fetch_optional(&mut *self.tx)
            .await?;
        let record_size = record_size.map(to_u64).transpose()?;
        Ok(record_size == Some(self.size) || (record_size.is_none() && self.size == 0))
    }

    /// Starts replacing the stored record rows written by entries from seq `from` on (every
    /// row, from 0) inside this transaction, behind a savepoint: a correction's rebuild then
    /// writes the rebuilt log's records part by part ([`AppendTx::put_record_rows`]) instead of
    /// holding all of them, and [`AppendTx::end_records_rewrite`] keeps them or puts the old
    /// ones back.
    pub async fn begin_records_rewrite(&mut self, from: u64) -> Result<(), StoreError> {
        sqlx::query("SAVEPOINT records_rewrite")
            .execute(&mut *self.tx)
            .await?;
        self.clear_records_from(from).await
    }

    /// Writes record rows (key, value, seq of the entry that wrote it) in this transaction,
    /// replacing rows with the same key.
    pub async fn put_record_rows(
        &mut self,
        rows: &[(String, String, u64)],
    ) -> Result<(), StoreError> {
        let rows = rows
            .iter()
            .map(|(k, v, seq)| (k.as_str(), v.as_str(), Some(*seq)));
        upsert_rows(&mut self.tx, self.backend, Derived::Records, rows).await
    }

    /// Ends what [`AppendTx::begin_records_rewrite`] began: `keep` the rows written since, or
    /// undo them (the correction was refused part way), leaving the rest of the transaction as
    /// it was.
    pub async fn end_records_rewrite(&mut self, keep: bool) -> Result<(), StoreError> {
        if !keep {
            sqlx::query("ROLLBACK TO SAVEPOINT records_rewrite")
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("RELEASE SAVEPOINT records_rewrite")
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    async fn set_record_size(&mut self, size: u64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO record_size (id, size, derivation) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET size = excluded.size, derivation = excluded.derivation")
            .bind(to_i64(size)?)
            .bind(RECORD_DERIVATION)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Ends a rewrite of every record row (begun with a reset [`AppendTx::put_records`]): the
    /// stored records are now those of log size `size`, which must be the size under the lock.
    pub async fn rewrite_records(mut self, size: u64) -> Result<(), StoreError> {
        if size != self.size {
            return Err(StoreError::Conflict {
                expected: size,
                found: self.size,
            });
        }
        self.set_record_size(size).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Backend;

    #[test]
    fn multi_row_inserts_number_their_placeholders_row_by_row() {
        assert_eq!(
            Backend::Postgres.insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            Backend::Sqlite.insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }
}
