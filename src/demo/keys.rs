//! Everything secret or unique in the demo comes from the seed: keys, receipt secrets,
//! document hashes.

use sha2::{Digest, Sha256};

use crate::ledger::{SecretKey, Uscc};

/// A 32-byte seed for `label` derived from the demo seed.
pub fn derive(seed: u64, label: &str) -> [u8; 32] {
    Sha256::new()
        .chain_update(b"sunshine-demo/v1\n")
        .chain_update(seed.to_be_bytes())
        .chain_update(label.as_bytes())
        .finalize()
        .into()
}

/// The receipt secret handed to the donor of receipt `receipt_no` at organisation `org`; the
/// donation's `commitment` is its SHA-256.
pub fn receipt_secret(seed: u64, org: &Uscc, receipt_no: &str) -> [u8; 32] {
    derive(seed, &format!("receipt/{org}/{receipt_no}"))
}

pub(super) fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub(super) fn operator_key(seed: u64) -> SecretKey {
    SecretKey::from_seed(derive(seed, "operator-key"))
}

pub(super) fn regulator_key(seed: u64) -> SecretKey {
    SecretKey::from_seed(derive(seed, "regulator-key"))
}

pub(super) fn org_key(seed: u64, key_name: &str) -> SecretKey {
    SecretKey::from_seed(derive(seed, &format!("org-key/{key_name}")))
}

/// The second key the regulator registers for the first foundation (its finance office's), on
/// 2025-02-10; known from the seed alone, so its key file is written before the entries.
pub(super) fn finance_key(seed: u64) -> SecretKey {
    org_key(seed, "foundation-01-finance")
}

pub(super) fn uscc(first17: &str) -> Uscc {
    Uscc::with_check(first17).expect("demo codes use the allowed alphabet")
}
