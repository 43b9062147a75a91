// Bitcoin's compact target (`bits`) and the nonce search that meets it.

public enum ProofOfWork {
    /// The 32-byte big-endian target `bits` encodes (mantissa × 256^(exponent−3)), or nil when it is
    /// negative, zero or overflows 256 bits.
    public static func target(bits: UInt32) -> [UInt8]? {
        let exponent = Int(bits >> 24)
        let mantissa = bits & 0x007f_ffff
        guard bits & 0x0080_0000 == 0, mantissa != 0 else { return nil }
        var target = [UInt8](repeating: 0, count: 32)
        let mantissaBytes = [UInt8(mantissa >> 16 & 0xff), UInt8(mantissa >> 8 & 0xff), UInt8(mantissa & 0xff)]
        // Byte i of the mantissa (big-endian) has weight 256^(exponent-1-i).
        for (i, byte) in mantissaBytes.enumerated() where byte != 0 {
            let power = exponent - 1 - i
            if power < 0 { continue }  // shifted out below the lowest byte
            guard power < 32 else { return nil }
            target[31 - power] = byte
        }
        return target
    }

    /// Whether `hash` (internal order = little-endian number) ≤ `target` (big-endian bytes).
    public static func isAtMost(hash: Hash256, target: [UInt8]) -> Bool {
        let bigEndian = Array(hash.bytes.reversed())
        return !target.lexicographicallyPrecedes(bigEndian)
    }

    /// Searches nonces from `header.nonce` upward until the header meets its target and `accept`
    /// agrees (the miner uses it to skip a hash it already has); nil when every nonce fails.
    public static func solve(_ header: BlockHeader, accept: (Hash256) -> Bool = { _ in true }) -> BlockHeader? {
        guard let target = target(bits: header.bits) else { return nil }
        var candidate = header
        while true {
            let hash = candidate.hash
            if isAtMost(hash: hash, target: target), accept(hash) { return candidate }
            if candidate.nonce == .max { return nil }
            candidate.nonce += 1
        }
    }
}
