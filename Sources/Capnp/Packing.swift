// The packing compression of the encoding spec: zero bytes elided per word, runs of words summarised.

/// Packs and unpacks bytes as the C++ implementation does, byte for byte.
public enum Packing {
    /// Packs `bytes`, whose length must be a multiple of 8.
    public static func pack(_ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count % 8 == 0, "packing works on whole words")
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2 + 16)
        let words = bytes.count / 8
        var index = 0
        bytes.withUnsafeBufferPointer { input in
            while index < words {
                let base = index * 8
                var tag: UInt8 = 0
                for byte in 0..<8 where input[base + byte] != 0 { tag |= 1 << UInt8(byte) }
                out.append(tag)
                for byte in 0..<8 where input[base + byte] != 0 { out.append(input[base + byte]) }
                index += 1
                if tag == 0 {
                    // A run of further zero words, up to 255.
                    var run = 0
                    while run < 255 && index < words && (0..<8).allSatisfy({ input[index * 8 + $0] == 0 }) {
                        run += 1
                        index += 1
                    }
                    out.append(UInt8(run))
                } else if tag == 0xFF {
                    // Words with at most one zero byte follow uncompressed: packing them would not pay.
                    let runStart = index
                    while index < words && index - runStart < 255
                        && (0..<8).reduce(0, { $0 + (input[index * 8 + $1] == 0 ? 1 : 0) }) < 2 {
                        index += 1
                    }
                    out.append(UInt8(index - runStart))
                    out.append(contentsOf: input[(runStart * 8)..<(index * 8)])
                }
            }
        }
        return out
    }

    /// Unpacks `bytes`, refusing to produce more than `maximumBytes` (packed input can expand ~1000×).
    public static func unpack(_ bytes: [UInt8], maximumBytes: Int = 64 * 1024 * 1024 + 4096) throws(CapnpError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count * 2, maximumBytes))
        var index = 0
        func need(_ count: Int) throws(CapnpError) {
            guard index + count <= bytes.count else {
                throw CapnpError(.malformedPacking, "packed input ends in the middle of a word")
            }
        }
        func grow(_ count: Int) throws(CapnpError) {
            guard out.count + count <= maximumBytes else {
                throw CapnpError(.messageTooLarge, "packed input expands beyond \(maximumBytes) bytes")
            }
        }
        while index < bytes.count {
            let tag = bytes[index]
            index += 1
            try need(tag.nonzeroBitCount)
            try grow(8)
            for bit in 0..<8 {
                if tag & (1 << UInt8(bit)) != 0 {
                    out.append(bytes[index])
                    index += 1
                } else {
                    out.append(0)
                }
            }
            if tag == 0 {
                try need(1)
                let run = Int(bytes[index]) * 8
                index += 1
                try grow(run)
                out.append(contentsOf: repeatElement(0, count: run))
            } else if tag == 0xFF {
                try need(1)
                let run = Int(bytes[index]) * 8
                index += 1
                try need(run)
                try grow(run)
                out.append(contentsOf: bytes[index..<(index + run)])
                index += run
            }
        }
        return out
    }
}
