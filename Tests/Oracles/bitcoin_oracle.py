"""Outside oracle for the Consensus and NodeKit tests: embit (from PyPI) parses the transactions and
blocks we produce, recomputes txid, wtxid, block hash and merkle roots with hashlib, and verifies our
P2WPKH signatures with embit's BIP143 sighash and its pure-Python secp256k1 (not the libsecp256k1
our code uses).

Input (stdin, JSON): {"transactions": [{"hex": ..., "spent": [{"value": int, "script": hex}, ...]}],
                      "blocks": [hex, ...]}
Output (stdout, JSON): the same lists, each item with what the oracle computed.
"""
import hashlib
import io
import json
import sys

from embit.transaction import Transaction, SIGHASH
from embit.script import Script
from embit.util import py_secp256k1 as secp


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def display(h):
    return h[::-1].hex()


def merkle_root(hashes):
    if not hashes:
        return b"\x00" * 32
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def verify_p2wpkh(tx, index, spent_value, spent_script):
    """True when input `index` is a valid P2WPKH spend, checked independently of the Swift code."""
    script = bytes.fromhex(spent_script)
    if len(script) != 22 or script[:2] != b"\x00\x14":
        return False
    witness = tx.vin[index].witness.items
    if len(witness) != 2:
        return False
    sig, pub = witness
    if hashlib.new("ripemd160", hashlib.sha256(pub).digest()).digest() != script[2:]:
        return False
    script_code = Script(b"\x76\xa9\x14" + script[2:] + b"\x88\xac")
    digest = tx.sighash_segwit(index, script_code, spent_value, sighash=sig[-1])
    parsed_sig = secp.ecdsa_signature_parse_der(sig[:-1])
    # Bitcoin's standardness: S must already be low.
    if secp.ecdsa_signature_normalize(parsed_sig) != parsed_sig:
        return False
    return bool(secp.ecdsa_verify(parsed_sig, digest, secp.ec_pubkey_parse(pub)))


def describe_tx(raw):
    tx = Transaction.read_from(io.BytesIO(raw))
    # embit serializes segwit when any witness is present; build the stripped form ourselves.
    buf = io.BytesIO()
    Transaction(version=tx.version, vin=[type(i)(i.txid, i.vout, i.script_sig, i.sequence) for i in tx.vin],
                vout=tx.vout, locktime=tx.locktime).write_to(buf)
    stripped = buf.getvalue()
    full = tx.serialize()
    return tx, {
        "reserialized": full.hex(),
        "txid": display(sha256d(stripped)),
        "embit_txid": tx.txid().hex(),
        "wtxid": display(sha256d(full)),
        "weight": len(stripped) * 3 + len(full),
        "outputs": [{"value": o.value, "script": o.script_pubkey.data.hex()} for o in tx.vout],
    }


def describe_block(raw):
    stream = io.BytesIO(raw)
    header = stream.read(80)
    count = int.from_bytes(stream.read(1), "little")
    assert count < 0xfd, "the oracle reads blocks of fewer than 253 transactions"
    txs = [Transaction.read_from(stream) for _ in range(count)]
    assert stream.read() == b"", "bytes after the last transaction"
    described = [describe_tx(tx.serialize())[1] for tx in txs]
    txids = [bytes.fromhex(d["txid"])[::-1] for d in described]
    wtxids = [b"\x00" * 32] + [bytes.fromhex(d["wtxid"])[::-1] for d in described[1:]]
    witness_root = merkle_root(wtxids)
    coinbase = txs[0]
    reserved = coinbase.vin[0].witness.items[0] if coinbase.vin[0].witness.items else b"\x00" * 32
    expected = b"\x6a\x24\xaa\x21\xa9\xed" + sha256d(witness_root + reserved)
    commitment_ok = any(o.script_pubkey.data[:38] == expected for o in coinbase.vout)
    return {
        "hash": display(sha256d(header)),
        "prev": display(header[4:36]),
        "header_merkle_root": display(header[36:68]),
        "merkle_root": display(merkle_root(txids)),
        "txids": [d["txid"] for d in described],
        "witness_commitment_ok": commitment_ok,
        "coinbase_script_sig": coinbase.vin[0].script_sig.data.hex(),
    }


def main():
    request = json.load(sys.stdin)
    out = {"transactions": [], "blocks": []}
    for item in request.get("transactions", []):
        tx, described = describe_tx(bytes.fromhex(item["hex"]))
        spent = item.get("spent", [])
        described["signatures_valid"] = [verify_p2wpkh(tx, i, s["value"], s["script"]) for i, s in enumerate(spent)]
        out["transactions"].append(described)
    for raw in request.get("blocks", []):
        out["blocks"].append(describe_block(bytes.fromhex(raw)))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
