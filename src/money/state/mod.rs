//! [`MoneyState`]: the raw log the model has accepted, and the books derived from its effective
//! view. `admit` works on an O(1) clone and swaps it in only on success, so a refusal never leaves
//! a partial change behind.

pub mod corrections;

use std::sync::Arc;

use imbl::{OrdMap, OrdSet};

use crate::ledger::fingerprints::FingerprintSet;
use crate::ledger::{Author, Kind, Submission, Timestamp, Uscc};

use crate::money::bodies::{Body, parse_body};
use crate::money::books::funds::FundKey;
use crate::money::books::records::Records;
use crate::money::books::{
    Books, Eff, GrantRecord, OrgRecord, ProjectRecord, RegulatorRecord, TrustRecord,
};
use crate::money::error::{MoneyError, Rule};
use crate::money::types::{Ident, Money};
use corrections::Rebuild;

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
    pub ids: FingerprintSet,
    pub corrections: OrdSet<u64>,
    pub last_seq: Option<u64>,
}

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

/// The charity money model: rules before append, and every derived figure.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct MoneyState {
    pub(crate) log: Log,
    pub(crate) books: Books,
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
    /// entries (see [`corrections`]).
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

    /// `ctx` as the next entry of the log, refused unless it comes after every entry admitted.
    pub(crate) fn next_entry(&self, ctx: &EntryCtx, body: Body) -> Result<Stored, MoneyError> {
        if self.log.last_seq.is_some_and(|last| ctx.seq <= last) {
            return Err(MoneyError::refused(
                "seq",
                Rule::OutOfOrder,
                "entries are admitted in seq order, once each",
            ));
        }
        Ok(Stored {
            seq: ctx.seq,
            recorded_at: ctx.recorded_at,
            author: ctx.submission.author.clone(),
            kind: ctx.submission.kind,
            body: Arc::new(body),
            amendment: None,
            corrected_by: Vec::new(),
        })
    }

    fn admit_plain(&mut self, stored: Stored) -> Result<Records, MoneyError> {
        let claim = stored.body.claim(stored.author.org());
        if let Some((key, field)) = &claim
            && self.log.ids.contains(&key.fingerprint())
        {
            return Err(MoneyError::duplicate(*field, key.unique(), key.id()));
        }
        let rows = self.books.step(&Eff {
            seq: stored.seq,
            recorded_at: stored.recorded_at,
            author: &stored.author,
            body: &stored.body,
        })?;
        if let Some((key, _)) = claim {
            self.log.ids.insert(key.fingerprint());
        }
        self.log.last_seq = Some(stored.seq);
        Ok(Records { reset: false, rows })
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

    // ---- read side -------------------------------------------------------------------------

    pub fn regulators(&self) -> impl Iterator<Item = &RegulatorRecord> {
        self.books.regulators.values()
    }

    pub fn org(&self, id: &Uscc) -> Option<&OrgRecord> {
        self.books.orgs.get(id)
    }

    pub fn orgs(&self) -> impl Iterator<Item = &OrgRecord> {
        self.books.orgs.values()
    }

    pub fn project(&self, org: &Uscc, id: &Ident) -> Option<&ProjectRecord> {
        self.books.projects.get(&(org.clone(), id.clone()))
    }

    pub fn projects(&self) -> impl Iterator<Item = &ProjectRecord> {
        self.books.projects.values()
    }

    /// The balance of one fund (zero for a fund that never held money).
    pub fn balance(&self, fund: &FundKey) -> Money {
        Money(self.books.funds.balance(fund))
    }

    /// Every fund that ever held money, with its balance.
    pub fn balances(&self) -> Vec<(FundKey, Money)> {
        self.books
            .funds
            .balances()
            .map(|(k, v)| (k.clone(), Money(*v)))
            .collect()
    }

    /// An organisation's funds (unrestricted and per project) with their balances.
    pub fn org_balances(&self, org: &Uscc) -> Vec<(FundKey, Money)> {
        self.balances()
            .into_iter()
            .filter(|(k, _)| &k.org == org)
            .collect()
    }

    pub fn trust(&self, id: &Ident) -> Option<&TrustRecord> {
        self.books.trusts.get(id)
    }

    pub fn trusts(&self) -> impl Iterator<Item = &TrustRecord> {
        self.books.trusts.values()
    }

    pub fn lottery_grant(&self, administrator: &Uscc, grant_id: &Ident) -> Option<&GrantRecord> {
        self.books
            .grants
            .get(&(administrator.clone(), grant_id.clone()))
    }

    pub fn lottery_grants(&self) -> impl Iterator<Item = &GrantRecord> {
        self.books.grants.values()
    }

    /// The `goods/` summary rows ([`crate::money::books::goods::Goods::rows`]).
    pub fn goods_rows(&self, rows: &mut std::collections::BTreeMap<String, String>) {
        self.books.goods.rows(rows);
    }

    /// The derived books, for read paths this API does not cover yet.
    pub fn books(&self) -> &Books {
        &self.books
    }

    /// Whether entry `seq` is voided in the effective view.
    pub fn is_voided(&self, seq: u64) -> bool {
        corrections::voided_set(&self.log).contains(&seq)
    }

    /// The seqs of the corrections that target entry `seq` (live or voided), oldest first.
    pub fn corrections_of(&self, seq: u64) -> Vec<u64> {
        self.log
            .kept
            .get(&seq)
            .map(|s| s.corrected_by.clone())
            .unwrap_or_default()
    }

    /// The last seq admitted.
    pub fn last_seq(&self) -> Option<u64> {
        self.log.last_seq
    }
}
