// BIP143's signature hash for segwit version 0 inputs, with every hash type BIP143 defines
// (ALL, NONE, SINGLE, each optionally with ANYONECANPAY).

public struct SighashType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let all = SighashType(rawValue: 1)
    public static let none = SighashType(rawValue: 2)
    public static let single = SighashType(rawValue: 3)
    public static let anyoneCanPay: UInt32 = 0x80

    var base: UInt32 { rawValue & 0x1f }
    var isAnyoneCanPay: Bool { rawValue & Self.anyoneCanPay != 0 }
    /// The types Bitcoin's standardness accepts: 1–3, with or without ANYONECANPAY.
    public var isDefined: Bool { (1...3).contains(rawValue & ~Self.anyoneCanPay) }
}

public enum SignatureHash {
    /// The BIP143 digest that input `index` of `tx` signs, spending `amount` under `scriptCode`.
    public static func segwitV0(_ tx: Transaction, inputIndex index: Int, scriptCode: [UInt8], amount: Int64,
                                type: SighashType) -> [UInt8] {
        precondition(tx.inputs.indices.contains(index), "input \(index) is not in the transaction")
        let zero = [UInt8](repeating: 0, count: 32)
        var hashPrevouts = zero
        var hashSequence = zero
        var hashOutputs = zero
        if !type.isAnyoneCanPay {
            var w = ByteWriter()
            for input in tx.inputs { w.write(input.previousOutput.txid.bytes); w.writeUInt32(input.previousOutput.index) }
            hashPrevouts = Hashes.sha256d(w.bytes)
        }
        if !type.isAnyoneCanPay && type.base != SighashType.single.rawValue && type.base != SighashType.none.rawValue {
            var w = ByteWriter()
            for input in tx.inputs { w.writeUInt32(input.sequence) }
            hashSequence = Hashes.sha256d(w.bytes)
        }
        if type.base != SighashType.single.rawValue && type.base != SighashType.none.rawValue {
            var w = ByteWriter()
            for output in tx.outputs { w.writeInt64(output.value); w.writeVarBytes(output.scriptPubKey) }
            hashOutputs = Hashes.sha256d(w.bytes)
        } else if type.base == SighashType.single.rawValue && index < tx.outputs.count {
            var w = ByteWriter()
            w.writeInt64(tx.outputs[index].value)
            w.writeVarBytes(tx.outputs[index].scriptPubKey)
            hashOutputs = Hashes.sha256d(w.bytes)
        }
        let input = tx.inputs[index]
        var w = ByteWriter()
        w.writeInt32(tx.version)
        w.write(hashPrevouts)
        w.write(hashSequence)
        w.write(input.previousOutput.txid.bytes)
        w.writeUInt32(input.previousOutput.index)
        w.writeVarBytes(scriptCode)
        w.writeInt64(amount)
        w.writeUInt32(input.sequence)
        w.write(hashOutputs)
        w.writeUInt32(tx.lockTime)
        w.writeUInt32(type.rawValue)
        return Hashes.sha256d(w.bytes)
    }
}
