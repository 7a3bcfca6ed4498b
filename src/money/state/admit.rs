//! Admitting an entry: a plain entry steps the books; a correction answers a [`Rebuild`] to feed
//! with the earlier entries ([`super::corrections`]).

use crate::money::bodies::{Body, parse_body};
use crate::money::books::records::Records;
use crate::money::error::MoneyError;

use super::corrections::Rebuild;
use super::log::EntryCtx;
use super::money_state::MoneyState;

/// What admitting an entry leads to.
#[derive(Debug)]
// `Done` is every entry's path and stays unboxed (no allocation per entry); corrections are rare.
#[allow(clippy::large_enum_variant)]
pub enum Admission {
    /// The entry is in: the new state, and the records it wrote.
    Done(MoneyState, Records),
    /// A correction: feed it the earlier entries, then finish it.
    Rebuild(Box<Rebuild>),
}

impl MoneyState {
    /// Validates the entry against every rule; mutates only if it is accepted (never partially).
    /// Answers the records it wrote, for the store. `earlier` is every entry before it, in
    /// order, which only a correction reads (its rebuild): for logs held in memory.
    pub fn admit(&mut self, ctx: &EntryCtx, earlier: &[EntryCtx]) -> Result<Records, MoneyError> {
        let body = parse_body(ctx.submission.kind, &ctx.submission.body)?;
        let (state, records) = match self.clone().admitted(ctx, body)? {
            Admission::Done(state, records) => (state, records),
            Admission::Rebuild(mut rebuild) => {
                rebuild.feed_all(earlier)?;
                rebuild.finish()?
            }
        };
        *self = state;
        Ok(records)
    }

    /// Admits an entry whose body [`parse_body`] has read already — it needs no state, so bulk
    /// appends and audits parse ahead on every core — and returns the new state.
    ///
    /// It takes the state by value because a refusal may leave it half changed: the caller gets
    /// a state back only on success. Changing it in place, rather than a fresh copy per entry as
    /// [`MoneyState::admit`] does, lets the persistent maps update their nodes where they are
    /// instead of copying a path of nodes for every entry; callers that must keep the old state
    /// on a refusal clone it once (O(1)) for a whole run of entries.
    ///
    /// A correction is answered as a [`Rebuild`] for the caller to feed with the earlier
    /// entries (see [`super::corrections`]).
    pub fn admitted(mut self, ctx: &EntryCtx, body: Body) -> Result<Admission, MoneyError> {
        if matches!(body, Body::Correction(_)) {
            return Ok(Admission::Rebuild(Box::new(
                self.begin_correction(ctx, body)?,
            )));
        }
        let stored = self.next_entry(ctx, body)?;
        let records = self.admit_plain(stored)?;
        Ok(Admission::Done(self, records))
    }

    /// Rebuilds a state from entries (in seq order), as audit and startup do, with the records
    /// the log holds.
    pub fn replay<'a>(
        entries: impl IntoIterator<Item = EntryCtx<'a>>,
    ) -> Result<(MoneyState, Records), (u64, MoneyError)> {
        let entries: Vec<EntryCtx> = entries.into_iter().collect();
        let mut s = MoneyState::default();
        let mut records = Records::default();
        for (i, ctx) in entries.iter().enumerate() {
            records.then(s.admit(ctx, &entries[..i]).map_err(|e| (ctx.seq, e))?);
        }
        Ok((s, records))
    }
}
