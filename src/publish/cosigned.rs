//! Which checkpoint the static export publishes as `log/checkpoint`: the newest one the server
//! saw reach the witness quorum (saved in the ledger database, migration 0005), with its
//! cosignatures and the policy it met (`log/witnesses`); the newest operator-signed one when the
//! log has never been cosigned.
//!
//! A saved cosigned checkpoint is checked before it is published, as a reader would check it:
//! the operator's signature, a root equal to the stored tree's at its size, and the quorum of its
//! own policy. One that fails stops the export: publishing an uncosigned checkpoint in its place
//! would quietly drop a guarantee readers were given.

use super::export::ExportError;
use crate::ledger::merkle;
use crate::ledger::note::Checkpoint;
use crate::ledger::tiles::{self, TileRef};
use crate::ledger::witness_policy::WitnessPolicy;
use crate::store::Store;

/// `log/witnesses`: the witness policy the published checkpoint met.
pub const WITNESSES_FILE: &str = "witnesses";

/// The checkpoint to publish.
#[derive(Debug, Clone)]
pub struct Published {
    pub size: u64,
    pub root: crate::ledger::Hash,
    /// The signed note, with every cosignature when cosigned.
    pub note: String,
    /// The witness policy text, when the checkpoint is cosigned.
    pub policy: Option<String>,
}

impl Published {
    /// The partial tiles a client verifying against this checkpoint fetches which the newest
    /// tree's tile set does not hold (the newest tree has grown past them). Full tiles of the
    /// smaller tree are full tiles of the larger one too.
    pub fn own_partial_tiles(&self, newest: u64) -> Vec<TileRef> {
        if self.size == newest {
            return Vec::new();
        }
        tiles::tiles_for_size(self.size)
            .into_iter()
            .filter(TileRef::is_partial)
            .collect()
    }
}

/// The checkpoint to publish, given the newest operator-signed one (`latest`, already checked
/// against the stored tree) and the operator's verifier key.
pub async fn choose(
    store: &Store,
    vkey: &str,
    latest: &Checkpoint,
    latest_note: String,
) -> Result<Published, ExportError> {
    let Some(row) = store.latest_cosigned().await? else {
        return Ok(Published {
            size: latest.size,
            root: latest.root,
            note: latest_note,
            policy: None,
        });
    };
    let bad = |why: String| ExportError::Cosigned {
        size: row.size,
        reason: why,
    };
    let cp = Checkpoint::verify(&row.note, vkey)
        .map_err(|e| bad(format!("the operator signature does not verify: {e}")))?;
    if cp.size != row.size || cp.size > latest.size {
        return Err(bad(format!(
            "it says size {}, saved as {} with the newest checkpoint at {}",
            cp.size, row.size, latest.size
        )));
    }
    let computed = store.with_nodes(|r| merkle::tree_hash(cp.size, r)).await?;
    if computed != cp.root {
        return Err(bad(format!(
            "it signs root {}, the stored tree hashes to {computed}",
            cp.root
        )));
    }
    let policy = WitnessPolicy::parse(&row.policy).map_err(|e| bad(e.to_string()))?;
    policy.check(&row.note).map_err(|e| bad(e.to_string()))?;
    Ok(Published {
        size: cp.size,
        root: cp.root,
        note: row.note,
        policy: Some(row.policy),
    })
}
