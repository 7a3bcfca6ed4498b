//! A proof a donor keeps: C2SP tlog-proof (<https://c2sp.org/tlog-proof>), `.tlog-proof` files.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64 of the entry's exact leaf bytes>
//! index <leaf index, decimal, no leading zeros>
//! <base64 hash>            (the RFC 6962 inclusion proof, leaf side first, 0 or more lines)
//!
//! <the signed checkpoint, with its witness cosignatures>
//! ```
//!
//! The spec leaves `extra` opaque and unauthenticated; we put the leaf bytes there so the file
//! alone is enough: the verifier hashes them (RFC 6962 leaf hash) and checks that hash's
//! inclusion under a checkpoint signed by the log key and cosigned by at least `quorum` of the
//! witnesses it trusts. Nothing in `extra` is believed before that proof succeeds.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::cosignature::{Cosigner, valid_cosigners};
use super::hash::{Hash, leaf_hash};
use super::merkle::{self, ProofError};
use super::note::{Checkpoint, NoteError};
use super::witness::parse_decimal;

/// The first line of every proof file.
pub const HEADER_LINE: &str = "c2sp.org/tlog-proof@v1";
/// Suggested file extension (tlog-proof).
pub const FILE_EXTENSION: &str = "tlog-proof";
/// An inclusion proof in a tree of at most 2^64 leaves has at most 64 hashes.
const MAX_PROOF_HASHES: usize = 64;

/// Why a proof file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofFileError {
    #[error("line {line}: {why}")]
    Malformed { line: usize, why: &'static str },
    #[error("the file carries no entry (no extra line)")]
    NoEntry,
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    #[error("only {found} of the required {quorum} witness cosignatures are valid")]
    Quorum { found: usize, quorum: usize },
    #[error("inclusion proof: {0}")]
    Inclusion(#[from] ProofError),
}

/// A parsed tlog-proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Opaque extra data; for our log, the entry's leaf bytes.
    pub extra: Option<Vec<u8>>,
    pub index: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim (log signature and cosignatures).
    pub checkpoint: String,
}

/// What a successful verification establishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub checkpoint: Checkpoint,
    /// Names of the trusted witnesses whose cosignatures verified.
    pub witnesses: Vec<String>,
}

impl TlogProof {
    pub fn encode(&self) -> String {
        let mut out = format!("{HEADER_LINE}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", BASE64.encode(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            out.push_str(&BASE64.encode(h.as_bytes()));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        out
    }

    /// Parse a proof file strictly: each field in its one spelling, lines ending in newlines.
    pub fn parse(text: &str) -> Result<TlogProof, ProofFileError> {
        let bad = |line, why| ProofFileError::Malformed { line, why };
        let mut rest = text;
        let mut n = 0usize;
        let mut next = |rest: &mut &str| -> Result<(usize, String), ProofFileError> {
            n += 1;
            let (line, after) = rest
                .split_once('\n')
                .ok_or(bad(n, "unexpected end of file"))?;
            *rest = after;
            Ok((n, line.to_owned()))
        };
        let (_, header) = next(&mut rest)?;
        if header != HEADER_LINE {
            return Err(bad(1, "the first line must be c2sp.org/tlog-proof@v1"));
        }
        let (mut at, mut line) = next(&mut rest)?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(
                BASE64
                    .decode(b64)
                    .map_err(|_| bad(at, "extra is not standard padded base64"))?,
            );
            (at, line) = next(&mut rest)?;
        }
        let index = line
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(bad(at, "expected 'index <decimal without leading zeros>'"))?;
        let mut proof = Vec::new();
        loop {
            let (at, line) = next(&mut rest)?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_HASHES {
                return Err(bad(at, "more than 64 proof hashes"));
            }
            proof.push(
                BASE64
                    .decode(&line)
                    .ok()
                    .and_then(|b| Hash::from_slice(&b))
                    .ok_or(bad(at, "a proof line is not base64 of a 32-byte hash"))?,
            );
        }
        if rest.is_empty() {
            return Err(bad(n + 1, "no checkpoint after the empty line"));
        }
        Ok(TlogProof {
            extra,
            index,
            proof,
            checkpoint: rest.to_owned(),
        })
    }

    /// The tlog-proof verification steps: the checkpoint is signed by the log (`log_vkey`),
    /// at least `quorum` of `witnesses` cosigned it, and the leaf carried in `extra` is at
    /// `index` in its tree.
    pub fn verify(
        &self,
        log_vkey: &str,
        witnesses: &[Cosigner],
        quorum: usize,
    ) -> Result<Verified, ProofFileError> {
        let leaf = self.extra.as_deref().ok_or(ProofFileError::NoEntry)?;
        let checkpoint = Checkpoint::verify(&self.checkpoint, log_vkey)?;
        let ok = valid_cosigners(&self.checkpoint, witnesses);
        if ok.len() < quorum {
            return Err(ProofFileError::Quorum {
                found: ok.len(),
                quorum,
            });
        }
        merkle::verify_inclusion(
            self.index,
            checkpoint.size,
            &leaf_hash(leaf),
            &self.proof,
            &checkpoint.root,
        )?;
        Ok(Verified {
            checkpoint,
            witnesses: ok.iter().map(|c| c.name().to_owned()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::cosignature::{CosigningKey, add_signature_lines};
    use crate::ledger::hash::node_hash;
    use crate::ledger::note;
    use ed25519_dalek::SigningKey;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    /// A three-leaf tree worked by hand (RFC 6962 §2.1): root = H(H(l0, l1), l2); the proof
    /// of leaf 2 is [H(l0, l1)], of leaf 0 is [l1, l2].
    fn fixture() -> (Vec<Vec<u8>>, Hash, String, Vec<Cosigner>) {
        let leaves: Vec<Vec<u8>> = vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()];
        let l: Vec<Hash> = leaves.iter().map(|d| leaf_hash(d)).collect();
        let root = node_hash(&node_hash(&l[0], &l[1]), &l[2]);
        let cp = Checkpoint {
            origin: "ledger.example/log".into(),
            size: 3,
            root,
        };
        let mut n = cp.sign(&key(1)).unwrap();
        let ws: Vec<CosigningKey> = (20..23)
            .map(|i| CosigningKey::new(&format!("w{i}.example"), key(i)).unwrap())
            .collect();
        for w in &ws[..2] {
            n = add_signature_lines(&n, &w.sign(&cp.to_text(), 1_700_000_000).unwrap());
        }
        (
            leaves,
            root,
            n,
            ws.iter().map(|w| w.cosigner().clone()).collect(),
        )
    }

    #[test]
    fn the_file_is_laid_out_as_the_spec_shows() {
        let (leaves, _, note, _) = fixture();
        let l = |i: usize| leaf_hash(&leaves[i]);
        let p = TlogProof {
            extra: Some(leaves[0].clone()),
            index: 0,
            proof: vec![l(1), l(2)],
            checkpoint: note.clone(),
        };
        let text = p.encode();
        let want = format!(
            "c2sp.org/tlog-proof@v1\nextra YQ==\nindex 0\n{}\n{}\n\n{note}",
            BASE64.encode(l(1).as_bytes()),
            BASE64.encode(l(2).as_bytes())
        );
        assert_eq!(text, want);
        assert_eq!(TlogProof::parse(&text).unwrap(), p);
    }

    #[test]
    fn verifies_with_quorum_and_refuses_every_forgery() {
        let (leaves, _, note, ws) = fixture();
        let vkey = note::vkey_string("ledger.example/log", &key(1).verifying_key());
        let l = |i: usize| leaf_hash(&leaves[i]);
        let good = TlogProof {
            extra: Some(leaves[2].clone()),
            index: 2,
            proof: vec![node_hash(&l(0), &l(1))],
            checkpoint: note.clone(),
        };
        let v = good.verify(&vkey, &ws, 2).unwrap();
        assert_eq!(v.checkpoint.size, 3);
        assert_eq!(v.witnesses, ["w20.example", "w21.example"]);
        // Quorum 3: only two cosigned.
        assert_eq!(
            good.verify(&vkey, &ws, 3),
            Err(ProofFileError::Quorum {
                found: 2,
                quorum: 3
            })
        );
        // Another leaf, another index, a cut proof: the inclusion fails.
        let other_leaf = TlogProof {
            extra: Some(b"d".to_vec()),
            ..good.clone()
        };
        assert!(matches!(
            other_leaf.verify(&vkey, &ws, 2),
            Err(ProofFileError::Inclusion(_))
        ));
        let other_index = TlogProof {
            index: 1,
            ..good.clone()
        };
        assert!(other_index.verify(&vkey, &ws, 2).is_err());
        // Another log key.
        let other_vkey = note::vkey_string("ledger.example/log", &key(2).verifying_key());
        assert!(matches!(
            good.verify(&other_vkey, &ws, 2),
            Err(ProofFileError::Checkpoint(_))
        ));
        // No extra: nothing to prove.
        let none = TlogProof {
            extra: None,
            ..good.clone()
        };
        assert_eq!(none.verify(&vkey, &ws, 0), Err(ProofFileError::NoEntry));
    }

    #[test]
    fn malformed_files_say_which_line() {
        let (_, _, note, _) = fixture();
        let h = BASE64.encode([0u8; 32]);
        for (text, line) in [
            (format!("c2sp.org/tlog-proof@v2\nindex 0\n\n{note}"), 1),
            (
                format!("c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\n{note}"),
                2,
            ),
            (format!("c2sp.org/tlog-proof@v1\nindex 01\n\n{note}"), 2),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 0\n{h}x\n\n{note}"),
                3,
            ),
            ("c2sp.org/tlog-proof@v1\nindex 0\n\n".to_string(), 4),
        ] {
            match TlogProof::parse(&text) {
                Err(ProofFileError::Malformed { line: got, .. }) => {
                    assert_eq!(got, line, "{text:?}")
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }
}
