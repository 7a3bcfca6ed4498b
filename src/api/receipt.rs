//! Receipts: what an accepted submission is answered with.
//!
//! A receipt is the entry's seq and leaf hash with an RFC 9162 inclusion proof in the checkpoint
//! signed for the commit that included it — the same document `GET /api/v1/proof/inclusion`
//! serves for that size — so a client verifies it offline with only the operator's verifier
//! key, and a retry (which looks the commit's checkpoint up again) gets the identical receipt.
//!
//! Receipts for a whole group commit are computed together: their proofs share most nodes, and
//! [`receipts`] fetches everything all of them need in a couple of batched rounds rather than a
//! few queries per receipt, which matters at thousands of appends per second.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiError;
use crate::ledger::Hash;
use crate::ledger::merkle::{MerkleError, NodeReader, inclusion_proof};
use crate::publish::proofs::InclusionProof;
use crate::store::Store;

/// Proof that an entry is in the log, verifiable offline with the operator's verifier key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    /// The entry's position in the log.
    pub seq: u64,
    /// SHA-256(0x00 || leaf bytes), hex.
    #[schema(value_type = String)]
    pub leaf_hash: Hash,
    /// The inclusion proof document (seq, size, leaf_hash, leaf, proof, checkpoint) in the
    /// checkpoint signed for the commit that included the entry.
    pub inclusion: InclusionProof,
    /// That checkpoint: a C2SP signed note.
    pub checkpoint: String,
    /// Whether that checkpoint is witness-cosigned and how to bring the receipt up to one that
    /// is; present when the log has witnesses ([`super::cosigned`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnessing: Option<super::cosigned::Witnessing>,
}

/// Node hashes fetched so far; records every node any of several computations still needs, so
/// a whole group's proofs are read in a couple of batched rounds rather than one per proof.
#[derive(Default)]
struct Gathered {
    known: HashMap<(u8, u64), Hash>,
    wanted: std::cell::RefCell<Vec<(u8, u64)>>,
}

#[derive(Debug)]
struct Wanted;

impl std::fmt::Display for Wanted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("tree nodes not fetched yet")
    }
}

impl NodeReader for Gathered {
    type Error = Wanted;

    fn node(&self, level: u8, index: u64) -> Result<Hash, Wanted> {
        self.nodes(&[(level, index)]).map(|mut v| v.remove(0))
    }

    fn nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Hash>, Wanted> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            match self.known.get(id) {
                Some(h) => out.push(*h),
                None => self.wanted.borrow_mut().push(*id),
            }
        }
        if out.len() == ids.len() {
            Ok(out)
        } else {
            Err(Wanted)
        }
    }
}

/// Rounds after which proof computation that keeps asking for nodes is declared broken.
const MAX_PROOF_ROUNDS: usize = 64;

/// Receipts for `(seq, leaf_hash, leaf)` rows in the checkpoint of tree size `size`.
pub async fn receipts(
    store: &Store,
    rows: &[(u64, Hash, Vec<u8>)],
    size: u64,
) -> Result<Vec<Receipt>, ApiError> {
    let checkpoint = store
        .checkpoint_at(size)
        .await?
        .ok_or_else(|| ApiError::internal(format!("no checkpoint stored at size {size}")))?;
    let mut nodes = Gathered::default();
    let mut proofs = None;
    for _ in 0..MAX_PROOF_ROUNDS {
        let attempt: Result<Vec<Vec<Hash>>, _> = rows
            .iter()
            .map(|(seq, _, _)| inclusion_proof(*seq, size, &nodes))
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        match attempt {
            Ok(p) => {
                proofs = Some(p);
                break;
            }
            Err(MerkleError::Storage(Wanted)) => {
                let mut wanted = nodes.wanted.take();
                wanted.sort_unstable();
                wanted.dedup();
                nodes.known.extend(store.nodes(&wanted).await?);
            }
            Err(other) => return Err(ApiError::internal(other)),
        }
    }
    let proofs = proofs.ok_or_else(|| ApiError::internal("inclusion proofs did not converge"))?;
    rows.iter()
        .zip(proofs)
        .map(|((seq, hash, leaf), proof)| {
            let leaf = String::from_utf8(leaf.clone())
                .map_err(|_| ApiError::internal(format!("entry {seq} is not UTF-8")))?;
            Ok(Receipt {
                seq: *seq,
                leaf_hash: *hash,
                inclusion: InclusionProof {
                    seq: *seq,
                    size,
                    leaf_hash: *hash,
                    leaf,
                    proof,
                    checkpoint: checkpoint.clone(),
                },
                checkpoint: checkpoint.clone(),
                witnessing: None,
            })
        })
        .collect()
}
