//! Signature checks over many submissions at once.
//!
//! What we accept must be exactly what an outside verifier using RFC 8032 strict verification
//! accepts. Batch verification (randomised, cofactorless, about twice as fast per signature) agrees
//! with strict verification except on signatures whose R is non-canonically encoded or of small
//! order, so appends check those two properties of R separately and then batch-verify, split over
//! the machine's cores. When a batch fails, single strict checks name the first bad signature.

use ed25519_dalek::{Signature, VerifyingKey};

use super::submission::SignedSubmission;

/// Below this many signatures, threads cost more than they save.
const PARALLEL_MIN_SIGNATURES: usize = 64;

/// Whether R (the first half of the signature) is a canonical encoding of a point that is not of
/// small order: the part of strict verification that batch verification does not cover.
fn r_is_strict(sig: &Signature) -> bool {
    let r = curve25519_dalek::edwards::CompressedEdwardsY(*sig.r_bytes());
    r.decompress()
        .is_some_and(|p| !p.is_small_order() && p.compress() == r)
}

/// Bad signatures of `subs` (indices plus `offset`) and every submission's signing bytes.
fn bad_in(subs: &[&SignedSubmission], offset: usize) -> (Vec<usize>, Vec<Vec<u8>>) {
    let pending: Vec<PendingSig> = subs.iter().map(|s| PendingSig::of(s)).collect();
    let bad = if pending.iter().all(|p| r_is_strict(&p.signature))
        && batch_first_bad(&pending).is_none()
    {
        Vec::new()
    } else {
        pending
            .iter()
            .enumerate()
            .filter(|(_, p)| p.key.verify_strict(&p.message, &p.signature).is_err())
            .map(|(i, _)| i + offset)
            .collect()
    };
    (bad, pending.into_iter().map(|p| p.message).collect())
}

/// Indices (into `subs`, ascending) of every submission whose signature does not verify
/// strictly. Clean input, the common case, costs one batch verification per core.
pub fn bad_signatures(subs: &[&SignedSubmission]) -> Vec<usize> {
    check_signatures(subs).0
}

/// [`bad_signatures`], and every submission's signing bytes (in order), which cost a JCS
/// encoding each and which the append reuses to encode its entries.
pub fn check_signatures(subs: &[&SignedSubmission]) -> (Vec<usize>, Vec<Vec<u8>>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if subs.len() < PARALLEL_MIN_SIGNATURES || threads == 1 {
        return bad_in(subs, 0);
    }
    let chunk = subs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = subs
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| scope.spawn(move || bad_in(part, i * chunk)))
            .collect();
        let (mut bad, mut messages) = (Vec::new(), Vec::with_capacity(subs.len()));
        for h in handles {
            let (b, m) = match h.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            bad.extend(b);
            messages.extend(m);
        }
        (bad, messages)
    })
}

/// Index (into `subs`) of the first submission whose signature does not verify strictly.
pub fn first_bad_signature(subs: &[&SignedSubmission]) -> Option<usize> {
    bad_signatures(subs).first().copied()
}

/// One signed message awaiting a batch check.
pub struct PendingSig {
    pub message: Vec<u8>,
    pub signature: Signature,
    pub key: VerifyingKey,
}

impl PendingSig {
    /// The message, signature and key of a signed submission.
    pub fn of(s: &SignedSubmission) -> PendingSig {
        PendingSig {
            message: s.submission.signing_bytes(),
            signature: s.sig.0,
            key: *s.submission.key.verifying_key(),
        }
    }
}

/// Batch-verifies `pending`; on failure, finds the first failing position by single strict checks.
pub fn batch_first_bad(pending: &[PendingSig]) -> Option<usize> {
    if pending.is_empty() {
        return None;
    }
    let messages: Vec<&[u8]> = pending.iter().map(|p| p.message.as_slice()).collect();
    let sigs: Vec<Signature> = pending.iter().map(|p| p.signature).collect();
    let keys: Vec<VerifyingKey> = pending.iter().map(|p| p.key).collect();
    if ed25519_dalek::verify_batch(&messages, &sigs, &keys).is_ok() {
        return None;
    }
    // Some signature is bad; a batch failure also covers a wrong-but-valid-looking mix, so
    // locate it precisely. If every single check passes the batch was a false alarm.
    pending
        .iter()
        .position(|p| p.key.verify_strict(&p.message, &p.signature).is_err())
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(batch_first_bad(&pending), Some(70));
        assert_eq!(batch_first_bad(&pending[..70]), None);
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
