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
//! Cost: a correction replays the whole log (O(n)). Corrections are rare; new entries step
//! incrementally.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::ledger::{Author, Kind, Timestamp};

use super::bodies::checks::check_static;
use super::bodies::{Body, Correction, parse_body_at};
use super::books::{Books, DonationBody, DonationRecord, Eff};
use super::error::{MoneyError, Rule, Thing};
use super::records::{Record, Records};
use super::state::{Log, MoneyState, Stored};
use super::types::CorrectionAction;

/// The seqs of entries (corrections included) that are voided in the effective view.
///
/// A correction is live unless a live correction voids it; corrections only target earlier seqs,
/// so one pass from the newest correction down settles every chain without recursion.
pub fn voided_set(log: &Log) -> BTreeSet<u64> {
    let mut voided = BTreeSet::new();
    for seq in log.corrections.iter().rev() {
        if voided.contains(seq) {
            continue;
        }
        if let Some(Body::Correction(c)) = log.entries.get(seq).map(|s| s.body.as_ref())
            && c.action == CorrectionAction::Void
        {
            voided.insert(c.target);
        }
    }
    voided
}

/// The effective body of `s` and the time it was written: its latest live amendment, if any.
pub fn effective<'a>(
    log: &'a Log,
    s: &'a Stored,
    voided: &BTreeSet<u64>,
) -> (&'a Arc<Body>, Timestamp) {
    let mut out = (&s.body, s.recorded_at);
    for c in s.corrected_by.iter().filter(|c| !voided.contains(c)) {
        if let Some(Stored {
            amendment: Some(body),
            recorded_at,
            ..
        }) = log.entries.get(c)
        {
            out = (body, *recorded_at);
        }
    }
    out
}

/// The live amendments of `s`, oldest first.
pub fn live_amendments(s: &Stored, log: &Log, voided: &BTreeSet<u64>) -> Vec<u64> {
    s.corrected_by
        .iter()
        .filter(|c| {
            !voided.contains(c) && log.entries.get(*c).is_some_and(|x| x.amendment.is_some())
        })
        .copied()
        .collect()
}

/// Books from scratch over the effective log, with every record of it: the live records the
/// steps write, and a voided donation's record as it was first recorded.
pub fn rebuild(log: &Log) -> Result<(Books, Vec<Record>), MoneyError> {
    let voided = voided_set(log);
    let mut books = Books::default();
    let mut records = Vec::new();
    for (seq, s) in log.entries.iter() {
        if s.kind == Kind::Correction {
            continue;
        }
        if voided.contains(seq) {
            if let (Body::Donation(_), Some(org)) = (s.body.as_ref(), s.author.org()) {
                records.push(Record::Voided(DonationRecord {
                    seq: *seq,
                    org: org.clone(),
                    recorded_at: s.recorded_at,
                    body: DonationBody::new(s.body.clone()),
                }));
            }
            continue;
        }
        let (body, recorded_at) = effective(log, s, &voided);
        let rows = books
            .step(&Eff {
                seq: *seq,
                recorded_at,
                author: &s.author,
                body,
            })
            .map_err(|cause| MoneyError::Replay {
                at_seq: *seq,
                cause: Box::new(cause),
            })?;
        records.extend(rows);
    }
    Ok((books, records))
}

impl MoneyState {
    pub(crate) fn admit_correction(
        &mut self,
        mut stored: Stored,
        c: &Correction,
    ) -> Result<Records, MoneyError> {
        check_static(&stored.body, "body", stored.recorded_at)?;
        let target = self
            .log
            .entries
            .get(&c.target)
            .cloned()
            .ok_or_else(|| MoneyError::unknown("body.target", Thing::Entry, c.target))?;
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
        let by_regulator = matches!(&stored.author, Author::Regulator(id) if self.books.regulators.contains_key(id));
        if stored.author != target.author && !by_regulator {
            return Err(MoneyError::refused(
                "author",
                Rule::NotAuthor,
                "only the original author or a regulator corrects an entry",
            ));
        }
        let voided = voided_set(&self.log);
        if voided.contains(&target.seq) {
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
        let seq = stored.seq;
        if let Some(t) = self.log.entries.get_mut(&c.target) {
            t.corrected_by.push(seq);
        }
        self.log.corrections.insert(seq);
        self.log.last_seq = Some(seq);
        self.log.entries.insert(seq, stored);
        let (books, rows) = rebuild(&self.log)?;
        self.books = books;
        Ok(Records { reset: true, rows })
    }
}
