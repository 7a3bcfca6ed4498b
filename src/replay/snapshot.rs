//! The start snapshot: the replayed state at some log size, encoded, so a process that appends
//! starts from it and admits only the entries after it instead of replaying the whole log.
//!
//! It is derived data, like the cached views: nothing is ever decided from it that a replay of
//! the log would not decide, and `sunshine audit` replays the log, encodes its own state at the
//! snapshot's size and fails on any difference, naming where the two part. For that the encoding
//! is deterministic: the state's ordered maps encode in order, its hash sets sorted
//! ([`crate::ledger::sorted`]).
//!
//! Layout: the magic `SLSNAP`, a version (u16, big-endian), then the state in CBOR (RFC 8949).

use super::state::State;

const MAGIC: &[u8; 6] = b"SLSNAP";

/// The state's encoded shape. Bumped whenever a type inside the state changes: a snapshot of
/// another version is not read (the process replays the log instead) and a new one is written.
pub const VERSION: u16 = 2;

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

/// The encoded state.
pub fn encode(state: &State) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
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

/// The state a snapshot holds.
pub fn decode(bytes: &[u8]) -> Result<State, SnapshotError> {
    let found = version(bytes)?;
    if found != VERSION {
        return Err(SnapshotError::Version { found });
    }
    let body = &bytes[MAGIC.len() + 2..];
    ciborium::from_reader(body).map_err(|e| SnapshotError::Decode(e.to_string()))
}

/// Where two encodings part, as a path into the state (`money.books.funds.balances[3]`), for an
/// audit finding. Only called on a difference: it decodes both whole.
pub fn first_difference(stored: &[u8], derived: &[u8]) -> String {
    let value = |b: &[u8]| -> Option<ciborium::Value> {
        let body = b.get(MAGIC.len() + 2..)?;
        ciborium::from_reader(body).ok()
    };
    match (value(stored), value(derived)) {
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
