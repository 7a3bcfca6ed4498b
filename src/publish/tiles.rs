//! The published bytes of tiles, as both the static export and the live server send them.

use super::export::ExportError;
use crate::ledger::hash::leaf_hash;
use crate::ledger::tiles::{self, HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, TileKind, TileRef};
use crate::store::Store;
/// The published bytes of one tile, read from the store in one query. Shared with the live
/// server (`GET /log/tile/...`), so the files an export writes and the bytes the server sends
/// are the same function of the store. The caller makes sure the tree has the tile
/// ([`tiles::is_published`]).
pub async fn tile_bytes(store: &Store, tile: &TileRef) -> Result<Vec<u8>, ExportError> {
    let width = u64::from(tile.width);
    let first = tile
        .index
        .checked_mul(u64::from(TILE_WIDTH))
        .ok_or_else(|| ExportError::Corrupt(format!("tile {tile} is beyond any tree")))?;
    match tile.kind {
        TileKind::Entries => {
            let rows = store.entries_range(first, width).await?;
            if rows.len() as u64 != width {
                return Err(ExportError::Corrupt(format!(
                    "{} entries stored from seq {first}, the tree has {width}",
                    rows.len()
                )));
            }
            let mut leaves = Vec::with_capacity(rows.len());
            for (seq, row) in (first..).zip(&rows) {
                // A bundle that disagrees with its level-0 tile would fail every audit: catch a
                // damaged row here rather than publish it.
                if row.seq != seq || leaf_hash(&row.leaf).as_bytes()[..] != row.leaf_hash[..] {
                    return Err(ExportError::Corrupt(format!(
                        "entry {seq}: stored row does not match its leaf hash or position"
                    )));
                }
                leaves.push(row.leaf.as_slice());
            }
            tiles::encode_bundle(&leaves).map_err(|source| ExportError::Bundle {
                path: tile.path(),
                source,
            })
        }
        TileKind::Hashes(level) => {
            let tree_level = u32::from(level) * u32::from(TILE_HEIGHT);
            let tree_level = u8::try_from(tree_level)
                .ok()
                .filter(|l| *l < 64)
                .ok_or_else(|| ExportError::Corrupt(format!("tile {tile} is beyond any tree")))?;
            let end = first + width;
            let hashes = store.node_range(tree_level, first, end).await?;
            if hashes.len() as u64 != width {
                return Err(ExportError::Corrupt(format!(
                    "{} tree nodes stored at level {tree_level} indices {first}..{end}, the tree has {width}",
                    hashes.len()
                )));
            }
            let mut out = Vec::with_capacity(hashes.len() * HASH_SIZE);
            for h in &hashes {
                out.extend_from_slice(h.as_bytes());
            }
            Ok(out)
        }
    }
}
