//! The witness policy a log publishes beside its checkpoint (`log/witnesses`): which witnesses
//! it asks and how many of their cosignatures make a checkpoint "cosigned".
//!
//! C2SP has no policy format of its own yet; this one is deliberately small, line-based and
//! close to Sigsum's policy files, so a verifier in another language reads it in a few lines:
//!
//! ```text
//! quorum 2
//! witness w1.example+8d66cf3f+BOs...
//! witness w2.example+1a2b3c4d+BPx...
//! ```
//!
//! `quorum K` comes first, once, with 1 <= K <= the number of witnesses; then one `witness`
//! line per `cosignature/v1` verifier key ([`Cosigner`]), no two with the same name and key id.
//! Every line ends in a newline. The log's own key is not part of it: the operator's verifier
//! key is `log/operator.vkey`.

use std::fmt::Write as _;

use super::cosignature::{Cosigner, valid_cosigners};

/// Most witnesses a policy names (far beyond any real deployment; bounds the parse).
pub const MAX_WITNESSES: usize = 64;

/// Why a policy text is refused, or a checkpoint falls short of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("witness policy line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("witness policy: {0}")]
    Invalid(String),
    #[error(
        "the checkpoint carries {found} valid witness cosignatures, the policy requires {quorum}"
    )]
    BelowQuorum { found: usize, quorum: usize },
}

/// Which witnesses count, and how many must cosign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessPolicy {
    pub quorum: usize,
    pub witnesses: Vec<Cosigner>,
}

impl WitnessPolicy {
    /// A policy; refused when the quorum is 0 or larger than the witnesses, or a witness repeats.
    pub fn new(quorum: usize, witnesses: Vec<Cosigner>) -> Result<WitnessPolicy, PolicyError> {
        if witnesses.is_empty() || witnesses.len() > MAX_WITNESSES {
            return Err(PolicyError::Invalid(format!(
                "it must name between 1 and {MAX_WITNESSES} witnesses, not {}",
                witnesses.len()
            )));
        }
        if quorum == 0 || quorum > witnesses.len() {
            return Err(PolicyError::Invalid(format!(
                "quorum {quorum} is not between 1 and the {} witnesses",
                witnesses.len()
            )));
        }
        for (i, w) in witnesses.iter().enumerate() {
            if witnesses[..i]
                .iter()
                .any(|o| o.name() == w.name() && o.key_id() == w.key_id())
            {
                return Err(PolicyError::Invalid(format!(
                    "witness {} is named twice",
                    w.name()
                )));
            }
        }
        Ok(WitnessPolicy { quorum, witnesses })
    }

    /// The policy's text (see the module docs).
    pub fn encode(&self) -> String {
        let mut out = format!("quorum {}\n", self.quorum);
        for w in &self.witnesses {
            let _ = writeln!(out, "witness {}", w.vkey());
        }
        out
    }

    /// Parses a policy text strictly: the exact layout [`WitnessPolicy::encode`] writes.
    pub fn parse(text: &str) -> Result<WitnessPolicy, PolicyError> {
        if !text.ends_with('\n') {
            return Err(PolicyError::Invalid(
                "the text must end with a newline".into(),
            ));
        }
        let mut quorum = None;
        let mut witnesses = Vec::new();
        for (i, line) in text[..text.len() - 1].split('\n').enumerate() {
            let bad = |reason: String| PolicyError::Line {
                line: i + 1,
                reason,
            };
            if i == 0 {
                let k = line
                    .strip_prefix("quorum ")
                    .ok_or_else(|| bad(format!("expected `quorum K`, found {line:?}")))?;
                if k.is_empty() || !k.bytes().all(|b| b.is_ascii_digit()) || k.starts_with('0') {
                    return Err(bad(format!("{k:?} is not a positive decimal number")));
                }
                quorum = Some(k.parse::<usize>().map_err(|e| bad(format!("{k:?}: {e}")))?);
                continue;
            }
            if witnesses.len() == MAX_WITNESSES {
                return Err(bad(format!("more than {MAX_WITNESSES} witnesses")));
            }
            let vkey = line
                .strip_prefix("witness ")
                .ok_or_else(|| bad(format!("expected `witness VKEY`, found {line:?}")))?;
            let c: Cosigner = vkey.parse().map_err(|e| {
                bad(format!(
                    "{vkey:?} is not a cosignature/v1 verifier key: {e}"
                ))
            })?;
            if c.vkey() != vkey {
                return Err(bad(format!("{vkey:?} is not in canonical form")));
            }
            witnesses.push(c);
        }
        let quorum = quorum.ok_or_else(|| PolicyError::Invalid("the text is empty".into()))?;
        WitnessPolicy::new(quorum, witnesses)
    }

    /// How many of the policy's witnesses validly cosigned `note`; an error below the quorum.
    pub fn check(&self, note: &str) -> Result<usize, PolicyError> {
        let found = valid_cosigners(note, &self.witnesses).len();
        if found < self.quorum {
            return Err(PolicyError::BelowQuorum {
                found,
                quorum: self.quorum,
            });
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Hash;
    use crate::ledger::cosignature::{CosigningKey, add_signature_lines};
    use crate::ledger::note::Checkpoint;

    fn key(seed: u8) -> CosigningKey {
        CosigningKey::new(
            &format!("w{seed}.example"),
            ed25519_dalek::SigningKey::from_bytes(&[seed; 32]),
        )
        .unwrap()
    }

    #[test]
    fn a_policy_reads_back_as_written_and_the_layout_is_exact() {
        let (a, b) = (key(1), key(2));
        let p = WitnessPolicy::new(2, vec![a.cosigner().clone(), b.cosigner().clone()]).unwrap();
        let text = p.encode();
        assert_eq!(
            text,
            format!(
                "quorum 2\nwitness {}\nwitness {}\n",
                a.cosigner().vkey(),
                b.cosigner().vkey()
            )
        );
        assert_eq!(WitnessPolicy::parse(&text).unwrap(), p);
    }

    #[test]
    fn malformed_policies_name_their_line() {
        let a = key(1).cosigner().vkey();
        let cases = [
            (format!("quorum 1\nwitness {a}"), "newline"),
            (format!("quorum 01\nwitness {a}\n"), "line 1"),
            (format!("quorum 2\nwitness {a}\n"), "quorum 2"),
            (format!("quorum 0\nwitness {a}\n"), "line 1"),
            (format!("witness {a}\nquorum 1\n"), "line 1"),
            ("quorum 1\nwitness nope\n".to_owned(), "line 2"),
            (format!("quorum 1\nwitness {a}\nwitness {a}\n"), "twice"),
            (format!("quorum 1\n witness {a}\n"), "line 2"),
            ("quorum 1\n".to_owned(), "between 1 and"),
            (String::new(), "newline"),
        ];
        for (text, why) in cases {
            let e = WitnessPolicy::parse(&text).unwrap_err().to_string();
            assert!(e.contains(why), "{text:?}: {e}");
        }
        // A note signer key (type 0x01) is not a cosigner key.
        let note_key = crate::ledger::note::vkey_string(
            "w1.example",
            &ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key(),
        );
        assert!(WitnessPolicy::parse(&format!("quorum 1\nwitness {note_key}\n")).is_err());
    }

    #[test]
    fn a_checkpoint_meets_the_policy_only_with_the_quorum_of_valid_cosignatures() {
        let op = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
        let cp = Checkpoint {
            origin: "example.org/log".into(),
            size: 3,
            root: Hash([7; 32]),
        };
        let note = cp.sign(&op).unwrap();
        let text = cp.to_text();
        let (a, b, c) = (key(1), key(2), key(3));
        let p = WitnessPolicy::new(
            2,
            vec![
                a.cosigner().clone(),
                b.cosigner().clone(),
                c.cosigner().clone(),
            ],
        )
        .unwrap();
        let one = add_signature_lines(&note, &a.sign(&text, 100).unwrap());
        assert_eq!(
            p.check(&one),
            Err(PolicyError::BelowQuorum {
                found: 1,
                quorum: 2
            })
        );
        let two = add_signature_lines(&one, &c.sign(&text, 101).unwrap());
        assert_eq!(p.check(&two), Ok(2));
        // A cosignature on another checkpoint does not count.
        let other = Checkpoint { size: 4, ..cp }.to_text();
        let wrong = add_signature_lines(&one, &b.sign(&other, 102).unwrap());
        assert!(p.check(&wrong).is_err());
    }
}
