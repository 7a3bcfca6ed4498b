//! The log replayed: the state every writer and auditor folds the log into, and the audits.
//!
//! - [`state`]: the pure fold (`admit` each entry in order) that decides whether the next entry
//!   is valid and derives the views.
//! - [`audit`]: the pure auditor, fed entries one at a time from any source (database rows or an
//!   exported directory).
//! - [`store_audit`]: the adapter that streams a database through the auditor and checks the
//!   stored tree nodes and cached views.
//! - [`bases`]: books of earlier sizes a replay keeps, for a correction's rebuild to start from.
pub mod audit;
pub mod bases;
pub mod snapshot;
pub mod state;
pub mod store_audit;
pub mod store_rebuild;
