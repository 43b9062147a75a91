// A Bitcoin transaction and its consensus serialization, with BIP144's segwit form (marker 0x00,
// flag 0x01, a witness stack per input) and the legacy form; txid, wtxid, weight and vsize.

/// A previous output: the txid of its transaction and its index there.
public struct OutPoint: Hashable, Sendable, CustomStringConvertible {
    public var txid: Hash256
    public var index: UInt32

    public init(txid: Hash256, index: UInt32) {
        self.txid = txid
        self.index = index
    }

    /// The coinbase's input: zero hash, index 0xffffffff.
    public static let null = OutPoint(txid: .zero, index: 0xffff_ffff)
    public var isNull: Bool { self == .null }
    public var description: String { "\(txid.hex):\(index)" }
}

public struct TxIn: Hashable, Sendable {
    public var previousOutput: OutPoint
    public var scriptSig: [UInt8]
    public var sequence: UInt32
    /// The witness stack (empty for inputs without one).
    public var witness: [[UInt8]]

    public init(previousOutput: OutPoint, scriptSig: [UInt8] = [], sequence: UInt32 = 0xffff_ffff, witness: [[UInt8]] = []) {
        self.previousOutput = previousOutput
        self.scriptSig = scriptSig
        self.sequence = sequence
        self.witness = witness
    }
}

public struct TxOut: Hashable, Sendable {
    /// Satoshis (units of 1/COIN).
    public var value: Int64
    public var scriptPubKey: [UInt8]

    public init(value: Int64, scriptPubKey: [UInt8]) {
        self.value = value
        self.scriptPubKey = scriptPubKey
    }
}

public struct Transaction: Hashable, Sendable {
    public var version: Int32
    public var inputs: [TxIn]
    public var outputs: [TxOut]
    public var lockTime: UInt32

    public init(version: Int32 = 2, inputs: [TxIn], outputs: [TxOut], lockTime: UInt32 = 0) {
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.lockTime = lockTime
    }

    /// A coinbase has exactly one input, spending the null outpoint.
    public var isCoinbase: Bool { inputs.count == 1 && inputs[0].previousOutput.isNull }
    public var hasWitness: Bool { inputs.contains { !$0.witness.isEmpty } }

    /// The serialization: segwit form when `includingWitness` and some input has a witness.
    public func serialized(includingWitness: Bool = true) -> [UInt8] {
        var w = ByteWriter()
        write(to: &w, includingWitness: includingWitness)
        return w.bytes
    }

    public func write(to w: inout ByteWriter, includingWitness: Bool = true) {
        let segwit = includingWitness && hasWitness
        w.writeInt32(version)
        if segwit { w.writeUInt8(0); w.writeUInt8(1) }
        w.writeCompactSize(UInt64(inputs.count))
        for input in inputs {
            w.write(input.previousOutput.txid.bytes)
            w.writeUInt32(input.previousOutput.index)
            w.writeVarBytes(input.scriptSig)
            w.writeUInt32(input.sequence)
        }
        w.writeCompactSize(UInt64(outputs.count))
        for output in outputs {
            w.writeInt64(output.value)
            w.writeVarBytes(output.scriptPubKey)
        }
        if segwit {
            for input in inputs {
                w.writeCompactSize(UInt64(input.witness.count))
                for item in input.witness { w.writeVarBytes(item) }
            }
        }
        w.writeUInt32(lockTime)
    }

    /// The txid: double SHA-256 of the serialization without witnesses.
    public var txid: Hash256 { .of(serialized(includingWitness: false)) }
    /// The wtxid: double SHA-256 of the serialization with witnesses (BIP141).
    public var wtxid: Hash256 { .of(serialized(includingWitness: true)) }

    /// BIP141 weight: base size × 3 + total size.
    public var weight: Int { serialized(includingWitness: false).count * 3 + serialized(includingWitness: true).count }
    /// Virtual size: weight / 4, rounded up.
    public var vsize: Int { (weight + 3) / 4 }

    /// Parses exactly one transaction from `bytes`; trailing bytes are an error.
    public init(bytes: [UInt8]) throws(SerializationError) {
        var reader = ByteReader(bytes, what: "transaction")
        try self.init(from: &reader)
        guard reader.isAtEnd else {
            throw .malformed(what: "transaction", detail: "\(reader.remaining) bytes after the end")
        }
    }

    /// Parses one transaction at the reader's offset.
    public init(from r: inout ByteReader) throws(SerializationError) {
        version = try r.readInt32("version")
        // An input count of 0 followed by flag 1 is BIP144's marker: the segwit form.
        var segwit = false
        var inputCount = try r.readCount("input count", minimumItemSize: 41)
        if inputCount == 0, r.peekUInt8() == 1 {
            _ = try r.readUInt8("flag")
            segwit = true
            inputCount = try r.readCount("input count", minimumItemSize: 41)
        } else if inputCount == 0, r.peekUInt8() != nil, r.peekUInt8() != 0 {
            throw .malformed(what: r.what, detail: "unknown segwit flag \(r.peekUInt8()!)")
        }
        var inputs: [TxIn] = []
        inputs.reserveCapacity(inputCount)
        for _ in 0..<inputCount {
            let txid = Hash256(unchecked: try r.read(32, "previous txid"))
            let index = try r.readUInt32("previous index")
            let scriptSig = try r.readVarBytes("scriptSig")
            let sequence = try r.readUInt32("sequence")
            inputs.append(TxIn(previousOutput: OutPoint(txid: txid, index: index), scriptSig: scriptSig, sequence: sequence))
        }
        let outputCount = try r.readCount("output count", minimumItemSize: 9)
        var outputs: [TxOut] = []
        outputs.reserveCapacity(outputCount)
        for _ in 0..<outputCount {
            let value = try r.readInt64("value")
            outputs.append(TxOut(value: value, scriptPubKey: try r.readVarBytes("scriptPubKey")))
        }
        if segwit {
            for i in inputs.indices {
                let items = try r.readCount("witness item count", minimumItemSize: 1)
                var stack: [[UInt8]] = []
                stack.reserveCapacity(items)
                for _ in 0..<items { stack.append(try r.readVarBytes("witness item")) }
                inputs[i].witness = stack
            }
            // BIP144: the segwit form must not be used when no input has a witness.
            guard inputs.contains(where: { !$0.witness.isEmpty }) else {
                throw .malformed(what: r.what, detail: "segwit marker with no witness data")
            }
        }
        lockTime = try r.readUInt32("lockTime")
        self.inputs = inputs
        self.outputs = outputs
    }
}
