//! The accepted log and the state over it: [`log`] (what was accepted, and its effective view),
//! [`money_state`] (the books derived from it, and what readers ask of them), [`corrections`]
//! (the replay a correction needs) and [`admit`] (one entry in), each using only those before it.

pub mod admit;
pub mod corrections;
pub mod log;
pub mod money_state;

pub use admit::Admission;
pub use log::{EntryCtx, Log, Stored};
pub use money_state::MoneyState;
