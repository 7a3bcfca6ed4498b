//! Corrections: voiding and amending earlier entries without ever removing them.
//!
//! What a correction may do:
//! - `void` any entry except `genesis`, `org.register` and `org.keys` (the core's trust facts),
//!   including another correction (which restores what that correction changed);
//! - `amend` any of those same entries except a correction, by giving a complete replacement
//!   body of the target's kind. Every field may change except the identifier the entry is known
//!   by (project id, receipt number, trust id, grant id; for updates, closes, usages and trust
//!   entries, the project, trust or grant they concern).
//!
//! Who: the target's author, or any regulator. Not a voided correction, and not an entry that
//! is already voided. Then the books are rebuilt by replaying the effective log (original bodies,
//! with the latest live amendment of each, voided entries left out); if any entry would break a
//! rule in that replay (a balance going negative, a usage above its grant, an announcement that
//! no longer agrees), the correction is refused with that entry's error. Identifiers stay
//! reserved: a voided receipt number is never reused.
//!
//! Cost: a correction replays the log from a start below its target (O(n) from entry 0).
//! Corrections are rare; new entries step
//! incrementally. The state keeps no entry bodies but those of corrections and their targets, so
//! the replay reads the log from where it is kept: [`MoneyState::begin_correction`] answers a
//! [`Rebuild`], the adapter feeds it every earlier entry in order ([`Rebuild::feed`]), and
//! [`Rebuild::finish`] answers the new state — or the refusal, with the state untouched.
//!
//! A correction changes nothing before its target, so the replay may start later than entry 0:
//! from the books of an earlier state at log size `base` ([`Rebuild::start_at`]), when nothing
//! the log holds from `base` on reaches below it ([`Rebuild::can_start_at`]). The books of a
//! log prefix are a function of its effective view alone, and that view of the entries before
//! `base` is then the same with the correction as without it.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::ledger::{Author, Kind, Timestamp};

use crate::money::bodies::checks::check_static;
use crate::money::bodies::{Body, Correction, parse_body, parse_body_at};
use crate::money::books::records::{Record, Records};
use crate::money::books::{Books, DonationBody, DonationRecord, Eff};
use crate::money::error::{MoneyError, Rule, Thing};
use crate::money::types::CorrectionAction;

use super::log::{EntryCtx, Stored, effective};
use super::money_state::MoneyState;

/// The effective view of the log lives with the log; these are its names from before.
pub use super::log::{live_amendments, voided_set};

/// A correction being admitted: the books rebuilt from scratch over the effective log as the
/// adapter feeds it the entries before the correction, in order.
#[derive(Debug)]
pub struct Rebuild {
    /// The state before the correction, with the correction added to its log as if accepted.
    state: MoneyState,
    seq: u64,
    correction: Correction,
    /// Voided before the correction, and with it.
    voided_before: BTreeSet<u64>,
    voided: BTreeSet<u64>,
    books: Books,
    records: Vec<Record>,
    next: u64,
    /// The log size the replay started from ([`Rebuild::start_at`]); 0 from the start.
    base: u64,
}

impl MoneyState {
    /// Starts admitting a correction: the checks that need no earlier entry, then a
    /// [`Rebuild`] to feed. Nothing changes here; [`Rebuild::finish`] answers the new state.
    pub fn begin_correction(&self, ctx: &EntryCtx, body: Body) -> Result<Rebuild, MoneyError> {
        let Body::Correction(c) = &body else {
            return Err(MoneyError::refused(
                "kind",
                Rule::NotCorrectable,
                "only a correction rebuilds the books",
            ));
        };
        let c = c.clone();
        let stored = self.next_entry(ctx, body)?;
        check_static(&stored.body, "body", stored.recorded_at)?;
        // The log is every seq below this one: a target below it exists.
        if c.target >= ctx.seq {
            return Err(MoneyError::unknown("body.target", Thing::Entry, c.target));
        }
        let voided_before = voided_set(&self.log);
        let mut state = self.clone();
        state.log.corrections.insert(ctx.seq);
        state.log.kept.insert(ctx.seq, stored);
        let voided = voided_set(&state.log);
        Ok(Rebuild {
            state,
            seq: ctx.seq,
            correction: c,
            voided_before,
            voided,
            books: Books::default(),
            records: Vec::new(),
            next: 0,
            base: 0,
        })
    }
}

impl Rebuild {
    /// The seq of the correction: feed every entry below it.
    pub fn upto(&self) -> u64 {
        self.seq
    }

    /// Whether the replay may start from the books of the log's first `size` entries instead of
    /// from nothing: only if the effective view of those entries is the same with this
    /// correction as it was when they were admitted — the target is not among them, and no
    /// correction from `size` on (this one included) targets one of them. A correction voiding
    /// a correction below `size` targets below `size` itself, so it is covered too.
    pub fn can_start_at(&self, size: u64) -> bool {
        size <= self.correction.target
            && self.state.log.corrections.range(size..).all(|seq| {
                match self.state.log.kept.get(seq).map(|s| s.body.as_ref()) {
                    Some(Body::Correction(c)) => c.target >= size,
                    _ => false,
                }
            })
    }

    /// Starts the replay from `books`, those of the log's first `size` entries (as a start
    /// snapshot of that size holds them): the adapter then feeds the entries from `size` on,
    /// and the records [`Rebuild::finish`] answers replace those of entries from `size` on.
    /// Refused before any entry is fed, and where [`Rebuild::can_start_at`] says no.
    pub fn start_at(&mut self, size: u64, books: Books) -> Result<(), MoneyError> {
        if self.next != 0 || !self.can_start_at(size) {
            return Err(MoneyError::refused(
                "seq",
                Rule::OutOfOrder,
                format!("the rebuild cannot start from the books at log size {size}"),
            ));
        }
        self.books = books;
        self.next = size;
        self.base = size;
        Ok(())
    }

    /// How many records the entries fed so far wrote and [`Rebuild::take_records`] has not
    /// taken.
    pub fn records_held(&self) -> usize {
        self.records.len()
    }

    /// Takes the records written so far, in order: a caller that compares, writes or drops
    /// them as they come holds a part of the log's records at a time, not all of them.
    /// [`Rebuild::finish`] answers the rest.
    pub fn take_records(&mut self) -> Vec<Record> {
        std::mem::take(&mut self.records)
    }

    /// The next entry before the correction, as it was admitted: its seq (in order, from 0),
    /// recording time, author, kind and parsed body.
    pub fn feed(
        &mut self,
        seq: u64,
        recorded_at: Timestamp,
        author: &Author,
        kind: Kind,
        body: Arc<Body>,
    ) -> Result<(), MoneyError> {
        if seq != self.next || seq >= self.seq {
            return Err(MoneyError::refused(
                "seq",
                Rule::OutOfOrder,
                format!("the rebuild needs entry {} next, not {seq}", self.next),
            ));
        }
        self.next += 1;
        if seq == self.correction.target {
            self.target(Stored {
                seq,
                recorded_at,
                author: author.clone(),
                kind,
                body: body.clone(),
                amendment: None,
                corrected_by: Vec::new(),
            })?;
        }
        let fresh;
        let s = match self.state.log.kept.get(&seq) {
            Some(kept) => kept,
            None => {
                fresh = Stored {
                    seq,
                    recorded_at,
                    author: author.clone(),
                    kind,
                    body,
                    amendment: None,
                    corrected_by: Vec::new(),
                };
                &fresh
            }
        };
        if s.kind == Kind::Correction {
            return Ok(());
        }
        if self.voided.contains(&seq) {
            if let (Body::Donation(_), Some(org)) = (s.body.as_ref(), s.author.org()) {
                self.records.push(Record::Voided(DonationRecord {
                    seq,
                    org: org.clone(),
                    recorded_at: s.recorded_at,
                    body: DonationBody::new(s.body.clone()),
                }));
            }
            return Ok(());
        }
        let (body, recorded_at) = effective(&self.state.log, s, &self.voided);
        let rows = self
            .books
            .step(&Eff {
                seq,
                recorded_at,
                author: &s.author,
                body,
            })
            .map_err(|cause| MoneyError::Replay {
                at_seq: seq,
                cause: Box::new(cause),
            })?;
        self.records.extend(rows);
        Ok(())
    }

    /// The target comes by: the checks that need it, then the correction is recorded on it.
    fn target(&mut self, fed: Stored) -> Result<(), MoneyError> {
        let c = &self.correction;
        let log = &mut self.state.log;
        let target = log.kept.get(&c.target).cloned().unwrap_or(fed);
        if matches!(
            target.kind,
            Kind::Genesis | Kind::OrgRegister | Kind::OrgKeys
        ) {
            return Err(MoneyError::refused(
                "body.target",
                Rule::NotCorrectable,
                format!("{} entries cannot be corrected", target.kind),
            ));
        }
        if target.kind == Kind::Correction && c.action == CorrectionAction::Amend {
            return Err(MoneyError::refused(
                "body.action",
                Rule::NotCorrectable,
                "a correction can only be voided, then corrected afresh",
            ));
        }
        let mut stored = log
            .kept
            .get(&self.seq)
            .cloned()
            .ok_or_else(|| MoneyError::unknown("body.target", Thing::Entry, self.seq))?;
        let by_regulator = matches!(&stored.author, Author::Regulator(id) if self.state.books.regulators.contains_key(id));
        if stored.author != target.author && !by_regulator {
            return Err(MoneyError::refused(
                "author",
                Rule::NotAuthor,
                "only the original author or a regulator corrects an entry",
            ));
        }
        if self.voided_before.contains(&target.seq) {
            return Err(if target.kind == Kind::Correction {
                MoneyError::refused(
                    "body.target",
                    Rule::VoidedCorrection,
                    "that correction was itself voided",
                )
            } else {
                MoneyError::refused(
                    "body.target",
                    Rule::AlreadyVoided,
                    "that entry is already voided",
                )
            });
        }
        if let (CorrectionAction::Amend, Some(value)) = (c.action, &c.amended) {
            let amended = parse_body_at(target.kind, value, "body.amended")?;
            check_static(&amended, "body.amended", stored.recorded_at)?;
            if amended.identity() != target.body.identity() {
                return Err(MoneyError::refused(
                    "body.amended",
                    Rule::AmendChangesId,
                    "an amendment keeps the id the entry is known by",
                ));
            }
            stored.amendment = Some(Arc::new(amended));
        }
        let mut target = target;
        target.corrected_by.push(self.seq);
        log.kept.insert(target.seq, target);
        log.kept.insert(self.seq, stored);
        Ok(())
    }

    /// Feeds every entry of `earlier` (the entries before the correction, in order): for logs
    /// held in memory (tests, tools).
    pub fn feed_all(&mut self, earlier: &[EntryCtx]) -> Result<(), MoneyError> {
        for e in earlier {
            let body = parse_body(e.submission.kind, &e.submission.body)?;
            self.feed(
                e.seq,
                e.recorded_at,
                &e.submission.author,
                e.submission.kind,
                Arc::new(body),
            )?;
        }
        Ok(())
    }

    /// After every entry before the correction: the state with the correction admitted, and
    /// every record of the rebuilt log (from its base on) not taken already
    /// ([`Rebuild::take_records`]).
    pub fn finish(self) -> Result<(MoneyState, Records), MoneyError> {
        if self.next != self.seq {
            return Err(MoneyError::refused(
                "seq",
                Rule::OutOfOrder,
                format!(
                    "the rebuild was fed entries up to {}, not up to {}",
                    self.next, self.seq
                ),
            ));
        }
        let mut state = self.state;
        state.books = self.books;
        state.log.last_seq = Some(self.seq);
        let records = Records {
            reset_from: Some(self.base),
            rows: self.records,
        };
        Ok((state, records))
    }
}
