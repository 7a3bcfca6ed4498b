//! A set of 16-byte fingerprints ([`super::hash::fingerprint`]) at 16 bytes each.
//!
//! The replayed state remembers every nonce and every reserved identifier forever, so this set
//! is the part of it that grows with the log. A hash set of persistent nodes costs about 100
//! bytes a fingerprint (205 bytes an entry at 1,000,000 entries, two fingerprints each): at ten
//! million entries, two gigabytes in every process that holds the state. Here almost all of
//! them sit in one sorted array shared between clones, searched by bisection; only those
//! inserted since the last merge sit in a small persistent set, so a clone stays O(1) and an
//! insert stays cheap.
//!
//! It encodes as one byte string of the sorted concatenation (16 bytes each): the encoding of
//! the hash set it replaces, so start snapshots written before read the same, and equal sets
//! encode to equal bytes, which `sunshine audit` relies on when it compares a snapshot with a
//! replay.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One fingerprint.
pub type Fingerprint = [u8; 16];

/// How many fingerprints wait in the persistent set before they are merged into the array. A
/// merge copies the array once (`O(n)`), so the amortised cost per insert is `n / MERGE_AT`
/// fingerprint copies: 300 at twenty million fingerprints, well under a microsecond; the
/// waiting set costs at most a few megabytes.
const MERGE_AT: usize = 65_536;

#[derive(Clone, Default)]
pub struct FingerprintSet {
    /// Sorted ascending, no repeats.
    merged: Arc<Vec<Fingerprint>>,
    /// Inserted since the last merge; never in `merged`.
    recent: imbl::HashSet<Fingerprint>,
}

impl FingerprintSet {
    pub fn len(&self) -> usize {
        self.merged.len() + self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, f: &Fingerprint) -> bool {
        self.recent.contains(f) || self.merged.binary_search(f).is_ok()
    }

    /// Adds `f`; answers whether it was new.
    pub fn insert(&mut self, f: Fingerprint) -> bool {
        if self.merged.binary_search(&f).is_ok() || self.recent.insert(f).is_some() {
            return false;
        }
        if self.recent.len() >= MERGE_AT {
            self.merge();
        }
        true
    }

    /// Moves the recent fingerprints into the sorted array: in place when no clone shares it,
    /// into a new array otherwise (the clone keeps the old one).
    fn merge(&mut self) {
        let mut recent: Vec<Fingerprint> = self.recent.iter().copied().collect();
        recent.sort_unstable();
        self.recent = imbl::HashSet::new();
        match Arc::get_mut(&mut self.merged) {
            Some(merged) => merge_in_place(merged, &recent),
            None => self.merged = Arc::new(merge_sorted(&self.merged, &recent)),
        }
    }

    /// Every fingerprint, ascending.
    pub fn sorted(&self) -> impl Iterator<Item = &Fingerprint> {
        let mut recent: Vec<&Fingerprint> = self.recent.iter().collect();
        recent.sort_unstable();
        Union {
            a: self.merged.iter().peekable(),
            b: recent.into_iter().peekable(),
        }
    }

    /// The set of `sorted`, which must ascend strictly: how a decoded snapshot is checked.
    fn from_sorted(sorted: Vec<Fingerprint>) -> Result<FingerprintSet, &'static str> {
        if sorted.windows(2).any(|w| w[0] >= w[1]) {
            return Err("the fingerprints are not in strictly ascending order");
        }
        Ok(FingerprintSet {
            merged: Arc::new(sorted),
            recent: imbl::HashSet::new(),
        })
    }
}

impl std::fmt::Debug for FingerprintSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FingerprintSet({} fingerprints)", self.len())
    }
}

impl PartialEq for FingerprintSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.sorted().eq(other.sorted())
    }
}

impl Eq for FingerprintSet {}

impl FromIterator<Fingerprint> for FingerprintSet {
    fn from_iter<I: IntoIterator<Item = Fingerprint>>(iter: I) -> Self {
        let mut all: Vec<Fingerprint> = iter.into_iter().collect();
        all.sort_unstable();
        all.dedup();
        FingerprintSet {
            merged: Arc::new(all),
            recent: imbl::HashSet::new(),
        }
    }
}

/// Two ascending, disjoint sequences as one ascending sequence.
struct Union<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<'a, A, B> Iterator for Union<A, B>
where
    A: Iterator<Item = &'a Fingerprint>,
    B: Iterator<Item = &'a Fingerprint>,
{
    type Item = &'a Fingerprint;

    fn next(&mut self) -> Option<&'a Fingerprint> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) if y < x => self.b.next(),
            (Some(_), _) => self.a.next(),
            (None, _) => self.b.next(),
        }
    }
}

fn merge_sorted(a: &[Fingerprint], b: &[Fingerprint]) -> Vec<Fingerprint> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j] < a[i] {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Merges ascending `b` into ascending `a` from the back, so no second array is needed.
fn merge_in_place(a: &mut Vec<Fingerprint>, b: &[Fingerprint]) {
    let mut i = a.len();
    let mut j = b.len();
    a.resize(i + j, [0; 16]);
    let mut w = a.len();
    while j > 0 {
        w -= 1;
        if i > 0 && a[i - 1] > b[j - 1] {
            a[w] = a[i - 1];
            i -= 1;
        } else {
            a[w] = b[j - 1];
            j -= 1;
        }
    }
}

impl Serialize for FingerprintSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(self.len() * 16);
        for f in self.sorted() {
            bytes.extend_from_slice(f);
        }
        s.serialize_bytes(&bytes)
    }
}

impl<'de> Deserialize<'de> for FingerprintSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FingerprintSet, D::Error> {
        let bytes = d.deserialize_byte_buf(ByteBuf)?;
        if bytes.len() % 16 != 0 {
            return Err(serde::de::Error::custom(format!(
                "a fingerprint set of {} bytes is not a whole number of 16-byte fingerprints",
                bytes.len()
            )));
        }
        let sorted = bytes
            .chunks_exact(16)
            .map(|c| {
                let mut f = [0u8; 16];
                f.copy_from_slice(c);
                f
            })
            .collect();
        FingerprintSet::from_sorted(sorted).map_err(serde::de::Error::custom)
    }
}

/// A byte string, whether the format hands it out borrowed or owned.
struct ByteBuf;

impl<'de> serde::de::Visitor<'de> for ByteBuf {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn fp(i: u64) -> Fingerprint {
        crate::ledger::hash::fingerprint(&["test", &i.to_string()])
    }

    fn encode(set: &FingerprintSet) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(set, &mut out).expect("encodes");
        out
    }

    /// Against a `BTreeSet` (the naive reference), across several merges, with a clone taken
    /// before some of them (the shared-array path) and inserts repeated.
    #[test]
    fn the_set_answers_like_a_plain_ordered_set_across_merges_and_clones() {
        let mut set = FingerprintSet::default();
        let mut reference = BTreeSet::new();
        let mut kept = Vec::new();
        let n = (MERGE_AT * 3 + 17) as u64;
        for i in 0..n {
            // Every seventh insert repeats an earlier one.
            let f = if i % 7 == 6 { fp(i / 2) } else { fp(i) };
            assert_eq!(set.insert(f), reference.insert(f), "insert {i}");
            if i % (MERGE_AT as u64 + 5) == 100 {
                kept.push((set.clone(), reference.clone()));
            }
        }
        assert_eq!(set.len(), reference.len());
        assert!(set.sorted().eq(reference.iter()));
        for i in 0..n + 1000 {
            assert_eq!(
                set.contains(&fp(i)),
                reference.contains(&fp(i)),
                "contains {i}"
            );
        }
        // The clones did not see what was inserted after them.
        for (clone, at_the_time) in kept {
            assert_eq!(clone.len(), at_the_time.len());
            assert!(clone.sorted().eq(at_the_time.iter()));
        }
    }

    #[test]
    fn the_encoding_is_the_sorted_concatenation_whatever_the_merges() {
        let items: Vec<Fingerprint> = (0..MERGE_AT as u64 + 300).map(fp).collect();
        let mut one_by_one = FingerprintSet::default();
        for f in items.iter().rev() {
            one_by_one.insert(*f);
        }
        let at_once: FingerprintSet = items.iter().copied().collect();
        let mut sorted = items.clone();
        sorted.sort_unstable();
        let mut expected_bytes = Vec::new();
        for f in &sorted {
            expected_bytes.extend_from_slice(f);
        }
        let mut expected = Vec::new();
        ciborium::into_writer(&ciborium::Value::Bytes(expected_bytes), &mut expected)
            .expect("encodes");
        assert_eq!(encode(&one_by_one), expected);
        assert_eq!(encode(&at_once), expected);
        let back: FingerprintSet = ciborium::from_reader(expected.as_slice()).expect("decodes");
        assert_eq!(back, one_by_one);
    }

    #[test]
    fn two_fingerprints_encode_as_a_32_byte_string() {
        let set: FingerprintSet = [[2u8; 16], [1u8; 16]].into_iter().collect();
        // CBOR: major type 2 (byte string), length 32 in one byte (0x58 0x20), then the bytes.
        let mut expected = vec![0x58, 0x20];
        expected.extend([1u8; 16]);
        expected.extend([2u8; 16]);
        assert_eq!(encode(&set), expected);
    }

    #[test]
    fn a_torn_repeated_or_unsorted_set_is_refused() {
        let mut unsorted = vec![2u8; 16];
        unsorted.extend([1u8; 16]);
        for bytes in [vec![1u8; 17], vec![1u8; 32], unsorted] {
            let mut out = Vec::new();
            ciborium::into_writer(&ciborium::Value::Bytes(bytes), &mut out).expect("encodes");
            assert!(ciborium::from_reader::<FingerprintSet, _>(out.as_slice()).is_err());
        }
    }
}
