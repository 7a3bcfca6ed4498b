//! Serde for the hash-keyed persistent collections of the replayed state, in key order.
//!
//! A hash set or map iterates in an order that depends on its hasher's random keys, so the same
//! state would encode to different bytes in two processes. The start snapshot is compared byte
//! for byte with a replay (`sunshine audit`), so these collections encode sorted: equal states,
//! equal bytes.

use std::hash::Hash;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A set of 16-byte fingerprints as one byte string of their sorted concatenation: 16 bytes each,
/// where a sequence of arrays costs a header per array and one per byte.
pub mod fingerprints {
    use super::*;

    pub fn serialize<S: Serializer>(
        set: &imbl::HashSet<[u8; 16]>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut all: Vec<&[u8; 16]> = set.iter().collect();
        all.sort_unstable();
        let bytes: Vec<u8> = all.into_iter().flatten().copied().collect();
        s.serialize_bytes(&bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<imbl::HashSet<[u8; 16]>, D::Error> {
        let bytes = serde_bytes_buf(d)?;
        if bytes.len() % 16 != 0 {
            return Err(serde::de::Error::custom(format!(
                "a fingerprint set of {} bytes is not a whole number of 16-byte fingerprints",
                bytes.len()
            )));
        }
        let mut set = imbl::HashSet::new();
        for chunk in bytes.chunks_exact(16) {
            let mut f = [0u8; 16];
            f.copy_from_slice(chunk);
            if set.insert(f).is_some() {
                return Err(serde::de::Error::custom("a fingerprint is listed twice"));
            }
        }
        Ok(set)
    }

    /// A byte string, whether the format hands it out borrowed or owned.
    fn serde_bytes_buf<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

/// A hash map as a sequence of (key, value) pairs sorted by key.
pub mod map {
    use super::*;

    pub fn serialize<K, V, S>(map: &imbl::HashMap<K, V>, s: S) -> Result<S::Ok, S::Error>
    where
        K: Serialize + Ord + Hash + Eq + Clone,
        V: Serialize + Clone,
        S: Serializer,
    {
        let mut pairs: Vec<(&K, &V)> = map.iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        s.collect_seq(pairs)
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<imbl::HashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Hash + Eq + Clone,
        V: Deserialize<'de> + Clone,
        D: Deserializer<'de>,
    {
        let pairs = Vec::<(K, V)>::deserialize(d)?;
        let count = pairs.len();
        let map: imbl::HashMap<K, V> = pairs.into_iter().collect();
        if map.len() != count {
            return Err(serde::de::Error::custom("a key is listed twice"));
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Both {
        #[serde(with = "super::fingerprints")]
        set: imbl::HashSet<[u8; 16]>,
        #[serde(with = "super::map")]
        map: imbl::HashMap<[u8; 2], String>,
    }

    fn encode(v: &Both) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).expect("encodes");
        out
    }

    #[test]
    fn equal_collections_encode_to_equal_bytes_whatever_the_insertion_order() {
        let items: Vec<[u8; 16]> = (0u8..200).map(|i| [i.wrapping_mul(37); 16]).collect();
        let forward = Both {
            set: items.iter().copied().collect(),
            map: (0u8..50).map(|i| ([i, 7], i.to_string())).collect(),
        };
        let backward = Both {
            set: items.iter().rev().copied().collect(),
            map: (0u8..50).rev().map(|i| ([i, 7], i.to_string())).collect(),
        };
        assert_eq!(encode(&forward), encode(&backward));
        let back: Both = ciborium::from_reader(encode(&forward).as_slice()).expect("decodes");
        assert_eq!(back, forward);
    }

    #[test]
    fn the_set_is_sixteen_bytes_per_fingerprint_in_sorted_order() {
        let set: imbl::HashSet<[u8; 16]> = [[2u8; 16], [1u8; 16]].into_iter().collect();
        // A newtype encodes as what it wraps.
        #[derive(Serialize)]
        struct Only(#[serde(with = "super::fingerprints")] imbl::HashSet<[u8; 16]>);
        let mut out = Vec::new();
        ciborium::into_writer(&Only(set), &mut out).expect("encodes");
        // CBOR: major type 2 (byte string), length 32 in one byte (0x58 0x20), then the bytes.
        let mut expected = vec![0x58, 0x20];
        expected.extend([1u8; 16]);
        expected.extend([2u8; 16]);
        assert_eq!(out, expected);
    }

    #[test]
    fn a_torn_or_repeated_set_is_refused() {
        #[derive(Serialize)]
        struct Raw {
            #[serde(with = "serde_bytes_like")]
            set: Vec<u8>,
            map: Vec<([u8; 2], String)>,
        }
        mod serde_bytes_like {
            pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(v)
            }
        }
        for (set, map) in [
            (vec![1u8; 17], vec![]),
            (vec![1u8; 32], vec![]),
            (
                vec![],
                vec![([1, 1], "a".to_string()), ([1, 1], "b".to_string())],
            ),
        ] {
            let mut out = Vec::new();
            ciborium::into_writer(&Raw { set, map }, &mut out).expect("encodes");
            assert!(ciborium::from_reader::<Both, _>(out.as_slice()).is_err());
        }
    }
}
