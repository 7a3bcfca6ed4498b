//! The write path: submissions checked, admitted to the replayed state, sealed, written with
//! their tree nodes and checkpoint in one transaction, and the derived views brought up to date.
//!
//! - [`service`]: [`service::LedgerService`], the one owner of the head of the log in a process:
//!   every append (CLI, API, bench) goes through it, and so do view updates after it.
//! - [`views`]: how views follow appends — at once after a CLI append, or by a debounced
//!   background task in a server.
pub mod service;
pub mod views;
