"""A pycapnp client of noded's Mining, following Bitcoin Core's mining IPC functional test flow,
loading only our schema files (init, mining, common, mp/proxy). Blocks and transactions "from
elsewhere" come from node-cli, a separate process; embit (PyPI) parses blocks and signs the spend.

  pycapnp_mining_client.py SOCKET NODE_CLI DATADIR   prints "ok <check>" per check; exits 1 on a failure
"""

import asyncio
import hashlib
import json
import os
import socket
import struct
import sys

import capnp
from embit import ec
from embit.networks import NETWORKS
from embit.script import p2pkh, p2wpkh, Witness
from embit.transaction import Transaction, TransactionInput, TransactionOutput, SIGHASH

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")
proxy = capnp.load(os.path.join(SCHEMA, "mp", "proxy.capnp"), imports=[SCHEMA, "/usr/include"])
init_schema = capnp.load(os.path.join(SCHEMA, "init.capnp"), imports=[SCHEMA, "/usr/include"])
mining_schema = capnp.load(os.path.join(SCHEMA, "mining.capnp"), imports=[SCHEMA, "/usr/include"])

STEP = 30  # seconds any one step may take before the test fails instead of hanging
KEY = ec.PrivateKey(bytes([7] * 32))
SCRIPT = p2wpkh(KEY.get_public_key())
ADDRESS = SCRIPT.address(NETWORKS["regtest"])


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED {name} {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def compact_size(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


async def awaited(promise):
    return await promise


async def step(awaitable):
    return await asyncio.wait_for(awaitable, STEP)


async def cli(node_cli, datadir, *args):
    proc = await asyncio.create_subprocess_exec(node_cli, f"-datadir={datadir}", *args,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await step(proc.communicate())
    if proc.returncode != 0:
        print(f"FAILED node-cli {args}: {err.decode()}", flush=True)
        sys.exit(1)
    return out.decode().strip()


async def rpc(node_cli, datadir, method, *params):
    reply = json.loads(await cli(node_cli, datadir, "-rpc", json.dumps({"method": method, "params": list(params), "id": 1})))
    if reply["error"] is not None:
        print(f"FAILED rpc {method}: {reply['error']}", flush=True)
        sys.exit(1)
    return reply["result"]


class ParsedBlock:
    """A block parsed with embit's transaction parser (the PyPI oracle) behind an 80-byte header."""

    def __init__(self, raw):
        import io
        self.prev_hash = raw[4:36]
        self.merkle_root = raw[36:68]
        stream = io.BytesIO(raw[80:])
        first = stream.read(1)[0]
        count = first if first < 0xfd else int.from_bytes(stream.read({0xfd: 2, 0xfe: 4, 0xff: 8}[first]), "little")
        self.txns = [Transaction.read_from(stream) for _ in range(count)]
        if stream.read(1):
            raise ValueError("bytes after the last transaction")


def build_coinbase(cb, payout_script):
    """The client's coinbase from getCoinbaseTx: prefix + extra nonce, the reward, the required outputs."""
    script_sig = bytes(cb.scriptSigPrefix) + b"\x04" + b"pool"
    outputs = [struct.pack("<q", cb.blockRewardRemaining) + compact_size(len(payout_script)) + payout_script]
    outputs += [bytes(o) for o in cb.requiredOutputs]
    tx = struct.pack("<I", cb.version)
    witness = bytes(cb.witness)
    if witness:
        tx += b"\x00\x01"
    tx += b"\x01" + b"\x00" * 32 + b"\xff\xff\xff\xff" + compact_size(len(script_sig)) + script_sig + struct.pack("<I", cb.sequence)
    tx += compact_size(len(outputs)) + b"".join(outputs)
    if witness:
        tx += b"\x01" + compact_size(len(witness)) + witness
    tx += struct.pack("<I", cb.lockTime)
    stripped = struct.pack("<I", cb.version) + tx[6 if witness else 4:]
    if witness:  # drop the witness section from the txid serialization
        stripped = stripped[: -(4 + 1 + len(compact_size(len(witness))) + len(witness))] + struct.pack("<I", cb.lockTime)
    return tx, sha256d(stripped)


def grind(header76, bits):
    exponent, mantissa = bits >> 24, bits & 0xffffff
    target = mantissa << (8 * (exponent - 3))
    for nonce in range(1 << 32):
        if int.from_bytes(sha256d(header76 + struct.pack("<I", nonce)), "little") <= target:
            return nonce
    raise RuntimeError("no nonce")


async def main(sock_path, node_cli, datadir):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sock_path)
    stream = await capnp.AsyncIoStream.create_connection(sock=sock)
    client = capnp.TwoPartyClient(stream)
    init = client.bootstrap().cast_as(init_schema.Init)

    thread = (await step(init.construct().threadMap.makeThread("pymining"))).result
    ctx = proxy.Context.new_message()
    ctx.thread = thread
    mining = init.makeMining(ctx).result

    check("isTestChain", (await step(mining.isTestChain(ctx))).result is True)
    check("isInitialBlockDownload", (await step(mining.isInitialBlockDownload(ctx))).result is False)
    tip = await step(mining.getTip(ctx))
    check("getTip", tip.hasResult and len(tip.result.hash) == 32, f"{tip}")
    start_height = tip.result.height

    # Old ordinal @2 keeps failing, naming @3.
    try:
        await step(init.makeMiningOld2())
        check("makeMiningOld2-fails", False)
    except capnp.KjException as error:
        check("makeMiningOld2-fails", "@3" in str(error), str(error))

    # waitTipChanged returns the new tip when a block is mined elsewhere...
    waiting = asyncio.ensure_future(awaited(mining.waitTipChanged(ctx, tip.result.hash, 20.0)))
    await asyncio.sleep(0.3)
    await cli(node_cli, datadir, "generatetoaddress", "101", ADDRESS)
    changed = (await step(waiting)).result
    check("waitTipChanged-new-tip", changed.hash != tip.result.hash and changed.height > start_height, f"{changed}")
    # ...and the same tip after a 1 s timeout.
    tip = (await step(mining.getTip(ctx))).result
    same = (await step(mining.waitTipChanged(ctx, tip.hash, 1.0))).result
    check("waitTipChanged-timeout", same.hash == tip.hash and same.height == tip.height)

    options = mining_schema.BlockCreateOptions.new_message(useMempool=True, blockReservedWeight=4000, coinbaseOutputMaxAdditionalSigops=0)
    templates = []
    template = (await step(mining.createNewBlock(ctx, options, False))).result
    templates.append(template)
    header = bytes((await step(template.getBlockHeader(ctx))).result)
    check("getBlockHeader-80-bytes", len(header) == 80, str(len(header)))
    block = ParsedBlock(bytes((await step(template.getBlock(ctx))).result))
    check("getBlock-parses-prev-is-tip", block.prev_hash == tip.hash, block.prev_hash.hex())

    # waitNext after a block mined elsewhere: a template on the new tip.
    wait_opts = mining_schema.BlockWaitOptions.new_message(timeout=20.0)
    waiting = asyncio.ensure_future(awaited(template.waitNext(ctx, wait_opts)))
    await asyncio.sleep(0.3)
    await cli(node_cli, datadir, "generatetoaddress", "1", ADDRESS)
    template = (await step(waiting)).result
    templates.append(template)
    tip = (await step(mining.getTip(ctx))).result
    block = ParsedBlock(bytes((await step(template.getBlock(ctx))).result))
    check("waitNext-new-tip", block.prev_hash == tip.hash)

    # waitNext after a transaction enters the mempool (any fee increase: feeThreshold 1).
    cb_tx = Transaction.parse(bytes.fromhex(await rpc(node_cli, datadir, "getrawtransaction",
        (await rpc(node_cli, datadir, "getblock", await rpc(node_cli, datadir, "getblockhash", 1)))["tx"][0])))
    spend = Transaction(vin=[TransactionInput(cb_tx.txid(), 0)],
                        vout=[TransactionOutput(cb_tx.vout[0].value - 10000, SCRIPT)])
    sighash = spend.sighash_segwit(0, p2pkh(KEY.get_public_key()), cb_tx.vout[0].value)
    spend.vin[0].witness = Witness([KEY.sign(sighash).serialize() + bytes([SIGHASH.ALL]), KEY.get_public_key().sec()])
    wait_opts = mining_schema.BlockWaitOptions.new_message(timeout=20.0, feeThreshold=1)
    waiting = asyncio.ensure_future(awaited(template.waitNext(ctx, wait_opts)))
    await asyncio.sleep(0.3)
    await rpc(node_cli, datadir, "sendrawtransaction", spend.serialize().hex())
    template = (await step(waiting)).result
    templates.append(template)
    fees = list((await step(template.getTxFees(ctx))).result)
    check("waitNext-fee-increase", fees == [10000], str(fees))

    # A timed-out waitNext gives an empty result.
    wait_opts = mining_schema.BlockWaitOptions.new_message(timeout=1.0)
    empty = await step(template.waitNext(ctx, wait_opts))
    try:
        await step(empty.result.getBlockHeader(ctx))
        check("waitNext-timeout-empty", False, "a template came back")
    except capnp.KjException:
        check("waitNext-timeout-empty", True)

    # interruptWait ends a 60 s waitNext at once (well before the step limit).
    wait_opts = mining_schema.BlockWaitOptions.new_message(timeout=60.0)
    waiting = asyncio.ensure_future(awaited(template.waitNext(ctx, wait_opts)))
    await asyncio.sleep(0.3)
    await step(template.interruptWait())
    await step(waiting)
    check("interruptWait", True)

    # checkBlock of a block with version 0.
    raw = bytearray(bytes((await step(template.getBlock(ctx))).result))
    raw[0:4] = b"\x00\x00\x00\x00"
    check_opts = mining_schema.BlockCheckOptions.new_message(checkMerkleRoot=False, checkPow=False)
    checked = await step(mining.checkBlock(ctx, bytes(raw), check_opts))
    check("checkBlock-bad-version", checked.result is False and checked.reason == "bad-version(0x00000000)", f"{checked.reason}")

    # The client's own coinbase, the merkle path to the root, a ground nonce: submitSolution.
    cb = (await step(template.getCoinbaseTx(ctx))).result
    check("coinbase-witness-commitment", any(bytes(o)[9:15] == bytes.fromhex("6a24aa21a9ed") for o in cb.requiredOutputs))
    coinbase, coinbase_txid = build_coinbase(cb, bytes(SCRIPT.data))
    root = coinbase_txid
    for sibling in (await step(template.getCoinbaseMerklePath(ctx))).result:
        root = sha256d(root + bytes(sibling))
    header = bytes((await step(template.getBlockHeader(ctx))).result)
    version, timestamp, bits = 0x20000000, struct.unpack("<I", header[68:72])[0], struct.unpack("<I", header[72:76])[0]
    nonce = grind(struct.pack("<I", version) + header[4:36] + root + struct.pack("<II", timestamp, bits), bits)
    height_before = (await step(mining.getTip(ctx))).result.height
    submitted = await step(template.submitSolution(ctx, version, timestamp, nonce, coinbase))
    check("submitSolution", submitted.result is True, f"{submitted.reason} {submitted.debug}")
    tip = (await step(mining.getTip(ctx))).result
    check("height-rises", tip.height == height_before + 1, f"{tip.height}")
    block = ParsedBlock(bytes.fromhex(await rpc(node_cli, datadir, "getblock", tip.hash[::-1].hex(), 0)))
    check("block-has-the-spend", len(block.txns) == 2 and block.txns[1].txid() == spend.txid())
    again = await step(template.submitSolution(ctx, version, timestamp, nonce, coinbase))
    check("same-block-refused", again.result is False and again.reason == "duplicate", again.reason)

    for t in templates:
        await step(t.destroy(ctx))
    try:
        await step(templates[0].getBlock(ctx))
        check("destroy", False, "a destroyed template answered")
    except capnp.KjException:
        check("destroy", True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(capnp.run(main(*sys.argv[1:])))
