//! The start snapshot: the replayed state at some log size, encoded, so a process that appends
//! starts from it and admits only the entries after it instead of replaying the whole log.
//!
//! It is derived data, like the cached views: nothing is ever decided from it that a replay of
//! the log would not decide, and `sunshine audit` replays the log, encodes its own state at the
//! snapshot's size and fails on any difference, naming where the two part. For that the encoding
//! is deterministic: the state's ordered maps encode in order, its hash sets sorted
//! ([`crate::ledger::sorted`]).
//!
//! Layout (version 3): the magic `SLSNAP`, a version (u16, big-endian), the byte lengths of the
//! two fingerprint sets (u64 each, big-endian), the sets themselves (the nonces, then the
//! reserved identifiers: sorted 16-byte fingerprints back to back,
//! [`crate::ledger::fingerprints`]), then the rest of the state in CBOR (RFC 8949). The sets
//! are most of a snapshot's bytes (two fingerprints an entry); outside the CBOR they are
//! neither parsed nor copied at a start: the decoded state's sets keep their ranges of the
//! snapshot's own buffer. Version 2 held them inside the CBOR; it is still read.

use std::sync::Arc;

use super::state::State;
use crate::ledger::fingerprints::FingerprintSet;

const MAGIC: &[u8; 6] = b"SLSNAP";

/// The state's encoded shape. Bumped whenever a type inside the state changes: a snapshot of
/// another version is not read (the process replays the log instead) and a new one is written.
pub const VERSION: u16 = 3;

/// The version before the fingerprint sets moved out of the CBOR: read, never written.
const VERSION_INLINE_SETS: u16 = 2;

/// The magic, the version and the sets' two lengths.
const HEADER: usize = MAGIC.len() + 2 + 2 * 8;

/// Why a stored snapshot cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapshotError {
    #[error("not a snapshot (it does not start with {MAGIC:?})")]
    Magic,
    #[error("a snapshot of version {found}; this build reads version {VERSION}")]
    Version { found: u16 },
    #[error("the snapshot cannot be decoded: {0}")]
    Decode(String),
}

/// A version-3 snapshot's parts, borrowed from its bytes.
pub struct Parts<'a> {
    /// The nonces' fingerprints, sorted, back to back.
    pub nonces: &'a [u8],
    /// The reserved identifiers' fingerprints, sorted, back to back.
    pub ids: &'a [u8],
    /// The rest of the state, in CBOR.
    pub cbor: &'a [u8],
}

impl Parts<'_> {
    /// The snapshot of these parts.
    pub fn join(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(HEADER + self.nonces.len() + self.ids.len() + self.cbor.len());
        header(&mut out, self.nonces.len(), self.ids.len());
        out.extend_from_slice(self.nonces);
        out.extend_from_slice(self.ids);
        out.extend_from_slice(self.cbor);
        out
    }
}

fn header(out: &mut Vec<u8>, nonces: usize, ids: usize) {
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&(nonces as u64).to_be_bytes());
    out.extend_from_slice(&(ids as u64).to_be_bytes());
}

/// The encoded state.
pub fn encode(state: &State) -> Vec<u8> {
    let [nonces, ids] = state.fingerprint_sets();
    let mut out = Vec::with_capacity(HEADER + 16 * (nonces.len() + ids.len()) + 64 * 1024);
    header(&mut out, 16 * nonces.len(), 16 * ids.len());
    out.extend(nonces.sorted().flatten());
    out.extend(ids.sorted().flatten());
    // Writing into a `Vec` cannot fail, and every type in the state encodes (the tests encode
    // states with every kind of entry in them).
    if let Err(e) = ciborium::into_writer(state, &mut out) {
        unreachable!("the replayed state always encodes: {e}");
    }
    out
}

/// The version a snapshot says it is, if it is one.
pub fn version(bytes: &[u8]) -> Result<u16, SnapshotError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(SnapshotError::Magic)?;
    let v = rest.get(..2).ok_or(SnapshotError::Magic)?;
    Ok(u16::from_be_bytes([v[0], v[1]]))
}

/// A version-3 snapshot's parts.
pub fn split(bytes: &[u8]) -> Result<Parts<'_>, SnapshotError> {
    let found = version(bytes)?;
    if found != VERSION {
        return Err(SnapshotError::Version { found });
    }
    let torn = || SnapshotError::Decode("it ends inside its fingerprint sets".to_owned());
    let length = |at: usize| -> Result<usize, SnapshotError> {
        let b: [u8; 8] = bytes
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(torn)?;
        usize::try_from(u64::from_be_bytes(b)).map_err(|_| torn())
    };
    let (n, i) = (length(MAGIC.len() + 2)?, length(MAGIC.len() + 10)?);
    let ids_at = HEADER.checked_add(n).ok_or_else(torn)?;
    let cbor_at = ids_at.checked_add(i).ok_or_else(torn)?;
    Ok(Parts {
        nonces: bytes.get(HEADER..ids_at).ok_or_else(torn)?,
        ids: bytes.get(ids_at..cbor_at).ok_or_else(torn)?,
        cbor: bytes.get(cbor_at..).ok_or_else(torn)?,
    })
}

/// The state a snapshot holds. The fingerprint sets keep their ranges of `bytes`, so the
/// buffer is kept (less the CBOR) rather than copied.
pub fn decode(mut bytes: Vec<u8>) -> Result<State, SnapshotError> {
    let fail = |e: String| SnapshotError::Decode(e);
    if version(&bytes)? == VERSION_INLINE_SETS {
        return ciborium::from_reader(&bytes[MAGIC.len() + 2..]).map_err(|e| fail(e.to_string()));
    }
    let parts = split(&bytes)?;
    let (nonces_end, cbor_at) = (
        HEADER + parts.nonces.len(),
        HEADER + parts.nonces.len() + parts.ids.len(),
    );
    let mut state: State = ciborium::from_reader(parts.cbor).map_err(|e| fail(e.to_string()))?;
    bytes.truncate(cbor_at);
    bytes.shrink_to_fit();
    let buf = Arc::new(bytes);
    let nonces = FingerprintSet::from_shared(buf.clone(), HEADER..nonces_end)
        .map_err(|e| fail(format!("nonces: {e}")))?;
    let ids = FingerprintSet::from_shared(buf, nonces_end..cbor_at)
        .map_err(|e| fail(format!("reserved identifiers: {e}")))?;
    state.set_fingerprint_sets(nonces, ids);
    Ok(state)
}

/// Where two encodings part, as a path into the state (`money.books.funds.balances[3]`), for an
/// audit finding. Only called on a difference: it decodes both whole.
pub fn first_difference(stored: &[u8], derived: &[u8]) -> String {
    let (Ok(a), Ok(b)) = (split(stored), split(derived)) else {
        return "the whole state (it cannot be decoded)".to_owned();
    };
    for (name, x, y) in [
        ("nonces", a.nonces, b.nonces),
        ("money.log.ids", a.ids, b.ids),
    ] {
        if x != y {
            return set_difference(name, x, y);
        }
    }
    let value = |b: &[u8]| -> Option<ciborium::Value> { ciborium::from_reader(b).ok() };
    match (value(a.cbor), value(b.cbor)) {
        (Some(a), Some(b)) => {
            let mut path = String::new();
            if locate(&a, &b, &mut path) {
                match path.trim_start_matches('.') {
                    "" => "the whole state".to_owned(),
                    p => p.to_owned(),
                }
            } else {
                "the encoding (the decoded values agree)".to_owned()
            }
        }
        _ => "the whole state (it cannot be decoded)".to_owned(),
    }
}

/// Where two fingerprint sets (sorted, back to back) part.
fn set_difference(name: &str, stored: &[u8], derived: &[u8]) -> String {
    let (x, y) = (stored.as_chunks::<16>().0, derived.as_chunks::<16>().0);
    match x.iter().zip(y).position(|(a, b)| a != b) {
        Some(i) => format!("{name}[{i}] (fingerprint {} of the sorted set)", i + 1),
        None => format!(
            "{name} ({} fingerprints stored, {} derived)",
            stored.len() / 16,
            derived.len() / 16
        ),
    }
}

/// Appends to `path` the first place `a` and `b` differ; false if they do not.
fn locate(a: &ciborium::Value, b: &ciborium::Value, path: &mut String) -> bool {
    use ciborium::Value;
    if a == b {
        return false;
    }
    match (a, b) {
        (Value::Map(x), Value::Map(y)) => {
            for (i, ((ka, va), (kb, vb))) in x.iter().zip(y).enumerate() {
                let name = match ka {
                    Value::Text(t) => format!(".{t}"),
                    _ => format!("[{i}]"),
                };
                if ka != kb {
                    path.push_str(&name);
                    path.push_str(" (a different key)");
                    return true;
                }
                if va != vb {
                    path.push_str(&name);
                    locate(va, vb, path);
                    return true;
                }
            }
            path.push_str(&format!(
                " ({} entries stored, {} derived)",
                x.len(),
                y.len()
            ));
            true
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if va != vb {
                    path.push_str(&format!("[{i}]"));
                    locate(va, vb, path);
                    return true;
                }
            }
            path.push_str(&format!(" ({} items stored, {} derived)", x.len(), y.len()));
            true
        }
        _ => true,
    }
}
