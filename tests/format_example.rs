//! The worked example in docs/FORMAT.md is produced by this test from fixed keys and times, and
//! the test fails if the document and the code ever disagree.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use sunshine_ledger::ledger::hash::leaf_hash;
use sunshine_ledger::ledger::merkle::{MemoryNodes, inclusion_proof, tree_hash};
use sunshine_ledger::ledger::note::{Checkpoint, vkey_string};
use sunshine_ledger::ledger::{Entry, Hash, SecretKey, Submission, Uscc};

const ORIGIN: &str = "ledger.example.org/sunshine";

fn example() -> (Vec<Vec<u8>>, String, String) {
    let operator = SecretKey::from_seed([0x11; 32]);
    let regulator = SecretKey::from_seed([0x22; 32]);
    let foundation = SecretKey::from_seed([0x33; 32]);
    let reg_id = Uscc::with_check("11440000MB0000001").unwrap();
    let org_id = Uscc::with_check("53440000MJ0000001").unwrap();
    let genesis = Submission::from_value(json!({
        "v": 1, "kind": "genesis", "author": "operator", "key": operator.public(),
        "time": "2026-11-23T08:30:00Z", "nonce": "genesis-0001",
        "body": {"origin": ORIGIN, "operator_key": operator.public(),
                 "regulators": [{"id": reg_id, "name": "广东省民政厅", "key": regulator.public()}]}}))
    .unwrap()
    .sign(&operator);
    let register = Submission::from_value(json!({
        "v": 1, "kind": "org.register", "author": format!("regulator:{reg_id}"), "key": regulator.public(),
        "time": "2026-11-23T08:31:00Z", "nonce": "reg-20261123-0001",
        "body": {"org": org_id, "name": "阳光助学基金会", "org_type": "foundation", "region": "440000",
                 "public_fundraising": true, "registered_on": "2020-01-01", "keys": [foundation.public()]}}))
    .unwrap()
    .sign(&regulator);
    let e0 = Entry {
        seq: 0,
        prev: Hash::ZERO,
        recorded_at: "2026-11-23T08:30:01Z".parse().unwrap(),
        submission: genesis,
    };
    let l0 = e0.leaf_bytes().unwrap();
    let e1 = Entry {
        seq: 1,
        prev: leaf_hash(&l0),
        recorded_at: "2026-11-23T08:31:02Z".parse().unwrap(),
        submission: register,
    };
    let l1 = e1.leaf_bytes().unwrap();
    let nodes = MemoryNodes::from_leaf_hashes([leaf_hash(&l0), leaf_hash(&l1)]);
    let root = tree_hash(2, &nodes).unwrap();
    let cp = Checkpoint {
        origin: ORIGIN.into(),
        size: 2,
        root,
    }
    .sign(operator.signing_key())
    .unwrap();
    let vkey = vkey_string(ORIGIN, operator.public().verifying_key());
    (vec![l0, l1], cp, vkey)
}

#[test]
fn format_doc_worked_example_matches_the_code() {
    let (leaves, checkpoint, vkey) = example();
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMAT.md")).unwrap();
    let l1 = String::from_utf8(leaves[1].clone()).unwrap();
    let h0 = leaf_hash(&leaves[0]);
    let h1 = leaf_hash(&leaves[1]);
    let nodes = MemoryNodes::from_leaf_hashes([h0, h1]);
    let proof = inclusion_proof(1, 2, &nodes).unwrap();
    let facts = [
        ("leaf bytes of entry 1", l1.clone()),
        ("leaf hash of entry 0", h0.to_hex()),
        ("leaf hash of entry 1", h1.to_hex()),
        ("inclusion proof of entry 1", proof[0].to_hex()),
        ("checkpoint", checkpoint.clone()),
        ("verifier key", vkey.clone()),
    ];
    let mut missing = Vec::new();
    for (what, text) in &facts {
        if !doc.contains(text.as_str()) {
            missing.push(format!("{what}:\n{text}\n"));
        }
    }
    assert!(
        missing.is_empty(),
        "docs/FORMAT.md is out of date; expected:\n{}",
        missing.join("\n")
    );
}
