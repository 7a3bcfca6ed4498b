//! Signature checks over many submissions at once.
//!
//! What we accept must be what an outside verifier using RFC 8032 strict verification accepts.
//!
//! What enters the ledger ([`check_one`], the append path) is checked one signature at a time
//! with strict verification, and nothing else.
//!
//! The audit re-checks a whole log and has a rate to keep, so [`verify_all`] batch-verifies (with
//! weights derived from the signatures; about twice as fast each). A batch agrees with strict
//! verification except on signatures whose R is non-canonically encoded or of small order, which
//! are checked apart on R's bytes alone ([`r_is_strict`]), and on one more kind: an author who
//! deliberately gives R a small-order component (R = rB + T) makes a signature that strict
//! verification refuses but a batch passes whenever the batch's weights cancel T (for an order-2 T,
//! an even weight). ed25519-dalek derives the weights from the batch's own signatures, so an author
//! whose signature is checked alone can try a few R until it passes. Closing that in the audit
//! needs a prime-order check of every R, a full scalar multiplication each, which costs what
//! batching saves. It is why appends do not batch: such an entry, let in, would fail strict
//! verifiers outside, and our own audit whenever its batch weighs it oddly. The audit keeps the gap
//! only for a log this code did not write; an honest signer never makes such an R, and the test
//! `a_torsioned_r_is_refused_by_appends_every_time` grinds one that a batch passes.

use std::sync::LazyLock;

use ed25519_dalek::{Signature, VerifyingKey};

use super::submission::SignedSubmission;

/// The y-coordinates (little-endian, sign bit clear) of the eight points of small order.
static SMALL_ORDER_Y: LazyLock<Vec<[u8; 32]>> = LazyLock::new(|| {
    let mut ys: Vec<[u8; 32]> = curve25519_dalek::constants::EIGHT_TORSION
        .iter()
        .map(|p| {
            let mut y = p.compress().to_bytes();
            y[31] &= 0x7f;
            y
        })
        .collect();
    ys.sort_unstable();
    ys.dedup();
    ys
});

/// Whether R (the first half of the signature) is a canonical encoding of a point that is not of
/// small order: the part of strict verification that batch verification does not cover.
///
/// Decided on the bytes, without decompressing the point (which costs a field exponentiation,
/// and batch verification decompresses R anyway, refusing encodings that are not on the curve):
/// an encoding is canonical when its y is below p = 2^255 - 19 (the sign bit may be set only
/// when x is not zero, and x is zero only at the two small-order points y = ±1); a point is of
/// small order exactly when its y is one of the eight torsion points' y.
pub fn r_is_strict(sig: &Signature) -> bool {
    let mut y = *sig.r_bytes();
    y[31] &= 0x7f;
    // y >= p iff its top 250 bits are all ones and its low byte is at least 0xed.
    let at_least_p = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    !at_least_p && !SMALL_ORDER_Y.contains(&y)
}

/// One signed message awaiting a check.
pub struct PendingSig {
    pub message: Vec<u8>,
    pub signature: Signature,
    pub key: VerifyingKey,
}

impl PendingSig {
    /// The message, signature and key of a signed submission.
    pub fn of(s: &SignedSubmission) -> PendingSig {
        PendingSig::with_message(s, s.submission.signing_bytes())
    }

    /// As [`PendingSig::of`], when the signing bytes are already at hand.
    pub fn with_message(s: &SignedSubmission, message: Vec<u8>) -> PendingSig {
        PendingSig {
            message,
            signature: s.sig.0,
            key: *s.submission.key.verifying_key(),
        }
    }

    fn verify_strict(&self) -> bool {
        use ed25519_dalek::Verifier as _;
        // As `PublicKey::verify`, whose documentation says why this is strict verification.
        r_is_strict(&self.signature)
            && !self.key.is_weak()
            && self.key.verify(&self.message, &self.signature).is_ok()
    }
}

/// Whether each of `pending` verifies strictly, on this thread, but for the deliberately
/// torsioned R of the module documentation, which a batch may pass. Clean input, the common
/// case, costs one batch verification; the audit uses it, appends do not.
pub fn verify_all(pending: &[PendingSig]) -> Vec<bool> {
    if pending.iter().all(|p| r_is_strict(&p.signature)) && batch_verifies(pending) {
        return vec![true; pending.len()];
    }
    pending.iter().map(PendingSig::verify_strict).collect()
}

fn batch_verifies(pending: &[PendingSig]) -> bool {
    if pending.is_empty() {
        return true;
    }
    let messages: Vec<&[u8]> = pending.iter().map(|p| p.message.as_slice()).collect();
    let sigs: Vec<Signature> = pending.iter().map(|p| p.signature).collect();
    let keys: Vec<VerifyingKey> = pending.iter().map(|p| p.key).collect();
    ed25519_dalek::verify_batch(&messages, &sigs, &keys).is_ok()
}

/// One submission's signature check, and its signing bytes (`SUBMISSION_SIG_CONTEXT ||
/// JCS(submission)`), which cost an encoding and which an append reuses to encode its entry.
#[derive(Debug, Clone)]
pub struct SigCheck {
    pub ok: bool,
    pub signing: Vec<u8>,
}

/// One submission's [`SigCheck`], its signature checked strictly and on its own: this decides
/// what enters the ledger (see the module documentation for why it does not batch).
pub fn check_one(s: &SignedSubmission) -> SigCheck {
    let p = PendingSig::of(s);
    SigCheck {
        ok: p.verify_strict(),
        signing: p.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Indices of the submissions whose signature does not verify, checked on every core.
    fn bad_signatures(subs: &[&SignedSubmission]) -> Vec<usize> {
        let owned: Vec<SignedSubmission> = subs.iter().map(|s| (*s).clone()).collect();
        crate::ledger::parallel::map_parts(&owned, |part, _| part.iter().map(check_one).collect())
            .into_iter()
            .enumerate()
            .filter(|(_, c)| !c.ok)
            .map(|(i, _)| i)
            .collect()
    }

    fn first_bad_signature(subs: &[&SignedSubmission]) -> Option<usize> {
        bad_signatures(subs).first().copied()
    }
    use crate::ledger::keys::SecretKey;
    use crate::ledger::submission::Submission;
    use serde_json::json;

    fn signed(i: usize) -> SignedSubmission {
        let key = SecretKey::from_seed([i as u8; 32]);
        Submission::from_value(json!({"v": 1, "kind": "donation", "author": "org:91350100M000100Y43",
            "key": key.public().to_hex(), "time": "2026-11-23T08:30:00Z", "nonce": format!("nonce-{i:04}"), "body": {}}))
        .unwrap()
        .sign(&key)
    }

    #[test]
    fn finds_the_first_bad_signature_in_parallel_and_in_batches() {
        let mut subs: Vec<SignedSubmission> = (0..100).map(signed).collect();
        let all: Vec<&SignedSubmission> = subs.iter().collect();
        assert_eq!(first_bad_signature(&all), None);
        subs[70].sig = subs[71].sig;
        subs[90].sig = subs[91].sig;
        let all: Vec<&SignedSubmission> = subs.iter().collect();
        assert_eq!(first_bad_signature(&all), Some(70));
        assert_eq!(bad_signatures(&all), vec![70, 90]);
        let pending: Vec<PendingSig> = subs.iter().map(PendingSig::of).collect();
        let ok = verify_all(&pending);
        assert_eq!(ok.iter().filter(|ok| !**ok).count(), 2);
        assert!(!ok[70] && !ok[90]);
        assert!(verify_all(&pending[..70]).iter().all(|ok| *ok));
    }

    /// RFC 8032's k = SHA-512(R || A || M) mod L.
    fn challenge(r: &[u8; 32], public: &[u8; 32], message: &[u8]) -> curve25519_dalek::Scalar {
        use sha2::{Digest, Sha512};
        curve25519_dalek::Scalar::from_hash(
            Sha512::new()
                .chain_update(r)
                .chain_update(public)
                .chain_update(message),
        )
    }

    /// `signed(i)` re-signed by its key holder with nonce scalar from `seed` and R = rB + T, T
    /// the point of order 2: a valid signature under RFC 8032's cofactored equation that strict
    /// (cofactorless) verification refuses, since [s]B - [k]A = R - T.
    fn torsioned(i: usize, seed: u8) -> SignedSubmission {
        use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
        use curve25519_dalek::scalar::Scalar;
        use curve25519_dalek::traits::IsIdentity;
        use sha2::{Digest, Sha512};
        let mut s = signed(i);
        let h = Sha512::digest([i as u8; 32]);
        let mut a = [0u8; 32];
        a.copy_from_slice(&h[..32]);
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        let a = Scalar::from_bytes_mod_order(a);
        let public = s.submission.key.verifying_key().to_bytes();
        let order_two = EIGHT_TORSION[4];
        assert!(!order_two.is_identity() && (order_two + order_two).is_identity());
        let r = Scalar::from_bytes_mod_order_wide(&[seed; 64]);
        let big_r = (ED25519_BASEPOINT_POINT * r + order_two).compress();
        let message = s.submission.signing_bytes();
        let k = challenge(big_r.as_bytes(), &public, &message);
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(big_r.as_bytes());
        bytes[32..].copy_from_slice((r + k * a).as_bytes());
        s.sig = crate::ledger::keys::Sig(Signature::from_bytes(&bytes));
        s
    }

    #[test]
    fn a_torsioned_r_is_refused_by_appends_every_time() {
        // An author grinds the nonce until a batch of this signature alone passes it: the
        // batch's weight for it is even about every other try.
        let bad = (1..=64)
            .map(|seed| torsioned(5, seed))
            .find(|bad| verify_all(&[PendingSig::of(bad)])[0])
            .expect("one of 64 nonces passes a batch");
        let message = bad.submission.signing_bytes();
        let key = bad.submission.key.verifying_key();
        // The construction is what it claims: the cofactored equation holds, R is canonical
        // and not of small order, and strict verification refuses it.
        assert!(r_is_strict(&bad.sig.0));
        assert!(key.verify_strict(&message, &bad.sig.0).is_err());
        {
            use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
            use curve25519_dalek::scalar::Scalar;
            use curve25519_dalek::traits::IsIdentity;
            let big_r = CompressedEdwardsY(*bad.sig.0.r_bytes())
                .decompress()
                .unwrap();
            let s = Scalar::from_canonical_bytes(*bad.sig.0.s_bytes()).unwrap();
            let k = challenge(bad.sig.0.r_bytes(), key.as_bytes(), &message);
            let diff =
                EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-key.to_edwards(), &s)
                    - big_r;
            assert!(!diff.is_identity() && diff.mul_by_cofactor().is_identity());
        }
        // The append path refuses it, alone or among good signatures.
        assert!(!check_one(&bad).ok);
        let mut subs: Vec<SignedSubmission> = (0..20).map(signed).collect();
        subs[5] = bad;
        let checks: Vec<SigCheck> = subs.iter().map(check_one).collect();
        assert!(!checks[5].ok);
        assert_eq!(checks.iter().filter(|c| c.ok).count(), 19);
    }

    /// The definition [`r_is_strict`] decides on bytes alone: R decompresses, is not of small
    /// order, and is the canonical encoding of its point.
    fn reference(r: [u8; 32]) -> Option<bool> {
        let c = curve25519_dalek::edwards::CompressedEdwardsY(r);
        c.decompress()
            .map(|p| !p.is_small_order() && p.compress() == c)
    }

    fn fast(r: [u8; 32]) -> bool {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&r);
        r_is_strict(&Signature::from_bytes(&bytes))
    }

    #[test]
    fn r_checked_on_bytes_agrees_with_decompressing_it() {
        use rand::{Rng, SeedableRng};
        let mut candidates: Vec<[u8; 32]> = Vec::new();
        // Every small-order point, and the non-canonical spellings of them and of others:
        // y from p to 2^255 - 1, small y, either sign bit.
        for p in curve25519_dalek::constants::EIGHT_TORSION {
            candidates.push(p.compress().to_bytes());
        }
        for low in 0xedu8..=0xff {
            let mut y = [0xff; 32];
            y[0] = low;
            y[31] = 0x7f;
            candidates.push(y);
        }
        for small in 0u8..=255 {
            let mut y = [0; 32];
            y[0] = small;
            candidates.push(y);
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2000 {
            let scalar = curve25519_dalek::Scalar::from(rng.r#gen::<u64>());
            candidates.push(
                (curve25519_dalek::constants::ED25519_BASEPOINT_POINT * scalar)
                    .compress()
                    .to_bytes(),
            );
            candidates.push(rng.r#gen());
        }
        let mut checked = (0, 0);
        for r in candidates {
            for sign in [0, 0x80] {
                let mut r = r;
                r[31] = (r[31] & 0x7f) | sign;
                // Encodings that are not on the curve are refused by the batch itself.
                if let Some(expected) = reference(r) {
                    assert_eq!(fast(r), expected, "R = {}", hex::encode(r));
                    checked.0 += usize::from(expected);
                    checked.1 += usize::from(!expected);
                }
            }
        }
        assert!(checked.0 > 2000 && checked.1 > 20, "{checked:?}");
    }

    /// A signature whose R is the identity (small order) and whose s makes the plain,
    /// cofactorless equation hold: the key holder sets s = k·a, so [s]B - [k]A is the identity.
    fn identity_r(i: usize) -> SignedSubmission {
        let mut s = signed(i);
        let key = SecretKey::from_seed([i as u8; 32]);
        let a = key.signing_key().to_scalar();
        let mut r = [0u8; 32];
        r[0] = 1;
        let public = s.submission.key.verifying_key().to_bytes();
        let k = challenge(&r, &public, &s.submission.signing_bytes());
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&r);
        bytes[32..].copy_from_slice((k * a).as_bytes());
        s.sig = crate::ledger::keys::Sig(Signature::from_bytes(&bytes));
        s
    }

    #[test]
    fn the_check_without_decompressing_r_decides_as_strict_verification() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut cases: Vec<SignedSubmission> = Vec::new();
        for i in 0..40 {
            let good = signed(i);
            cases.push(good.clone());
            cases.push(identity_r(i));
            cases.push(torsioned(i, i as u8 + 1));
            // R replaced by each small-order point and by non-canonical spellings, s kept;
            // single bits flipped anywhere; s beyond the group order.
            let mut variants: Vec<[u8; 64]> = Vec::new();
            for t in curve25519_dalek::constants::EIGHT_TORSION {
                let mut b = good.sig.0.to_bytes();
                b[..32].copy_from_slice(t.compress().as_bytes());
                variants.push(b);
                b[31] ^= 0x80;
                variants.push(b);
            }
            let mut b = good.sig.0.to_bytes();
            b[..32].copy_from_slice(&[0xff; 32]);
            b[31] = 0x7f;
            b[0] = 0xed + (i as u8 % 0x12);
            variants.push(b);
            for _ in 0..4 {
                let mut b = good.sig.0.to_bytes();
                let bit: usize = rng.gen_range(0..512);
                b[bit / 8] ^= 1 << (bit % 8);
                variants.push(b);
            }
            let mut b = good.sig.0.to_bytes();
            b[63] |= 0xf0;
            variants.push(b);
            for b in variants {
                let mut v = good.clone();
                v.sig = crate::ledger::keys::Sig(Signature::from_bytes(&b));
                cases.push(v);
            }
        }
        let mut outcomes = (0, 0);
        let mut plain_only = 0;
        for case in &cases {
            let message = case.submission.signing_bytes();
            let key = case.submission.key.verifying_key();
            let strict = key.verify_strict(&message, &case.sig.0).is_ok();
            assert_eq!(case.submission.key.verify(&message, &case.sig), strict);
            assert_eq!(PendingSig::of(case).verify_strict(), strict);
            assert_eq!(check_one(case).ok, strict);
            use ed25519_dalek::Verifier as _;
            plain_only += usize::from(!strict && key.verify(&message, &case.sig.0).is_ok());
            if strict {
                outcomes.0 += 1
            } else {
                outcomes.1 += 1
            }
        }
        // Every good signature passes; the identity-R ones pass the plain check and no other.
        assert_eq!(outcomes.0, 40, "{outcomes:?}");
        assert_eq!(plain_only, 40);
    }

    #[test]
    fn small_order_r_is_refused_like_strict_verification() {
        // R = the identity point (encoded 0x01 00..00) is small order: strict verification
        // refuses it whatever the rest of the signature says.
        let s = signed(1);
        let mut bytes = s.sig.0.to_bytes();
        bytes[..32].copy_from_slice(&[0; 32]);
        bytes[0] = 1;
        let forged = Signature::from_bytes(&bytes);
        assert!(!r_is_strict(&forged));
        assert!(r_is_strict(&s.sig.0));
        let mut bad = s.clone();
        bad.sig.0 = forged;
        assert_eq!(first_bad_signature(&[&s, &bad]), Some(1));
    }
}
