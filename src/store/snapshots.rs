//! The start snapshot's table (migration 0004): written by the append service now and then,
//! read at start and by the audit. The bytes are opaque here (`replay::snapshot` reads them).

use super::{Store, StoreError, to_i64, to_u64};

impl Store {
    /// Keeps `state` as the snapshot at log `size`, and drops any older one. A snapshot older
    /// than the one stored is not kept: two processes may race, the newest wins.
    pub async fn put_snapshot(&self, size: u64, state: &[u8]) -> Result<(), StoreError> {
        let size = to_i64(size)?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO snapshots (size, state) VALUES ($1, $2) \
             ON CONFLICT (size) DO UPDATE SET state = excluded.state",
        )
        .bind(size)
        .bind(state)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM snapshots WHERE size < (SELECT MAX(size) FROM snapshots)")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The log size of the newest snapshot, if there is one.
    pub async fn snapshot_size(&self) -> Result<Option<u64>, StoreError> {
        let size: Option<i64> = sqlx::query_scalar("SELECT MAX(size) FROM snapshots")
            .fetch_one(&self.write)
            .await?;
        size.map(to_u64).transpose()
    }

    /// The newest snapshot: its log size and bytes.
    pub async fn newest_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT size, state FROM snapshots ORDER BY size DESC LIMIT 1")
                .fetch_optional(&self.write)
                .await?;
        row.map(|(size, state)| Ok((to_u64(size)?, state)))
            .transpose()
    }

    /// Drops every snapshot: the next start replays the whole log (the benchmark's baseline).
    pub async fn clear_snapshots(&self) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM snapshots")
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
