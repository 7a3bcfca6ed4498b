//! The start snapshots' chunks (migrations 0004, 0007): written by the append service now and
//! then, the newest read at start, an older one by a correction's rebuild (which may start from
//! one below its target), each by the audit. The [`KEPT`] newest are kept. The bytes are opaque
//! here (`replay::snapshot` reads them).
//!
//! A snapshot is stored as chunks of [`CHUNK`] bytes and read back one chunk at a time into a
//! buffer of its whole size: a single value of hundreds of megabytes would be copied whole
//! between the database and the driver two or three times, each time into fresh memory.

use futures_util::TryStreamExt;

use super::{Store, StoreError, to_i64, to_u64};

/// The bytes in a chunk.
const CHUNK: usize = 1 << 20;

/// How many snapshots are kept: the newest starts a process; the older ones let a correction
/// whose target is older than the newest rebuild from one of them instead of from entry 0. A
/// server writes one every twentieth of the log (at least 10,000 entries), so four cover the
/// last sixth of the log or so, for about four times the disk of one (tens of bytes an entry).
pub const KEPT: usize = 4;

impl Store {
    /// Keeps `state` as the snapshot at log `size`, and drops those older than the [`KEPT`]
    /// newest (this one too, if [`KEPT`] newer ones are stored: two processes may race).
    pub async fn put_snapshot(&self, size: u64, state: &[u8]) -> Result<(), StoreError> {
        let size = to_i64(size)?;
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM snapshot_chunks WHERE size = $1")
            .bind(size)
            .execute(&mut *tx)
            .await?;
        // An empty snapshot is still one (empty) chunk, so that its size is recorded.
        let chunks: Vec<&[u8]> = match state.is_empty() {
            true => vec![state],
            false => state.chunks(CHUNK).collect(),
        };
        for (idx, chunk) in chunks.into_iter().enumerate() {
            sqlx::query("INSERT INTO snapshot_chunks (size, idx, bytes) VALUES ($1, $2, $3)")
                .bind(size)
                .bind(to_i64(idx as u64)?)
                .bind(chunk)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!(
            "DELETE FROM snapshot_chunks WHERE size NOT IN \
             (SELECT DISTINCT size FROM snapshot_chunks ORDER BY size DESC LIMIT {KEPT})"
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The log size of the newest snapshot, if there is one.
    pub async fn snapshot_size(&self) -> Result<Option<u64>, StoreError> {
        let size: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM snapshot_chunks")
            .fetch_one(&self.write)
            .await?;
        size.map(to_u64).transpose()
    }

    /// The log sizes of the kept snapshots, smallest first.
    pub async fn snapshot_sizes(&self) -> Result<Vec<u64>, StoreError> {
        let sizes: Vec<i64> =
            sqlx::query_scalar("SELECT DISTINCT size FROM snapshot_chunks ORDER BY size")
                .fetch_all(&self.write)
                .await?;
        sizes.into_iter().map(to_u64).collect()
    }

    /// The newest snapshot: its log size and bytes.
    pub async fn newest_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        match self.snapshot_size().await? {
            Some(size) => Ok(self.snapshot_at(size).await?.map(|bytes| (size, bytes))),
            None => Ok(None),
        }
    }

    /// The bytes of the snapshot at log `size`, if one is kept (and was not dropped while it
    /// was read).
    pub async fn snapshot_at(&self, size: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let size = to_i64(size)?;
        let mut tx = self.write.begin().await?;
        let total: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(SUM(LENGTH(bytes)) AS BIGINT) FROM snapshot_chunks WHERE size = $1",
        )
        .bind(size)
        .fetch_one(&mut *tx)
        .await?;
        let Some(total) = total else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        {
            let mut chunks = sqlx::query_scalar::<_, Vec<u8>>(
                "SELECT bytes FROM snapshot_chunks WHERE size = $1 ORDER BY idx",
            )
            .bind(size)
            .fetch(&mut *tx);
            while let Some(chunk) = chunks.try_next().await? {
                bytes.extend_from_slice(&chunk);
            }
        }
        tx.commit().await?;
        // Read in two statements: on PostgreSQL (read committed) a server keeping the newest
        // few may have dropped this one in between. Then it is not kept any more.
        if i64::try_from(bytes.len()) != Ok(total) {
            return Ok(None);
        }
        Ok(Some(bytes))
    }

    /// Drops every snapshot: the next start replays the whole log (the benchmark's baseline).
    pub async fn clear_snapshots(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM snapshot_chunks")
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
