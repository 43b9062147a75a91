// An unspent output as the UTXO set keeps it: the output, the height of its block, and whether a
// coinbase made it (for the maturity rule); and its encoding in a block's undo data.

import Consensus

public struct Coin: Hashable, Sendable {
    public var output: TxOut
    public var height: Int
    public var isCoinbase: Bool

    public init(output: TxOut, height: Int, isCoinbase: Bool) {
        self.output = output
        self.height = height
        self.isCoinbase = isCoinbase
    }

    func write(to w: inout ByteWriter) {
        w.writeInt64(output.value)
        w.writeVarBytes(output.scriptPubKey)
        w.writeUInt32(UInt32(height))
        w.writeUInt8(isCoinbase ? 1 : 0)
    }

    init(from r: inout ByteReader) throws(SerializationError) {
        let value = try r.readInt64("value")
        let script = try r.readVarBytes("script")
        height = Int(try r.readUInt32("height"))
        isCoinbase = try r.readUInt8("coinbase flag") != 0
        output = TxOut(value: value, scriptPubKey: script)
    }
}

/// A block's undo data: every coin its transactions spent, with its outpoint, in spending order.
struct BlockUndo {
    var spent: [(OutPoint, Coin)] = []

    var serialized: [UInt8] {
        var w = ByteWriter()
        w.writeCompactSize(UInt64(spent.count))
        for (outpoint, coin) in spent {
            w.write(outpoint.txid.bytes)
            w.writeUInt32(outpoint.index)
            coin.write(to: &w)
        }
        return w.bytes
    }

    init() {}

    init(bytes: [UInt8]) throws(SerializationError) {
        var r = ByteReader(bytes, what: "undo data")
        let count = try r.readCount("coin count", minimumItemSize: 50)
        for _ in 0..<count {
            guard let txid = Hash256(try r.read(32, "txid")) else { throw .truncated(what: "undo data", detail: "txid") }
            let index = try r.readUInt32("index")
            spent.append((OutPoint(txid: txid, index: index), try Coin(from: &r)))
        }
    }
}
