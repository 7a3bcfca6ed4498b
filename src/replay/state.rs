//! The replayed state of the ledger: everything needed to decide whether the next entry is valid.
//!
//! It is a pure fold over the log (`admit` each entry in order). Appends, audits and every server
//! process build it the same way, so they all enforce exactly the same rules. Persistent maps
//! make `clone` O(1): a multi-entry append is tried on a copy and kept only if every entry passes.

use std::collections::BTreeMap;

use crate::ledger::authority::{Authority, AuthorityChange, AuthorityError};
use crate::ledger::fingerprints::FingerprintSet;
use crate::ledger::{Hash, SealedEntry};
use crate::money::corrections::Rebuild;
use crate::money::records::Records;
use crate::money::state::Admission;
use crate::money::{Body, EntryCtx, MoneyError, MoneyState, parse_body};

/// How far an author's signing time may be ahead of the ledger's clock.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// Why an entry cannot be the next one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdmitError {
    #[error("entry has seq {found}, expected {expected}")]
    Seq { expected: u64, found: u64 },
    #[error("prev is {found}, expected the leaf hash of entry {}: {expected}", .seq - 1)]
    Prev {
        seq: u64,
        expected: Hash,
        found: Hash,
    },
    #[error(
        "signing time {time} is after the recording time {recorded_at} by more than {MAX_CLOCK_SKEW_SECS} s"
    )]
    FutureTime { time: String, recorded_at: String },
    #[error("recording time {found} is earlier than the previous entry's {previous}")]
    RecordedBackwards { previous: String, found: String },
    #[error("nonce {nonce} was already used by {author}")]
    DuplicateNonce { author: String, nonce: String },
    #[error(transparent)]
    Authority(#[from] AuthorityError),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl AdmitError {
    /// The JSON field at fault, for error responses.
    pub fn field(&self) -> &str {
        match self {
            AdmitError::Seq { .. } => "seq",
            AdmitError::Prev { .. } => "prev",
            AdmitError::FutureTime { .. } => "time",
            AdmitError::RecordedBackwards { .. } => "recorded_at",
            AdmitError::DuplicateNonce { .. } => "nonce",
            AdmitError::Authority(e) => e.field(),
            AdmitError::Money(e) => e.field(),
        }
    }
}

/// The ledger state after some prefix of the log.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    size: u64,
    last_hash: Hash,
    last_recorded: i64,
    pub authority: Authority,
    pub money: MoneyState,
    /// 16-byte fingerprints of (author, nonce): the replay guard, at a fixed cost per entry.
    /// A snapshot stores it apart from the CBOR ([`super::snapshot`]); `default` reads the
    /// snapshots of version 2, which held it inline.
    #[serde(default, skip_serializing)]
    nonces: FingerprintSet,
}

fn nonce_fingerprint(author: &str, nonce: &str) -> [u8; 16] {
    crate::ledger::hash::fingerprint(&[author, nonce])
}

impl State {
    /// The nonces and the reserved identifiers: the sets a snapshot stores apart from the rest.
    pub(super) fn fingerprint_sets(&self) -> [&FingerprintSet; 2] {
        [&self.nonces, &self.money.log.ids]
    }

    pub(super) fn set_fingerprint_sets(&mut self, nonces: FingerprintSet, ids: FingerprintSet) {
        self.nonces = nonces;
        self.money.log.ids = ids;
    }

    /// Number of entries admitted.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Leaf hash of the last admitted entry (zero before genesis): the next entry's `prev`.
    pub fn last_hash(&self) -> Hash {
        self.last_hash
    }

    /// When the newest entry was recorded.
    pub fn last_recorded(&self) -> Option<crate::ledger::Timestamp> {
        (self.size > 0)
            .then(|| crate::ledger::Timestamp::from_unix(self.last_recorded))
            .flatten()
    }

    /// The cached views that are not records (see [`crate::money::records`]): the money model's
    /// summaries and the regulator figures as of the newest entry's recording date. They grow
    /// with organisations, projects and years, not with the log.
    pub fn summary_view_rows(&self) -> BTreeMap<String, String> {
        let mut rows = self.money.summary_rows();
        rows.extend(self.regulator_rows());
        rows
    }

    fn regulator_rows(&self) -> BTreeMap<String, String> {
        crate::money::regulator::view_rows(
            &self.money,
            self.last_recorded().map(|t| t.china_date()),
        )
    }

    /// Whether `author` already used `nonce`.
    pub fn nonce_used(&self, author: &str, nonce: &str) -> bool {
        self.nonces.contains(&nonce_fingerprint(author, nonce))
    }

    /// Checks every rule for `sealed` as the next entry and, only if all pass, records it.
    /// Signatures are checked by the caller (in bulk, see [`crate::ledger::verify`]). Answers
    /// the records the entry wrote. `earlier` is every entry before it, in order, which only
    /// a correction reads (its rebuild); callers that never admit one pass nothing.
    pub fn admit(
        &mut self,
        sealed: &SealedEntry,
        earlier: impl IntoIterator<Item = SealedEntry>,
    ) -> Result<Records, AdmitError> {
        let body = parse_entry_body(sealed);
        let (state, records) = self.clone().admitted(sealed, body)?.done_with(earlier)?;
        *self = state;
        Ok(records)
    }

    /// Admits `sealed` and returns the new state and the records it wrote (or, for a
    /// correction, the rebuild to feed); on a refusal the state is gone (it may be half changed). This is the fast path for runs of entries that stand or fall together —
    /// a bulk append, an audit, a replay — which clone the state once for the run (O(1)) instead
    /// of once per entry, so the persistent maps change their nodes in place. `body` is
    /// [`parse_entry_body`] of `sealed`, computed ahead (it needs no state); a parse failure is
    /// reported where [`State::admit`] would report it, after the ledger's own checks.
    pub fn admitted(
        self,
        sealed: &SealedEntry,
        body: Result<Body, MoneyError>,
    ) -> Result<Admitted, AdmitError> {
        let State {
            size,
            last_hash,
            last_recorded,
            authority,
            money,
            nonces,
        } = self;
        let entry = &sealed.entry;
        let sub = &entry.submission.submission;
        if entry.seq != size {
            return Err(AdmitError::Seq {
                expected: size,
                found: entry.seq,
            });
        }
        if entry.prev != last_hash {
            return Err(AdmitError::Prev {
                seq: entry.seq,
                expected: last_hash,
                found: entry.prev,
            });
        }
        if sub.time.unix() > entry.recorded_at.unix() + MAX_CLOCK_SKEW_SECS {
            return Err(AdmitError::FutureTime {
                time: sub.time.to_string(),
                recorded_at: entry.recorded_at.to_string(),
            });
        }
        if entry.seq > 0 && entry.recorded_at.unix() < last_recorded {
            return Err(AdmitError::RecordedBackwards {
                previous: crate::ledger::Timestamp::from_unix(last_recorded)
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                found: entry.recorded_at.to_string(),
            });
        }
        let author = sub.author.to_string();
        let fingerprint = nonce_fingerprint(&author, sub.nonce.as_str());
        if nonces.contains(&fingerprint) {
            return Err(AdmitError::DuplicateNonce {
                author,
                nonce: sub.nonce.to_string(),
            });
        }
        let change = authority.check(entry.seq, sub)?;
        let ctx = EntryCtx {
            seq: entry.seq,
            recorded_at: entry.recorded_at,
            submission: sub,
        };
        let rest = After {
            size: size + 1,
            hash: sealed.hash,
            recorded_at: entry.recorded_at.unix(),
            change,
            fingerprint,
        };
        Ok(match money.admitted(&ctx, body?)? {
            Admission::Done(money, records) => {
                Admitted::Done(rest.apply(authority, money, nonces), records)
            }
            Admission::Rebuild(rebuild) => Admitted::Rebuild(Box::new(Rebuilding {
                authority,
                nonces,
                rest,
                rebuild,
            })),
        })
    }
}

/// What admitting an entry leads to (see [`Admission`]).
// `Done` is every entry's path and stays unboxed (no allocation per entry); corrections are rare.
#[allow(clippy::large_enum_variant)]
pub enum Admitted {
    /// The new state, and the records the entry wrote.
    Done(State, Records),
    /// A correction: feed it every earlier entry ([`Rebuilding::feed`]), then finish it.
    Rebuild(Box<Rebuilding>),
}

impl Admitted {
    /// The new state and records, feeding a correction's rebuild the entries before it from
    /// `earlier` (every entry before it, in order): for callers that hold them.
    pub fn done_with(
        self,
        earlier: impl IntoIterator<Item = SealedEntry>,
    ) -> Result<(State, Records), AdmitError> {
        match self {
            Admitted::Done(state, records) => Ok((state, records)),
            Admitted::Rebuild(mut r) => {
                let upto = r.upto();
                for e in earlier.into_iter().take_while(|e| e.entry.seq < upto) {
                    r.feed(&e)?;
                }
                r.finish()
            }
        }
    }
}

/// What the ledger's checks decided about an entry, applied once the money model accepts it.
struct After {
    size: u64,
    hash: Hash,
    recorded_at: i64,
    change: AuthorityChange,
    fingerprint: [u8; 16],
}

impl After {
    fn apply(
        self,
        mut authority: Authority,
        money: MoneyState,
        mut nonces: FingerprintSet,
    ) -> State {
        // After the money model, nothing can fail.
        authority.apply(self.size - 1, self.change);
        nonces.insert(self.fingerprint);
        State {
            size: self.size,
            last_hash: self.hash,
            last_recorded: self.recorded_at,
            authority,
            money,
            nonces,
        }
    }
}

/// A correction being admitted: the entries before it are fed to its rebuild in order, from
/// wherever the caller keeps them (the store, an exported log, memory).
pub struct Rebuilding {
    authority: Authority,
    nonces: FingerprintSet,
    rest: After,
    rebuild: Box<Rebuild>,
}

impl Rebuilding {
    /// The correction's seq: feed every entry below it.
    pub fn upto(&self) -> u64 {
        self.rebuild.upto()
    }

    /// The next earlier entry, as stored (its signature was checked when it was admitted).
    pub fn feed(&mut self, sealed: &SealedEntry) -> Result<(), AdmitError> {
        let sub = &sealed.entry.submission.submission;
        let body = parse_entry_body(sealed)?;
        Ok(self.rebuild.feed(
            sealed.entry.seq,
            sealed.entry.recorded_at,
            &sub.author,
            sub.kind,
            std::sync::Arc::new(body),
        )?)
    }

    /// Whether the rebuild may start from the state at log size `size`
    /// ([`Rebuild::can_start_at`]).
    pub fn can_start_at(&self, size: u64) -> bool {
        self.rebuild.can_start_at(size)
    }

    /// Starts the rebuild from `books`, those of this log's first `size` entries (from a start
    /// snapshot, or kept by a replay): the entries from `size` on are fed next
    /// ([`Rebuild::start_at`]).
    pub fn start_at(
        &mut self,
        size: u64,
        books: crate::money::books::Books,
    ) -> Result<(), AdmitError> {
        Ok(self.rebuild.start_at(size, books)?)
    }

    /// Records written so far and not taken ([`Rebuild::records_held`]).
    pub fn records_held(&self) -> usize {
        self.rebuild.records_held()
    }

    /// Takes the records written so far ([`Rebuild::take_records`]).
    pub fn take_records(&mut self) -> Vec<crate::money::records::Record> {
        self.rebuild.take_records()
    }

    /// The state with the correction admitted, and every record of the rebuilt log not taken
    /// already.
    pub fn finish(self) -> Result<(State, Records), AdmitError> {
        let (money, records) = self.rebuild.finish()?;
        Ok((self.rest.apply(self.authority, money, self.nonces), records))
    }
}

/// The typed body of `sealed`'s submission: the stateless half of admitting it, which bulk
/// paths run ahead on every core.
pub fn parse_entry_body(sealed: &SealedEntry) -> Result<Body, MoneyError> {
    let sub = &sealed.entry.submission.submission;
    parse_body(sub.kind, &sub.body)
}
