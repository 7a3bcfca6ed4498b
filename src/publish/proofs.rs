//! Proof documents: inclusion and consistency proofs bundled with the signed checkpoints they are
//! relative to, so the holder can verify them offline with only the operator's verifier key.

use serde::{Deserialize, Serialize};

use crate::ledger::merkle::{consistency_proof, inclusion_proof};
use crate::ledger::{Hash, merkle};
use crate::store::{Store, StoreError, TreeReadError};

/// Why a proof cannot be produced.
#[derive(Debug, thiserror::Error)]
pub enum ProofRequestError {
    #[error("entry {seq} does not exist (the log has {size} entries)")]
    NoEntry { seq: u64, size: u64 },
    #[error(
        "no signed checkpoint at size {0}; proofs are relative to signed checkpoints (latest: {1})"
    )]
    NoCheckpoint(u64, u64),
    #[error("the log is empty")]
    Empty,
    #[error("from ({from}) must not exceed to ({to})")]
    Order { from: u64, to: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("tree: {0}")]
    Tree(String),
}

impl From<TreeReadError> for ProofRequestError {
    fn from(e: TreeReadError) -> Self {
        match e {
            TreeReadError::Store(s) => ProofRequestError::Store(s),
            TreeReadError::Tree(t) => ProofRequestError::Tree(t),
        }
    }
}

/// An RFC 9162 inclusion proof of one entry, relative to a signed checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct InclusionProof {
    /// The entry's position in the log (its leaf index).
    pub seq: u64,
    /// The tree size the proof is for: that of `checkpoint`.
    pub size: u64,
    /// SHA-256(0x00 || leaf), 64 lower-case hex digits.
    #[schema(value_type = String, pattern = "^[0-9a-f]{64}$")]
    pub leaf_hash: Hash,
    /// The entry's leaf bytes (JCS JSON), so the proof is self-contained.
    pub leaf: String,
    /// The audit path, leaf to root (RFC 9162 §2.1.3), each 64 lower-case hex digits.
    #[schema(value_type = Vec<String>)]
    pub proof: Vec<Hash>,
    /// The C2SP signed checkpoint note of tree size `size`.
    pub checkpoint: String,
}

/// An RFC 9162 consistency proof between two signed checkpoints.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ConsistencyProof {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
    /// The consistency proof nodes (RFC 9162 §2.1.4), each 64 lower-case hex digits.
    #[schema(value_type = Vec<String>)]
    pub proof: Vec<Hash>,
    /// The signed checkpoint note of size `from`.
    pub from_checkpoint: String,
    /// The signed checkpoint note of size `to`.
    pub to_checkpoint: String,
}

async fn checkpoint_for(
    store: &Store,
    size: Option<u64>,
) -> Result<(u64, String), ProofRequestError> {
    let (latest, note) = store
        .latest_checkpoint()
        .await?
        .ok_or(ProofRequestError::Empty)?;
    match size {
        None => Ok((latest, note)),
        Some(s) if s == latest => Ok((latest, note)),
        Some(s) => {
            let note = store
                .checkpoint_at(s)
                .await?
                .ok_or(ProofRequestError::NoCheckpoint(s, latest))?;
            Ok((s, note))
        }
    }
}

/// The inclusion proof of entry `seq` in the checkpointed tree of `size` (default: latest).
/// Reads O(log n) nodes.
pub async fn inclusion(
    store: &Store,
    seq: u64,
    size: Option<u64>,
) -> Result<InclusionProof, ProofRequestError> {
    let (size, checkpoint) = checkpoint_for(store, size).await?;
    if seq >= size {
        return Err(ProofRequestError::NoEntry { seq, size });
    }
    let entry = store
        .entry(seq)
        .await?
        .ok_or(ProofRequestError::NoEntry { seq, size })?;
    let leaf_hash = Hash::from_slice(&entry.leaf_hash)
        .ok_or_else(|| StoreError::Corrupt(format!("entry {seq} leaf hash")))?;
    let proof = store.with_nodes(|r| inclusion_proof(seq, size, r)).await?;
    let leaf = String::from_utf8(entry.leaf)
        .map_err(|_| StoreError::Corrupt(format!("entry {seq} is not UTF-8")))?;
    Ok(InclusionProof {
        seq,
        size,
        leaf_hash,
        leaf,
        proof,
        checkpoint,
    })
}

/// The consistency proof from checkpointed size `from` to `to` (default: latest).
pub async fn consistency(
    store: &Store,
    from: u64,
    to: Option<u64>,
) -> Result<ConsistencyProof, ProofRequestError> {
    let (to, to_checkpoint) = checkpoint_for(store, to).await?;
    if from > to {
        return Err(ProofRequestError::Order { from, to });
    }
    let (from, from_checkpoint) = checkpoint_for(store, Some(from)).await?;
    let proof = store.with_nodes(|r| consistency_proof(from, to, r)).await?;
    Ok(ConsistencyProof {
        from,
        to,
        proof,
        from_checkpoint,
        to_checkpoint,
    })
}

/// Why a proof document does not verify.
#[derive(Debug, thiserror::Error)]
pub enum ProofCheckError {
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] crate::ledger::note::NoteError),
    #[error("checkpoint is for size {found}, the proof claims {claimed}")]
    Size { claimed: u64, found: u64 },
    #[error("leaf hash does not match the leaf bytes")]
    Leaf,
    #[error("proof: {0}")]
    Proof(#[from] merkle::ProofError),
}

impl InclusionProof {
    /// Verifies the proof offline against the operator's verifier key string.
    pub fn verify(&self, vkey: &str) -> Result<(), ProofCheckError> {
        let cp = crate::ledger::note::Checkpoint::verify(&self.checkpoint, vkey)?;
        if cp.size != self.size {
            return Err(ProofCheckError::Size {
                claimed: self.size,
                found: cp.size,
            });
        }
        if crate::ledger::hash::leaf_hash(self.leaf.as_bytes()) != self.leaf_hash {
            return Err(ProofCheckError::Leaf);
        }
        merkle::verify_inclusion(self.seq, self.size, &self.leaf_hash, &self.proof, &cp.root)?;
        Ok(())
    }
}

impl ConsistencyProof {
    /// Verifies the proof offline against the operator's verifier key string.
    pub fn verify(&self, vkey: &str) -> Result<(), ProofCheckError> {
        let old = crate::ledger::note::Checkpoint::verify(&self.from_checkpoint, vkey)?;
        let new = crate::ledger::note::Checkpoint::verify(&self.to_checkpoint, vkey)?;
        if old.size != self.from {
            return Err(ProofCheckError::Size {
                claimed: self.from,
                found: old.size,
            });
        }
        if new.size != self.to {
            return Err(ProofCheckError::Size {
                claimed: self.to,
                found: new.size,
            });
        }
        merkle::verify_consistency(self.from, self.to, &old.root, &new.root, &self.proof)?;
        Ok(())
    }
}
