//! A receipt verifier written from the spec alone (ledger-v1.md), using only sha2, base64 and
//! ed25519-dalek — none of the crate's own verification code — so a test that passes here shows
//! a client in any language could verify our receipts.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn h(parts: &[&[u8]]) -> [u8; 32] {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    d.finalize().into()
}

fn hex32(v: &Value) -> [u8; 32] {
    hex::decode(v.as_str().expect("hex string"))
        .expect("hex")
        .try_into()
        .expect("32 bytes")
}

/// `<origin>+<8 hex key id>+<base64(0x01 || key)>` → (origin, key), checking the key id.
pub fn parse_vkey(vkey: &str) -> (String, VerifyingKey) {
    let mut parts = vkey.trim_end().splitn(3, '+');
    let (name, id, key) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let raw = B64.decode(key).unwrap();
    assert_eq!(raw[0], 0x01, "Ed25519 algorithm byte");
    let id_expected = &h(&[name.as_bytes(), b"\n", &raw])[..4];
    assert_eq!(hex::encode(id_expected), id, "key id");
    let key = VerifyingKey::from_bytes(&raw[1..].try_into().unwrap()).unwrap();
    (name.to_owned(), key)
}

/// Verifies a C2SP signed note's signature by `vkey` and returns the checkpoint's
/// (origin, size, root).
pub fn verify_checkpoint(note: &str, vkey: &str) -> (String, u64, [u8; 32]) {
    let (name, key) = parse_vkey(vkey);
    let split = note.find("\n\n").expect("note has a signature block") + 1;
    let (text, sigs) = (&note[..split], &note[split + 1..]);
    let key_id = &h(&[name.as_bytes(), b"\n", &[0x01], key.as_bytes()])[..4];
    let mut verified = false;
    for line in sigs.lines() {
        let rest = line.strip_prefix("— ").expect("signature line");
        let (signer, b64) = rest.rsplit_once(' ').unwrap();
        let raw = B64.decode(b64).unwrap();
        if signer == name && &raw[..4] == key_id {
            let sig = Signature::from_slice(&raw[4..]).unwrap();
            key.verify_strict(text.as_bytes(), &sig)
                .expect("checkpoint signature verifies");
            verified = true;
        }
    }
    assert!(verified, "no signature by the operator key");
    let lines: Vec<&str> = text.trim_end_matches('\n').split('\n').collect();
    let root: [u8; 32] = B64.decode(lines[2]).unwrap().try_into().unwrap();
    (lines[0].to_owned(), lines[1].parse().unwrap(), root)
}

/// RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its inclusion path.
pub fn root_from_path(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    path: &[[u8; 32]],
) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let (mut fnode, mut snode, mut r) = (index, size - 1, leaf);
    for p in path {
        if snode == 0 {
            return None;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = h(&[&[0x01], p, &r]);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = h(&[&[0x01], &r, p]);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    (snode == 0).then_some(r)
}

/// Verifies a receipt (`{seq, leaf_hash, inclusion, checkpoint}`) offline with only the
/// operator's verifier key; returns the leaf bytes.
pub fn verify_receipt(receipt: &Value, vkey: &str) -> String {
    let inc = &receipt["inclusion"];
    let seq = receipt["seq"].as_u64().unwrap();
    let leaf = inc["leaf"].as_str().unwrap();
    let leaf_hash = h(&[&[0x00], leaf.as_bytes()]);
    assert_eq!(
        leaf_hash,
        hex32(&receipt["leaf_hash"]),
        "leaf hash of the leaf bytes"
    );
    assert_eq!(leaf_hash, hex32(&inc["leaf_hash"]));
    assert_eq!(inc["seq"].as_u64().unwrap(), seq);
    let entry: Value = serde_json::from_str(leaf).unwrap();
    assert_eq!(entry["seq"].as_u64().unwrap(), seq, "the leaf is entry seq");
    let note = receipt["checkpoint"].as_str().unwrap();
    assert_eq!(inc["checkpoint"].as_str().unwrap(), note);
    let (_, size, root) = verify_checkpoint(note, vkey);
    assert_eq!(inc["size"].as_u64().unwrap(), size);
    let path: Vec<[u8; 32]> = inc["proof"].as_array().unwrap().iter().map(hex32).collect();
    assert_eq!(
        root_from_path(seq, size, leaf_hash, &path),
        Some(root),
        "inclusion path leads to the signed root"
    );
    leaf.to_owned()
}
