// The script subset this chain accepts: P2WPKH outputs (`0014{20}`) and OP_RETURN data outputs;
// everything else is non-standard. Also the pieces other scripts here need: P2WPKH's scriptCode
// and BIP34's height push.

public enum ScriptKind: Equatable, Sendable {
    /// OP_0 followed by a 20-byte key hash.
    case p2wpkh(keyHash: [UInt8])
    /// OP_RETURN followed only by data pushes, at most `Script.maxDataCarrierSize` bytes in all.
    case nullData
    case nonStandard
}

public enum Script {
    /// Bitcoin Core's default limit on an OP_RETURN output script (`-datacarriersize`).
    public static let maxDataCarrierSize = 83

    public static func classify(_ script: [UInt8]) -> ScriptKind {
        if script.count == 22, script[0] == 0x00, script[1] == 0x14 { return .p2wpkh(keyHash: Array(script[2...])) }
        if script.first == 0x6a, script.count <= maxDataCarrierSize, isPushOnly(script.dropFirst()) { return .nullData }
        return .nonStandard
    }

    /// The P2WPKH output script paying to `keyHash` (HASH160 of a compressed public key).
    public static func p2wpkh(keyHash: [UInt8]) -> [UInt8] {
        precondition(keyHash.count == 20, "a P2WPKH key hash is 20 bytes")
        return [0x00, 0x14] + keyHash
    }

    /// An OP_RETURN output script carrying `data` in one push.
    public static func nullData(_ data: [UInt8]) -> [UInt8] { [0x6a] + push(data) }

    /// BIP143's scriptCode for a P2WPKH input: the P2PKH script of the key hash.
    public static func p2wpkhScriptCode(keyHash: [UInt8]) -> [UInt8] { [0x76, 0xa9, 0x14] + keyHash + [0x88, 0xac] }

    /// The minimal push of `data` (direct up to 75 bytes, then OP_PUSHDATA1/2).
    public static func push(_ data: [UInt8]) -> [UInt8] {
        switch data.count {
        case 0..<0x4c: return [UInt8(data.count)] + data
        case 0..<0x100: return [0x4c, UInt8(data.count)] + data
        default: return [0x4d, UInt8(data.count & 0xff), UInt8(data.count >> 8)] + data
        }
    }

    /// BIP34: the height as a minimal little-endian signed number pushed at the start of the
    /// coinbase scriptSig (heights 1–16 as the small-number push Bitcoin's serializer makes).
    public static func heightPush(_ height: Int) -> [UInt8] {
        if height == 0 { return [0x00] }
        if height <= 16 { return [0x50 + UInt8(height)] }
        var number: [UInt8] = []
        var v = height
        while v > 0 { number.append(UInt8(v & 0xff)); v >>= 8 }
        if number.last! & 0x80 != 0 { number.append(0) }
        return push(number)
    }

    /// Whether `script` is a sequence of data pushes (opcodes up to OP_16, not OP_RESERVED).
    static func isPushOnly(_ script: ArraySlice<UInt8>) -> Bool {
        var i = script.startIndex
        while i < script.endIndex {
            let op = script[i]
            i += 1
            var length = 0
            switch op {
            case 0x01...0x4b: length = Int(op)
            case 0x4c:
                guard i < script.endIndex else { return false }
                length = Int(script[i]); i += 1
            case 0x4d:
                guard i + 1 < script.endIndex else { return false }
                length = Int(script[i]) | Int(script[i + 1]) << 8; i += 2
            case 0x4e:
                guard i + 3 < script.endIndex else { return false }
                length = Int(script[i]) | Int(script[i + 1]) << 8 | Int(script[i + 2]) << 16 | Int(script[i + 3]) << 24; i += 4
            case 0x00, 0x4f, 0x51...0x60: length = 0
            default: return false
            }
            guard length <= script.endIndex - i else { return false }
            i += length
        }
        return true
    }
}
