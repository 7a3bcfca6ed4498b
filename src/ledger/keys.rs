//! Ed25519 (RFC 8032, pure) keys and signatures as they appear in JSON: lower-case hex.
//!
//! Public keys are checked on parse: 32 bytes, a valid curve point, and not of small order, so a
//! key that would verify forged signatures can never be registered.

use std::fmt;
use std::str::FromStr;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a string is not a usable key or signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadKey {
    #[error("public key must be 64 lower-case hex characters (32 bytes), got {0} characters")]
    KeyLength(usize),
    #[error("public key is not lower-case hex")]
    KeyHex,
    #[error("public key is not a valid Ed25519 point")]
    KeyPoint,
    #[error("public key has small order and would accept forged signatures")]
    WeakKey,
    #[error("signature must be 128 lower-case hex characters (64 bytes), got {0} characters")]
    SigLength(usize),
    #[error("signature is not lower-case hex")]
    SigHex,
    #[error("private key must be 64 hex characters (a 32-byte seed)")]
    Secret,
}

fn lower_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

/// A validated Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        self.0.as_bytes()
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// Verifies `sig` over `msg` with the strict RFC 8032 rules (no malleable signatures):
    /// exactly what `VerifyingKey::verify_strict` decides, less its decompression of R (a field
    /// exponentiation, a sixth of a check). Both compare the R they compute with the R given,
    /// byte for byte; strict verification also refuses an R or key of small order. R equal to
    /// a computed point's encoding is that point's canonical encoding, so
    /// [`r_is_strict`](super::verify::r_is_strict) decides its order on the bytes. A test holds
    /// the two equal, on an R of small order that passes the plain check among others.
    pub fn verify(&self, msg: &[u8], sig: &Sig) -> bool {
        use ed25519_dalek::Verifier as _;
        super::verify::r_is_strict(&sig.0)
            && !self.0.is_weak()
            && self.0.verify(msg, &sig.0).is_ok()
    }
}

impl From<VerifyingKey> for PublicKey {
    fn from(k: VerifyingKey) -> Self {
        PublicKey(k)
    }
}

/// Decompressed keys already seen on this thread. A log has few authors and each signs many
/// entries; decompressing a point costs about a third of a signature check, so replaying a log
/// without this cache spends much of its time re-deriving the same few keys.
const KEY_CACHE_CAPACITY: usize = 4096;

thread_local! {
    static KEY_CACHE: std::cell::RefCell<std::collections::HashMap<[u8; 32], VerifyingKey>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn decompress_checked(bytes: &[u8; 32]) -> Result<VerifyingKey, BadKey> {
    if let Some(key) = KEY_CACHE.with(|c| c.borrow().get(bytes).copied()) {
        return Ok(key);
    }
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| BadKey::KeyPoint)?;
    if key.is_weak() {
        return Err(BadKey::WeakKey);
    }
    KEY_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= KEY_CACHE_CAPACITY {
            c.clear();
        }
        c.insert(*bytes, key);
    });
    Ok(key)
}

impl FromStr for PublicKey {
    type Err = BadKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 64 {
            return Err(BadKey::KeyLength(s.len()));
        }
        let bytes: [u8; 32] = lower_hex(s).ok_or(BadKey::KeyHex)?;
        decompress_checked(&bytes).map(PublicKey)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl Serialize for PublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An Ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sig(pub Signature);

impl Sig {
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }
}

impl FromStr for Sig {
    type Err = BadKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 128 {
            return Err(BadKey::SigLength(s.len()));
        }
        let bytes: [u8; 64] = lower_hex(s).ok_or(BadKey::SigHex)?;
        Ok(Sig(Signature::from_bytes(&bytes)))
    }
}

impl fmt::Debug for Sig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sig({})", self.to_hex())
    }
}

impl Serialize for Sig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Sig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An author's or the operator's private key.
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> SecretKey {
        SecretKey(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    /// A key from a 32-byte seed; deterministic demos derive seeds from their seed.
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// Parses the key file format: the 32-byte seed as 64 hex characters, whitespace trimmed.
    pub fn from_hex(s: &str) -> Result<SecretKey, BadKey> {
        let mut seed = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut seed).map_err(|_| BadKey::Secret)?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    pub fn sign(&self, msg: &[u8]) -> Sig {
        Sig(self.0.sign(msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8032 section 7.1, TEST 1 (empty message), TEST 2 (one byte) and TEST 3 (two bytes).
    const RFC8032: [(&str, &str, &str, &str); 3] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
        ),
    ];

    #[test]
    fn rfc8032_vectors_sign_and_verify() {
        for (secret, public, msg, sig) in RFC8032 {
            let sk = SecretKey::from_hex(secret).unwrap();
            assert_eq!(sk.public().to_hex(), public);
            let msg = hex::decode(msg).unwrap();
            let made = sk.sign(&msg);
            assert_eq!(made.to_hex(), sig);
            let pk: PublicKey = public.parse().unwrap();
            assert!(pk.verify(&msg, &sig.parse().unwrap()));
            let mut other = msg.clone();
            other.push(0);
            assert!(!pk.verify(&other, &made));
        }
    }

    #[test]
    fn wrong_length_and_weak_keys_are_refused() {
        assert_eq!("abcd".parse::<PublicKey>(), Err(BadKey::KeyLength(4)));
        let upper = "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A";
        assert_eq!(upper.parse::<PublicKey>(), Err(BadKey::KeyHex));
        // The identity point (small order): encodes as 0x01 followed by zeros.
        let identity = format!("01{}", "0".repeat(62));
        assert_eq!(identity.parse::<PublicKey>(), Err(BadKey::WeakKey));
        assert_eq!("00".parse::<Sig>().map(|_| ()), Err(BadKey::SigLength(2)));
    }
}
