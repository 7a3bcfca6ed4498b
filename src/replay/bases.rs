//! Books of earlier log sizes, kept in memory while a replay goes on, for a correction's rebuild
//! to start from instead of entry 0 (see [`Rebuilding::can_start_at`]).
//!
//! A replay meets every correction of the log, and a rebuild from entry 0 re-reads the log
//! before it: a replay of a log with `k` corrections read it about `k + 1` times (the 1M demo's
//! three corrections, at 782k to 833k entries, were most of its audit). The books' maps are
//! persistent, so a copy shares every node with the state it was taken from and costs only
//! what changes after it: a few copies cost at most a few times the books, never the log.

use std::collections::VecDeque;

use super::state::{AdmitError, Rebuilding, State};
use crate::money::books::Books;

/// How many copies are kept, as many as the store keeps start snapshots.
const KEPT: usize = 4;

/// The books at some earlier sizes of a replay.
#[derive(Debug, Clone)]
pub struct Bases {
    /// The fewest entries between two copies; also a twentieth of the log.
    min_gap: u64,
    kept: VecDeque<(u64, Books)>,
}

impl Default for Bases {
    fn default() -> Self {
        Bases::every(10_000)
    }
}

impl Bases {
    /// None kept (a process that appends: it starts from the store's snapshots).
    pub const NONE: Bases = Bases {
        min_gap: u64::MAX,
        kept: VecDeque::new(),
    };

    /// Copies taken at least `min_gap` entries and a twentieth of the log apart (as a running
    /// server takes start snapshots); tests take them closer.
    pub fn every(min_gap: u64) -> Bases {
        Bases {
            min_gap: min_gap.max(1),
            kept: VecDeque::new(),
        }
    }

    /// After an entry: takes a copy of the books if enough entries came since the last one.
    pub fn offer(&mut self, state: &State) {
        let size = state.size();
        let last = self.kept.back().map_or(0, |(s, _)| *s);
        if size < last.saturating_add(self.min_gap.max(size / 20)) {
            return;
        }
        self.kept.push_back((size, state.money.books.clone()));
        if self.kept.len() > KEPT {
            self.kept.pop_front();
        }
    }

    /// The newest copy `rebuild` may start from: its size and books.
    pub fn newest_start(&self, rebuild: &Rebuilding) -> Option<(u64, &Books)> {
        self.kept
            .iter()
            .rev()
            .find(|(size, _)| rebuild.can_start_at(*size))
            .map(|(size, books)| (*size, books))
    }

    /// Starts `rebuild` from the newest copy it may start from; answers that copy's size, or 0
    /// (from entry 0) if there is none.
    pub fn start(&self, rebuild: &mut Rebuilding) -> Result<u64, AdmitError> {
        match self.newest_start(rebuild) {
            Some((size, books)) => {
                let books = books.clone();
                rebuild.start_at(size, books)?;
                Ok(size)
            }
            None => Ok(0),
        }
    }
}
