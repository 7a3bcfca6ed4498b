//! Checkpoints that reached the witness quorum (migration 0005), kept so that a restarted server
//! serves the last one at once and the static export publishes it with its cosignatures.
//!
//! A row only gains cosignatures (a trigger refuses anything else): the server saves a checkpoint
//! when it reaches the quorum and again each time a late witness adds its line.

use sqlx::Row as _;

use super::{Store, StoreError, to_i64, to_u64};

/// One stored cosigned checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignedRow {
    pub size: u64,
    /// The operator-signed checkpoint followed by every valid cosignature collected.
    pub note: String,
    /// The witness policy it reached the quorum under
    /// ([`crate::ledger::witness_policy::WitnessPolicy::encode`]).
    pub policy: String,
}

impl Store {
    /// Stores `row`, or adds to the row of its size when `row.note` extends it. A note that does
    /// not extend the stored one (two servers that merged cosignatures in different orders) is
    /// left out: the stored one already carries the quorum.
    pub async fn save_cosigned(&self, row: &CosignedRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cosigned_checkpoints (size, note, policy) VALUES ($1, $2, $3) \
             ON CONFLICT (size) DO UPDATE SET note = excluded.note \
             WHERE length(excluded.note) > length(cosigned_checkpoints.note) \
             AND substr(excluded.note, 1, length(cosigned_checkpoints.note)) \
                 = cosigned_checkpoints.note",
        )
        .bind(to_i64(row.size)?)
        .bind(&row.note)
        .bind(&row.policy)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The newest stored cosigned checkpoint.
    pub async fn latest_cosigned(&self) -> Result<Option<CosignedRow>, StoreError> {
        let row = sqlx::query(
            "SELECT size, note, policy FROM cosigned_checkpoints ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(CosignedRow {
                size: to_u64(r.try_get("size")?)?,
                note: r.try_get("note")?,
                policy: r.try_get("policy")?,
            })
        })
        .transpose()
    }
}
