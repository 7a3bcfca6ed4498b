//! Bridges the synchronous Merkle algorithms to the asynchronous store.
//!
//! The core's [`NodeReader`] is synchronous and every algorithm asks for all the nodes it needs in
//! one `nodes` call. So we run the algorithm against an in-memory map; when it asks for nodes the
//! map lacks, we fetch exactly those in one round trip and run it again. Which nodes an algorithm
//! needs depends only on sizes and indices, never on hash values, so this converges in a few
//! rounds with O(log n) reads in total.

use std::collections::HashMap;

use super::{Store, StoreError};
use crate::ledger::Hash;
use crate::ledger::merkle::{MerkleError, NodeReader};

/// Rounds after which a computation that keeps asking for new nodes is declared broken.
const MAX_FETCH_ROUNDS: usize = 64;

/// Node ids the map did not hold.
#[derive(Debug)]
pub struct Missing(Vec<(u8, u64)>);

/// Hashes fetched so far.
#[derive(Default)]
pub struct FetchedNodes(HashMap<(u8, u64), Hash>);

impl NodeReader for FetchedNodes {
    type Error = Missing;

    fn node(&self, level: u8, index: u64) -> Result<Hash, Missing> {
        self.0
            .get(&(level, index))
            .copied()
            .ok_or_else(|| Missing(vec![(level, index)]))
    }

    fn nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Hash>, Missing> {
        let missing: Vec<(u8, u64)> = ids
            .iter()
            .filter(|id| !self.0.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(Missing(missing));
        }
        Ok(ids.iter().map(|id| self.0[id]).collect())
    }
}

/// A Merkle computation failed for a reason other than a missing node.
#[derive(Debug, thiserror::Error)]
pub enum TreeReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Tree(String),
}

impl Store {
    /// Runs a pure Merkle computation over the stored tree, fetching the nodes it asks for.
    pub async fn with_nodes<T>(
        &self,
        f: impl Fn(&FetchedNodes) -> Result<T, MerkleError<Missing>>,
    ) -> Result<T, TreeReadError> {
        let mut fetched = FetchedNodes::default();
        for _ in 0..MAX_FETCH_ROUNDS {
            match f(&fetched) {
                Ok(t) => return Ok(t),
                Err(MerkleError::Storage(Missing(ids))) => {
                    let got = self.nodes(&ids).await?;
                    fetched.0.extend(got);
                }
                Err(other) => return Err(TreeReadError::Tree(other.to_string())),
            }
        }
        Err(TreeReadError::Tree(
            "Merkle computation did not converge".into(),
        ))
    }
}
