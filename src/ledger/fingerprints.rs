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

/// The sorted array: fingerprints back to back, 16 bytes each, in a buffer that may be shared
/// (a start snapshot's bytes hold both of the state's sets; decoding hands each its range of
/// them instead of copying hundreds of megabytes at every start).
#[derive(Clone, Default)]
struct Sorted {
    buf: Arc<Vec<u8>>,
    /// The bytes of `buf` that are this array's: a whole number of fingerprints.
    range: std::ops::Range<usize>,
}

impl Sorted {
    fn owned(bytes: Vec<u8>) -> Sorted {
        let range = 0..bytes.len();
        Sorted {
            buf: Arc::new(bytes),
            range,
        }
    }

    fn as_slice(&self) -> &[Fingerprint] {
        // `range` always spans whole fingerprints (see `FingerprintSet::from_shared`).
        self.buf[self.range.clone()].as_chunks::<16>().0
    }

    /// The array to change in place, if nothing else holds its buffer and it is all of it.
    fn unique_mut(&mut self) -> Option<&mut Vec<u8>> {
        let whole = self.range.start == 0 && self.range.end == self.buf.len();
        match Arc::get_mut(&mut self.buf) {
            Some(buf) if whole => Some(buf),
            _ => None,
        }
    }
}

#[derive(Clone, Default)]
pub struct FingerprintSet {
    /// Sorted ascending, no repeats.
    merged: Sorted,
    /// Inserted since the last merge; never in `merged`.
    recent: imbl::HashSet<Fingerprint>,
}

impl FingerprintSet {
    pub fn len(&self) -> usize {
        self.merged.as_slice().len() + self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, f: &Fingerprint) -> bool {
        self.recent.contains(f) || self.merged.as_slice().binary_search(f).is_ok()
    }

    /// Adds `f`; answers whether it was new.
    pub fn insert(&mut self, f: Fingerprint) -> bool {
        if self.merged.as_slice().binary_search(&f).is_ok() || self.recent.insert(f).is_some() {
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
        match self.merged.unique_mut() {
            Some(merged) => {
                merge_in_place(merged, &recent);
                self.merged.range = 0..self.merged.buf.len();
            }
            None => self.merged = Sorted::owned(merge_sorted(self.merged.as_slice(), &recent)),
        }
    }

    /// Every fingerprint, ascending.
    pub fn sorted(&self) -> impl Iterator<Item = &Fingerprint> {
        let mut recent: Vec<&Fingerprint> = self.recent.iter().collect();
        recent.sort_unstable();
        Union {
            a: self.merged.as_slice().iter().peekable(),
            b: recent.into_iter().peekable(),
        }
    }

    /// The sorted concatenation of every fingerprint, 16 bytes each: how a snapshot stores it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.len() * 16);
        for f in self.sorted() {
            bytes.extend_from_slice(f);
        }
        bytes
    }

    /// The set whose sorted concatenation is `buf[range]`, sharing `buf`: how a decoded
    /// snapshot is checked. The range must hold whole fingerprints, strictly ascending.
    pub fn from_shared(
        buf: Arc<Vec<u8>>,
        range: std::ops::Range<usize>,
    ) -> Result<FingerprintSet, String> {
        let Some(bytes) = buf.get(range.clone()) else {
            return Err(format!(
                "the fingerprints at bytes {}..{} lie outside the {} bytes there are",
                range.start,
                range.end,
                buf.len()
            ));
        };
        if bytes.len() % 16 != 0 {
            return Err(format!(
                "a fingerprint set of {} bytes is not a whole number of 16-byte fingerprints",
                bytes.len()
            ));
        }
        if bytes.as_chunks::<16>().0.windows(2).any(|w| w[0] >= w[1]) {
            return Err("the fingerprints are not in strictly ascending order".to_owned());
        }
        Ok(FingerprintSet {
            merged: Sorted { buf, range },
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
            merged: Sorted::owned(all.into_iter().flatten().collect()),
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

fn merge_sorted(a: &[Fingerprint], b: &[Fingerprint]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * (a.len() + b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j] < a[i] {
            out.extend_from_slice(&b[j]);
            j += 1;
        } else {
            out.extend_from_slice(&a[i]);
            i += 1;
        }
    }
    out.extend(a[i..].iter().flatten());
    out.extend(b[j..].iter().flatten());
    out
}

/// Merges ascending `b` into ascending `a` (fingerprints back to back) from the back, so no
/// second array is needed.
fn merge_in_place(a: &mut Vec<u8>, b: &[Fingerprint]) {
    let mut i = a.len() / 16;
    let mut j = b.len();
    a.resize(a.len() + 16 * j, 0);
    let a = a.as_chunks_mut::<16>().0;
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
        s.serialize_bytes(&self.to_bytes())
    }
}

impl<'de> Deserialize<'de> for FingerprintSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FingerprintSet, D::Error> {
        let bytes = d.deserialize_byte_buf(ByteBuf)?;
        let range = 0..bytes.len();
        FingerprintSet::from_shared(Arc::new(bytes), range).map_err(serde::de::Error::custom)
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

    /// Two sets decoded from one buffer (as a snapshot's are) answer like their own copies,
    /// before and after merges, and neither sees the other's inserts.
    #[test]
    fn sets_sharing_one_buffer_answer_as_their_own_copies() {
        let mut first: Vec<Fingerprint> = (0..1000).map(fp).collect();
        let mut second: Vec<Fingerprint> = (1000..1500).map(fp).collect();
        first.sort_unstable();
        second.sort_unstable();
        let mut buf = b"header".to_vec();
        buf.extend(first.iter().flatten());
        buf.extend(second.iter().flatten());
        buf.extend(b"trailer");
        let buf = Arc::new(buf);
        let (a_end, b_end) = (6 + 16 * first.len(), 6 + 16 * (first.len() + second.len()));
        let mut a = FingerprintSet::from_shared(buf.clone(), 6..a_end).expect("first");
        let b = FingerprintSet::from_shared(buf.clone(), a_end..b_end).expect("second");
        assert_eq!(a, first.iter().copied().collect());
        assert_eq!(b, second.iter().copied().collect());
        assert!(a.contains(&fp(0)) && !a.contains(&fp(1000)) && b.contains(&fp(1000)));
        let mut reference: BTreeSet<Fingerprint> = first.iter().copied().collect();
        for i in 2000..2000 + MERGE_AT as u64 + 10 {
            assert_eq!(a.insert(fp(i)), reference.insert(fp(i)));
        }
        assert!(a.sorted().eq(reference.iter()));
        assert_eq!(
            b,
            second.iter().copied().collect(),
            "b does not see a's merge"
        );
        for range in [a_end..b_end + 16, 7..a_end + 7, 6..a_end + 8] {
            assert!(FingerprintSet::from_shared(buf.clone(), range).is_err());
        }
    }
}
