//! Full-ledger verification as a pure, streaming state machine.
//!
//! The auditor is fed the stored log in order — entries (leaf bytes plus the stored leaf hash and,
//! from a database, the author, nonce and kind columns kept for lookups), signed checkpoints, and
//! the stored interior tree nodes level by level — and re-derives everything: canonical encoding,
//! seq and prev links, signatures (batch-verified), authority at each seq, nonce uniqueness, the
//! Merkle root at every checkpoint, checkpoint signatures, and every stored node. It holds O(log n)
//! tree state plus the replayed trust state, never the log, and names the first broken entry
//! precisely. Storage adapters (database, exported directory) only stream rows into it.

use crate::ledger::Hash;
use crate::ledger::columns::LookupColumns;
use crate::ledger::entry::SealedEntry;
use crate::ledger::hash::{leaf_hash, node_hash};
use crate::ledger::merkle::Appender;
use crate::ledger::note::{Checkpoint, verify_note};
use crate::ledger::verify::{PendingSig, verify_all};
use crate::money::records::Records;
use crate::money::{Body, MoneyError};
use crate::replay::bases::Bases;
use crate::replay::state::{Admitted, Rebuilding, State, parse_entry_body};

/// Rows prepared at a time: signatures are batch-verified in parts of this many per core
/// (batch verification amortises the work), while the previous rows are replayed.
pub const PREPARE_ROWS: usize = 1024;

/// The first thing found wrong, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AuditError {
    #[error("entry {seq}: missing (the next stored entry is {found})")]
    Gap { seq: u64, found: u64 },
    #[error("entry {seq}: {reason}")]
    Entry { seq: u64, reason: String },
    #[error("entry {seq}: stored leaf hash does not match the leaf bytes")]
    LeafHash { seq: u64 },
    #[error("entry {seq}: stored {column} column does not match the leaf bytes")]
    Column { seq: u64, column: &'static str },
    #[error("entry {seq}: signature does not verify")]
    Signature { seq: u64 },
    #[error("checkpoint at size {size}: {reason}")]
    Checkpoint { size: u64, reason: String },
    #[error("tree node level {level} index {index} (entries {first}..={last}): {reason}")]
    Node {
        level: u8,
        index: u64,
        first: u64,
        last: u64,
        reason: String,
    },
    #[error("view {key}: {reason}")]
    View { key: String, reason: String },
    #[error("start snapshot at size {size}: {reason}")]
    Snapshot { size: u64, reason: String },
    #[error("the log is empty")]
    Empty,
}

/// What a clean audit saw.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditReport {
    pub size: u64,
    pub root: Hash,
    pub checkpoints: u64,
    pub nodes: u64,
    /// Cached view rows re-derived and compared (0 when none were cached).
    pub views: u64,
    /// What the audit made of each kept start snapshot, smallest first (none for an exported
    /// log).
    pub snapshots: Vec<SnapshotCheck>,
    /// Each correction's seq and the log size its rebuild started from (0: entry 0).
    pub rebuilds: Vec<(u64, u64)>,
}

/// What the audit made of a kept start snapshot ([`super::snapshot`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotCheck {
    /// None stored (an exported log never has one).
    #[default]
    None,
    /// The state replayed to this size encodes to the stored bytes.
    Matched(u64),
    /// A snapshot another build wrote, in an encoding this one does not read: no process of
    /// this build starts from it, and the next one it writes replaces it.
    OtherVersion { size: u64, version: u16 },
}

/// One stored row as the storage adapter hands it over.
#[derive(Debug, Clone)]
pub struct Row {
    /// The row's position in the store (must be the next seq).
    pub seq: u64,
    pub leaf: Vec<u8>,
    /// The stored leaf hash, which proofs and tiles are built from.
    pub leaf_hash: Vec<u8>,
    /// The database's copies of fields of the leaf (none in a published log).
    pub columns: Option<LookupColumns>,
}

/// What is wrong with a row on its own, before its place in the log is known.
#[derive(Debug, Clone)]
enum RowFault {
    LeafHash,
    Entry(String),
    Column(&'static str),
}

impl PreparedRow {
    /// The row's position in the store.
    pub fn seq(&self) -> u64 {
        self.seq
    }
}

/// A row with every check that does not depend on the entries before it already done: leaf
/// hash, canonical encoding, signature, and the body read. Feed it with
/// [`Auditor::entry_prepared`].
#[derive(Debug)]
pub struct PreparedRow {
    seq: u64,
    opened: Result<(SealedEntry, Result<Body, MoneyError>), RowFault>,
    signature_ok: bool,
}

/// Checks `rows` on their own, split over the machine's cores: the parallel half of an audit.
/// Only what cannot depend on earlier entries is checked here, so the order in which
/// [`Auditor::entry_prepared`] then reports faults is exactly the sequential order.
pub fn prepare(rows: Vec<Row>) -> Vec<PreparedRow> {
    crate::ledger::parallel::map_owned_parts(rows, prepare_part)
}

/// [`prepare`] on one thread: one batch verification for every signature of `rows`.
fn prepare_part(rows: Vec<Row>) -> Vec<PreparedRow> {
    let mut prepared = Vec::with_capacity(rows.len());
    let mut pending = Vec::with_capacity(rows.len());
    for row in rows {
        let opened =
            open_row(row.leaf, &row.leaf_hash, row.columns.as_ref()).map(|(sealed, signing)| {
                pending.push((
                    prepared.len(),
                    PendingSig::with_message(&sealed.entry.submission, signing),
                ));
                let body = parse_entry_body(&sealed);
                (sealed, body)
            });
        prepared.push(PreparedRow {
            seq: row.seq,
            opened,
            signature_ok: true,
        });
    }
    let (positions, pending): (Vec<usize>, Vec<PendingSig>) = pending.into_iter().unzip();
    for (i, ok) in positions.into_iter().zip(verify_all(&pending)) {
        prepared[i].signature_ok = ok;
    }
    prepared
}

/// The entry in `leaf` and its signing bytes, if `leaf` is what `stored_hash` says and
/// canonical, and the stored `columns` (if any) say what the leaf says.
fn open_row(
    leaf: Vec<u8>,
    stored_hash: &[u8],
    columns: Option<&LookupColumns>,
) -> Result<(SealedEntry, Vec<u8>), RowFault> {
    if leaf_hash(&leaf).as_bytes().as_slice() != stored_hash {
        return Err(RowFault::LeafHash);
    }
    let (sealed, signing) =
        SealedEntry::open_signed(leaf).map_err(|e| RowFault::Entry(e.to_string()))?;
    if let Some(column) =
        columns.and_then(|c| c.first_difference(&LookupColumns::of(&sealed.entry.submission)))
    {
        return Err(RowFault::Column(column));
    }
    Ok((sealed, signing))
}

/// What feeding an entry to the auditor led to.
#[derive(Debug)]
pub enum Fed {
    /// The entry is in; the records it wrote.
    Done(Records),
    /// A correction at seq `upto`: feed the entries from `from` to it (the books of the
    /// entries before `from` are those of an earlier size the auditor kept: [`Bases`]), then
    /// finish it.
    Rebuild { from: u64, upto: u64 },
}

/// The streaming auditor.
pub struct Auditor {
    state: State,
    /// A correction being admitted, its leaf hash, and whether its signature verified.
    rebuilding: Option<(Box<Rebuilding>, crate::ledger::Hash, bool)>,
    appender: Appender,
    checkpoints: u64,
    last_checkpoint: u64,
    /// Books of earlier sizes, for a rebuild to start from.
    bases: Bases,
    /// The seq of a correction whose rebuild must start from entry 0, since the caller
    /// compares every record it emits ([`Auditor::rebuild_fully_at`]).
    full_at: Option<u64>,
    rebuilds: Vec<(u64, u64)>,
}

impl Default for Auditor {
    fn default() -> Self {
        Auditor::new()
    }
}

impl Auditor {
    pub fn new() -> Auditor {
        Auditor {
            state: State::default(),
            rebuilding: None,
            appender: Appender::new(),
            checkpoints: 0,
            last_checkpoint: 0,
            bases: Bases::default(),
            full_at: None,
            rebuilds: Vec::new(),
        }
    }

    /// Keeps books for rebuilds to start from at least `min_gap` entries apart (tests take them
    /// closer than the default 10,000).
    pub fn with_bases_every(mut self, min_gap: u64) -> Auditor {
        self.bases = Bases::every(min_gap);
        self
    }

    /// Rebuilds every correction from entry 0, keeping no books of earlier sizes: one more
    /// pass over the log before each correction, and a check of the rule that lets a rebuild
    /// start later ([`super::state::Rebuilding::can_start_at`]) that does not rely on that
    /// rule (`sunshine audit --full`).
    pub fn from_entry_zero(mut self) -> Auditor {
        self.bases = Bases::NONE;
        self
    }

    /// The rebuild of the correction at `seq` starts from entry 0 and emits every record of
    /// the log before it (a database audit compares those of the last correction below the
    /// size its records are stored at); the others start from the books of an earlier size.
    pub fn rebuild_fully_at(&mut self, seq: u64) {
        self.full_at = Some(seq);
    }

    /// Entries verified so far.
    pub fn size(&self) -> u64 {
        self.appender.size()
    }

    /// The replayed state (for re-deriving views).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Feeds the next stored row, checked on its own already ([`prepare`]): reports its first
    /// fault in the order a one-row-at-a-time check would find it. After a fault the auditor
    /// is spent: its state no longer means anything. Answers the records the entry wrote, or,
    /// for a correction, that its rebuild needs the entries before it: feed them with
    /// [`Auditor::feed_earlier`], then [`Auditor::finish_correction`].
    pub fn entry_prepared(&mut self, row: PreparedRow) -> Result<Fed, AuditError> {
        let seq = self.size();
        if row.seq != seq {
            return Err(AuditError::Gap {
                seq,
                found: row.seq,
            });
        }
        let (sealed, body) = match row.opened {
            Ok(opened) => opened,
            Err(RowFault::LeafHash) => return Err(AuditError::LeafHash { seq }),
            Err(RowFault::Entry(reason)) => return Err(AuditError::Entry { seq, reason }),
            Err(RowFault::Column(column)) => return Err(AuditError::Column { seq, column }),
        };
        if sealed.entry.seq != seq {
            return Err(AuditError::Entry {
                seq,
                reason: format!("leaf says seq {}", sealed.entry.seq),
            });
        }
        // The auditor stops at its first fault, so the state changes in place.
        let admitted = std::mem::take(&mut self.state)
            .admitted(&sealed, body)
            .map_err(|e| AuditError::Entry {
                seq,
                reason: e.to_string(),
            })?;
        match admitted {
            Admitted::Done(state, records) => {
                self.state = state;
                self.accept(seq, sealed.hash, row.signature_ok)?;
                Ok(Fed::Done(records))
            }
            Admitted::Rebuild(mut rebuild) => {
                let upto = rebuild.upto();
                let from = match self.full_at == Some(seq) {
                    true => 0,
                    false => self
                        .bases
                        .start(&mut rebuild)
                        .map_err(|e| AuditError::Entry {
                            seq,
                            reason: e.to_string(),
                        })?,
                };
                self.rebuilding = Some((rebuild, sealed.hash, row.signature_ok));
                self.rebuilds.push((seq, from));
                Ok(Fed::Rebuild { from, upto })
            }
        }
    }

    fn accept(
        &mut self,
        seq: u64,
        hash: crate::ledger::Hash,
        signed: bool,
    ) -> Result<(), AuditError> {
        if !signed {
            return Err(AuditError::Signature { seq });
        }
        self.appender.push(hash);
        self.bases.offer(&self.state);
        Ok(())
    }

    /// The next entry before the correction being admitted, as stored (already verified).
    pub fn feed_earlier(&mut self, leaf: Vec<u8>) -> Result<(), AuditError> {
        let seq = self.size();
        let fail = |reason: String| AuditError::Entry { seq, reason };
        let rebuilding = self
            .rebuilding
            .as_mut()
            .ok_or_else(|| fail("no correction is being admitted".into()))?;
        let sealed = SealedEntry::open(leaf).map_err(|e| fail(e.to_string()))?;
        rebuilding.0.feed(&sealed).map_err(|e| fail(e.to_string()))
    }

    /// Records the correction's rebuild wrote so far and not taken (0 when none is running).
    pub fn correction_records_held(&self) -> usize {
        self.rebuilding
            .as_ref()
            .map_or(0, |(r, _, _)| r.records_held())
    }

    /// Takes the records the correction's rebuild wrote so far, to compare or drop them as
    /// they come rather than hold every record of the log.
    pub fn take_correction_records(&mut self) -> Vec<crate::money::records::Record> {
        self.rebuilding
            .as_mut()
            .map(|(r, _, _)| r.take_records())
            .unwrap_or_default()
    }

    /// After the entries before it: the correction admitted, and every record of the log not
    /// taken already.
    pub fn finish_correction(&mut self) -> Result<Records, AuditError> {
        let seq = self.size();
        let fail = |reason: String| AuditError::Entry { seq, reason };
        let (rebuild, hash, signed) = self
            .rebuilding
            .take()
            .ok_or_else(|| fail("no correction is being admitted".into()))?;
        let (state, records) = rebuild.finish().map_err(|e| fail(e.to_string()))?;
        self.state = state;
        self.accept(seq, hash, signed)?;
        Ok(records)
    }

    /// Feeds a stored checkpoint; call it once the auditor has seen exactly `size` entries.
    pub fn checkpoint(&mut self, size: u64, note: &str) -> Result<(), AuditError> {
        let fail = |reason: String| AuditError::Checkpoint { size, reason };
        if size != self.size() {
            return Err(fail(format!(
                "stored out of order (the auditor is at size {})",
                self.size()
            )));
        }
        if size <= self.last_checkpoint && self.checkpoints > 0 {
            return Err(fail("checkpoints are not strictly increasing".into()));
        }
        let (Some(origin), Some(key)) = (
            self.state.authority.origin(),
            self.state.authority.operator_key(),
        ) else {
            return Err(fail("no genesis before the checkpoint".into()));
        };
        let text = match verify_note(note, origin, key.verifying_key()) {
            Ok(t) => t,
            Err(e) => return Err(fail(format!("signature: {e}"))),
        };
        let cp = match Checkpoint::parse(text) {
            Ok(cp) => cp,
            Err(e) => return Err(fail(e.to_string())),
        };
        if cp.origin != origin || cp.size != size {
            return Err(fail(format!("note is for {} size {}", cp.origin, cp.size)));
        }
        if cp.root != self.appender.root() {
            return Err(fail(format!(
                "root {} differs from the recomputed {}",
                cp.root,
                self.appender.root()
            )));
        }
        self.checkpoints += 1;
        self.last_checkpoint = size;
        Ok(())
    }

    /// Finishes the entry pass: flushes signatures and reports the verified head.
    pub fn finish(self) -> Result<(AuditReport, State), AuditError> {
        if self.size() == 0 {
            return Err(AuditError::Empty);
        }
        if self.last_checkpoint != self.size() {
            return Err(AuditError::Checkpoint {
                size: self.size(),
                reason: "no signed checkpoint covers the last entry".into(),
            });
        }
        let report = AuditReport {
            size: self.size(),
            root: self.appender.root(),
            checkpoints: self.checkpoints,
            nodes: 0,
            views: 0,
            snapshots: Vec::new(),
            rebuilds: self.rebuilds,
        };
        Ok((report, self.state))
    }
}

/// Checks the stored nodes of one tree level against the (already verified) level below.
///
/// Feed the lower level's hashes in index order with [`LevelCheck::lower`]; each pair yields the
/// parent the upper level must hold, which the caller compares with [`LevelCheck::upper`].
pub struct LevelCheck {
    level: u8,
    left: Option<Hash>,
    next: u64,
}

impl LevelCheck {
    pub fn new(level: u8) -> LevelCheck {
        LevelCheck {
            level,
            left: None,
            next: 0,
        }
    }

    fn node_error(&self, index: u64, reason: String) -> AuditError {
        let first = index << self.level;
        AuditError::Node {
            level: self.level,
            index,
            first,
            last: first + (1u64 << self.level) - 1,
            reason,
        }
    }

    /// Takes the next lower-level hash; returns the parent it completes, if any.
    pub fn lower(&mut self, h: Hash) -> Option<(u64, Hash)> {
        match self.left.take() {
            None => {
                self.left = Some(h);
                None
            }
            Some(l) => {
                let idx = self.next;
                self.next += 1;
                Some((idx, node_hash(&l, &h)))
            }
        }
    }

    /// Compares an expected parent with the stored row (or its absence).
    pub fn upper(
        &self,
        expected: (u64, Hash),
        stored: Option<(u64, &[u8])>,
    ) -> Result<(), AuditError> {
        match stored {
            None => Err(self.node_error(expected.0, "missing".into())),
            Some((idx, _)) if idx != expected.0 => {
                Err(self.node_error(expected.0, format!("stored row has index {idx}")))
            }
            Some((_, bytes)) if bytes != expected.1.as_bytes().as_slice() => {
                Err(self.node_error(expected.0, "hash does not match its children".into()))
            }
            Some(_) => Ok(()),
        }
    }

    /// A stored row left over after the lower level ran out.
    pub fn extra(&self, idx: u64) -> AuditError {
        self.node_error(idx, "stored but not part of the tree".into())
    }
}

/// Compares the cached summary views with those re-derived from the log at the size they were
/// cached. It holds the replayed state's summary rows, which grow with organisations, projects
/// and years, not with the log; stored keys are unique, so every stored row matching a derived
/// one and none left over means the two sets are equal.
pub struct ViewCheck {
    summary: std::collections::BTreeMap<String, String>,
    checked: u64,
}

fn view_error(key: &str, reason: &str) -> AuditError {
    AuditError::View {
        key: key.to_owned(),
        reason: reason.to_owned(),
    }
}

impl ViewCheck {
    pub fn new(state: &State) -> ViewCheck {
        ViewCheck {
            summary: state.summary_view_rows(),
            checked: 0,
        }
    }

    /// Takes the next stored row (in any order).
    pub fn stored(&mut self, key: &str, value: &str) -> Result<(), AuditError> {
        match self.summary.remove(key) {
            None => Err(view_error(key, "cached, but the log derives no such view")),
            Some(v) if v != value => Err(view_error(
                key,
                "cached value differs from the value the log derives",
            )),
            Some(_) => {
                self.checked += 1;
                Ok(())
            }
        }
    }

    /// After the last stored row: every derived view must have been seen.
    pub fn finish(self) -> Result<u64, AuditError> {
        match self.summary.keys().next() {
            Some(k) => Err(view_error(k, "missing from the cache")),
            None => Ok(self.checked),
        }
    }
}

/// Compares the stored record rows ([`crate::money::records`]) with those the log derives, as
/// the replay emits them: the caller looks the emitted keys up in the store a part at a time
/// ([`RecordCheck::take_pending`], [`RecordCheck::compare`]), so nothing holds every row.
///
/// The records are stored as of log size `size`. Rows are written once, except that a
/// correction's rebuild replaces them all: so only the rows from the last correction below
/// `size` (`from`, whose rebuild emits every record afresh) are compared, and entries from
/// `size` on are not looked at. To name a stored row the log does not derive, it keeps an
/// 8-byte hash of each derived key (8 bytes per record, sorted at the end).
pub struct RecordCheck {
    from: u64,
    size: u64,
    pending: Vec<(String, String, u64)>,
    derived: Vec<u64>,
    checked: u64,
}

fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl RecordCheck {
    /// Records stored as of log size `size`, the last correction below which is at `from`
    /// (0 if there is none).
    pub fn new(from: u64, size: u64) -> RecordCheck {
        RecordCheck {
            from,
            size,
            pending: Vec::new(),
            derived: Vec::new(),
            checked: 0,
        }
    }

    /// Takes the records entry `seq` wrote.
    pub fn emitted(&mut self, seq: u64, records: Records) {
        if seq < self.from || seq >= self.size {
            return;
        }
        // The audit's own rebuilds start from entry 0 (`reset_from` is `Some(0)`).
        if records.reset_from.is_some() {
            self.pending.clear();
            self.derived.clear();
        }
        for r in records.rows {
            let row = r.stored_row();
            self.derived.push(key_hash(&row.0));
            self.pending.push(row);
        }
    }

    /// Derived rows not yet compared.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The derived rows not yet compared (key, value, seq), for the caller to look up.
    pub fn take_pending(&mut self) -> Vec<(String, String, u64)> {
        std::mem::take(&mut self.pending)
    }

    /// Compares derived rows with the stored rows found under their keys: the value, and the
    /// seq the store keeps beside it (a correction's rebuild from a snapshot replaces the rows
    /// by that seq, so a wrong one would leave a stale row behind or delete a good one).
    pub fn compare(
        &mut self,
        derived: Vec<(String, String, u64)>,
        stored: &std::collections::HashMap<String, (String, Option<u64>)>,
    ) -> Result<(), AuditError> {
        for (k, v, seq) in derived {
            match stored.get(&k) {
                None => return Err(view_error(&k, "missing from the stored records")),
                Some((s, _)) if *s != v => {
                    return Err(view_error(
                        &k,
                        "stored record differs from the record the log derives",
                    ));
                }
                Some((_, stored_seq)) if *stored_seq != Some(seq) => {
                    let found = stored_seq.map_or("none".to_owned(), |s| s.to_string());
                    return Err(view_error(
                        &k,
                        &format!("stored with seq {found}; the log derives it from entry {seq}"),
                    ));
                }
                Some(_) => self.checked += 1,
            }
        }
        Ok(())
    }

    /// After the last entry and the last comparison, with how many record rows are stored:
    /// `Ok` with the count compared when they are exactly the derived ones; otherwise the
    /// caller finds the extra rows with [`RecordCheck::derives`].
    pub fn finish(mut self, stored: u64) -> Result<u64, Box<RecordCheck>> {
        self.derived.sort_unstable();
        if stored == self.derived.len() as u64 {
            Ok(self.checked)
        } else {
            Err(Box::new(self))
        }
    }

    /// Whether the log derives a record row with `key` (after [`RecordCheck::finish`]).
    pub fn derives(&self, key: &str) -> bool {
        self.derived.binary_search(&key_hash(key)).is_ok()
    }

    /// The error for a stored record row the log does not derive.
    pub fn extra(key: &str) -> AuditError {
        view_error(key, "stored, but the log derives no such record")
    }
}
