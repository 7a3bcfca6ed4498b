//! The accepted log as the model keeps it: each entry's context, the entries it keeps (corrections
//! and their targets), the identifiers reserved forever, and the effective view of it (what is
//! voided, which amendment is live). The state, corrections and views all read it; it reads none
//! of them.

use std::collections::BTreeSet;
use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use crate::ledger::fingerprints::FingerprintSet;
use crate::ledger::{Author, Kind, Submission, Timestamp};
use crate::money::bodies::{Body, parse_body};
use crate::money::types::CorrectionAction;

/// Per-entry context the ledger hands the model.
#[derive(Debug, Clone, Copy)]
pub struct EntryCtx<'a> {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub submission: &'a Submission,
}

/// An accepted entry as the model keeps it: the parsed original body, plus the parsed replacement
/// for an `amend` correction, and the corrections that target it.
///
/// Bodies sit behind a pointer: the map's nodes hold a fixed number of slots whether filled or
/// not, and a body inline made every slot the size of the largest entry kind (about 2.4 KB of
/// memory per entry, against about 1 KB this way).
#[derive(Debug, Clone)]
pub struct Stored {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub author: Author,
    pub kind: Kind,
    pub body: Arc<Body>,
    /// For an amending correction: the replacement body of its target.
    pub amendment: Option<Arc<Body>>,
    /// Nearly always empty (a plain `Vec` costs nothing until a correction comes).
    pub corrected_by: Vec<u64>,
}

/// How a [`Stored`] travels in the start snapshot: its bodies as the JSON they were parsed from,
/// each with its kind, read back through [`parse_body`] (the body enum does not say its own
/// kind in JSON; an amendment is of its target's kind, not the correction's).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredWire {
    seq: u64,
    recorded_at: Timestamp,
    author: Author,
    kind: Kind,
    body: serde_json::Value,
    amendment: Option<(Kind, serde_json::Value)>,
    corrected_by: Vec<u64>,
}

impl serde::Serialize for Stored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let json = |b: &Body| {
            serde_json::to_value(b)
                .map(keys_sorted)
                .map_err(S::Error::custom)
        };
        StoredWire {
            seq: self.seq,
            recorded_at: self.recorded_at,
            author: self.author.clone(),
            kind: self.kind,
            body: json(&self.body)?,
            amendment: match self.amendment.as_deref() {
                Some(b) => Some((b.kind(), json(b)?)),
                None => None,
            },
            corrected_by: self.corrected_by.clone(),
        }
        .serialize(s)
    }
}

/// `v` with every object's keys in sorted order. A body keeps its members in the order they
/// were parsed in (a correction's `amended` is raw JSON), which differs between a process that
/// admitted a submission and one that replays its canonical leaf; a snapshot must not.
fn keys_sorted(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(map) => {
            let mut members: Vec<(String, serde_json::Value)> = map.into_iter().collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k, keys_sorted(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(keys_sorted).collect())
        }
        other => other,
    }
}

impl<'de> serde::Deserialize<'de> for Stored {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = StoredWire::deserialize(d)?;
        let parse = |kind: Kind, v: &serde_json::Value| {
            parse_body(kind, v)
                .map(Arc::new)
                .map_err(|e| D::Error::custom(format!("entry {}: {e}", w.seq)))
        };
        Ok(Stored {
            seq: w.seq,
            recorded_at: w.recorded_at,
            author: w.author.clone(),
            kind: w.kind,
            body: parse(w.kind, &w.body)?,
            amendment: match &w.amendment {
                Some((kind, v)) => Some(parse(*kind, v)?),
                None => None,
            },
            corrected_by: w.corrected_by.clone(),
        })
    }
}

/// The accepted log, as the model needs it: never the bodies of past entries but those of
/// corrections and their targets (few), which the correction views and the effective log need.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Log {
    /// Corrections and the entries they target.
    pub kept: OrdMap<u64, Stored>,
    /// Identifiers reserved forever, as 16-byte fingerprints ([`crate::money::bodies::IdKey::fingerprint`]).
    /// A snapshot stores it apart from the CBOR (`replay::snapshot`); `default` reads the
    /// snapshots of version 2, which held it inline.
    #[serde(default, skip_serializing)]
    pub ids: FingerprintSet,
    pub corrections: OrdSet<u64>,
    pub last_seq: Option<u64>,
}

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
        if let Some(Body::Correction(c)) = log.kept.get(seq).map(|s| s.body.as_ref())
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
        }) = log.kept.get(c)
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
        .filter(|c| !voided.contains(c) && log.kept.get(*c).is_some_and(|x| x.amendment.is_some()))
        .copied()
        .collect()
}
