//! Passphrase-protected key files (`NAME.key.json`): the private key at rest for the signing
//! page, which decrypts it in the browser with WebCrypto and never sends it anywhere.
//!
//! The scheme is the one both WebCrypto and well-kept Rust crates implement, so nothing is
//! hand-rolled on either side: PBKDF2-HMAC-SHA256 (RFC 8018; 600,000 iterations, OWASP's
//! current figure for it) stretches the passphrase into an AES-256-GCM key, which seals the
//! 32-byte Ed25519 seed with the public key as associated data (a file whose public key was
//! swapped does not open). The public key is in clear so the page can name the key before
//! asking for the passphrase.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::ledger::{PublicKey, SecretKey};

pub const FORMAT: &str = "sunshine-key/v1";
pub const ITERATIONS: u32 = 600_000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SealedKey {
    pub format: String,
    pub public: PublicKey,
    /// Always "PBKDF2-SHA256".
    pub kdf: String,
    pub iterations: u32,
    /// base64, 16 bytes.
    pub salt: String,
    /// Always "AES-256-GCM".
    pub cipher: String,
    /// base64, 12 bytes.
    pub iv: String,
    /// base64: the 32-byte seed sealed, with its 16-byte tag.
    pub ciphertext: String,
}

fn derive(passphrase: &str, salt: &[u8], iterations: u32) -> Aes256Gcm {
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(passphrase.as_bytes(), salt, iterations, &mut key);
    Aes256Gcm::new(&key.into())
}

/// Seals `key` under `passphrase` with fresh salt and IV.
pub fn seal(key: &SecretKey, passphrase: &str, iterations: u32) -> anyhow::Result<SealedKey> {
    if passphrase.chars().count() < 8 {
        bail!("the passphrase must be at least 8 characters");
    }
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    rand::rngs::OsRng.fill_bytes(&mut iv);
    let public = key.public();
    let seed = hex::decode(key.to_hex()).context("the key's seed")?;
    let ciphertext = derive(passphrase, &salt, iterations)
        .encrypt(
            Nonce::from_slice(&iv),
            Payload {
                msg: &seed,
                aad: public.as_bytes(),
            },
        )
        .map_err(|_| anyhow::anyhow!("sealing the key failed"))?;
    Ok(SealedKey {
        format: FORMAT.into(),
        public,
        kdf: "PBKDF2-SHA256".into(),
        iterations,
        salt: B64.encode(salt),
        cipher: "AES-256-GCM".into(),
        iv: B64.encode(iv),
        ciphertext: B64.encode(ciphertext),
    })
}

/// Opens a sealed key; a wrong passphrase and a tampered file are the same refusal.
pub fn open(file: &SealedKey, passphrase: &str) -> anyhow::Result<SecretKey> {
    if file.format != FORMAT || file.kdf != "PBKDF2-SHA256" || file.cipher != "AES-256-GCM" {
        bail!("not a {FORMAT} key file (PBKDF2-SHA256, AES-256-GCM)");
    }
    let salt = B64.decode(&file.salt).context("salt")?;
    let iv = B64.decode(&file.iv).context("iv")?;
    if iv.len() != 12 {
        bail!("iv must be 12 bytes");
    }
    let ciphertext = B64.decode(&file.ciphertext).context("ciphertext")?;
    let seed = derive(passphrase, &salt, file.iterations)
        .decrypt(
            Nonce::from_slice(&iv),
            Payload {
                msg: &ciphertext,
                aad: file.public.as_bytes(),
            },
        )
        .map_err(|_| anyhow::anyhow!("wrong passphrase, or the key file was changed"))?;
    let key = SecretKey::from_hex(&hex::encode(seed)).context("the sealed seed")?;
    if key.public() != file.public {
        bail!("the sealed key does not match the file's public key");
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_with_the_passphrase_only() {
        let key = SecretKey::from_seed([7; 32]);
        let sealed = seal(&key, "correct horse", 1000).unwrap();
        assert_eq!(
            open(&sealed, "correct horse").unwrap().to_hex(),
            key.to_hex()
        );
        assert!(open(&sealed, "correct horsf").is_err());
        let mut swapped = sealed.clone();
        swapped.public = SecretKey::from_seed([8; 32]).public();
        assert!(open(&swapped, "correct horse").is_err());
        assert!(seal(&key, "short", 1000).is_err());
    }

    #[test]
    fn pbkdf2_matches_rfc_7914_test_vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
        let mut out = [0u8; 64];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(
            hex::encode(&out[..32]),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }
}
