//! The ledger's Merkle tree: RFC 9162 (Certificate Transparency v2) section 2.1, which keeps the
//! tree shape and hashing of RFC 6962 section 2.1.
//!
//! * The Merkle Tree Hash (MTH) of `n` leaves splits at the largest power of two *smaller* than
//!   `n` (RFC 9162 §2.1.1), not at the midpoint; the empty tree hashes to SHA-256 of the empty
//!   string. Leaves and interior nodes are domain-separated by [`leaf_hash`] / [`node_hash`].
//! * Inclusion proofs are RFC 9162 §2.1.3.1 `PATH(m, D[n])`, verified with the §2.1.3.2
//!   algorithm; consistency proofs are §2.1.4.1 `PROOF(m, D[n])` / `SUBPROOF`, verified with the
//!   §2.1.4.2 algorithm. The verifiers never rebuild the tree: a third party holding only a
//!   checkpoint and a proof must be able to run them, so they are written exactly as the RFC
//!   states them and are tested against an independent implementation of the RFC's definitions.
//!
//! # Storage model
//!
//! Like `golang.org/x/mod/sumdb/tlog` (and the C2SP tlog-tiles layout built on it), the store
//! keeps every *complete* subtree hash, addressed as `(level, index)`: level 0 index `i` is the
//! leaf hash of entry `i`; level `L` index `i` is the MTH of leaves `[i·2^L, (i+1)·2^L)`. Those
//! nodes never change once written (the log is append-only), so they can be cached and exported
//! as immutable tiles. Every hash the RFC needs for any tree size is either such a node or a fold
//! of `O(log n)` of them along the tree's right edge, so every operation here reads `O(log n)`
//! nodes, asked for in a single [`NodeReader::nodes`] batch so that a database-backed reader can
//! answer with one query.
//!
//! [`Appender`] is the writer's side: a compact range (the right-edge complete nodes) that turns a
//! new leaf into the complete nodes the store has to insert, and gives the new root without any
//! reads.

use super::hash::{Hash, leaf_hash, node_hash};

/// The one seam between the tree algorithms and storage: read complete subtree hashes.
///
/// `node(level, index)` is the MTH of leaves `[index·2^level, (index+1)·2^level)`. Callers only
/// ask for nodes that are complete in the tree size they were given, so an implementation may
/// treat a request for anything else as an error (the store is missing data or is corrupt).
pub trait NodeReader {
    /// Why a node could not be read (missing row, I/O failure, ...).
    type Error;

    /// Read one complete subtree hash.
    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error>;

    /// Read several complete subtree hashes, in the order asked for.
    ///
    /// Every algorithm in this module asks for all the nodes it needs in one call, so that a
    /// reader backed by a database can override this with a single query. The default reads them
    /// one at a time. An implementation must return exactly one hash per id; a short or long
    /// answer is reported as [`MerkleError::ShortRead`] rather than trusted.
    fn nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Hash>, Self::Error> {
        ids.iter()
            .map(|&(level, index)| self.node(level, index))
            .collect()
    }
}

impl<R: NodeReader + ?Sized> NodeReader for &R {
    type Error = R::Error;

    fn node(&self, level: u8, index: u64) -> Result<Hash, Self::Error> {
        (**self).node(level, index)
    }

    fn nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Hash>, Self::Error> {
        (**self).nodes(ids)
    }
}

/// Why a hash or proof could not be computed from the store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError<E> {
    /// The node reader failed.
    #[error("reading a Merkle tree node failed")]
    Storage(#[source] E),
    /// The reader answered a batch with the wrong number of hashes.
    #[error("the node store returned {got} hashes for {expected} requested")]
    ShortRead { expected: usize, got: usize },
    /// A leaf index at or past the end of the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof was asked from a larger tree to a smaller one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizeOutOfOrder { old_size: u64, new_size: u64 },
    /// The range is not a subtree RFC 9162 ever hashes, so its MTH would need `O(n)` reads.
    #[error("leaves [{start}, {end}) do not form an aligned RFC 9162 subtree")]
    UnalignedRange { start: u64, end: u64 },
}

/// Why a proof did not verify. Each case is distinct so that a verifier can say *what* is wrong
/// with a proof it was handed, not just that it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// Inclusion of a leaf at or past the end of the tree.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// Consistency from a larger tree to a smaller one.
    #[error("old tree size {old_size} is larger than new tree size {new_size}")]
    SizeOutOfOrder { old_size: u64, new_size: u64 },
    /// The proof has a different number of hashes than RFC 9162 gives for these sizes.
    #[error("proof has {got} hashes, RFC 9162 requires {expected} for these sizes")]
    WrongProofLength { expected: usize, got: usize },
    /// The proof leads to a different (new) root than the one claimed.
    #[error("proof does not lead to the claimed root hash")]
    RootMismatch,
    /// The consistency proof does not lead back to the claimed old root.
    #[error("consistency proof does not lead to the claimed old root hash")]
    OldRootMismatch,
}

/// A compact range was given the wrong number of right-edge nodes for its size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a tree of size {size} has {expected} right-edge nodes, {got} were given")]
pub struct WrongNodeCount {
    pub size: u64,
    pub expected: usize,
    pub got: usize,
}

/// The RFC 9162 hash of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Hash::sha256(b"")
}

/// The complete nodes that exactly cover leaves `[start, end)`, left to right, largest first.
///
/// This is the greedy aligned decomposition: at each step take the largest subtree that starts at
/// `start` and fits. For `[0, n)` it is the tree's right edge, one node per set bit of `n`.
fn decompose(mut start: u64, end: u64) -> Vec<(u8, u64)> {
    let mut out = Vec::new();
    while start < end {
        let len = end - start;
        // Largest level allowed by the alignment of `start` (start == 0 is aligned to anything)
        // and by the remaining length.
        let by_align = if start == 0 {
            63
        } else {
            start.trailing_zeros()
        };
        let by_len = 63 - len.leading_zeros();
        let level = by_align.min(by_len);
        out.push((level as u8, start >> level));
        start += 1u64 << level;
    }
    out
}

/// Whether `[start, end)` (non-empty) is a subtree RFC 9162 can produce: its complete subtrees,
/// as the RFC splits it, sit at aligned positions of the global tree exactly when `start` is a
/// multiple of the largest power of two not exceeding its length.
fn is_rfc_subtree(start: u64, end: u64) -> bool {
    let len = end - start;
    let top = 63 - len.leading_zeros();
    start.trailing_zeros() >= top
}

/// Fold a left-to-right, largest-first list of complete nodes into their MTH: the RFC's split
/// makes the smallest right-hand pieces combine first.
fn fold_right(hashes: &[Hash]) -> Hash {
    match hashes.split_last() {
        None => empty_root(),
        Some((last, rest)) => rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)),
    }
}

/// The largest power of two strictly smaller than `n` (the RFC 9162 split point); `n >= 2`.
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// A set of aligned ranges to hash, read with one batched call.
struct Plan {
    ranges: Vec<(u64, u64)>,
}

impl Plan {
    fn new() -> Self {
        Plan { ranges: Vec::new() }
    }

    fn push(&mut self, start: u64, end: u64) {
        self.ranges.push((start, end));
    }

    /// Read every node the ranges need in one batch and return one MTH per range, in order.
    fn run<R: NodeReader>(&self, r: &R) -> Result<Vec<Hash>, MerkleError<R::Error>> {
        let parts: Vec<Vec<(u8, u64)>> =
            self.ranges.iter().map(|&(s, e)| decompose(s, e)).collect();
        let ids: Vec<(u8, u64)> = parts.iter().flatten().copied().collect();
        let hashes = read_exact(r, &ids)?;
        let mut out = Vec::with_capacity(parts.len());
        let mut at = 0;
        for p in &parts {
            out.push(fold_right(&hashes[at..at + p.len()]));
            at += p.len();
        }
        Ok(out)
    }
}

/// Batched read that refuses an answer of the wrong length instead of indexing past it.
fn read_exact<R: NodeReader>(r: &R, ids: &[(u8, u64)]) -> Result<Vec<Hash>, MerkleError<R::Error>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = r.nodes(ids).map_err(MerkleError::Storage)?;
    if hashes.len() != ids.len() {
        return Err(MerkleError::ShortRead {
            expected: ids.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// The RFC 9162 Merkle Tree Hash of the first `size` leaves (the root a checkpoint signs).
///
/// Reads one node per set bit of `size`.
pub fn tree_hash<R: NodeReader>(size: u64, r: &R) -> Result<Hash, MerkleError<R::Error>> {
    subtree_hash(0, size, r)
}

/// The RFC 9162 MTH of leaves `[start, end)`, from at most `log2(end - start) + 1` complete nodes.
///
/// The range must be one RFC 9162 itself hashes — `start` a multiple of the largest power of two
/// not exceeding `end - start` (always true for `start == 0`, for complete nodes, and for every
/// range inside a proof). Any other range is rejected with [`MerkleError::UnalignedRange`]
/// because its interior nodes are not stored and computing it would take `O(n)` reads. An empty
/// range hashes to [`empty_root`], as the RFC defines MTH of the empty list.
pub fn subtree_hash<R: NodeReader>(
    start: u64,
    end: u64,
    r: &R,
) -> Result<Hash, MerkleError<R::Error>> {
    if start > end {
        return Err(MerkleError::UnalignedRange { start, end });
    }
    if start == end {
        return Ok(empty_root());
    }
    if !is_rfc_subtree(start, end) {
        return Err(MerkleError::UnalignedRange { start, end });
    }
    let ids = decompose(start, end);
    let hashes = read_exact(r, &ids)?;
    Ok(fold_right(&hashes))
}

/// The RFC 9162 §2.1.3.1 inclusion proof `PATH(index, D[size])`, leaf-side hash first.
///
/// Every sibling on the path is a complete node except (at most) the first right-hand sibling
/// that touches the tree's right edge, so this reads `O(log n)` nodes in one batch.
pub fn inclusion_proof<R: NodeReader>(
    index: u64,
    size: u64,
    r: &R,
) -> Result<Vec<Hash>, MerkleError<R::Error>> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    // Walk down from the root as the RFC's recursion does; siblings come out root-side first.
    let mut plan = Plan::new();
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index - lo < k {
            plan.push(lo + k, hi);
            hi = lo + k;
        } else {
            plan.push(lo, lo + k);
            lo += k;
        }
    }
    let mut proof = plan.run(r)?;
    proof.reverse();
    Ok(proof)
}

/// The RFC 9162 §2.1.4.1 consistency proof `PROOF(old_size, D[new_size])`.
///
/// The RFC defines it for `0 < old_size < new_size`; for `old_size == 0` or
/// `old_size == new_size` there is nothing to prove and the proof is empty (as in RFC 6962
/// implementations). Reads `O(log n)` nodes in one batch.
pub fn consistency_proof<R: NodeReader>(
    old_size: u64,
    new_size: u64,
    r: &R,
) -> Result<Vec<Hash>, MerkleError<R::Error>> {
    if old_size > new_size {
        return Err(MerkleError::SizeOutOfOrder { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[lo:hi], b), unrolled; hashes come out root-side first.
    let mut plan = Plan::new();
    let (mut lo, mut hi) = (0u64, new_size);
    let mut m = old_size;
    let mut b = true;
    loop {
        let n = hi - lo;
        if m == n {
            if !b {
                plan.push(lo, hi);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            plan.push(lo + k, hi);
            hi = lo + k;
        } else {
            plan.push(lo, lo + k);
            lo += k;
            m -= k;
            b = false;
        }
    }
    let mut proof = plan.run(r)?;
    proof.reverse();
    Ok(proof)
}

/// Number of hashes in `PATH(index, D[size])`, for `index < size`.
fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let (mut lo, mut hi, mut len) = (0u64, size, 0usize);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index - lo < k {
            hi = lo + k;
        } else {
            lo += k;
        }
        len += 1;
    }
    len
}

/// Number of hashes in `PROOF(old_size, D[new_size])`, for `0 < old_size < new_size`.
fn consistency_proof_len(old_size: u64, new_size: u64) -> usize {
    let (mut n, mut m, mut b, mut len) = (new_size, old_size, true, 0usize);
    while m != n {
        let k = split_point(n);
        if m <= k {
            n = k;
        } else {
            n -= k;
            m -= k;
            b = false;
        }
        len += 1;
    }
    if !b {
        len += 1;
    }
    len
}

/// Verify that `leaf` is the leaf hash at `index` in the tree of `size` leaves with `root`,
/// using the RFC 9162 §2.1.3.2 algorithm.
///
/// The proof length is checked first against the length RFC 9162 prescribes, so a truncated or
/// padded proof is reported as such rather than as a root mismatch.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    // Step 1.
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    // Steps 2 and 3.
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = *leaf;
    // Step 4.
    for p in proof {
        if sn == 0 {
            // Unreachable after the length check; kept because it is the RFC's guard.
            return Err(ProofError::WrongProofLength {
                expected,
                got: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    if sn != 0 {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verify that the tree of `new_size` leaves with `new_root` extends the tree of `old_size`
/// leaves with `old_root`, using the RFC 9162 §2.1.4.2 algorithm.
///
/// Edge cases the RFC leaves to the caller are decided strictly: equal sizes need an empty proof
/// and equal roots; an old size of 0 needs an empty proof and `old_root` equal to the empty-tree
/// hash (every tree extends the empty tree, but a wrong claimed root is still a wrong root).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::SizeOutOfOrder { old_size, new_size });
    }
    if old_size == 0 || old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        if old_size == 0 {
            return if *old_root == empty_root() {
                Ok(())
            } else {
                Err(ProofError::OldRootMismatch)
            };
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let expected = consistency_proof_len(old_size, new_size);
    // Step 1 (an empty proof) is covered: `expected` is at least 1 when 0 < old < new.
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    // Step 2: if old_size is a power of two, the old root is the first node of the path.
    let (first, rest) = if old_size.is_power_of_two() {
        (old_root, proof)
    } else {
        match proof.split_first() {
            Some((f, rest)) => (f, rest),
            None => {
                return Err(ProofError::WrongProofLength { expected, got: 0 });
            }
        }
    };
    // Step 3.
    let mut fn_ = old_size - 1;
    let mut sn = new_size - 1;
    // Step 4.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 5.
    let mut fr = *first;
    let mut sr = *first;
    // Step 6.
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongProofLength {
                expected,
                got: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if sn != 0 {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The `(level, index)` ids of the right-edge complete nodes of a tree of `size` leaves, left to
/// right (largest first): exactly what [`Appender::from_nodes`] expects, and what
/// [`tree_hash`] reads.
pub fn right_edge(size: u64) -> Vec<(u8, u64)> {
    decompose(0, size)
}

/// The complete nodes at levels >= 1 that appending leaf `index` completes, lowest first: one
/// per trailing one-bit of `index`. Lets a store that only knows leaf indices see which interior
/// rows an append creates.
pub fn completed_by_leaf(index: u64) -> impl Iterator<Item = (u8, u64)> {
    (1..=index.trailing_ones()).map(move |level| (level as u8, index >> level))
}

/// A compact range over the right edge of the tree: everything needed to append leaves and to
/// know the new root, without reading the store.
///
/// It holds one complete node per set bit of `size` (`O(log n)` hashes). Appending a leaf merges
/// equal-sized right-edge nodes exactly as binary addition carries, and each merge is a new
/// complete node the store must keep.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Appender {
    size: u64,
    /// Right-edge complete nodes, left to right (highest level first).
    nodes: Vec<Hash>,
}

impl Appender {
    /// An empty tree.
    pub fn new() -> Self {
        Appender::default()
    }

    /// Resume a tree of `size` leaves from its right-edge complete nodes (the hashes of
    /// [`right_edge`]`(size)`, in that order).
    pub fn from_nodes(size: u64, nodes: Vec<Hash>) -> Result<Self, WrongNodeCount> {
        let expected = size.count_ones() as usize;
        if nodes.len() != expected {
            return Err(WrongNodeCount {
                size,
                expected,
                got: nodes.len(),
            });
        }
        Ok(Appender { size, nodes })
    }

    /// Resume a tree of `size` leaves by reading its right edge from the store
    /// (`popcount(size)` nodes, one batch).
    pub fn load<R: NodeReader>(size: u64, r: &R) -> Result<Self, MerkleError<R::Error>> {
        let nodes = read_exact(r, &right_edge(size))?;
        Ok(Appender { size, nodes })
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The right-edge complete nodes, left to right (see [`right_edge`] for their ids).
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Append the leaf hash of entry `self.size()`.
    ///
    /// Returns the complete nodes at levels >= 1 this append finished, lowest level first, as
    /// `(level, index, hash)`, so the caller can store them next to the leaf hash (level 0,
    /// index `size - 1` after the push).
    pub fn push(&mut self, leaf: Hash) -> Vec<(u8, u64, Hash)> {
        let index = self.size;
        let mut completed = Vec::new();
        let mut h = leaf;
        let mut level = 0u8;
        let mut bits = index;
        while bits & 1 == 1 {
            let Some(left) = self.nodes.pop() else {
                // Cannot happen: one node per set bit is an invariant of the constructors.
                break;
            };
            h = node_hash(&left, &h);
            level += 1;
            bits >>= 1;
            completed.push((level, bits, h));
        }
        self.nodes.push(h);
        self.size += 1;
        completed
    }

    /// Append raw leaf bytes (hashing them with the RFC 9162 leaf prefix).
    pub fn push_leaf_data(&mut self, data: &[u8]) -> Vec<(u8, u64, Hash)> {
        self.push(leaf_hash(data))
    }

    /// The RFC 9162 root of the current tree; no reads.
    pub fn root(&self) -> Hash {
        fold_right(&self.nodes)
    }
}

/// Every complete node of a tree, kept in memory: one vector per level.
///
/// Used by tests and by exports that hold a whole (small) log in memory. `levels[0]` are the
/// leaf hashes; `levels[L][i]` is the node `(L, i)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryNodes {
    levels: Vec<Vec<Hash>>,
}

/// A node that [`MemoryNodes`] does not (yet) have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no complete node at level {level} index {index}")]
pub struct MissingNode {
    pub level: u8,
    pub index: u64,
}

impl MemoryNodes {
    /// An empty tree.
    pub fn new() -> Self {
        MemoryNodes::default()
    }

    /// A tree over these leaf hashes, in order.
    pub fn from_leaf_hashes<I: IntoIterator<Item = Hash>>(leaves: I) -> Self {
        let mut m = MemoryNodes::new();
        for h in leaves {
            m.push(h);
        }
        m
    }

    /// Append a leaf hash and every complete node it finishes.
    pub fn push(&mut self, leaf: Hash) {
        let mut level = 0usize;
        let mut h = leaf;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(h);
            let i = row.len() - 1;
            if i.is_multiple_of(2) {
                break;
            }
            h = node_hash(&row[i - 1], &row[i]);
            level += 1;
        }
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// All complete nodes, one vector per level.
    pub fn levels(&self) -> &[Vec<Hash>] {
        &self.levels
    }

    /// The complete node `(level, index)`, if present.
    pub fn get(&self, level: u8, index: u64) -> Option<Hash> {
        let row = self.levels.get(usize::from(level))?;
        row.get(usize::try_from(index).ok()?).copied()
    }
}

impl NodeReader for MemoryNodes {
    type Error = MissingNode;

    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.get(level, index).ok_or(MissingNode { level, index })
    }
}

/// Plain per-level slices of nodes (as [`MemoryNodes::levels`] returns) are a reader too.
impl NodeReader for [Vec<Hash>] {
    type Error = MissingNode;

    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        self.get(usize::from(level))
            .and_then(|row| row.get(usize::try_from(index).ok()?))
            .copied()
            .ok_or(MissingNode { level, index })
    }
}

/// The RFC 9162 root of a power-of-two run of hashes (a full tile, or an aligned part of one):
/// hash pairwise, level by level. Readers of published hash tiles use it to check one level
/// against the next.
pub fn subtree_root(mut layer: Vec<Hash>) -> Hash {
    debug_assert!(layer.len().is_power_of_two());
    while layer.len() > 1 {
        layer = layer
            .chunks_exact(2)
            .map(|p| node_hash(&p[0], &p[1]))
            .collect();
    }
    layer.first().copied().unwrap_or_else(empty_root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::convert::Infallible;

    // ---------------------------------------------------------------------------------------
    // Independent reference: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 transcribed literally over
    // raw leaf data, with no shared code beyond the two hash primitives.
    // ---------------------------------------------------------------------------------------

    fn k_of(n: usize) -> usize {
        // Largest power of two smaller than n (n > 1).
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    fn mth(d: &[Vec<u8>]) -> Hash {
        match d.len() {
            0 => Hash::sha256(b""),
            1 => leaf_hash(&d[0]),
            n => {
                let k = k_of(n);
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    fn path(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
        let n = d.len();
        if n == 1 {
            return vec![];
        }
        let k = k_of(n);
        if m < k {
            let mut p = path(m, &d[..k]);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = path(m - k, &d[k..]);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let k = k_of(n);
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn reference_proof(m: usize, d: &[Vec<u8>]) -> Vec<Hash> {
        subproof(m, d, true)
    }

    fn data(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("leaf {i} of the test log").into_bytes())
            .collect()
    }

    fn store(d: &[Vec<u8>]) -> MemoryNodes {
        MemoryNodes::from_leaf_hashes(d.iter().map(|x| leaf_hash(x)))
    }

    fn flip(h: &Hash) -> Hash {
        let mut b = h.0;
        b[7] ^= 0x20;
        Hash(b)
    }

    /// Counts reads and batches, to hold the O(log n) promise.
    struct Counting<'a> {
        inner: &'a MemoryNodes,
        reads: Cell<usize>,
        batches: Cell<usize>,
    }

    impl<'a> Counting<'a> {
        fn new(inner: &'a MemoryNodes) -> Self {
            Counting {
                inner,
                reads: Cell::new(0),
                batches: Cell::new(0),
            }
        }
    }

    impl NodeReader for Counting<'_> {
        type Error = MissingNode;
        fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
            self.reads.set(self.reads.get() + 1);
            self.inner.node(level, index)
        }
        fn nodes(&self, ids: &[(u8, u64)]) -> Result<Vec<Hash>, MissingNode> {
            self.batches.set(self.batches.get() + 1);
            ids.iter().map(|&(l, i)| self.node(l, i)).collect()
        }
    }

    const N: usize = 64;

    #[test]
    fn tree_hash_matches_reference_for_all_sizes() {
        let d = data(N);
        let s = store(&d);
        assert_eq!(tree_hash(0, &s).unwrap(), mth(&[]));
        for n in 1..=N {
            assert_eq!(tree_hash(n as u64, &s).unwrap(), mth(&d[..n]), "size {n}");
        }
    }

    #[test]
    fn empty_tree_is_sha256_of_nothing() {
        assert_eq!(
            empty_root().to_hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(tree_hash(0, &MemoryNodes::new()).unwrap(), empty_root());
        assert_eq!(Appender::new().root(), empty_root());
    }

    #[test]
    fn every_inclusion_proof_matches_reference_and_verifies() {
        let d = data(N);
        let s = store(&d);
        for n in 1..=N {
            let root = mth(&d[..n]);
            for m in 0..n {
                let p = inclusion_proof(m as u64, n as u64, &s).unwrap();
                assert_eq!(p, path(m, &d[..n]), "PATH({m}, D[{n}])");
                let leaf = leaf_hash(&d[m]);
                verify_inclusion(m as u64, n as u64, &leaf, &p, &root).unwrap();
            }
        }
    }

    #[test]
    fn every_consistency_proof_matches_reference_and_verifies() {
        let d = data(N);
        let s = store(&d);
        for n in 1..=N {
            let new_root = mth(&d[..n]);
            for m in 1..=n {
                let p = consistency_proof(m as u64, n as u64, &s).unwrap();
                let want = if m == n {
                    vec![]
                } else {
                    reference_proof(m, &d[..n])
                };
                assert_eq!(p, want, "PROOF({m}, D[{n}])");
                let old_root = mth(&d[..m]);
                verify_consistency(m as u64, n as u64, &old_root, &new_root, &p).unwrap();
            }
        }
    }

    #[test]
    fn proof_lengths_match_generated_proofs() {
        let d = data(N);
        for n in 1..=N {
            for m in 0..n {
                assert_eq!(
                    inclusion_proof_len(m as u64, n as u64),
                    path(m, &d[..n]).len()
                );
            }
            for m in 1..n {
                assert_eq!(
                    consistency_proof_len(m as u64, n as u64),
                    reference_proof(m, &d[..n]).len()
                );
            }
        }
    }

    #[test]
    fn tampered_inclusion_proofs_fail() {
        let d = data(2 * N);
        let s = store(&d);
        for n in 1..=N as u64 {
            let root = tree_hash(n, &s).unwrap();
            for m in 0..n {
                let leaf = leaf_hash(&d[m as usize]);
                let p = inclusion_proof(m, n, &s).unwrap();
                // Every flipped proof byte position (one per hash) fails.
                for i in 0..p.len() {
                    let mut bad = p.clone();
                    bad[i] = flip(&bad[i]);
                    assert_eq!(
                        verify_inclusion(m, n, &leaf, &bad, &root),
                        Err(ProofError::RootMismatch)
                    );
                }
                // Wrong leaf, wrong root.
                assert_eq!(
                    verify_inclusion(m, n, &flip(&leaf), &p, &root),
                    Err(ProofError::RootMismatch)
                );
                assert_eq!(
                    verify_inclusion(m, n, &leaf, &p, &flip(&root)),
                    Err(ProofError::RootMismatch)
                );
                // Wrong index: either a length error or a mismatch, never success.
                for wrong in [m.wrapping_sub(1), m + 1, m ^ 2] {
                    if wrong != m && wrong < n {
                        assert!(verify_inclusion(wrong, n, &leaf, &p, &root).is_err());
                    }
                }
                // Wrong size. With the original root this only fails when the proof's shape
                // changes (a proof alone does not bind the size: the signed checkpoint does),
                // as transparency-dev/merkle's size*2 and size/2 probes do; against the root of
                // the tree of the wrong size it must always fail.
                for wrong in [n * 2, n / 2] {
                    if wrong != n && wrong > m {
                        assert!(verify_inclusion(m, wrong, &leaf, &p, &root).is_err());
                    }
                }
                for wrong in [n - 1, n + 1, n * 2, n / 2] {
                    if wrong != n && wrong > m {
                        let wrong_root = tree_hash(wrong, &s).unwrap();
                        assert!(verify_inclusion(m, wrong, &leaf, &p, &wrong_root).is_err());
                    }
                }
                // Truncated / extended proofs.
                if !p.is_empty() {
                    assert!(matches!(
                        verify_inclusion(m, n, &leaf, &p[..p.len() - 1], &root),
                        Err(ProofError::WrongProofLength { .. })
                    ));
                }
                let mut longer = p.clone();
                longer.push(root);
                assert!(matches!(
                    verify_inclusion(m, n, &leaf, &longer, &root),
                    Err(ProofError::WrongProofLength { .. })
                ));
            }
            assert_eq!(
                verify_inclusion(n, n, &root, &[], &root),
                Err(ProofError::IndexOutOfRange { index: n, size: n })
            );
        }
    }

    #[test]
    fn tampered_consistency_proofs_fail() {
        let d = data(2 * N);
        let s = store(&d);
        for n in 2..=N as u64 {
            let new_root = tree_hash(n, &s).unwrap();
            for m in 1..n {
                let old_root = tree_hash(m, &s).unwrap();
                let p = consistency_proof(m, n, &s).unwrap();
                for i in 0..p.len() {
                    let mut bad = p.clone();
                    bad[i] = flip(&bad[i]);
                    assert!(verify_consistency(m, n, &old_root, &new_root, &bad).is_err());
                }
                assert!(verify_consistency(m, n, &flip(&old_root), &new_root, &p).is_err());
                assert!(verify_consistency(m, n, &old_root, &flip(&new_root), &p).is_err());
                assert!(verify_consistency(m, n, &new_root, &old_root, &p).is_err());
                for wrong in [m - 1, m + 1, m ^ 2] {
                    if wrong != m && wrong > 0 && wrong < n {
                        assert!(verify_consistency(wrong, n, &old_root, &new_root, &p).is_err());
                    }
                }
                for wrong in [n * 2, n / 2] {
                    if wrong != n && wrong > m {
                        assert!(verify_consistency(m, wrong, &old_root, &new_root, &p).is_err());
                    }
                }
                for wrong in [n - 1, n + 1, n * 2] {
                    if wrong != n && wrong > m {
                        let wrong_root = tree_hash(wrong, &s).unwrap();
                        assert!(verify_consistency(m, wrong, &old_root, &wrong_root, &p).is_err());
                    }
                }
                assert!(matches!(
                    verify_consistency(m, n, &old_root, &new_root, &[]),
                    Err(ProofError::WrongProofLength { .. })
                ));
                assert!(matches!(
                    verify_consistency(m, n, &old_root, &new_root, &p[..p.len() - 1]),
                    Err(ProofError::WrongProofLength { .. })
                ));
                let mut longer = p.clone();
                longer.push(new_root);
                assert!(matches!(
                    verify_consistency(m, n, &old_root, &new_root, &longer),
                    Err(ProofError::WrongProofLength { .. })
                ));
                let mut front = vec![p[0]];
                front.extend_from_slice(&p);
                assert!(verify_consistency(m, n, &old_root, &new_root, &front).is_err());
            }
        }
    }

    #[test]
    fn consistency_edge_cases() {
        let d = data(5);
        let s = store(&d);
        let r5 = tree_hash(5, &s).unwrap();
        let r3 = tree_hash(3, &s).unwrap();
        // Same size: empty proof, equal roots.
        verify_consistency(5, 5, &r5, &r5, &[]).unwrap();
        assert_eq!(
            verify_consistency(5, 5, &r3, &r5, &[]),
            Err(ProofError::RootMismatch)
        );
        assert!(matches!(
            verify_consistency(5, 5, &r5, &r5, &[r5]),
            Err(ProofError::WrongProofLength { .. })
        ));
        // From the empty tree.
        verify_consistency(0, 5, &empty_root(), &r5, &[]).unwrap();
        verify_consistency(0, 0, &empty_root(), &empty_root(), &[]).unwrap();
        assert_eq!(
            verify_consistency(0, 5, &r3, &r5, &[]),
            Err(ProofError::OldRootMismatch)
        );
        // Backwards.
        assert_eq!(
            verify_consistency(5, 3, &r5, &r3, &[]),
            Err(ProofError::SizeOutOfOrder {
                old_size: 5,
                new_size: 3
            })
        );
        assert_eq!(
            consistency_proof(5, 3, &s),
            Err(MerkleError::SizeOutOfOrder {
                old_size: 5,
                new_size: 3
            })
        );
        assert_eq!(consistency_proof(0, 5, &s).unwrap(), vec![]);
        assert_eq!(consistency_proof(5, 5, &s).unwrap(), vec![]);
        assert_eq!(
            inclusion_proof(5, 5, &s),
            Err(MerkleError::IndexOutOfRange { index: 5, size: 5 })
        );
    }

    #[test]
    fn subtree_hash_for_aligned_ranges_and_rejects_others() {
        let d = data(N);
        let s = store(&d);
        for start in 0..N {
            for end in start + 1..=N {
                let got = subtree_hash(start as u64, end as u64, &s);
                if is_rfc_subtree(start as u64, end as u64) {
                    assert_eq!(got.unwrap(), mth(&d[start..end]), "[{start},{end})");
                } else {
                    assert_eq!(
                        got,
                        Err(MerkleError::UnalignedRange {
                            start: start as u64,
                            end: end as u64
                        })
                    );
                }
            }
        }
        assert_eq!(subtree_hash(3, 3, &s).unwrap(), empty_root());
        // Every complete node is an aligned range.
        for (level, row) in s.levels().iter().enumerate() {
            for (i, h) in row.iter().enumerate() {
                let w = 1u64 << level;
                assert_eq!(
                    subtree_hash(i as u64 * w, (i as u64 + 1) * w, &s).unwrap(),
                    *h
                );
            }
        }
    }

    #[test]
    fn reads_are_logarithmic_and_batched() {
        let n = 1000u64;
        let s = MemoryNodes::from_leaf_hashes((0..n).map(|i| leaf_hash(&i.to_be_bytes())));
        let log = 64 - n.leading_zeros() as usize; // 10
        let c = Counting::new(&s);
        for size in [1, 2, 3, 255, 256, 257, 511, 999, 1000] {
            for index in [0, size / 3, size / 2, size - 1] {
                c.reads.set(0);
                c.batches.set(0);
                inclusion_proof(index, size, &c).unwrap();
                assert!(c.reads.get() <= 2 * log, "inclusion({index},{size})");
                assert!(c.batches.get() <= 1);
            }
            for old in [1, size / 3, size / 2, size - 1] {
                if old == 0 {
                    continue;
                }
                c.reads.set(0);
                c.batches.set(0);
                consistency_proof(old, size, &c).unwrap();
                assert!(c.reads.get() <= 3 * log, "consistency({old},{size})");
                assert!(c.batches.get() <= 1);
            }
            c.reads.set(0);
            tree_hash(size, &c).unwrap();
            assert_eq!(c.reads.get(), size.count_ones() as usize);
        }
    }

    #[test]
    fn appender_matches_store_and_reports_completed_nodes() {
        let d = data(N);
        let s = store(&d);
        let mut a = Appender::new();
        let mut mirror = MemoryNodes::new();
        for (i, x) in d.iter().enumerate() {
            let completed = a.push_leaf_data(x);
            mirror.push(leaf_hash(x));
            let want: Vec<(u8, u64)> = completed_by_leaf(i as u64).collect();
            let got: Vec<(u8, u64)> = completed.iter().map(|&(l, i, _)| (l, i)).collect();
            assert_eq!(got, want, "leaf {i}");
            for (l, idx, h) in completed {
                assert_eq!(Some(h), s.get(l, idx));
            }
            assert_eq!(a.size(), i as u64 + 1);
            assert_eq!(a.root(), mth(&d[..=i]));
            // Resuming from the store gives the same compact range.
            let loaded = Appender::load(a.size(), &s).unwrap();
            assert_eq!(loaded, a);
            let ids = right_edge(a.size());
            let hashes: Vec<Hash> = ids.iter().map(|&(l, i)| s.get(l, i).unwrap()).collect();
            assert_eq!(Appender::from_nodes(a.size(), hashes).unwrap(), a);
        }
        assert_eq!(mirror, s);
    }

    #[test]
    fn appender_rejects_wrong_node_count() {
        assert_eq!(
            Appender::from_nodes(5, vec![Hash::ZERO]),
            Err(WrongNodeCount {
                size: 5,
                expected: 2,
                got: 1
            })
        );
        assert!(Appender::from_nodes(0, vec![]).is_ok());
    }

    #[test]
    fn storage_errors_and_short_reads_are_reported() {
        let s = MemoryNodes::new();
        assert_eq!(
            tree_hash(3, &s),
            Err(MerkleError::Storage(MissingNode { level: 1, index: 0 }))
        );

        struct Short;
        impl NodeReader for Short {
            type Error = Infallible;
            fn node(&self, _: u8, _: u64) -> Result<Hash, Infallible> {
                Ok(Hash::ZERO)
            }
            fn nodes(&self, _: &[(u8, u64)]) -> Result<Vec<Hash>, Infallible> {
                Ok(vec![])
            }
        }
        assert_eq!(
            tree_hash(3, &Short),
            Err(MerkleError::ShortRead {
                expected: 2,
                got: 0
            })
        );
        assert!(Appender::load(3, &Short).is_err());
    }

    #[test]
    fn slice_of_levels_is_a_reader() {
        let d = data(10);
        let s = store(&d);
        let levels: &[Vec<Hash>] = s.levels();
        assert_eq!(tree_hash(10, &levels).unwrap(), mth(&d));
    }

    #[test]
    fn nodes_requested_are_all_complete() {
        // A reader that refuses any node not complete in the tree size asked about proves that
        // the algorithms never look past the right edge.
        struct Strict<'a> {
            s: &'a MemoryNodes,
            size: Cell<u64>,
            seen: RefCell<Vec<(u8, u64)>>,
        }
        impl NodeReader for Strict<'_> {
            type Error = MissingNode;
            fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
                self.seen.borrow_mut().push((level, index));
                if (index + 1) << level > self.size.get() {
                    return Err(MissingNode { level, index });
                }
                self.s.node(level, index)
            }
        }
        let d = data(40);
        let s = store(&d);
        let r = Strict {
            s: &s,
            size: Cell::new(0),
            seen: RefCell::new(vec![]),
        };
        for n in 1..=40u64 {
            r.size.set(n);
            tree_hash(n, &r).unwrap();
            for m in 0..n {
                inclusion_proof(m, n, &r).unwrap();
                consistency_proof(m, n, &r).unwrap();
            }
        }
        assert!(!r.seen.borrow().is_empty());
    }

    // ---------------------------------------------------------------------------------------
    // Published RFC 6962 vectors (certificate-transparency / transparency-dev/merkle
    // testonly/constants.go and proof/verify_test.go).
    // ---------------------------------------------------------------------------------------

    const CT_LEAVES: [&str; 8] = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];

    const CT_ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn h(s: &str) -> Hash {
        s.parse().unwrap()
    }

    fn ct_data() -> Vec<Vec<u8>> {
        CT_LEAVES.iter().map(|x| hex::decode(x).unwrap()).collect()
    }

    #[test]
    fn rfc6962_roots() {
        let d = ct_data();
        let s = store(&d);
        let mut a = Appender::new();
        for (n, want) in CT_ROOTS.iter().enumerate() {
            assert_eq!(tree_hash(n as u64, &s).unwrap().to_hex(), *want, "size {n}");
            assert_eq!(a.root().to_hex(), *want, "appender size {n}");
            assert_eq!(mth(&d[..n]).to_hex(), *want, "reference size {n}");
            if let Some(x) = d.get(n) {
                a.push_leaf_data(x);
            }
        }
    }

    #[test]
    fn rfc6962_node_hashes() {
        // transparency-dev/merkle testonly NodeHashes(): every complete node of the 8-leaf tree.
        let want: [&[&str]; 4] = [
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
            ],
            &[
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            ],
            &[
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
            &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
        ];
        let s = store(&ct_data());
        assert_eq!(s.levels().len(), want.len());
        for (level, row) in want.iter().enumerate() {
            let got: Vec<String> = s.levels()[level].iter().map(Hash::to_hex).collect();
            assert_eq!(got, *row, "level {level}");
        }
    }

    #[test]
    fn rfc6962_published_proofs() {
        let s = store(&ct_data());
        // (0-based index, size, proof), from transparency-dev/merkle proof/verify_test.go.
        let inclusion: [(u64, u64, &[&str]); 4] = [
            (
                0,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                5,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                1,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        let d = ct_data();
        for (index, size, want) in inclusion {
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(inclusion_proof(index, size, &s).unwrap(), want);
            let leaf = leaf_hash(&d[index as usize]);
            verify_inclusion(index, size, &leaf, &want, &h(CT_ROOTS[size as usize])).unwrap();
        }
        let consistency: [(u64, u64, &[&str]); 4] = [
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (
                6,
                7,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
        ];
        for (m, n, want) in consistency {
            let want: Vec<Hash> = want.iter().map(|x| h(x)).collect();
            assert_eq!(consistency_proof(m, n, &s).unwrap(), want, "({m},{n})");
            verify_consistency(
                m,
                n,
                &h(CT_ROOTS[m as usize]),
                &h(CT_ROOTS[n as usize]),
                &want,
            )
            .unwrap();
        }
    }

    /// tests/vectors/rfc6962_merkle.json is published for verifiers in other languages; keep it
    /// true to this implementation and to the reference.
    #[test]
    fn vector_file_agrees() {
        let file = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/rfc6962_merkle.json"
        );
        let text = std::fs::read_to_string(file).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let hx = |x: &serde_json::Value| -> Hash { h(x.as_str().unwrap()) };
        let leaves: Vec<Vec<u8>> = v["leaves"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| hex::decode(x.as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(leaves, ct_data());
        let s = store(&leaves);
        for (i, lh) in v["leaf_hashes"].as_array().unwrap().iter().enumerate() {
            assert_eq!(hx(lh), leaf_hash(&leaves[i]));
        }
        let roots = v["roots"].as_array().unwrap();
        assert_eq!(roots.len(), 9);
        for (n, r) in roots.iter().enumerate() {
            assert_eq!(hx(r), tree_hash(n as u64, &s).unwrap());
            assert_eq!(hx(r).to_hex(), CT_ROOTS[n]);
        }
        let inc = v["inclusion"].as_array().unwrap();
        assert_eq!(inc.len(), 36, "every (index, size) for sizes 1..=8");
        for p in inc {
            let (i, n) = (p["index"].as_u64().unwrap(), p["size"].as_u64().unwrap());
            let proof: Vec<Hash> = p["proof"].as_array().unwrap().iter().map(hx).collect();
            assert_eq!(proof, inclusion_proof(i, n, &s).unwrap());
            assert_eq!(proof, path(i as usize, &leaves[..n as usize]));
            verify_inclusion(
                i,
                n,
                &leaf_hash(&leaves[i as usize]),
                &proof,
                &hx(&roots[n as usize]),
            )
            .unwrap();
        }
        let con = v["consistency"].as_array().unwrap();
        assert_eq!(con.len(), 28, "every 0 < m < n <= 8");
        for p in con {
            let (m, n) = (
                p["old_size"].as_u64().unwrap(),
                p["new_size"].as_u64().unwrap(),
            );
            let proof: Vec<Hash> = p["proof"].as_array().unwrap().iter().map(hx).collect();
            assert_eq!(proof, consistency_proof(m, n, &s).unwrap());
            assert_eq!(proof, reference_proof(m as usize, &leaves[..n as usize]));
            verify_consistency(
                m,
                n,
                &hx(&roots[m as usize]),
                &hx(&roots[n as usize]),
                &proof,
            )
            .unwrap();
        }
    }

    /// Cross-check against golang.org/x/mod/sumdb/tlog as ported by cloudflare/azul
    /// (`tlog_tiles` crate): same roots and proofs over its stored-hash-index layout.
    #[test]
    fn agrees_with_tlog_tiles_crate() {
        use tlog_tiles::tlog;

        struct Idx<'a>(&'a MemoryNodes);
        impl tlog::HashReader for Idx<'_> {
            fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog::Hash>, tlog::Error> {
                indexes
                    .iter()
                    .map(|&i| {
                        let (level, n) = tlog::split_stored_hash_index(i);
                        self.0
                            .get(level, n)
                            .map(|h| tlog::Hash(h.0))
                            .ok_or(tlog::Error::InvalidProof)
                    })
                    .collect()
            }
        }
        let d = data(N);
        let s = store(&d);
        let theirs = Idx(&s);
        for n in 1..=N as u64 {
            assert_eq!(
                tlog::tree_hash(n, &theirs).unwrap().0,
                tree_hash(n, &s).unwrap().0
            );
            for m in 0..n {
                let a: Vec<[u8; 32]> = tlog::prove_record(n, m, &theirs)
                    .unwrap()
                    .iter()
                    .map(|h| h.0)
                    .collect();
                let b: Vec<[u8; 32]> = inclusion_proof(m, n, &s)
                    .unwrap()
                    .iter()
                    .map(|h| h.0)
                    .collect();
                assert_eq!(a, b, "record {m} in {n}");
                if m > 0 {
                    let a: Vec<[u8; 32]> = tlog::prove_tree(n, m, &theirs)
                        .unwrap()
                        .iter()
                        .map(|h| h.0)
                        .collect();
                    let b: Vec<[u8; 32]> = consistency_proof(m, n, &s)
                        .unwrap()
                        .iter()
                        .map(|h| h.0)
                        .collect();
                    assert_eq!(a, b, "tree {m} -> {n}");
                }
            }
        }
    }

    #[test]
    fn subtree_root_is_the_rfc_root() {
        let leaves: Vec<Hash> = (0u8..8).map(|i| leaf_hash(&[i])).collect();
        let nodes = MemoryNodes::from_leaf_hashes(leaves.clone());
        assert_eq!(subtree_root(leaves), tree_hash(8, &nodes).unwrap());
    }
}
