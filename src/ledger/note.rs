//! Signed checkpoints: C2SP signed-note (<https://c2sp.org/signed-note>) carrying a C2SP
//! tlog-checkpoint (<https://c2sp.org/tlog-checkpoint>), Ed25519 only.
//!
//! A signed note is a UTF-8 text ending in a newline, a blank line, then one or more signature
//! lines `— <key name> <base64(key id || signature)>` (em dash U+2014). The Ed25519 signature
//! (RFC 8032, pure) covers the text bytes including their final newline. The key id is the first
//! four bytes of `SHA-256(key name || "\n" || 0x01 || public key)`, and verifiers publish the key
//! as the string `<name>+<8 hex key id>+<base64(0x01 || public key)>`.
//!
//! The checkpoint text is `<origin>\n<tree size>\n<base64 root hash>\n`, optionally followed by
//! extension lines, which this module accepts and ignores. The ledger's spec names the key after
//! the origin, so [`Checkpoint::verify`] insists on that.
//!
//! This is the format used by Go's `golang.org/x/mod/sumdb/note`, Sigsum, Sunlight and the
//! witness network, so anyone can check the ledger's checkpoints with existing tools; that is
//! why parsing is strict and only the canonical spelling is produced.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::hash::Hash;

/// Signature type byte for Ed25519 in key ids and verifier keys (C2SP signed-note).
pub const ALG_ED25519: u8 = 0x01;
/// The em dash that starts every signature line.
pub const SIG_PREFIX: &str = "\u{2014} ";
/// Upper bound on a note we are willing to parse: checkpoints are tiny; this stops a hostile
/// mirror from making a verifier chew on megabytes.
pub const MAX_NOTE_SIZE: usize = 1 << 20;
/// Upper bound on signature lines; the spec requires accepting at least 16.
pub const MAX_SIGNATURES: usize = 100;

/// Why a key, note or checkpoint was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key name that is empty or contains a Unicode space or `+`.
    #[error("invalid key name {0:?}: must be non-empty with no spaces or '+'")]
    BadKeyName(String),
    /// A verifier key string that is not `<name>+<8 hex>+<base64>`.
    #[error("malformed verifier key: {0}")]
    MalformedVkey(&'static str),
    /// A verifier key of a signature type other than Ed25519.
    #[error(
        "unsupported signature type {0:#04x} for this key (note signers are Ed25519, 0x01; cosigners 0x04)"
    )]
    UnknownAlgorithm(u8),
    /// The key id in a verifier key string does not match its name and key.
    #[error("verifier key id {stated:08x} does not match the key (computed {computed:08x})")]
    KeyIdMismatch { stated: u32, computed: u32 },
    /// 32 bytes that are not a valid Ed25519 public key.
    #[error("invalid Ed25519 public key")]
    InvalidPublicKey,
    /// A note (or a text about to be signed) that breaks the signed-note format.
    #[error("malformed note: {0}")]
    MalformedNote(&'static str),
    /// No signature line from the expected key.
    #[error("note carries no signature by {name}+{key_id:08x}")]
    NoSignatureByKey { name: String, key_id: u32 },
    /// A signature line from the expected key that does not verify.
    #[error("invalid signature by {name}+{key_id:08x}")]
    BadSignature { name: String, key_id: u32 },
    /// A note text that is not a checkpoint.
    #[error("malformed checkpoint: {0}")]
    MalformedCheckpoint(&'static str),
    /// The checkpoint's origin is not the name of the key that signed it.
    #[error("checkpoint origin {origin:?} does not match key name {key_name:?}")]
    OriginMismatch { origin: String, key_name: String },
}

/// Whether `name` can be a key name: non-empty, no Unicode white space, no `+`.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

fn check_key_name(name: &str) -> Result<(), NoteError> {
    if is_valid_key_name(name) {
        Ok(())
    } else {
        Err(NoteError::BadKeyName(name.to_owned()))
    }
}

/// The C2SP key id of an Ed25519 key: the first 4 bytes (big-endian) of
/// `SHA-256(name || "\n" || 0x01 || public key)`. Binding the name means the same key under
/// two names has two ids.
pub fn key_id(name: &str, key: &VerifyingKey) -> u32 {
    key_id_as(ALG_ED25519, name, key)
}

/// The key id of an Ed25519 key used with signature type `alg`: signed-note's rule, which
/// tlog-cosignature reuses with type 0x04, so one key never has the same id in two roles.
pub fn key_id_as(alg: u8, name: &str, key: &VerifyingKey) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([alg]);
    h.update(key.as_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// The verifier key string `<name>+<8 hex key id>+<base64(0x01 || public key)>` that the log
/// publishes (as `log/operator.vkey`) and verifiers configure.
pub fn vkey_string(name: &str, key: &VerifyingKey) -> String {
    vkey_string_as(ALG_ED25519, name, key)
}

/// The verifier key string of an Ed25519 key used with signature type `alg`.
pub fn vkey_string_as(alg: u8, name: &str, key: &VerifyingKey) -> String {
    let mut raw = Vec::with_capacity(33);
    raw.push(alg);
    raw.extend_from_slice(key.as_bytes());
    format!(
        "{name}+{:08x}+{}",
        key_id_as(alg, name, key),
        BASE64.encode(raw)
    )
}

/// Parse a verifier key string, checking that its key id matches its name and key (so a typo
/// or a spliced string is caught when the key is configured, not when a signature fails).
pub fn parse_vkey(vkey: &str) -> Result<(String, VerifyingKey), NoteError> {
    parse_vkey_as(ALG_ED25519, vkey)
}

/// Parse a verifier key string of signature type `alg` whose key material is an Ed25519 key
/// (0x01 for note signers, 0x04 for tlog-cosignature cosigners).
pub fn parse_vkey_as(alg_wanted: u8, vkey: &str) -> Result<(String, VerifyingKey), NoteError> {
    let vkey = vkey.strip_suffix('\n').unwrap_or(vkey);
    let (name, rest) = vkey
        .split_once('+')
        .ok_or(NoteError::MalformedVkey("expected <name>+<id>+<key>"))?;
    let (id_hex, key_b64) = rest
        .split_once('+')
        .ok_or(NoteError::MalformedVkey("expected <name>+<id>+<key>"))?;
    check_key_name(name)?;
    if id_hex.len() != 8
        || !id_hex
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(NoteError::MalformedVkey(
            "key id must be 8 lower-case hex digits",
        ));
    }
    let stated = u32::from_str_radix(id_hex, 16)
        .map_err(|_| NoteError::MalformedVkey("key id must be 8 lower-case hex digits"))?;
    let raw = BASE64
        .decode(key_b64)
        .map_err(|_| NoteError::MalformedVkey("key is not standard padded base64"))?;
    let (&alg, key) = raw
        .split_first()
        .ok_or(NoteError::MalformedVkey("empty key"))?;
    if alg != alg_wanted {
        return Err(NoteError::UnknownAlgorithm(alg));
    }
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| NoteError::MalformedVkey("Ed25519 key must be 32 bytes"))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| NoteError::InvalidPublicKey)?;
    let computed = key_id_as(alg, name, &key);
    if computed != stated {
        return Err(NoteError::KeyIdMismatch { stated, computed });
    }
    Ok((name.to_owned(), key))
}

/// Check the rules every note text obeys: ends in a newline, no control characters but
/// newline (the `&str` type already guarantees UTF-8).
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::MalformedNote("text must end with a newline"));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::MalformedNote(
            "control characters other than newline",
        ));
    }
    Ok(())
}

/// Sign `text` as a C2SP signed note by key `name`, returning the whole note
/// (`text`, a blank line, one signature line).
///
/// Fails if `text` is not a valid note text (must end in a newline, no control characters other
/// than newline) or `name` is not a valid key name: a note we could sign but nobody could parse
/// would be worse than an error.
pub fn sign_note(text: &str, name: &str, key: &SigningKey) -> Result<String, NoteError> {
    check_text(text)?;
    check_key_name(name)?;
    if text.len() > MAX_NOTE_SIZE {
        return Err(NoteError::MalformedNote("text too large"));
    }
    let sig = key.sign(text.as_bytes());
    let mut blob = Vec::with_capacity(4 + 64);
    blob.extend_from_slice(&key_id(name, &key.verifying_key()).to_be_bytes());
    blob.extend_from_slice(&sig.to_bytes());
    Ok(format!(
        "{text}\n{SIG_PREFIX}{name} {}\n",
        BASE64.encode(blob)
    ))
}

/// One parsed signature line: the key name, the key id and the signature bytes after it
/// (whose layout depends on the signature type: 64 bytes for Ed25519, timestamp and signature
/// for a tlog-cosignature).
pub struct SigLine<'a> {
    pub name: &'a str,
    pub key_id: u32,
    pub sig: Vec<u8>,
}

pub(crate) fn parse_sig_line(line: &str) -> Result<SigLine<'_>, NoteError> {
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(NoteError::MalformedNote(
            "signature line must start with an em dash",
        ))?;
    let (name, b64) = rest.split_once(' ').ok_or(NoteError::MalformedNote(
        "signature line needs a name and a signature",
    ))?;
    check_key_name(name).map_err(|_| NoteError::MalformedNote("bad key name in signature"))?;
    let blob = BASE64
        .decode(b64)
        .map_err(|_| NoteError::MalformedNote("signature is not standard padded base64"))?;
    if blob.len() < 5 {
        return Err(NoteError::MalformedNote("signature too short"));
    }
    let (id, sig) = blob.split_at(4);
    Ok(SigLine {
        name,
        key_id: u32::from_be_bytes([id[0], id[1], id[2], id[3]]),
        sig: sig.to_vec(),
    })
}

/// Split a signed note into its text (including the final newline, excluding the blank
/// separator line) and its signature lines, checking the whole note is well-formed per C2SP
/// signed-note: UTF-8, no control characters but newline, text / blank line / signature lines
/// each ending in a newline, valid names and base64. No signature is checked here.
pub fn split_note(note: &str) -> Result<(&str, Vec<SigLine<'_>>), NoteError> {
    if note.len() > MAX_NOTE_SIZE {
        return Err(NoteError::MalformedNote("note too large"));
    }
    if note.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::MalformedNote(
            "control characters other than newline",
        ));
    }
    // The text is separated from the signatures by the last blank line.
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::MalformedNote("no blank line before signatures"))?;
    let text = &note[..=split];
    let sigs = &note[split + 2..];
    let sigs = sigs.strip_suffix('\n').ok_or(NoteError::MalformedNote(
        "signature block must end with a newline",
    ))?;
    if sigs.is_empty() {
        return Err(NoteError::MalformedNote("no signatures"));
    }
    let lines: Vec<&str> = sigs.split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::MalformedNote("too many signatures"));
    }
    let sigs = lines
        .into_iter()
        .map(parse_sig_line)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((text, sigs))
}

/// Verify a signed note against one Ed25519 key named `name`, returning its text (including the
/// final newline, excluding the blank separator line).
///
/// Strict per C2SP signed-note: the whole note must be well-formed (see [`split_note`]).
/// Signatures by other keys are ignored, as the spec requires (witness cosignatures, rotated
/// keys), but every signature line carrying our name and key id must verify — a bad one makes
/// the whole note suspect — and at least one must be present.
pub fn verify_note<'a>(
    note: &'a str,
    name: &str,
    key: &VerifyingKey,
) -> Result<&'a str, NoteError> {
    let (text, sigs) = split_note(note)?;
    let want_id = key_id(name, key);
    let mut ours = 0usize;
    for s in sigs {
        if s.name != name || s.key_id != want_id {
            continue;
        }
        ours += 1;
        let sig =
            ed25519_dalek::Signature::from_slice(&s.sig).map_err(|_| NoteError::BadSignature {
                name: name.to_owned(),
                key_id: want_id,
            })?;
        // verify_strict: also rejects small-order keys and non-canonical encodings, so a
        // signature cannot be made to verify for two messages or two keys.
        key.verify_strict(text.as_bytes(), &sig)
            .map_err(|_| NoteError::BadSignature {
                name: name.to_owned(),
                key_id: want_id,
            })?;
    }
    if ours == 0 {
        return Err(NoteError::NoSignatureByKey {
            name: name.to_owned(),
            key_id: want_id,
        });
    }
    Ok(text)
}

/// A C2SP tlog-checkpoint: the log's identity, its size and its RFC 9162 root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line, which is also the signing key's name.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// RFC 9162 root of the first `size` leaves.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text `<origin>\n<size>\n<base64 root>\n` (no extension lines).
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root.as_bytes())
        )
    }

    /// Parse a checkpoint note text (the text only, as [`verify_note`] returns it).
    ///
    /// Strict on the three mandatory lines — non-empty origin; size in decimal with no sign or
    /// leading zeros (`0` alone for the empty tree); root as padded standard base64 of exactly
    /// 32 bytes — so each checkpoint has one spelling. Extension lines must be non-empty and are
    /// otherwise ignored, as the spec says they are opaque.
    pub fn parse(text: &str) -> Result<Checkpoint, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::MalformedCheckpoint("must end with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(NoteError::MalformedCheckpoint("empty origin"))?;
        let size = lines
            .next()
            .ok_or(NoteError::MalformedCheckpoint("missing tree size"))?;
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(NoteError::MalformedCheckpoint(
                "tree size must be decimal without leading zeros",
            ));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| NoteError::MalformedCheckpoint("tree size overflows 64 bits"))?;
        let root = lines
            .next()
            .ok_or(NoteError::MalformedCheckpoint("missing root hash"))?;
        let root = BASE64
            .decode(root)
            .ok()
            .and_then(|b| Hash::from_slice(&b))
            .ok_or(NoteError::MalformedCheckpoint(
                "root must be base64 of 32 bytes",
            ))?;
        if lines.any(str::is_empty) {
            return Err(NoteError::MalformedCheckpoint("empty extension line"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Sign this checkpoint with the operator key, named after the origin.
    pub fn sign(&self, key: &SigningKey) -> Result<String, NoteError> {
        sign_note(&self.to_text(), &self.origin, key)
    }

    /// Verify a signed checkpoint note against the operator's verifier key string and parse it.
    /// The checkpoint's origin must be the key's name.
    pub fn verify(note: &str, vkey: &str) -> Result<Checkpoint, NoteError> {
        let (name, key) = parse_vkey(vkey)?;
        let text = verify_note(note, &name, &key)?;
        let cp = Checkpoint::parse(text)?;
        if cp.origin != name {
            return Err(NoteError::OriginMismatch {
                origin: cp.origin,
                key_name: name,
            });
        }
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The golang.org/x/mod/sumdb/note example, as also carried by cloudflare/azul signed_note.
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    /// Go's encoded signer key: "PRIVATE+KEY+PeterNeumann+c74f20a3+" + base64(0x01 || seed).
    const PETER_SKEY_B64: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                              then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
    const ENOCH_VKEY: &str = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    const ENOCH_SIG: &str = "\u{2014} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

    fn peter_signing_key() -> SigningKey {
        let raw = BASE64.decode(PETER_SKEY_B64).unwrap();
        assert_eq!(raw[0], ALG_ED25519);
        SigningKey::from_bytes(&raw[1..].try_into().unwrap())
    }

    fn peter_note() -> String {
        format!("{PETER_TEXT}\n{PETER_SIG}")
    }

    fn test_key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn published_example_vkey_parses_and_key_id_matches() {
        let (name, key) = parse_vkey(PETER_VKEY).unwrap();
        assert_eq!(name, "PeterNeumann");
        assert_eq!(key_id(&name, &key), 0xc74f20a3);
        assert_eq!(vkey_string(&name, &key), PETER_VKEY);
        assert_eq!(peter_signing_key().verifying_key(), key);
        let (name, key) = parse_vkey(ENOCH_VKEY).unwrap();
        assert_eq!(key_id(&name, &key), 0xaf0cfe78);
    }

    #[test]
    fn published_example_signs_byte_for_byte() {
        // Ed25519 is deterministic, so signing the example text with the example key must give
        // the published note exactly.
        let note = sign_note(PETER_TEXT, "PeterNeumann", &peter_signing_key()).unwrap();
        assert_eq!(note, peter_note());
    }

    #[test]
    fn published_example_verifies() {
        let (name, key) = parse_vkey(PETER_VKEY).unwrap();
        assert_eq!(verify_note(&peter_note(), &name, &key).unwrap(), PETER_TEXT);
        // With a second, unknown signature (ignored), in either order.
        let both = format!("{PETER_TEXT}\n{PETER_SIG}{ENOCH_SIG}");
        assert_eq!(verify_note(&both, &name, &key).unwrap(), PETER_TEXT);
        let both = format!("{PETER_TEXT}\n{ENOCH_SIG}{PETER_SIG}");
        assert_eq!(verify_note(&both, &name, &key).unwrap(), PETER_TEXT);
        // Enoch's signature verifies for Enoch.
        let (en, ek) = parse_vkey(ENOCH_VKEY).unwrap();
        assert_eq!(verify_note(&both, &en, &ek).unwrap(), PETER_TEXT);
        // A note signed only by someone else is rejected.
        let enoch_only = format!("{PETER_TEXT}\n{ENOCH_SIG}");
        assert!(matches!(
            verify_note(&enoch_only, &name, &key),
            Err(NoteError::NoSignatureByKey { .. })
        ));
    }

    #[test]
    fn tampering_is_rejected() {
        let (name, key) = parse_vkey(PETER_VKEY).unwrap();
        // Changed text.
        let n = peter_note().replace("cryptography", "cryptographY");
        assert!(matches!(
            verify_note(&n, &name, &key),
            Err(NoteError::BadSignature { .. })
        ));
        // Changed signature byte (inside the Ed25519 signature, keeping valid base64).
        let n = format!(
            "{}ABCD{}",
            &peter_note()[..PETER_TEXT.len() + 60],
            &peter_note()[PETER_TEXT.len() + 60..]
        );
        assert!(verify_note(&n, &name, &key).is_err());
        let mut blob = BASE64
            .decode(&PETER_SIG[PETER_SIG.len() - 93..PETER_SIG.len() - 1])
            .unwrap();
        blob[10] ^= 1;
        let n = format!(
            "{PETER_TEXT}\n\u{2014} PeterNeumann {}\n",
            BASE64.encode(&blob)
        );
        assert!(matches!(
            verify_note(&n, &name, &key),
            Err(NoteError::BadSignature { .. })
        ));
        // Changed key id: no longer "our" signature.
        blob = BASE64
            .decode(&PETER_SIG[PETER_SIG.len() - 93..PETER_SIG.len() - 1])
            .unwrap();
        blob[0] ^= 1;
        let n = format!(
            "{PETER_TEXT}\n\u{2014} PeterNeumann {}\n",
            BASE64.encode(&blob)
        );
        assert!(matches!(
            verify_note(&n, &name, &key),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Truncated signature (right id, 63 bytes).
        blob = BASE64
            .decode(&PETER_SIG[PETER_SIG.len() - 93..PETER_SIG.len() - 1])
            .unwrap();
        blob.pop();
        let n = format!(
            "{PETER_TEXT}\n\u{2014} PeterNeumann {}\n",
            BASE64.encode(&blob)
        );
        assert!(matches!(
            verify_note(&n, &name, &key),
            Err(NoteError::BadSignature { .. })
        ));
        // Other name, same signature: not ours.
        let n = peter_note().replace("\u{2014} PeterNeumann", "\u{2014} CarmenSandiego");
        assert!(matches!(
            verify_note(&n, &name, &key),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Wrong key.
        let other = test_key(9).verifying_key();
        assert!(verify_note(&peter_note(), &name, &other).is_err());
        // A bad copy of our signature next to a good one poisons the note.
        let good_and_bad = format!("{PETER_TEXT}\n{PETER_SIG}\u{2014} PeterNeumann {}\n", {
            let mut b = BASE64
                .decode(&PETER_SIG[PETER_SIG.len() - 93..PETER_SIG.len() - 1])
                .unwrap();
            b[20] ^= 0x80;
            BASE64.encode(&b)
        });
        assert!(matches!(
            verify_note(&good_and_bad, &name, &key),
            Err(NoteError::BadSignature { .. })
        ));
    }

    #[test]
    fn malformed_notes_are_rejected() {
        let (name, key) = parse_vkey(PETER_VKEY).unwrap();
        let sig_no_nl = PETER_SIG.trim_end();
        let bad = [
            PETER_TEXT.to_string(),
            format!("{PETER_TEXT}{PETER_SIG}"),
            format!("{PETER_TEXT}\n{sig_no_nl}"),
            format!("\x01{PETER_TEXT}\n{PETER_SIG}"),
            format!("{}\r\n\n{PETER_SIG}", PETER_TEXT.trim_end()),
            format!("{PETER_TEXT}\n{PETER_SIG}\n"),
            format!("{PETER_TEXT}\n{PETER_SIG}x"),
            format!("{PETER_TEXT}\n{}", PETER_SIG.replace('\u{2014}', "-")),
            format!(
                "{PETER_TEXT}\n{}",
                PETER_SIG.replace("PeterNeumann", "Bad Name")
            ),
            format!(
                "{PETER_TEXT}\n{}",
                PETER_SIG.replace("PeterNeumann", "Peter+Neumann")
            ),
            format!("{PETER_TEXT}\n{}", PETER_SIG.replace("AM=", "AM")),
            format!("{PETER_TEXT}\n{}", PETER_SIG.replace("x08go", "x08g!")),
            format!("{PETER_TEXT}\n\u{2014} PeterNeumann AAAA\n"),
            format!("{PETER_TEXT}\n\u{2014} PeterNeumann\n"),
            format!("{PETER_TEXT}\n\u{2014}  PeterNeumann x08go\n"),
            format!("{PETER_TEXT}\n"),
            format!("{PETER_TEXT}\n\n"),
            format!("{PETER_TEXT}\n{}", PETER_SIG.repeat(MAX_SIGNATURES + 1)),
            String::new(),
        ];
        for (i, n) in bad.iter().enumerate() {
            assert!(
                verify_note(n, &name, &key).is_err(),
                "case {i} accepted: {n:?}"
            );
        }
        assert!(matches!(
            verify_note(&"a".repeat(MAX_NOTE_SIZE + 1), &name, &key),
            Err(NoteError::MalformedNote(_))
        ));
        // Blank lines inside the text are fine: the last blank line separates.
        let sk = peter_signing_key();
        let text = "para one\n\npara two\n";
        let n = sign_note(text, "PeterNeumann", &sk).unwrap();
        assert_eq!(verify_note(&n, &name, &key).unwrap(), text);
        // Signing refuses texts and names nobody could parse.
        assert!(sign_note("no newline", "PeterNeumann", &sk).is_err());
        assert!(sign_note("tab\there\n", "PeterNeumann", &sk).is_err());
        assert!(sign_note("ok\n", "two words", &sk).is_err());
        assert!(sign_note("ok\n", "a+b", &sk).is_err());
        assert!(sign_note("ok\n", "", &sk).is_err());
    }

    #[test]
    fn vkey_round_trip_and_rejections() {
        let k = test_key(1).verifying_key();
        let v = vkey_string("ledger.example/log", &k);
        assert_eq!(
            parse_vkey(&v).unwrap(),
            ("ledger.example/log".to_string(), k)
        );
        assert_eq!(parse_vkey(&format!("{v}\n")).unwrap().1, k);
        let (_, id, b64) = {
            let mut p = v.splitn(3, '+');
            (p.next().unwrap(), p.next().unwrap(), p.next().unwrap())
        };
        // Key id that does not match.
        let wrong_id = format!(
            "ledger.example/log+{:08x}+{b64}",
            u32::from_str_radix(id, 16).unwrap() ^ 1
        );
        assert!(matches!(
            parse_vkey(&wrong_id),
            Err(NoteError::KeyIdMismatch { .. })
        ));
        // Same key, other name: id mismatch.
        assert!(matches!(
            parse_vkey(&format!("other.example+{id}+{b64}")),
            Err(NoteError::KeyIdMismatch { .. })
        ));
        // Wrong algorithm byte.
        let mut raw = BASE64.decode(b64).unwrap();
        raw[0] = 0x02;
        assert_eq!(
            parse_vkey(&format!("n+{id}+{}", BASE64.encode(&raw))),
            Err(NoteError::UnknownAlgorithm(2))
        );
        for bad in [
            "",
            "name",
            "name+deadbeef",
            &format!("+{id}+{b64}"),
            &format!("a b+{id}+{b64}"),
            &format!("ledger.example/log+{}+{b64}", id.to_uppercase()),
            &format!("ledger.example/log+{}+{b64}", &id[..7]),
            &format!("ledger.example/log+0x{}+{b64}", &id[..6]),
            &format!("ledger.example/log+{id}+{}", &b64[..b64.len() - 1]),
            &format!("ledger.example/log+{id}+AQ=="),
            &format!("ledger.example/log+{id}+{b64}AAAA"),
        ] {
            assert!(parse_vkey(bad).is_err(), "{bad:?} accepted");
        }
    }

    fn cp() -> Checkpoint {
        Checkpoint {
            origin: "ledger.example/sunshine".to_string(),
            size: 20852163,
            root: Hash::sha256(b"root"),
        }
    }

    #[test]
    fn checkpoint_text_and_parse() {
        let c = cp();
        let text = c.to_text();
        assert_eq!(
            text,
            format!(
                "ledger.example/sunshine\n20852163\n{}\n",
                BASE64.encode(Hash::sha256(b"root").0)
            )
        );
        assert_eq!(Checkpoint::parse(&text).unwrap(), c);
        // The spec's example text.
        let spec =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let p = Checkpoint::parse(spec).unwrap();
        assert_eq!(p.origin, "example.com/behind-the-sofa");
        assert_eq!(p.size, 20852163);
        assert_eq!(p.to_text(), spec);
        // Extension lines are accepted and ignored.
        assert_eq!(
            Checkpoint::parse(&format!("{text}ext one\next two\n")).unwrap(),
            c
        );
        let empty = Checkpoint {
            origin: "o".into(),
            size: 0,
            root: Hash::sha256(b""),
        };
        assert_eq!(Checkpoint::parse(&empty.to_text()).unwrap(), empty);
        let root = BASE64.encode(c.root.0);
        let bad = [
            String::new(),
            "o\n1\n".to_string(),
            format!("o\n1\n{root}"),
            format!("\n1\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("o\n01\n{root}\n"),
            format!("o\n00\n{root}\n"),
            format!("o\n+1\n{root}\n"),
            format!("o\n-1\n{root}\n"),
            format!("o\n1 \n{root}\n"),
            format!("o\n0x1\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            format!("o\n1\n{}\n", &root[..root.len() - 1]),
            format!("o\n1\n{}\n", root.trim_end_matches('=')),
            format!("o\n1\n{}\n", BASE64.encode([0u8; 31])),
            format!("o\n1\n{}\n", BASE64.encode([0u8; 33])),
            format!("o\n1\n{}\n", hex::encode(c.root.0)),
            format!("o\n1\n{root}\n\n"),
            format!("o\n1\n{root}\next\n\n"),
        ];
        for b in bad {
            assert!(Checkpoint::parse(&b).is_err(), "{b:?} accepted");
        }
        assert_eq!(
            Checkpoint::parse(&format!("o\n18446744073709551615\n{root}\n"))
                .unwrap()
                .size,
            u64::MAX
        );
    }

    #[test]
    fn checkpoint_sign_verify() {
        let sk = test_key(7);
        let c = cp();
        let vkey = vkey_string(&c.origin, &sk.verifying_key());
        let note = c.sign(&sk).unwrap();
        assert!(note.starts_with(&c.to_text()));
        assert_eq!(Checkpoint::verify(&note, &vkey).unwrap(), c);
        // Wrong key.
        let other = vkey_string(&c.origin, &test_key(8).verifying_key());
        assert!(matches!(
            Checkpoint::verify(&note, &other),
            Err(NoteError::NoSignatureByKey { .. })
        ));
        // Tampered size.
        let forged = note.replace("20852163", "20852164");
        assert!(matches!(
            Checkpoint::verify(&forged, &vkey),
            Err(NoteError::BadSignature { .. })
        ));
        // A key named differently from the origin signs a valid note, but not a checkpoint of
        // this log.
        let stranger = Checkpoint {
            origin: "someone.else/log".into(),
            ..c.clone()
        };
        let n = sign_note(&stranger.to_text(), &c.origin, &sk).unwrap();
        assert!(matches!(
            Checkpoint::verify(&n, &vkey),
            Err(NoteError::OriginMismatch { .. })
        ));
        // An origin that cannot be a key name cannot be signed.
        let bad = Checkpoint {
            origin: "has space".into(),
            ..c
        };
        assert!(bad.sign(&sk).is_err());
        // A signed note that is not a checkpoint.
        let n = sign_note("hello\n", &cp().origin, &sk).unwrap();
        assert!(matches!(
            Checkpoint::verify(&n, &vkey),
            Err(NoteError::MalformedCheckpoint(_))
        ));
        // Co-signed by a witness: still verifies.
        let witness = test_key(3);
        let wnote = sign_note(&c_text(), "witness.example", &witness).unwrap();
        let wsig = wnote.rsplit_once("\n\n").unwrap().1;
        let cosigned = format!("{note}{wsig}");
        assert_eq!(Checkpoint::verify(&cosigned, &vkey).unwrap(), cp());
    }

    fn c_text() -> String {
        cp().to_text()
    }

    /// Cross-check against cloudflare/azul's `signed_note` and `tlog_tiles` crates (ports of
    /// golang.org/x/mod/sumdb/note and tlog): same key ids, vkeys, note bytes and checkpoint text.
    #[test]
    fn agrees_with_azul_crates() {
        use signed_note::{Note, StandardSigner, StandardVerifier, Verifier, VerifierList};
        for seed in [1u8, 2, 42] {
            let sk = test_key(seed);
            let vk = sk.verifying_key();
            let name = "ledger.example/log";
            // Verifier key and id.
            assert_eq!(
                signed_note::new_ed25519_verifier_key(name, &vk),
                vkey_string(name, &vk)
            );
            let mut raw = vec![ALG_ED25519];
            raw.extend_from_slice(vk.as_bytes());
            assert_eq!(signed_note::key_id(name, &raw), key_id(name, &vk));
            let theirs = StandardVerifier::new(&vkey_string(name, &vk)).unwrap();
            assert_eq!(theirs.key_id(), key_id(name, &vk));
            // Their signer produces our note byte for byte.
            let skey = format!(
                "PRIVATE+KEY+{name}+{:08x}+{}",
                key_id(name, &vk),
                BASE64.encode([&[ALG_ED25519][..], &sk.to_bytes()].concat())
            );
            let signer = StandardSigner::new(&skey).unwrap();
            let c = Checkpoint {
                origin: name.into(),
                size: 1000 + u64::from(seed),
                root: Hash::sha256(&[seed]),
            };
            let mut n = Note::new(c.to_text().as_bytes(), &[]).unwrap();
            n.add_sigs(&[&signer]).unwrap();
            let ours = c.sign(&sk).unwrap();
            assert_eq!(String::from_utf8(n.to_bytes()).unwrap(), ours);
            // They verify ours.
            let parsed = Note::from_bytes(ours.as_bytes()).unwrap();
            let (ok, _) = parsed
                .verify(&VerifierList::new(vec![Box::new(theirs)]))
                .unwrap();
            assert_eq!(ok.len(), 1);
            // Their checkpoint encoding and parsing agree with ours.
            let tc =
                tlog_tiles::Checkpoint::new(name, c.size, tlog_tiles::Hash(c.root.0), "").unwrap();
            assert_eq!(String::from_utf8(tc.to_bytes()).unwrap(), c.to_text());
            let back = tlog_tiles::Checkpoint::from_bytes(c.to_text().as_bytes()).unwrap();
            assert_eq!(back.origin(), c.origin);
            assert_eq!(back.size(), c.size);
            assert_eq!(back.hash().0, c.root.0);
        }
        // Their parse of the published example agrees with ours.
        let n = Note::from_bytes(peter_note().as_bytes()).unwrap();
        assert_eq!(n.text(), PETER_TEXT.as_bytes());
    }
}
