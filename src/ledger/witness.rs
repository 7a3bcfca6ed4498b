//! The pure half of a C2SP tlog-witness (<https://c2sp.org/tlog-witness>): the `add-checkpoint`
//! request body, and the decision whether to cosign it.
//!
//! The request body is
//!
//! ```text
//! old <decimal size, no leading zeros>\n
//! <base64 hash>\n            (0 to 63 consistency proof lines)
//! \n
//! <signed checkpoint note>
//! ```
//!
//! and the witness answers, in the spec's order of checks: 400 for a body that does not parse;
//! 404 for an origin it does not witness; 403 when no trusted key signed the checkpoint or a
//! trusted key's line fails to verify; 400 when the old size exceeds the checkpoint's size;
//! 409 (body: the latest cosigned size) when the old size is not the size it last cosigned;
//! 422 when a size-0 checkpoint has a root other than the empty tree's, a proof from size 0 is
//! not empty, a same-size checkpoint has another root, or the consistency proof fails. Only then
//! does it record the checkpoint and cosign it. Storage and signing clocks live in the adapter
//! (`store::witness`, `api::witness`); everything here is a function of its arguments.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::VerifyingKey;

use super::hash::Hash;
use super::merkle::{self, ProofError};
use super::note::{self, Checkpoint, NoteError};

/// The most consistency proof lines a client may send (tlog-witness); a proof between two
/// 64-bit tree sizes never needs more.
pub const MAX_PROOF_LINES: usize = 63;

/// A parsed `add-checkpoint` request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint<'a> {
    /// The size the client believes the witness last cosigned.
    pub old_size: u64,
    /// RFC 6962 consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The signed checkpoint note, verbatim.
    pub checkpoint: &'a str,
}

impl AddCheckpoint<'_> {
    /// The request body, as a log sends it.
    pub fn encode(old_size: u64, proof: &[Hash], checkpoint_note: &str) -> String {
        let mut out = format!("old {old_size}\n");
        for h in proof {
            out.push_str(&BASE64.encode(h.as_bytes()));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(checkpoint_note);
        out
    }
}

/// Parse a decimal with no sign and no leading zeros (`0` alone for zero), the one spelling
/// tlog-witness and tlog-checkpoint allow.
pub fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Parse a 409 answer's body (`text/x.tlog.size`): the witness's latest size and a newline.
pub fn parse_size_body(body: &str) -> Option<u64> {
    parse_decimal(body.strip_suffix('\n')?)
}

/// Parse an `add-checkpoint` body. Every failure is a 400 with the reason.
pub fn parse_add_checkpoint(body: &str) -> Result<AddCheckpoint<'_>, Refusal> {
    let bad = Refusal::BadRequest;
    let (first, mut rest) = body
        .split_once('\n')
        .ok_or(bad("the body must start with an 'old <size>' line"))?;
    let old = first
        .strip_prefix("old ")
        .ok_or(bad("the first line must be 'old <size>'"))?;
    let old_size =
        parse_decimal(old).ok_or(bad("the old size must be a decimal with no leading zeros"))?;
    let mut proof = Vec::new();
    loop {
        let (line, after) = rest
            .split_once('\n')
            .ok_or(bad("no empty line before the checkpoint"))?;
        rest = after;
        if line.is_empty() {
            break;
        }
        if proof.len() == MAX_PROOF_LINES {
            return Err(bad("more than 63 consistency proof lines"));
        }
        let h = BASE64
            .decode(line)
            .ok()
            .and_then(|b| Hash::from_slice(&b))
            .ok_or(bad(
                "a consistency proof line is not base64 of a 32-byte hash",
            ))?;
        proof.push(h);
    }
    if rest.is_empty() {
        return Err(bad("no checkpoint after the empty line"));
    }
    Ok(AddCheckpoint {
        old_size,
        proof,
        checkpoint: rest,
    })
}

/// Why the witness will not cosign, one case per status code tlog-witness prescribes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// 400: the body is malformed, or the old size exceeds the checkpoint's size.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 404: the witness does not follow this log.
    #[error("unknown log origin {0:?}")]
    UnknownOrigin(String),
    /// 403: no valid signature by a trusted key for the origin (or a trusted key's line fails).
    #[error("checkpoint not signed by a trusted key: {0}")]
    Forbidden(NoteError),
    /// 409: the old size is not the size the witness last cosigned; the body carries `latest`.
    #[error("old size {old_size} is not the latest cosigned size {latest}")]
    Conflict { old_size: u64, latest: u64 },
    /// 422: the checkpoint is not consistent with what the witness cosigned before.
    #[error("inconsistent checkpoint: {0}")]
    Inconsistent(Inconsistency),
}

impl Refusal {
    /// The HTTP status tlog-witness assigns.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::BadRequest(_) => 400,
            Refusal::Forbidden(_) => 403,
            Refusal::UnknownOrigin(_) => 404,
            Refusal::Conflict { .. } => 409,
            Refusal::Inconsistent(_) => 422,
        }
    }
}

/// The 422 cases, kept apart so the evidence log says which check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    #[error("a checkpoint of size 0 must carry the empty tree's root")]
    EmptyTreeRoot,
    #[error("a consistency proof from size 0 must be empty")]
    ProofFromZero,
    #[error("same size as the cosigned checkpoint but a different root hash")]
    SameSizeOtherRoot,
    #[error("consistency proof fails: {0}")]
    Proof(ProofError),
}

/// A log the witness follows: its origin and the keys trusted to sign its checkpoints.
#[derive(Debug, Clone)]
pub struct TrustedLog {
    pub origin: String,
    pub keys: Vec<(String, VerifyingKey)>,
}

impl TrustedLog {
    /// Group note verifier keys (`--log VKEY`, type 0x01) by log: the key name is the origin,
    /// as for our own log (`ledger-v1`, `log/operator.vkey`) and the witness network's logs.
    pub fn from_vkeys<S: AsRef<str>>(vkeys: &[S]) -> Result<Vec<TrustedLog>, NoteError> {
        let mut logs: Vec<TrustedLog> = Vec::new();
        for v in vkeys {
            let (name, key) = note::parse_vkey(v.as_ref().trim())?;
            match logs.iter_mut().find(|l| l.origin == name) {
                Some(l) => l.keys.push((name, key)),
                None => logs.push(TrustedLog {
                    origin: name.clone(),
                    keys: vec![(name, key)],
                }),
            }
        }
        Ok(logs)
    }
}

/// A checkpoint whose log signature verified: the log, the parsed checkpoint, and the note text
/// the cosignature must cover (including any extension lines).
#[derive(Debug, Clone)]
pub struct SignedCheckpoint<'l, 'b> {
    pub log: &'l TrustedLog,
    pub checkpoint: Checkpoint,
    pub text: &'b str,
}

/// The checks up to and including the log signature: which log, and is the checkpoint
/// genuinely from it. A refusal from [`decide`] after `Ok` from here came with a valid log
/// signature, which is what makes it evidence worth keeping.
pub fn check_signed<'l, 'b>(
    req: &AddCheckpoint<'b>,
    logs: &'l [TrustedLog],
) -> Result<SignedCheckpoint<'l, 'b>, Refusal> {
    let (text, _) = note::split_note(req.checkpoint)
        .map_err(|_| Refusal::BadRequest("the checkpoint is not a well-formed signed note"))?;
    let checkpoint = Checkpoint::parse(text)
        .map_err(|_| Refusal::BadRequest("the note is not a well-formed checkpoint"))?;
    let log = logs
        .iter()
        .find(|l| l.origin == checkpoint.origin)
        .ok_or_else(|| Refusal::UnknownOrigin(checkpoint.origin.clone()))?;
    // Every trusted key whose line is present must verify; at least one must be present.
    let mut verified = false;
    let mut missing = None;
    for (name, key) in &log.keys {
        match note::verify_note(req.checkpoint, name, key) {
            Ok(_) => verified = true,
            Err(e @ NoteError::NoSignatureByKey { .. }) => missing = Some(e),
            Err(e) => return Err(Refusal::Forbidden(e)),
        }
    }
    if !verified {
        return Err(Refusal::Forbidden(missing.unwrap_or(
            NoteError::MalformedNote("no trusted key is configured for this origin"),
        )));
    }
    Ok(SignedCheckpoint {
        log,
        checkpoint,
        text,
    })
}

/// What the witness last cosigned for a log: size 0 and the empty root when it never did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cosigned {
    pub size: u64,
    pub root: Hash,
}

impl Cosigned {
    pub fn never() -> Cosigned {
        Cosigned {
            size: 0,
            root: merkle::empty_root(),
        }
    }
}

/// The consistency checks against the witness's latest cosigned checkpoint: `Ok` means the
/// witness may move to `cp` and cosign it. The caller must persist with a compare-and-swap on
/// `latest` so two requests cannot both pass against the same state.
pub fn decide(
    latest: &Cosigned,
    old_size: u64,
    proof: &[Hash],
    cp: &Checkpoint,
) -> Result<(), Refusal> {
    if old_size > cp.size {
        return Err(Refusal::BadRequest(
            "the old size is larger than the checkpoint's size",
        ));
    }
    if old_size != latest.size {
        return Err(Refusal::Conflict {
            old_size,
            latest: latest.size,
        });
    }
    let bad = |i| Err(Refusal::Inconsistent(i));
    if cp.size == 0 && cp.root != merkle::empty_root() {
        return bad(Inconsistency::EmptyTreeRoot);
    }
    if old_size == 0 && !proof.is_empty() {
        return bad(Inconsistency::ProofFromZero);
    }
    if old_size == cp.size {
        if cp.root != latest.root {
            return bad(Inconsistency::SameSizeOtherRoot);
        }
        return Ok(());
    }
    if old_size == 0 {
        return Ok(());
    }
    merkle::verify_consistency(old_size, cp.size, &latest.root, &cp.root, proof)
        .map_err(|e| Refusal::Inconsistent(Inconsistency::Proof(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    const ORIGIN: &str = "ledger.example/log";

    fn logs() -> Vec<TrustedLog> {
        TrustedLog::from_vkeys(&[note::vkey_string(ORIGIN, &key(1).verifying_key())]).unwrap()
    }

    /// A naive MTH (RFC 6962 §2.1) over leaves `0..n` whose data is the index byte, as an
    /// independent reference for the trees in these tests.
    fn mth(leaves: &[Vec<u8>]) -> Hash {
        match leaves.len() {
            0 => Hash::sha256(b""),
            1 => crate::ledger::hash::leaf_hash(&leaves[0]),
            n => {
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                crate::ledger::hash::node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u8) -> Vec<Vec<u8>> {
        (0..n).map(|i| vec![i]).collect()
    }

    /// RFC 6962 §2.1.2 SUBPROOF, written out naively.
    fn subproof(m: usize, d: &[Vec<u8>], b: bool) -> Vec<Hash> {
        let n = d.len();
        if m == n {
            return if b { vec![] } else { vec![mth(d)] };
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        if m <= k {
            let mut p = subproof(m, &d[..k], b);
            p.push(mth(&d[k..]));
            p
        } else {
            let mut p = subproof(m - k, &d[k..], false);
            p.push(mth(&d[..k]));
            p
        }
    }

    fn cp(size: u8) -> Checkpoint {
        Checkpoint {
            origin: ORIGIN.into(),
            size: u64::from(size),
            root: mth(&leaves(size)),
        }
    }

    #[test]
    fn body_parses_as_the_spec_example_lays_it_out() {
        let note = cp(7).sign(&key(1)).unwrap();
        let proof = subproof(3, &leaves(7), true);
        let body = AddCheckpoint::encode(3, &proof, &note);
        assert!(body.starts_with("old 3\n"));
        assert!(body.contains(&format!("\n\n{note}")));
        let req = parse_add_checkpoint(&body).unwrap();
        assert_eq!(req.old_size, 3);
        assert_eq!(req.proof, proof);
        assert_eq!(req.checkpoint, note);
        // The spec's example request body parses (its signatures are not ours to check).
        let spec = "old 20852014\nPlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\njrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n\u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
        let req = parse_add_checkpoint(spec).unwrap();
        assert_eq!(req.old_size, 20852014);
        assert_eq!(req.proof.len(), 4);
        assert!(
            req.checkpoint
                .starts_with("example.com/behind-the-sofa\n20852163\n")
        );
    }

    #[test]
    fn a_409_body_is_one_decimal_line() {
        assert_eq!(parse_size_body("9\n"), Some(9));
        assert_eq!(parse_size_body("0\n"), Some(0));
        for bad in ["9", "09\n", "9\n\n", " 9\n", "-1\n", "\n"] {
            assert_eq!(parse_size_body(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn malformed_bodies_are_400_with_a_reason() {
        let note = cp(2).sign(&key(1)).unwrap();
        let h = BASE64.encode([0u8; 32]);
        for body in [
            String::new(),
            format!("old 1\n{note}"),
            format!("old 01\n\n{note}"),
            format!("old -1\n\n{note}"),
            format!("old  1\n\n{note}"),
            format!("Old 1\n\n{note}"),
            format!("old 1\n{}\n\n{note}", BASE64.encode([0u8; 31])),
            format!("old 1\nnot base64\n\n{note}"),
            format!(
                "old 1\n{}\n\n{note}",
                format!("{h}\n").repeat(64).trim_end()
            ),
            "old 1\n\n".to_string(),
            "old 1\n".to_string(),
            format!("old 18446744073709551616\n\n{note}"),
        ] {
            let r = parse_add_checkpoint(&body);
            assert!(
                matches!(r, Err(Refusal::BadRequest(_))),
                "{body:?} gave {r:?}"
            );
        }
        // 63 lines is the limit, not an error.
        let body = format!("old 1\n{}\n{note}", format!("{h}\n").repeat(63));
        assert_eq!(parse_add_checkpoint(&body).unwrap().proof.len(), 63);
    }

    fn check(body: &str, latest: &Cosigned) -> Result<Checkpoint, Refusal> {
        let logs = logs();
        let req = parse_add_checkpoint(body)?;
        let c = check_signed(&req, &logs)?;
        assert_eq!(c.text, Checkpoint::to_text(&c.checkpoint));
        decide(latest, req.old_size, &req.proof, &c.checkpoint)?;
        Ok(c.checkpoint)
    }

    #[test]
    fn every_status_of_the_spec() {
        let l = leaves(9);
        let at = |n: u8| Cosigned {
            size: u64::from(n),
            root: mth(&l[..usize::from(n)]),
        };
        let signed = |n: u8| cp(n).sign(&key(1)).unwrap();
        // 200: first contact from 0, then a good proof 4 -> 9, then the same checkpoint again.
        assert!(
            check(
                &AddCheckpoint::encode(0, &[], &signed(4)),
                &Cosigned::never()
            )
            .is_ok()
        );
        let p = subproof(4, &l, true);
        assert!(check(&AddCheckpoint::encode(4, &p, &signed(9)), &at(4)).is_ok());
        assert!(check(&AddCheckpoint::encode(9, &[], &signed(9)), &at(9)).is_ok());
        // 404: another origin, even when validly signed by its own key.
        let other = Checkpoint {
            origin: "other.example/log".into(),
            ..cp(4)
        }
        .sign(&key(2))
        .unwrap();
        assert_eq!(
            check(&AddCheckpoint::encode(0, &[], &other), &at(0)).map_err(|e| e.status()),
            Err(404)
        );
        // 403: signed by an untrusted key under the right name; a broken trusted line.
        let forged = Checkpoint::sign(&cp(4), &key(3)).unwrap();
        assert_eq!(
            check(&AddCheckpoint::encode(0, &[], &forged), &at(0)).map_err(|e| e.status()),
            Err(403)
        );
        let mut broken = signed(4);
        let pos = broken.len() - 10;
        broken.replace_range(
            pos..pos + 1,
            if &broken[pos..pos + 1] == "A" {
                "B"
            } else {
                "A"
            },
        );
        assert_eq!(
            check(&AddCheckpoint::encode(0, &[], &broken), &at(0)).map_err(|e| e.status()),
            Err(403)
        );
        // 400: old size above the checkpoint's.
        assert_eq!(
            check(&AddCheckpoint::encode(5, &[], &signed(4)), &at(5)).map_err(|e| e.status()),
            Err(400)
        );
        // 409 carrying the latest size.
        assert_eq!(
            check(&AddCheckpoint::encode(0, &[], &signed(9)), &at(4)),
            Err(Refusal::Conflict {
                old_size: 0,
                latest: 4
            })
        );
        // 422: a proof that does not lead to the new root (a fork after leaf 4).
        let mut fork = l.clone();
        fork[6] = vec![99];
        let forked = Checkpoint {
            origin: ORIGIN.into(),
            size: 9,
            root: mth(&fork),
        }
        .sign(&key(1))
        .unwrap();
        assert!(matches!(
            check(&AddCheckpoint::encode(4, &p, &forked), &at(4)),
            Err(Refusal::Inconsistent(Inconsistency::Proof(_)))
        ));
        // 422: same size, other root (the split view at a cosigned size).
        let fork9 = Checkpoint {
            origin: ORIGIN.into(),
            size: 9,
            root: mth(&fork),
        }
        .sign(&key(1))
        .unwrap();
        assert_eq!(
            check(&AddCheckpoint::encode(9, &[], &fork9), &at(9)),
            Err(Refusal::Inconsistent(Inconsistency::SameSizeOtherRoot))
        );
        // 422: a non-empty proof from 0; a size-0 checkpoint with a non-empty root.
        assert_eq!(
            check(&AddCheckpoint::encode(0, &p, &signed(9)), &at(0)),
            Err(Refusal::Inconsistent(Inconsistency::ProofFromZero))
        );
        let bad_empty = Checkpoint {
            origin: ORIGIN.into(),
            size: 0,
            root: Hash::sha256(b"x"),
        }
        .sign(&key(1))
        .unwrap();
        assert_eq!(
            check(&AddCheckpoint::encode(0, &[], &bad_empty), &at(0)),
            Err(Refusal::Inconsistent(Inconsistency::EmptyTreeRoot))
        );
        // A shorter tree than the cosigned one (a rollback) gets 409, never a cosignature.
        assert_eq!(
            check(&AddCheckpoint::encode(4, &[], &signed(4)), &at(9)).map_err(|e| e.status()),
            Err(409)
        );
    }

    #[test]
    fn naive_reference_tree_agrees_with_the_rfc_vectors() {
        // The tests above trust `mth` and `subproof`; pin them to the RFC 6962 test data
        // (the eight-leaf tree of Go's tlog and Trillian tests, root of all eight leaves).
        let rfc: Vec<Vec<u8>> = vec![
            vec![],
            vec![0x00],
            vec![0x10],
            vec![0x20, 0x21],
            vec![0x30, 0x31],
            vec![0x40, 0x41, 0x42, 0x43],
            vec![0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            vec![
                0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
                0x6e, 0x6f,
            ],
        ];
        assert_eq!(
            mth(&rfc).to_hex(),
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        );
        assert_eq!(
            mth(&rfc[..3]).to_hex(),
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"
        );
        for m in 1..8 {
            let root_m = mth(&rfc[..m]);
            merkle::verify_consistency(m as u64, 8, &root_m, &mth(&rfc), &subproof(m, &rfc, true))
                .unwrap();
        }
    }
}
