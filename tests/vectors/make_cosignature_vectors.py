#!/usr/bin/env python3
"""Writes tests/vectors/cosignature-v1.json: C2SP tlog-cosignature (Ed25519, cosignature/v1)
known answers, computed here from the spec text with Python's hashlib and the `cryptography`
package's Ed25519 -- an implementation independent of the Rust crate under test.

Run: python3 tests/vectors/make_cosignature_vectors.py > tests/vectors/cosignature-v1.json
"""
import base64, hashlib, json
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

def pub_bytes(sk):
    return sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

def key_id(name, alg, pub):
    # signed-note / tlog-cosignature: SHA-256(name || "\n" || type byte || key)[:4]
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + pub).digest()[:4]

def vkey(name, alg, pub):
    return f"{name}+{key_id(name, alg, pub).hex()}+{base64.b64encode(bytes([alg]) + pub).decode()}"

cases = []
for seed_byte, name, origin, size, root_seed, ts, ext in [
    (0x07, "witness.example/w1", "example.com/behind-the-sofa", 20852163, None, 1679315147, ""),
    (0x2a, "auditors.example/cosigner", "ledger.example/sunshine", 1, b"leaf", 1, ""),
    (0xc3, "oid/1.3.6.1.4.1.99999.1", "ledger.example/sunshine", 445000, b"big", 2**63 - 1, "ext line one\n"),
]:
    sk = Ed25519PrivateKey.from_private_bytes(bytes([seed_byte]) * 32)
    pub = pub_bytes(sk)
    root = (base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=") if root_seed is None
            else hashlib.sha256(root_seed).digest())
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n{ext}"
    # tlog-cosignature "Ed25519 signed message": header line, time line, checkpoint body.
    msg = f"cosignature/v1\ntime {ts}\n{text}".encode()
    sig = sk.sign(msg)
    blob = key_id(name, 0x04, pub) + ts.to_bytes(8, "big") + sig
    cases.append({
        "seed_hex": (bytes([seed_byte]) * 32).hex(),
        "name": name,
        "vkey": vkey(name, 0x04, pub),
        "key_id_hex": key_id(name, 0x04, pub).hex(),
        "checkpoint_text": text,
        "timestamp": ts,
        "message": msg.decode(),
        "signature_line": f"\u2014 {name} {base64.b64encode(blob).decode()}\n",
    })
print(json.dumps({"source": "C2SP tlog-cosignature, Ed25519 cosignature/v1; made by make_cosignature_vectors.py with Python cryptography", "cases": cases}, indent=2, ensure_ascii=False))
