//! Sunshine Ledger (阳光慈善账本): a hash-chained, Ed25519-signed, append-only ledger of charity
//! money with a Merkle tree and signed checkpoints.
//!
//! # Layout
//! - [`ledger`]: the pure core — canonical encoding, hashing, signing, Merkle proofs, checkpoint
//!   notes, tiles, trust (who may sign what) and verification.
//! - [`demo`]: a realistic, deterministic demo history (pure; `sunshine demo` appends it).
//! - [`api`]: the HTTP API (`sunshine serve`), axum routes one file per resource, group commit.
//! - [`store`]: the only SQL — SQLite (embedded default) or PostgreSQL (many servers, one
//!   chain), appends serialised by the database, reads on an optional replica.
//! - [`site`]: the public disclosure site (maud pages from the views), served live and exported
//!   as a static site by `sunshine site build`.
pub mod api;
pub mod audit;
pub mod cli;
pub mod demo;
pub mod export;
pub mod import;
pub mod ledger;
pub mod money;
pub mod parallel;
pub mod proofs;
pub mod service;
pub mod site;
pub mod state;
pub mod store;
