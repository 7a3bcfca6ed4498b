//! SHA-256 digests and the RFC 6962 / RFC 9162 domain-separated hashes.
//!
//! Leaf and interior hashes carry different one-byte prefixes so that a leaf can never be passed
//! off as an interior node (the second-preimage attack RFC 6962 section 2.1 closes).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Prefix byte of a leaf hash input: SHA-256(0x00 || leaf bytes).
pub const LEAF_HASH_PREFIX: u8 = 0x00;
/// Prefix byte of an interior node hash input: SHA-256(0x01 || left || right).
pub const NODE_HASH_PREFIX: u8 = 0x01;

/// A SHA-256 digest. Serialised as 64 lower-case hex characters, as the spec requires inside JSON.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; 32]);

/// Why a string is not a hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected 64 lower-case hex characters (a SHA-256 digest)")]
pub struct BadHash;

impl Hash {
    /// The all-zero hash: the `prev` of entry 0.
    pub const ZERO: Hash = Hash([0; 32]);

    /// Plain SHA-256 of `data`, with no domain prefix.
    pub fn sha256(data: &[u8]) -> Hash {
        Hash(Sha256::digest(data).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// From raw bytes read back from storage; `None` unless exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        <[u8; 32]>::try_from(bytes).ok().map(Hash)
    }
}

/// A 16-byte fingerprint of `parts`, joined by zero bytes: how the replayed state
/// remembers what it has seen (nonces, identifiers) at a fixed cost per entry. Two given inputs
/// share one with probability 2^-128.
pub fn fingerprint(parts: &[&str]) -> [u8; 16] {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0]);
        }
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// RFC 9162 leaf hash: SHA-256(0x00 || leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_HASH_PREFIX]);
    h.update(leaf);
    Hash(h.finalize().into())
}

/// RFC 9162 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_HASH_PREFIX]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

impl FromStr for Hash {
    type Err = BadHash;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 64 || s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(BadHash);
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| BadHash)?;
        Ok(Hash(out))
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_the_first_16_bytes_of_sha256_of_the_parts_joined_by_zero_bytes() {
        let fp = fingerprint(&["receipt", "ORG", "R1"]);
        let whole = Sha256::digest(b"receipt\0ORG\0R1");
        assert_eq!(fp[..], whole[..16]);
        // Where one part ends and the next begins is part of the input.
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_ne!(
            fingerprint(&["receipt", "O", "1"]),
            fingerprint(&["project", "O", "1"])
        );
    }

    #[test]
    fn empty_leaf_hash_matches_rfc6962() {
        // RFC 6962 test vector: the hash of an empty leaf.
        assert_eq!(
            leaf_hash(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn hex_round_trip_and_rejects_upper_case() {
        let h = Hash::sha256(b"abc");
        assert_eq!(h.to_hex().parse::<Hash>().unwrap(), h);
        assert!(h.to_hex().to_uppercase().parse::<Hash>().is_err());
        assert!("00".parse::<Hash>().is_err());
    }
}
