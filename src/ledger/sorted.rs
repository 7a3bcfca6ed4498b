//! Serde for the hash-keyed persistent maps of the replayed state, in key order (its
//! fingerprint sets have their own type: [`super::fingerprints`]).
//!
//! A hash set or map iterates in an order that depends on its hasher's random keys, so the same
//! state would encode to different bytes in two processes. The start snapshot is compared byte
//! for byte with a replay (`sunshine audit`), so these collections encode sorted: equal states,
//! equal bytes.

use std::hash::Hash;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
        #[serde(with = "super::map")]
        map: imbl::HashMap<[u8; 2], String>,
    }

    fn encode(v: &Both) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).expect("encodes");
        out
    }

    #[test]
    fn equal_maps_encode_to_equal_bytes_whatever_the_insertion_order() {
        let forward = Both {
            map: (0u8..50).map(|i| ([i, 7], i.to_string())).collect(),
        };
        let backward = Both {
            map: (0u8..50).rev().map(|i| ([i, 7], i.to_string())).collect(),
        };
        assert_eq!(encode(&forward), encode(&backward));
        let back: Both = ciborium::from_reader(encode(&forward).as_slice()).expect("decodes");
        assert_eq!(back, forward);
    }

    #[test]
    fn a_repeated_key_is_refused() {
        #[derive(Serialize)]
        struct Raw {
            map: Vec<([u8; 2], String)>,
        }
        let raw = Raw {
            map: vec![([1, 1], "a".to_string()), ([1, 1], "b".to_string())],
        };
        let mut out = Vec::new();
        ciborium::into_writer(&raw, &mut out).expect("encodes");
        assert!(ciborium::from_reader::<Both, _>(out.as_slice()).is_err());
    }
}
