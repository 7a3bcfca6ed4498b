//! The published log layout: C2SP tlog-tiles (<https://c2sp.org/tlog-tiles>) with tile height 8.
//!
//! Instead of answering proof queries, the log publishes the Merkle tree as immutable "tiles"
//! that anyone can mirror and from which any RFC 9162 proof can be computed:
//!
//! * `tile/<L>/<N>[.p/<W>]` — a hash tile: the `W` (256 for a full tile) consecutive tree nodes
//!   at tree level `8·L`, indices `N·256 .. N·256+W`, concatenated as 32-byte hashes. In the
//!   spec's words the `i`-th hash is `MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L])`.
//! * `tile/entries/<N>[.p/<W>]` — an entry bundle: the leaf bytes of entries `N·256 .. N·256+W`,
//!   each prefixed by its length as a big-endian `u16` (hence the ledger's 65,535-byte cap).
//!
//! `<N>` is written in 3-digit groups, all but the last prefixed with `x` (index 1234067 is
//! `x001/x234/067`) so a directory never holds more than about 3000 names and a static file
//! server can serve the tree straight from disk. `.p/<W>` marks a partial tile, the right edge
//! of a tree whose size is not a multiple of 256^(L+1); partial tiles are replaced by the full
//! tile once it exists, and are never hashed into the level above.
//!
//! Tree node addressing follows [`super::merkle`]: node `(level, index)` is the MTH of leaves
//! `[index·2^level, (index+1)·2^level)`, so a level-`L` tile reads nodes at level `8·L`.

use std::fmt;

use super::merkle::{MerkleError, NodeReader};

/// Tile height: each tile spans 8 tree levels.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile (2^[`TILE_HEIGHT`]); also entries in a full bundle.
pub const TILE_WIDTH: u16 = 256;
/// Bytes in one hash inside a tile.
pub const HASH_SIZE: usize = 32;
/// Highest tile level the spec allows in a path.
pub const MAX_TILE_LEVEL: u8 = 63;
/// Longest leaf a bundle can carry: its length prefix is a big-endian u16.
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

/// What a tile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// A hash tile at this tile level (tree level `8·L`).
    Hashes(u8),
    /// An entry bundle (leaf bytes, aligned with level-0 hash tiles).
    Entries,
}

/// One published tile: what it holds, its index within its level and its width (1..=256; 256
/// is a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileRef {
    pub kind: TileKind,
    pub index: u64,
    pub width: u16,
}

/// Why a tile path or an entry bundle is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// The path is not a canonical `tile/...` path (the reason says which part).
    #[error("malformed tile path: {0}")]
    BadPath(&'static str),
    /// A bundle ended in the middle of a length prefix or an entry.
    #[error("entry bundle is truncated")]
    TruncatedBundle,
    /// A bundle holds no entries (the spec forbids serving empty tiles).
    #[error("entry bundle is empty")]
    EmptyBundle,
    /// A bundle holds more than 256 entries.
    #[error("entry bundle holds more than {TILE_WIDTH} entries")]
    TooManyEntries,
    /// A leaf longer than a u16 length prefix can describe.
    #[error("entry {index} is {len} bytes, more than a bundle's u16 length prefix allows")]
    EntryTooLarge { index: usize, len: usize },
}

/// Why the hashes of a tile could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileReadError<E> {
    /// Entry bundles hold leaf bytes, not node hashes.
    #[error("an entry bundle is not a hash tile")]
    NotAHashTile,
    /// A tile width outside 1..=256.
    #[error("tile width {0} is outside 1..=256")]
    BadWidth(u16),
    /// A tile above the highest level a 64-bit tree can have.
    #[error("tile level {0} is above any tree this log can hold")]
    LevelTooHigh(u8),
    /// Reading the nodes failed.
    #[error(transparent)]
    Merkle(#[from] MerkleError<E>),
}

impl TileRef {
    /// A hash tile.
    pub fn hashes(level: u8, index: u64, width: u16) -> Self {
        TileRef {
            kind: TileKind::Hashes(level),
            index,
            width,
        }
    }

    /// An entry bundle.
    pub fn entries(index: u64, width: u16) -> Self {
        TileRef {
            kind: TileKind::Entries,
            index,
            width,
        }
    }

    /// Whether the tile is partial (fewer than 256 hashes or entries).
    pub fn is_partial(&self) -> bool {
        self.width < TILE_WIDTH
    }

    /// Its path under the log prefix, e.g. `tile/0/x001/234.p/7` or `tile/entries/000`.
    pub fn path(&self) -> String {
        let w = self.is_partial().then_some(self.width);
        match self.kind {
            TileKind::Hashes(level) => tile_path(level, self.index, w),
            TileKind::Entries => entries_path(self.index, w),
        }
    }

    /// The entries this tile covers, as a half-open range of leaf indices (saturating at
    /// `u64::MAX` for tiles beyond any possible tree).
    pub fn leaf_range(&self) -> std::ops::Range<u64> {
        let level = match self.kind {
            TileKind::Hashes(l) => l,
            TileKind::Entries => 0,
        };
        let per_node = 1u64.checked_shl(u32::from(level) * 8).unwrap_or(0);
        let first = self.index.saturating_mul(u64::from(TILE_WIDTH));
        let start = first.saturating_mul(per_node);
        let end = (first.saturating_add(u64::from(self.width))).saturating_mul(per_node);
        if per_node == 0 {
            u64::MAX..u64::MAX
        } else {
            start..end
        }
    }
}

impl fmt::Display for TileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// `N` in the tlog-tiles path encoding: 3-digit groups, all but the last prefixed with `x`.
fn encode_index(mut n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    while n >= 1000 {
        n /= 1000;
        groups.push(format!("x{:03}", n % 1000));
    }
    groups.reverse();
    groups.join("/")
}

fn width_suffix(width: Option<u16>) -> String {
    match width {
        Some(w) if w < TILE_WIDTH => format!(".p/{w}"),
        _ => String::new(),
    }
}

/// The path of hash tile `level`/`index`: `tile/<L>/<N>` for a full tile, `tile/<L>/<N>.p/<W>`
/// for a partial one.
///
/// `width` is `None` (or `Some(256)`) for a full tile and `Some(1..=255)` for a partial one; the
/// spec has no tile of width 0, so callers get widths from [`tiles_for_size`] /
/// [`tiles_touched`] rather than inventing them.
pub fn tile_path(level: u8, index: u64, width: Option<u16>) -> String {
    debug_assert!(width != Some(0), "tiles are never empty");
    format!(
        "tile/{level}/{}{}",
        encode_index(index),
        width_suffix(width)
    )
}

/// The path of entry bundle `index`: `tile/entries/<N>[.p/<W>]` (see [`tile_path`]).
pub fn entries_path(index: u64, width: Option<u16>) -> String {
    debug_assert!(width != Some(0), "bundles are never empty");
    format!(
        "tile/entries/{}{}",
        encode_index(index),
        width_suffix(width)
    )
}

/// Parse a decimal with no sign, no leading zeros (except "0" itself) and only ASCII digits.
fn parse_canonical_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// Parse a tile path (relative to the log prefix, no leading slash), as an HTTP server receives
/// it. Only the canonical spelling is accepted — exactly what [`TileRef::path`] produces — so
/// that each tile has one URL and caches cannot be split or poisoned by aliases such as
/// `x000/` groups, leading zeros, `.p/256` or `.p/0`.
pub fn parse_tile_path(path: &str) -> Result<TileRef, TileError> {
    // "tile/entries/" + 7 groups of "x123/" + "123.p/255" is well under 64 bytes.
    if path.len() > 64 {
        return Err(TileError::BadPath("too long"));
    }
    let rest = path
        .strip_prefix("tile/")
        .ok_or(TileError::BadPath("must start with tile/"))?;
    let (kind_str, rest) = rest
        .split_once('/')
        .ok_or(TileError::BadPath("missing tile index"))?;
    let kind = if kind_str == "entries" {
        TileKind::Entries
    } else {
        let level = parse_canonical_decimal(kind_str)
            .ok_or(TileError::BadPath("level must be a canonical decimal"))?;
        if level > u64::from(MAX_TILE_LEVEL) {
            return Err(TileError::BadPath("level above 63"));
        }
        TileKind::Hashes(level as u8)
    };

    let mut parts: Vec<&str> = rest.split('/').collect();
    let mut width = TILE_WIDTH;
    if let Some(last_n) = parts.len().checked_sub(2)
        && let Some(stripped) = parts[last_n].strip_suffix(".p")
    {
        let w = parse_canonical_decimal(parts[last_n + 1])
            .ok_or(TileError::BadPath("width must be a canonical decimal"))?;
        if w == 0 || w >= u64::from(TILE_WIDTH) {
            return Err(TileError::BadPath("partial width must be 1..=255"));
        }
        width = w as u16;
        parts[last_n] = stripped;
        parts.pop();
    }

    let Some((last, groups)) = parts.split_last() else {
        return Err(TileError::BadPath("missing tile index"));
    };
    let mut index: u64 = 0;
    for (i, g) in groups.iter().chain(std::iter::once(last)).enumerate() {
        let digits = if i < groups.len() {
            g.strip_prefix('x').ok_or(TileError::BadPath(
                "all but the last index group start with x",
            ))?
        } else {
            g
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TileError::BadPath("index groups are exactly 3 digits"));
        }
        let v: u64 = digits
            .parse()
            .map_err(|_| TileError::BadPath("index groups are exactly 3 digits"))?;
        index = index
            .checked_mul(1000)
            .and_then(|x| x.checked_add(v))
            .ok_or(TileError::BadPath("index overflows 64 bits"))?;
    }
    let tile = TileRef { kind, index, width };
    // Rejects leading x000 groups, which the arithmetic above cannot see.
    if tile.path() != path {
        return Err(TileError::BadPath("not the canonical spelling"));
    }
    Ok(tile)
}

/// Tiles of one kind, for one level, that a tree whose level has `nodes` nodes publishes
/// beyond the first `old_nodes` nodes' full tiles.
fn level_tiles(kind: TileKind, old_nodes: u64, nodes: u64, out: &mut Vec<TileRef>) {
    let w = u64::from(TILE_WIDTH);
    if old_nodes == nodes {
        return;
    }
    for index in old_nodes / w..nodes / w {
        out.push(TileRef {
            kind,
            index,
            width: TILE_WIDTH,
        });
    }
    let partial = nodes % w;
    if partial > 0 {
        out.push(TileRef {
            kind,
            index: nodes / w,
            width: partial as u16,
        });
    }
}

/// Every tile a tree of `size` leaves publishes: the entry bundles, then the hash tiles level
/// by level from 0 up, each in index order — full tiles plus the partial tile on the right
/// edge where the level's node count is not a multiple of 256.
///
/// For example (from the spec) a tree of 70,000 leaves has 273 full and one 112-wide level-0
/// tile, one full and one 17-wide level-1 tile, and one 1-wide level-2 tile.
pub fn tiles_for_size(size: u64) -> Vec<TileRef> {
    tiles_touched(0, size)
}

/// The tiles a tree of `new_size` leaves publishes that a tree of `old_size` leaves did not
/// (new full tiles, the full versions of formerly partial tiles, and the new partial tiles), in
/// the order of [`tiles_for_size`]. This is what an incremental export writes after an append.
/// Empty when `new_size <= old_size`.
pub fn tiles_touched(old_size: u64, new_size: u64) -> Vec<TileRef> {
    let mut out = Vec::new();
    if new_size <= old_size {
        return out;
    }
    level_tiles(TileKind::Entries, old_size, new_size, &mut out);
    let mut level = 0u8;
    loop {
        let shift = u32::from(level) * u32::from(TILE_HEIGHT);
        let nodes = new_size.checked_shr(shift).unwrap_or(0);
        if nodes == 0 {
            break;
        }
        let old_nodes = old_size.checked_shr(shift).unwrap_or(0);
        level_tiles(TileKind::Hashes(level), old_nodes, nodes, &mut out);
        level += 1;
    }
    out
}

/// Whether a tree of `size` leaves publishes `tile`: every node (or entry) it holds exists.
///
/// A partial tile stays published after its level grows past it — it is a prefix of what is
/// there, so its bytes never change — which lets a client holding an older checkpoint fetch
/// exactly the tiles that checkpoint names (C2SP tlog-tiles; the static export keeps those files
/// too). A tile reaching beyond the tree is not published: a server answers 404.
pub fn is_published(tile: &TileRef, size: u64) -> bool {
    let nodes = match tile.kind {
        TileKind::Entries => size,
        TileKind::Hashes(level) => size
            .checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
            .unwrap_or(0),
    };
    tile.width >= 1
        && tile.width <= TILE_WIDTH
        && tile
            .index
            .checked_mul(u64::from(TILE_WIDTH))
            .and_then(|first| first.checked_add(u64::from(tile.width)))
            .is_some_and(|end| end <= nodes)
}

/// The contents of hash tile `tile`: tree nodes at level `8·L`, indices `N·256 .. N·256+W`,
/// concatenated 32 bytes each, read in one batch.
///
/// Those nodes are complete exactly when the tree has at least
/// `(N·256+W)·256^L` leaves; the caller picks tiles from [`tiles_for_size`] so that holds.
pub fn tile_hashes<R: NodeReader>(
    tile: &TileRef,
    r: &R,
) -> Result<Vec<u8>, TileReadError<R::Error>> {
    let TileKind::Hashes(level) = tile.kind else {
        return Err(TileReadError::NotAHashTile);
    };
    if tile.width == 0 || tile.width > TILE_WIDTH {
        return Err(TileReadError::BadWidth(tile.width));
    }
    // A u64 tree has at most 64 node levels, so tile level 7 (tree level 56) is the last one.
    let tree_level = u32::from(level) * u32::from(TILE_HEIGHT);
    if tree_level >= 64 {
        return Err(TileReadError::LevelTooHigh(level));
    }
    let first = tile
        .index
        .checked_mul(u64::from(TILE_WIDTH))
        .ok_or(TileReadError::LevelTooHigh(level))?;
    let ids: Vec<(u8, u64)> = (0..u64::from(tile.width))
        .map(|i| (tree_level as u8, first + i))
        .collect();
    let hashes = r
        .nodes(&ids)
        .map_err(|e| TileReadError::Merkle(MerkleError::Storage(e)))?;
    if hashes.len() != ids.len() {
        return Err(TileReadError::Merkle(MerkleError::ShortRead {
            expected: ids.len(),
            got: hashes.len(),
        }));
    }
    let mut out = Vec::with_capacity(hashes.len() * HASH_SIZE);
    for h in &hashes {
        out.extend_from_slice(h.as_bytes());
    }
    Ok(out)
}

/// Encode an entry bundle: each leaf prefixed by its length as a big-endian u16.
///
/// Fails rather than truncating when a leaf is longer than 65,535 bytes (the ledger caps entries
/// there precisely so they fit) or when given more than 256 leaves.
pub fn encode_bundle(entries: &[&[u8]]) -> Result<Vec<u8>, TileError> {
    if entries.len() > usize::from(TILE_WIDTH) {
        return Err(TileError::TooManyEntries);
    }
    let total: usize = entries.iter().map(|e| e.len() + 2).sum();
    let mut out = Vec::with_capacity(total);
    for (index, e) in entries.iter().enumerate() {
        let len = u16::try_from(e.len()).map_err(|_| TileError::EntryTooLarge {
            index,
            len: e.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Decode an entry bundle into its leaves (borrowed from `bytes`).
///
/// Strict, because bundles come from mirrors a verifier does not trust: a truncated prefix or
/// entry, an empty bundle and more than 256 entries are all errors. Whether the count matches
/// the tile's width is for the caller to check against the path it fetched.
pub fn decode_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if out.len() == usize::from(TILE_WIDTH) {
            return Err(TileError::TooManyEntries);
        }
        let (len, tail) = rest
            .split_first_chunk::<2>()
            .ok_or(TileError::TruncatedBundle)?;
        let len = usize::from(u16::from_be_bytes(*len));
        if tail.len() < len {
            return Err(TileError::TruncatedBundle);
        }
        let (entry, tail) = tail.split_at(len);
        out.push(entry);
        rest = tail;
    }
    if out.is_empty() {
        return Err(TileError::EmptyBundle);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::hash::{Hash, leaf_hash, node_hash};
    use super::super::merkle::{MemoryNodes, subtree_hash, tree_hash};
    use super::*;

    #[test]
    fn published_tiles_are_exactly_those_within_the_tree() {
        for size in [0u64, 1, 255, 256, 257, 65_536, 70_000] {
            for tile in tiles_for_size(size) {
                assert!(is_published(&tile, size), "{tile} at {size}");
            }
        }
        // 70,000 leaves: level 0 has 273 full tiles and a 112-wide partial one.
        assert!(is_published(&TileRef::hashes(0, 273, 112), 70_000));
        assert!(is_published(&TileRef::hashes(0, 273, 5), 70_000));
        assert!(!is_published(&TileRef::hashes(0, 273, 113), 70_000));
        assert!(!is_published(&TileRef::hashes(0, 273, 256), 70_000));
        assert!(!is_published(&TileRef::entries(274, 1), 70_000));
        assert!(!is_published(&TileRef::hashes(2, 0, 2), 70_000));
        assert!(!is_published(&TileRef::hashes(63, u64::MAX, 256), u64::MAX));
        assert!(!is_published(&TileRef::entries(0, 1), 0));
    }

    #[test]
    fn spec_path_examples() {
        // c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067".
        assert_eq!(tile_path(0, 1234067, None), "tile/0/x001/x234/067");
        assert_eq!(tile_path(3, 1234067, Some(1)), "tile/3/x001/x234/067.p/1");
        assert_eq!(tile_path(0, 0, None), "tile/0/000");
        assert_eq!(tile_path(1, 999, Some(255)), "tile/1/999.p/255");
        assert_eq!(tile_path(1, 1000, Some(256)), "tile/1/x001/000");
        assert_eq!(entries_path(5, Some(17)), "tile/entries/005.p/17");
        assert_eq!(entries_path(1234067, None), "tile/entries/x001/x234/067");
        assert_eq!(
            tile_path(63, u64::MAX, None),
            "tile/63/x018/x446/x744/x073/x709/x551/615"
        );
    }

    #[test]
    fn parse_round_trips() {
        let samples = [
            TileRef::hashes(0, 0, 256),
            TileRef::hashes(0, 0, 1),
            TileRef::hashes(2, 1234067, 255),
            TileRef::hashes(63, u64::MAX, 256),
            TileRef::entries(0, 256),
            TileRef::entries(999, 3),
            TileRef::entries(1000, 256),
            TileRef::entries(u64::MAX, 255),
        ];
        for t in samples {
            assert_eq!(parse_tile_path(&t.path()), Ok(t), "{}", t.path());
        }
        for size in [1u64, 255, 256, 257, 65536, 70000, 16_777_217] {
            for t in tiles_for_size(size) {
                assert_eq!(parse_tile_path(&t.path()), Ok(t));
            }
        }
    }

    #[test]
    fn parse_rejects_malformed() {
        let bad = [
            "",
            "tile",
            "tile/",
            "tile/0",
            "tile/0/",
            "/tile/0/000",
            "tiles/0/000",
            "tile/0/000/",
            "tile/00/000",
            "tile/01/000",
            "tile/+1/000",
            "tile/-1/000",
            "tile/64/000",
            "tile/256/000",
            "tile/a/000",
            "tile/data/000",
            "tile/entries",
            "tile/entries/",
            "tile/0/00",
            "tile/0/0000",
            "tile/0/12",
            "tile/0/x12/345",
            "tile/0/x001",
            "tile/0/001/234",
            "tile/0/x001/x234",
            "tile/0/x000/001",
            "tile/0/x000/x001/002",
            "tile/0/xx01/002",
            "tile/0/x01a/002",
            "tile/0/ 01/002",
            "tile/0/000.p",
            "tile/0/000.p/",
            "tile/0/000.p/0",
            "tile/0/000.p/00",
            "tile/0/000.p/01",
            "tile/0/000.p/256",
            "tile/0/000.p/1000",
            "tile/0/000.p/1/",
            "tile/0/000.p/1/2",
            "tile/0/000.q/1",
            "tile/0/x001.p/1/234",
            "tile/0/000.p/-1",
            "tile/0/000.p/+1",
            "tile/0/x018/x446/x744/x073/x709/x551/616",
            "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
            "tile/entries/000.p/256",
            "tile/0/000?x=1",
            "tile/0/000#",
            "tile/0/../000",
            "tile/0/./000",
            "tile/0//000",
            "tile/0/\u{0660}\u{0661}\u{0662}",
            "tile/0/x001/x234/x567/x890/x123/x456/x789/x012/x345/678",
        ];
        for p in bad {
            assert!(parse_tile_path(p).is_err(), "{p:?} was accepted");
        }
    }

    #[test]
    fn spec_tile_counts() {
        // c2sp.org/tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0
        // tiles, one partial level 0 tile of width 112, one full level 1 tile, one partial
        // level 1 tile of width 17, and one partial level 2 tile of width 1."
        let tiles = tiles_for_size(70_000);
        let of = |k: TileKind| -> Vec<TileRef> {
            tiles.iter().copied().filter(|t| t.kind == k).collect()
        };
        let l0 = of(TileKind::Hashes(0));
        assert_eq!(l0.len(), 274);
        assert!(l0[..273].iter().all(|t| t.width == 256));
        assert_eq!(l0[273], TileRef::hashes(0, 273, 112));
        assert_eq!(
            of(TileKind::Hashes(1)),
            vec![TileRef::hashes(1, 0, 256), TileRef::hashes(1, 1, 17)]
        );
        assert_eq!(of(TileKind::Hashes(2)), vec![TileRef::hashes(2, 0, 1)]);
        assert!(of(TileKind::Hashes(3)).is_empty());
        let bundles = of(TileKind::Entries);
        assert_eq!(bundles.len(), 274);
        assert_eq!(bundles[273], TileRef::entries(273, 112));
        // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1
        // tile of width 1."
        assert_eq!(
            tiles_for_size(256),
            vec![
                TileRef::entries(0, 256),
                TileRef::hashes(0, 0, 256),
                TileRef::hashes(1, 0, 1)
            ]
        );
        assert!(tiles_for_size(0).is_empty());
        assert_eq!(
            tiles_for_size(1),
            vec![TileRef::entries(0, 1), TileRef::hashes(0, 0, 1)]
        );
    }

    #[test]
    fn touched_tiles_are_the_difference() {
        use std::collections::BTreeSet;
        let sizes = [
            0u64, 1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 70000, 131_072,
        ];
        for &m in &sizes {
            for &n in &sizes {
                let touched = tiles_touched(m, n);
                if n <= m {
                    assert!(touched.is_empty());
                    continue;
                }
                let before: BTreeSet<TileRef> = tiles_for_size(m).into_iter().collect();
                let after: BTreeSet<TileRef> = tiles_for_size(n).into_iter().collect();
                let want: BTreeSet<TileRef> = after.difference(&before).copied().collect();
                let got: BTreeSet<TileRef> = touched.iter().copied().collect();
                assert_eq!(got, want, "{m} -> {n}");
                assert_eq!(got.len(), touched.len(), "no duplicates");
            }
        }
    }

    #[test]
    fn agrees_with_tlog_tiles_crate() {
        // cloudflare/azul's port of golang.org/x/mod/sumdb/tlog spells paths in the older
        // "tile/<H>/<L>/..." form with "data" for bundles; the N and .p/W parts must agree.
        for (l, n, w) in [
            (0u8, 0u64, 256u16),
            (0, 1234067, 1),
            (2, 999, 255),
            (7, 1000, 256),
        ] {
            let theirs = tlog_tiles::Tile::new(8, l, n, u32::from(w), false).path();
            let ours = TileRef::hashes(l, n, w).path();
            assert_eq!(theirs.replacen("tile/8/", "tile/", 1), ours);
            let theirs = tlog_tiles::Tile::new(8, 0, n, u32::from(w), true).path();
            let ours = TileRef::entries(n, w).path();
            assert_eq!(theirs.replacen("tile/8/data/", "tile/entries/", 1), ours);
        }
        for (m, n) in [
            (0u64, 1u64),
            (0, 70000),
            (255, 257),
            (65535, 70000),
            (1, 16_777_300),
        ] {
            let theirs: Vec<(u8, u64, u16)> = tlog_tiles::Tile::new_tiles(8, m, n)
                .iter()
                .map(|t| (t.level(), t.level_index(), t.width() as u16))
                .collect();
            let ours: Vec<(u8, u64, u16)> = tiles_touched(m, n)
                .iter()
                .filter_map(|t| match t.kind {
                    TileKind::Hashes(l) => Some((l, t.index, t.width)),
                    TileKind::Entries => None,
                })
                .collect();
            assert_eq!(theirs, ours, "{m} -> {n}");
        }
    }

    fn tree(n: u64) -> MemoryNodes {
        MemoryNodes::from_leaf_hashes((0..n).map(|i| leaf_hash(format!("entry {i}").as_bytes())))
    }

    fn hashes_of(bytes: &[u8]) -> Vec<Hash> {
        bytes
            .chunks(HASH_SIZE)
            .map(|c| Hash::from_slice(c).unwrap())
            .collect()
    }

    /// MTH of a (full or partial) tile's hashes, as a client rebuilds the 8 levels inside it.
    fn tile_root(hs: &[Hash]) -> Hash {
        match hs.len() {
            1 => hs[0],
            n => {
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                node_hash(&tile_root(&hs[..k]), &tile_root(&hs[k..]))
            }
        }
    }

    #[test]
    fn tile_contents_are_merkle_nodes() {
        let size = 70_000u64;
        let s = tree(size);
        for t in tiles_for_size(size) {
            let TileKind::Hashes(level) = t.kind else {
                assert_eq!(tile_hashes(&t, &s), Err(TileReadError::NotAHashTile));
                continue;
            };
            let bytes = tile_hashes(&t, &s).unwrap();
            assert_eq!(bytes.len(), usize::from(t.width) * HASH_SIZE);
            let hs = hashes_of(&bytes);
            // Each hash is the MTH of its 256^L leaves (spec formula).
            let span = 1u64 << (8 * u32::from(level));
            for (i, h) in hs.iter().enumerate() {
                let j = t.index * 256 + i as u64;
                assert_eq!(*h, subtree_hash(j * span, (j + 1) * span, &s).unwrap());
            }
            // A full tile hashes to the matching hash in the tile one level up.
            let range = t.leaf_range();
            assert_eq!(range.end - range.start, u64::from(t.width) * span);
            if t.width == 256 {
                assert_eq!(
                    tile_root(&hs),
                    subtree_hash(range.start, range.end, &s).unwrap()
                );
                let up = TileRef::hashes(level + 1, t.index / 256, 256);
                let parent_idx = (t.index % 256) as usize;
                if let Ok(parent) = tile_hashes(
                    &TileRef {
                        width: parent_idx as u16 + 1,
                        ..up
                    },
                    &s,
                ) {
                    assert_eq!(hashes_of(&parent)[parent_idx], tile_root(&hs));
                }
            }
        }
    }

    #[test]
    fn root_from_tiles() {
        // A client that fetches only the published tiles of a checkpoint's size can rebuild its
        // root: fold the right-edge partial tiles' subtree roots with the full ones.
        for size in [1u64, 2, 255, 256, 257, 1000, 65_536, 65_537, 70_000] {
            let s = tree(size);
            let mut edge: Vec<Hash> = Vec::new(); // largest first
            let tiles = tiles_for_size(size);
            for level in (0..8u8).rev() {
                for t in tiles.iter().filter(|t| t.kind == TileKind::Hashes(level)) {
                    let hs = hashes_of(&tile_hashes(t, &s).unwrap());
                    if t.is_partial() {
                        // Complete subtrees inside a partial tile, left to right.
                        let mut at = 0usize;
                        let mut w = hs.len();
                        while w > 0 {
                            let k = 1usize << (usize::BITS - 1 - w.leading_zeros());
                            edge.push(tile_root(&hs[at..at + k]));
                            at += k;
                            w -= k;
                        }
                    }
                }
            }
            let root = edge
                .iter()
                .rev()
                .copied()
                .reduce(|acc, h| node_hash(&h, &acc))
                .unwrap();
            assert_eq!(root, tree_hash(size, &s).unwrap(), "size {size}");
        }
    }

    #[test]
    fn tile_hashes_errors() {
        let s = tree(300);
        assert!(matches!(
            tile_hashes(&TileRef::hashes(0, 1, 256), &s),
            Err(TileReadError::Merkle(MerkleError::Storage(_)))
        ));
        assert_eq!(
            tile_hashes(&TileRef::hashes(0, 0, 0), &s),
            Err(TileReadError::BadWidth(0))
        );
        assert_eq!(
            tile_hashes(&TileRef::hashes(8, 0, 1), &s),
            Err(TileReadError::LevelTooHigh(8))
        );
    }

    #[test]
    fn bundle_round_trip() {
        let big = vec![7u8; MAX_ENTRY_SIZE];
        let entries: Vec<&[u8]> = vec![b"", b"a", b"{\"seq\":0}", &big];
        let bytes = encode_bundle(&entries).unwrap();
        assert_eq!(&bytes[..5], &[0, 0, 0, 1, b'a']);
        assert_eq!(bytes.len(), 4 * 2 + 1 + 9 + MAX_ENTRY_SIZE);
        assert_eq!(decode_bundle(&bytes).unwrap(), entries);
        let full: Vec<Vec<u8>> = (0..256u32).map(|i| i.to_be_bytes().to_vec()).collect();
        let refs: Vec<&[u8]> = full.iter().map(Vec::as_slice).collect();
        assert_eq!(decode_bundle(&encode_bundle(&refs).unwrap()).unwrap(), refs);
    }

    #[test]
    fn bundle_errors() {
        let too_big = vec![0u8; MAX_ENTRY_SIZE + 1];
        assert_eq!(
            encode_bundle(&[b"ok", &too_big]),
            Err(TileError::EntryTooLarge {
                index: 1,
                len: MAX_ENTRY_SIZE + 1
            })
        );
        let many: Vec<&[u8]> = vec![b"x"; 257];
        assert_eq!(encode_bundle(&many), Err(TileError::TooManyEntries));
        let mut bytes = Vec::new();
        for _ in 0..257 {
            bytes.extend_from_slice(&[0, 0]);
        }
        assert_eq!(decode_bundle(&bytes), Err(TileError::TooManyEntries));
        assert_eq!(decode_bundle(b""), Err(TileError::EmptyBundle));
        assert_eq!(decode_bundle(&[0]), Err(TileError::TruncatedBundle));
        assert_eq!(
            decode_bundle(&[0, 2, b'a']),
            Err(TileError::TruncatedBundle)
        );
        assert_eq!(
            decode_bundle(&[0, 1, b'a', 0]),
            Err(TileError::TruncatedBundle)
        );
    }

    #[test]
    fn bundles_hash_to_level_zero_tiles() {
        let leaves: Vec<Vec<u8>> = (0..300)
            .map(|i| format!("entry {i}").into_bytes())
            .collect();
        let s = tree(300);
        for t in tiles_for_size(300) {
            if t.kind != TileKind::Entries {
                continue;
            }
            let r = t.leaf_range();
            let refs: Vec<&[u8]> = leaves[r.start as usize..r.end as usize]
                .iter()
                .map(Vec::as_slice)
                .collect();
            let bundle = encode_bundle(&refs).unwrap();
            let decoded = decode_bundle(&bundle).unwrap();
            let tile = tile_hashes(&TileRef::hashes(0, t.index, t.width), &s).unwrap();
            let from_bundle: Vec<u8> = decoded.iter().flat_map(|e| leaf_hash(e).0).collect();
            assert_eq!(from_bundle, tile);
        }
    }
}
