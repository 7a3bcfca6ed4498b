//! Witness cosignatures: C2SP tlog-cosignature (<https://c2sp.org/tlog-cosignature>), the
//! Ed25519 `cosignature/v1` type.
//!
//! A cosignature is an ordinary signed-note signature line on a checkpoint,
//! `— <cosigner name> base64(key id || timestamp || signature)`, where
//!
//! - the key id is `SHA-256(name || "\n" || 0x04 || public key)[:4]` (signature type 0x04, so a
//!   key's cosigner id never equals its note-signer id);
//! - the timestamp is a big-endian `u64` of POSIX seconds, at most 2^63 - 1 (the spec's
//!   `timestamped_signature`); a witness never sends zero (tlog-witness);
//! - the Ed25519 signature covers not the note text but
//!   `"cosignature/v1\n" || "time " || decimal timestamp || "\n" || checkpoint text`,
//!   the checkpoint text being the whole note body including its final newline and any
//!   extension lines, without signature lines.
//!
//! Ed25519 cosignatures do not commit to the cosigner's name, which is why the spec forbids one
//! key for two cosigners; we only ever make one cosigner per key (`sunshine witness init`).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};

use super::note::{
    self, NoteError, SIG_PREFIX, is_valid_key_name, key_id_as, parse_vkey_as, split_note,
    vkey_string_as,
};

/// Signature type byte of Ed25519 `cosignature/v1` key ids and verifier keys.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;
/// The first line of every signed message: domain separation from plain note signatures.
pub const HEADER_LINE: &str = "cosignature/v1\n";
/// The largest timestamp the spec allows (2^63 - 1).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;
/// Bytes after the key id: the 8-byte timestamp and the 64-byte Ed25519 signature.
const SIGNATURE_BYTES: usize = 8 + 64;

/// A witness's public identity as clients configure it: its name and Ed25519 key.
#[derive(Clone, PartialEq, Eq)]
pub struct Cosigner {
    name: String,
    key: VerifyingKey,
    key_id: u32,
}

impl Cosigner {
    /// A cosigner from its name and key; fails on a name a note cannot carry.
    pub fn new(name: &str, key: VerifyingKey) -> Result<Cosigner, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::BadKeyName(name.to_owned()));
        }
        Ok(Cosigner {
            name: name.to_owned(),
            key,
            key_id: key_id_as(ALG_COSIGNATURE_V1, name, &key),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// `SHA-256(name || "\n" || 0x04 || key)[:4]`, big-endian.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The verifier key string `<name>+<8 hex key id>+<base64(0x04 || key)>`.
    pub fn vkey(&self) -> String {
        vkey_string_as(ALG_COSIGNATURE_V1, &self.name, &self.key)
    }

    /// The timestamp of this cosigner's valid cosignature on `note`.
    ///
    /// Lines from other keys are ignored (a checkpoint carries the log's signature and other
    /// witnesses' cosignatures). Every line with this cosigner's name and key id must verify,
    /// as [`note::verify_note`] insists for note signers: a bad one makes the note suspect. With
    /// several valid lines (a witness that cosigned twice), the latest timestamp is returned.
    pub fn verify(&self, note: &str) -> Result<u64, NoteError> {
        let (text, sigs) = split_note(note)?;
        let bad = || NoteError::BadSignature {
            name: self.name.clone(),
            key_id: self.key_id,
        };
        let mut latest = None;
        for s in sigs {
            if s.name != self.name || s.key_id != self.key_id {
                continue;
            }
            let (timestamp, sig) = split_signature(&s.sig).ok_or_else(bad)?;
            self.key
                .verify_strict(&message(text, timestamp), &sig)
                .map_err(|_| bad())?;
            latest = latest.max(Some(timestamp));
        }
        latest.ok_or_else(|| NoteError::NoSignatureByKey {
            name: self.name.clone(),
            key_id: self.key_id,
        })
    }
}

impl Cosigner {
    /// The lines of `lines` (signature lines, each ending in a newline) that carry this
    /// cosigner's name and key id; anything else is dropped. A client keeps only the
    /// cosignatures of the witness it asked (tlog-witness: "the client MUST ignore any
    /// cosignatures from unknown keys"), so one witness's answer cannot add or spoil lines
    /// under another witness's name.
    pub fn own_lines(&self, lines: &str) -> String {
        lines
            .split_inclusive('\n')
            .filter(|l| {
                l.strip_suffix('\n')
                    .and_then(|l| note::parse_sig_line(l).ok())
                    .is_some_and(|s| s.name == self.name && s.key_id == self.key_id)
            })
            .collect()
    }
}

impl FromStr for Cosigner {
    type Err = NoteError;
    /// Parses a `cosignature/v1` verifier key (type 0x04), checking its key id.
    fn from_str(vkey: &str) -> Result<Cosigner, NoteError> {
        let (name, key) = parse_vkey_as(ALG_COSIGNATURE_V1, vkey.trim())?;
        Cosigner::new(&name, key)
    }
}

impl fmt::Display for Cosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vkey())
    }
}

impl fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cosigner({})", self.vkey())
    }
}

/// The bytes an Ed25519 `cosignature/v1` signs: header line, time line, checkpoint text.
pub fn message(checkpoint_text: &str, timestamp: u64) -> Vec<u8> {
    format!("{HEADER_LINE}time {timestamp}\n{checkpoint_text}").into_bytes()
}

/// Split `timestamp || signature` (the bytes after the key id); `None` when the length is wrong
/// or the timestamp exceeds 2^63 - 1.
fn split_signature(blob: &[u8]) -> Option<(u64, ed25519_dalek::Signature)> {
    if blob.len() != SIGNATURE_BYTES {
        return None;
    }
    let (ts, sig) = blob.split_at(8);
    let timestamp = u64::from_be_bytes(ts.try_into().ok()?);
    if timestamp > MAX_TIMESTAMP {
        return None;
    }
    Some((timestamp, ed25519_dalek::Signature::from_slice(sig).ok()?))
}

/// A cosigning key held by a witness, with the name it cosigns under.
pub struct CosigningKey {
    cosigner: Cosigner,
    key: SigningKey,
}

impl CosigningKey {
    pub fn new(name: &str, key: SigningKey) -> Result<CosigningKey, NoteError> {
        Ok(CosigningKey {
            cosigner: Cosigner::new(name, key.verifying_key())?,
            key,
        })
    }

    pub fn cosigner(&self) -> &Cosigner {
        &self.cosigner
    }

    /// The signature line `— <name> base64(key id || timestamp || sig)\n` over
    /// `checkpoint_text` at `timestamp`.
    ///
    /// Refuses a zero timestamp (tlog-witness forbids omitting it), one above 2^63 - 1, and a
    /// text that is not a note text or not a checkpoint: a cosignature nobody could check
    /// would be worse than an error.
    pub fn sign(&self, checkpoint_text: &str, timestamp: u64) -> Result<String, NoteError> {
        if timestamp == 0 || timestamp > MAX_TIMESTAMP {
            return Err(NoteError::MalformedNote(
                "cosignature timestamp must be in 1..=2^63-1",
            ));
        }
        note::Checkpoint::parse(checkpoint_text)?;
        if checkpoint_text.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::MalformedNote(
                "control characters other than newline",
            ));
        }
        let sig = self.key.sign(&message(checkpoint_text, timestamp));
        let mut blob = Vec::with_capacity(4 + SIGNATURE_BYTES);
        blob.extend_from_slice(&self.cosigner.key_id.to_be_bytes());
        blob.extend_from_slice(&timestamp.to_be_bytes());
        blob.extend_from_slice(&sig.to_bytes());
        Ok(format!(
            "{SIG_PREFIX}{} {}\n",
            self.cosigner.name,
            BASE64.encode(blob)
        ))
    }
}

/// The cosigners among `trusted` that validly cosigned `note` (each counted once, however many
/// lines it has). Invalid lines from a trusted cosigner make it not count; they do not poison
/// the others, so one broken witness cannot veto a checkpoint the rest agree on.
pub fn valid_cosigners<'a>(note: &str, trusted: &'a [Cosigner]) -> Vec<&'a Cosigner> {
    let mut out: Vec<&Cosigner> = Vec::new();
    for c in trusted {
        if !out.iter().any(|o| o.key_id == c.key_id && o.name == c.name) && c.verify(note).is_ok() {
            out.push(c);
        }
    }
    out
}

/// `note` with `lines` (complete signature lines, each ending in a newline) appended after its
/// existing signatures, skipping any already present, so merging the same cosignature twice is
/// harmless.
pub fn add_signature_lines(note: &str, lines: &str) -> String {
    let mut out = note.to_owned();
    for line in lines.split_inclusive('\n') {
        if !line.is_empty() && !note.split_inclusive('\n').any(|l| l == line) {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Hash;
    use crate::ledger::note::Checkpoint;

    /// The checkpoint in tlog-cosignature's example.
    const SOFA_TEXT: &str =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn message_is_the_spec_example_byte_for_byte() {
        // tlog-cosignature, "Ed25519 signed message", verbatim.
        let spec = "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        assert_eq!(message(SOFA_TEXT, 1679315147), spec.as_bytes());
    }

    #[test]
    fn spec_example_line_carries_key_id_then_big_endian_timestamp() {
        // The spec's example cosignature line: its bytes after the key id start with the
        // timestamp of the example message, 1679315147 = 0x6418_50CB.
        let line = "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
        let blob = BASE64.decode(line).unwrap();
        assert_eq!(blob.len(), 4 + SIGNATURE_BYTES);
        let (ts, _) = split_signature(&blob[4..]).unwrap();
        assert_eq!(ts, 1679315147);
    }

    #[test]
    fn sign_then_verify_and_every_tamper_fails() {
        let w = CosigningKey::new("witness.example/w1", key(7)).unwrap();
        let cp = Checkpoint {
            origin: "ledger.example/log".into(),
            size: 5,
            root: Hash::sha256(b"root"),
        };
        let log_note = cp.sign(&key(1)).unwrap();
        let line = w.sign(&cp.to_text(), 1_700_000_000).unwrap();
        let cosigned = add_signature_lines(&log_note, &line);
        assert_eq!(w.cosigner().verify(&cosigned), Ok(1_700_000_000));
        // The log signature still verifies beside the cosignature.
        let vkey = note::vkey_string("ledger.example/log", &key(1).verifying_key());
        assert_eq!(Checkpoint::verify(&cosigned, &vkey), Ok(cp.clone()));
        // Adding the same line again changes nothing.
        assert_eq!(add_signature_lines(&cosigned, &line), cosigned);

        // A changed timestamp (re-encoded, same signature) no longer verifies.
        let b64 = line.trim_end().rsplit_once(' ').unwrap().1;
        let mut blob = BASE64.decode(b64).unwrap();
        blob[11] ^= 1;
        let forged = format!(
            "{log_note}\u{2014} witness.example/w1 {}\n",
            BASE64.encode(&blob)
        );
        assert!(matches!(
            w.cosigner().verify(&forged),
            Err(NoteError::BadSignature { .. })
        ));
        // Another checkpoint text: the cosignature does not carry over.
        let other = Checkpoint {
            size: 6,
            ..cp.clone()
        }
        .sign(&key(1))
        .unwrap();
        let moved = add_signature_lines(&other, &line);
        assert!(w.cosigner().verify(&moved).is_err());
        // The same key under another name has another key id: the line is not its.
        let renamed = Cosigner::new("witness.example/w2", key(7).verifying_key()).unwrap();
        assert!(matches!(
            renamed.verify(&cosigned),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // A plain note signature (type 0x01) by the same key is not a cosignature.
        let plain = note::sign_note(&cp.to_text(), "witness.example/w1", &key(7)).unwrap();
        assert!(matches!(
            w.cosigner().verify(&plain),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Zero and too-large timestamps are refused when signing.
        assert!(w.sign(&cp.to_text(), 0).is_err());
        assert!(w.sign(&cp.to_text(), MAX_TIMESTAMP + 1).is_err());
        assert!(w.sign("not a checkpoint\n", 1).is_err());
    }

    /// `tests/vectors/cosignature-v1.json`, made from the spec text by an independent
    /// implementation (Python's `cryptography`; the script sits beside the file).
    #[test]
    fn independent_vectors_match_byte_for_byte() {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/cosignature-v1.json")).unwrap();
        let cases = v["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 3);
        for c in cases {
            let seed: [u8; 32] = hex::decode(c["seed_hex"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            let name = c["name"].as_str().unwrap();
            let text = c["checkpoint_text"].as_str().unwrap();
            let ts = c["timestamp"].as_u64().unwrap();
            let w = CosigningKey::new(name, SigningKey::from_bytes(&seed)).unwrap();
            assert_eq!(w.cosigner().vkey(), c["vkey"].as_str().unwrap());
            assert_eq!(
                format!("{:08x}", w.cosigner().key_id()),
                c["key_id_hex"].as_str().unwrap()
            );
            assert_eq!(message(text, ts), c["message"].as_str().unwrap().as_bytes());
            let line = c["signature_line"].as_str().unwrap();
            assert_eq!(w.sign(text, ts).unwrap(), line);
            // Verified from the published vkey alone, on a note whose own signature is
            // someone else's.
            let cosigner: Cosigner = c["vkey"].as_str().unwrap().parse().unwrap();
            let origin = text.split('\n').next().unwrap();
            let n = note::sign_note(text, origin, &key(1)).unwrap();
            assert_eq!(cosigner.verify(&add_signature_lines(&n, line)), Ok(ts));
        }
    }

    #[test]
    fn vkey_round_trips_and_uses_type_0x04() {
        let c = Cosigner::new("witness.example/w1", key(3).verifying_key()).unwrap();
        let vkey = c.vkey();
        let raw = BASE64.decode(vkey.rsplit_once('+').unwrap().1).unwrap();
        assert_eq!(raw[0], 0x04);
        assert_eq!(&raw[1..], key(3).verifying_key().as_bytes());
        assert_eq!(vkey.parse::<Cosigner>(), Ok(c.clone()));
        // A note-signer vkey (type 0x01) is refused as a cosigner, and the other way round.
        let signer = note::vkey_string("witness.example/w1", &key(3).verifying_key());
        assert_eq!(
            signer.parse::<Cosigner>(),
            Err(NoteError::UnknownAlgorithm(0x01))
        );
        assert_eq!(
            note::parse_vkey(&vkey),
            Err(NoteError::UnknownAlgorithm(0x04))
        );
        assert_ne!(c.key_id(), note::key_id("witness.example/w1", c.key()));
    }

    #[test]
    fn quorum_counts_each_trusted_cosigner_once() {
        let ws: Vec<CosigningKey> = (10..13)
            .map(|i| CosigningKey::new(&format!("w{i}.example"), key(i)).unwrap())
            .collect();
        let trusted: Vec<Cosigner> = ws.iter().map(|w| w.cosigner().clone()).collect();
        let cp = Checkpoint {
            origin: "log.example".into(),
            size: 9,
            root: Hash::sha256(b"x"),
        };
        let mut n = cp.sign(&key(1)).unwrap();
        assert!(valid_cosigners(&n, &trusted).is_empty());
        n = add_signature_lines(&n, &ws[0].sign(&cp.to_text(), 5).unwrap());
        n = add_signature_lines(&n, &ws[0].sign(&cp.to_text(), 6).unwrap());
        assert_eq!(valid_cosigners(&n, &trusted).len(), 1);
        assert_eq!(trusted[0].verify(&n), Ok(6));
        n = add_signature_lines(&n, &ws[2].sign(&cp.to_text(), 5).unwrap());
        let got: Vec<&str> = valid_cosigners(&n, &trusted)
            .iter()
            .map(|c| c.name())
            .collect();
        assert_eq!(got, ["w10.example", "w12.example"]);
    }

    #[test]
    fn own_lines_keeps_only_the_asked_witness_lines() {
        let w = CosigningKey::new("w1.example", key(21)).unwrap();
        let other = CosigningKey::new("w2.example", key(22)).unwrap();
        // The same name under another key: another key id, so not w's line either.
        let impostor = CosigningKey::new("w1.example", key(23)).unwrap();
        let text = Checkpoint {
            origin: "log.example".into(),
            size: 3,
            root: Hash::sha256(b"y"),
        }
        .to_text();
        let mine = w.sign(&text, 7).unwrap();
        let answer = format!(
            "{}{mine}{}not a signature line\n\u{2014} w1.example !!!\n",
            other.sign(&text, 7).unwrap(),
            impostor.sign(&text, 7).unwrap()
        );
        assert_eq!(w.cosigner().own_lines(&answer), mine);
        assert_eq!(w.cosigner().own_lines("no newline at the end"), "");
        // A line without its final newline is not a complete line.
        assert_eq!(w.cosigner().own_lines(mine.trim_end()), "");
    }
}
