//! Sunshine Ledger (阳光慈善账本): a hash-chained, Ed25519-signed, append-only ledger of charity
//! money with a Merkle tree and signed checkpoints.
//!
//! # Layout
//! The pure core (no I/O, no async, no SQL):
//! - [`ledger`]: canonical encoding, hashing, signing, Merkle proofs, checkpoint notes, tiles,
//!   trust (who may sign what) and signature verification.
//! - [`money`]: the charity money model — entry bodies, the rules an entry must pass, the books
//!   and every view derived from them (traces, figures, compliance, disclosure duties).
//! - [`replay`]: the state the log folds into and the auditors; plus the adapter that audits a
//!   database.
//! - [`demo`]: a realistic, deterministic demo history (`sunshine demo` appends it).
//! - [`import`]: reading spreadsheets (xlsx, CSV in UTF-8 or GB18030) into unsigned
//!   submissions, checked row by row; shared by `sunshine import` and the submit page.
//!
//! Adapters around it:
//! - [`store`]: the only SQL — SQLite (embedded default) or PostgreSQL (many servers, one
//!   chain), appends serialised by the database, reads on an optional replica.
//! - [`append`]: the write path — one service that checks, admits, seals and commits, and keeps
//!   the cached views up to date.
//! - [`publish`]: the static log export, its database-free audit, tile bytes and proofs.
//! - [`api`]: the HTTP API (`sunshine serve`), axum routes one file per resource, group commit.
//! - [`site`]: the public disclosure site (maud pages from the views), served live and exported
//!   as a static site by `sunshine site build`.
//! - [`cli`]: the `sunshine` commands.
pub mod api;
pub mod append;
pub mod cli;
pub mod demo;
pub mod import;
pub mod ledger;
pub mod money;
pub mod publish;
pub mod replay;
pub mod site;
pub mod store;
