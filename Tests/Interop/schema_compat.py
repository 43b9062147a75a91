"""Schema compatibility with Bitcoin Core's IPC files: `capnp compile -o-` of our init, echo,
mining, rpc and common schemas, decoded with pycapnp and capnp's own schema.capnp, must give the
file IDs, node IDs (derived from file ID and names as capnp derives them), method ordinals, field
slots and defaults that Bitcoin Core's files give.

  schema_compat.py   prints "ok <check>" per check; exits 1 on a failure
"""

import hashlib
import os
import struct
import subprocess
import sys

import capnp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCHEMA = os.path.join(ROOT, "schema")
schema_capnp = capnp.load("/usr/include/capnp/schema.capnp", imports=["/usr/include"])

FILES = {"init": 0xf2c5cfa319406aa6, "echo": 0x888b4f7f51e691f7, "mining": 0xc77d03df6a41b505,
         "rpc": 0x9c3505dc45e146ac, "common": 0xcd2c6232cb484a28}
METHODS = {
    "Init": ["construct", "makeEcho", "makeMiningOld2", "makeMining", "makeRpc", "makeChain", "makeNode", "makeWalletLoader"],
    "Echo": ["destroy", "echo"],
    "Rpc": ["executeRpc"],
    "Mining": ["isTestChain", "isInitialBlockDownload", "getTip", "waitTipChanged", "createNewBlock", "checkBlock",
               "interrupt", "submitBlock", "getTransactionsByTxID", "getTransactionsByWitnessID"],
    "BlockTemplate": ["destroy", "getBlockHeader", "getBlock", "getTxFees", "getTxSigops", "getCoinbaseTx",
                      "getCoinbaseMerklePath", "submitSolutionOld7", "waitNext", "interruptWait", "submitSolution"],
}
MAX_DOUBLE = 1.7976931348623157e308
MAX_MONEY = 2100000000000000
# struct: [(field, type, slot offset (in units of the type's size; pointers: pointer index), default)]
STRUCTS = {
    "BlockRef": [("hash", "data", 0, None), ("height", "int32", 0, 0)],
    "BlockCreateOptions": [("useMempool", "bool", 0, True), ("blockReservedWeight", "uint64", 1, 8000),
                           ("coinbaseOutputMaxAdditionalSigops", "uint64", 2, 400)],
    "BlockWaitOptions": [("timeout", "float64", 0, MAX_DOUBLE), ("feeThreshold", "int64", 1, MAX_MONEY)],
    "BlockCheckOptions": [("checkMerkleRoot", "bool", 0, True), ("checkPow", "bool", 1, True)],
    "CoinbaseTx": [("version", "uint32", 0, 0), ("sequence", "uint32", 1, 0), ("scriptSigPrefix", "data", 0, None),
                   ("witness", "data", 1, None), ("blockRewardRemaining", "int64", 1, 0),
                   ("requiredOutputs", "list", 2, None), ("lockTime", "uint32", 4, 0)],
}
CONSTANTS = {"maxMoney": ("int64", MAX_MONEY), "maxDouble": ("float64", MAX_DOUBLE),
             "defaultBlockReservedWeight": ("uint32", 8000), "defaultCoinbaseOutputMaxAdditionalSigops": ("uint32", 400)}
WRAPS = {"Mining": "interfaces::Mining", "BlockTemplate": "interfaces::BlockTemplate", "Rpc": "interfaces::Rpc",
         "BlockRef": "interfaces::BlockRef", "BlockCreateOptions": "node::BlockCreateOptions",
         "BlockWaitOptions": "node::BlockWaitOptions", "BlockCheckOptions": "node::BlockCheckOptions",
         "CoinbaseTx": "node::CoinbaseTx"}
# (interface, method, param) defaults.
PARAM_DEFAULTS = [("Mining", "waitTipChanged", "timeout", MAX_DOUBLE), ("Mining", "createNewBlock", "cooldown", True)]


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED {name} {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def child_id(parent, name):
    """capnp's ID of a node nested in `parent`: the first 8 bytes (big-endian) of MD5(parent ID little-endian ‖ name), top bit set."""
    digest = hashlib.md5(struct.pack("<Q", parent) + name.encode()).digest()
    return struct.unpack(">Q", digest[:8])[0] | (1 << 63)


def params_id(interface, ordinal, results):
    """capnp's ID of a method's implicit param (or result) struct: MD5(interface ID LE ‖ ordinal LE ‖ results)."""
    digest = hashlib.md5(struct.pack("<QHB", interface, ordinal, 1 if results else 0)).digest()
    return struct.unpack(">Q", digest[:8])[0] | (1 << 63)


def default_of(value):
    kind = value.which()
    return None if kind in ("data", "text", "list", "struct", "anyPointer", "void") else getattr(value, kind)


class _Reader:
    """A file-like view of bytes for pycapnp's `read`."""

    def __init__(self, data):
        import tempfile
        self.file = tempfile.TemporaryFile()
        self.file.write(data)
        self.file.seek(0)

    def fileno(self):
        return self.file.fileno()


def main():
    nodes = {}
    for name in FILES:
        out = subprocess.run(["capnp", "compile", "-I/usr/include", f"-I{SCHEMA}", f"--src-prefix={SCHEMA}", "-o-",
                              os.path.join(SCHEMA, f"{name}.capnp")], check=True, capture_output=True).stdout
        request = schema_capnp.CodeGeneratorRequest.read(_Reader(out), traversal_limit_in_words=1 << 26)
        for node in request.nodes:
            nodes[node.id] = node
        check(f"file-id-{name}", any(n.id == FILES[name] and n.which() == "file" for n in request.nodes))

    by_name = {}
    for file_name, file_id in FILES.items():
        for nested in nodes[file_id].nestedNodes:
            node = nodes[nested.id]
            check(f"node-id-{file_name}.{nested.name}", nested.id == child_id(file_id, nested.name), hex(nested.id))
            by_name[nested.name] = node

    for interface, names in METHODS.items():
        methods = by_name[interface].interface.methods
        check(f"ordinals-{interface}", [m.name for m in methods] == names, str([m.name for m in methods]))
        for i, method in enumerate(methods):
            # Implicit param and result structs take IDs from the interface ID and the ordinal.
            if nodes[method.paramStructType].scopeId == 0:
                check(f"params-id-{interface}.{method.name}", method.paramStructType == params_id(by_name[interface].id, i, False))
            if nodes[method.resultStructType].scopeId == 0:
                check(f"results-id-{interface}.{method.name}", method.resultStructType == params_id(by_name[interface].id, i, True))

    for struct_name, fields in STRUCTS.items():
        actual = by_name[struct_name].struct.fields
        check(f"fields-{struct_name}", [f.name for f in actual] == [f[0] for f in fields], str([f.name for f in actual]))
        for field, (name, kind, offset, default) in zip(actual, fields):
            slot = field.slot
            check(f"slot-{struct_name}.{name}", slot.type.which() == kind and slot.offset == offset,
                  f"{slot.type.which()} @{slot.offset}")
            if default is not None:
                check(f"default-{struct_name}.{name}", default_of(slot.defaultValue) == default, str(slot.defaultValue))

    for name, (kind, value) in CONSTANTS.items():
        const = by_name[name].const
        check(f"const-{name}", const.type.which() == kind and getattr(const.value, kind) == value)

    for interface, method_name, param, default in PARAM_DEFAULTS:
        method = next(m for m in by_name[interface].interface.methods if m.name == method_name)
        field = next(f for f in nodes[method.paramStructType].struct.fields if f.name == param)
        check(f"param-default-{method_name}.{param}", default_of(field.slot.defaultValue) == default)

    get_tip = next(m for m in by_name["Mining"].interface.methods if m.name == "getTip")
    results = [(f.name, f.slot.type.which()) for f in nodes[get_tip.resultStructType].struct.fields]
    check("getTip-result-hasResult", results == [("result", "struct"), ("hasResult", "bool")], str(results))

    wrap_id = next(n.id for n in nodes.values() if n.displayName.endswith("proxy.capnp:wrap"))
    for name, wrapped in WRAPS.items():
        values = [a.value.text for a in by_name[name].annotations if a.id == wrap_id]
        check(f"wrap-{name}", values == [wrapped], str(values))


if __name__ == "__main__":
    main()
