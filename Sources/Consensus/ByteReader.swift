// Reads Bitcoin's serialization with every length checked against the bytes left, so hostile input
// gives a SerializationError, never a crash or an allocation larger than the input.

public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int = 0
    /// Names the structure in errors ("transaction", "block").
    public let what: String

    public init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func read(_ count: Int, _ field: String) throws(SerializationError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw .truncated(what: what, detail: "\(field) needs \(count) bytes at offset \(offset), \(remaining) left")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func peekUInt8() -> UInt8? { remaining > 0 ? bytes[offset] : nil }

    public mutating func readUInt8(_ field: String) throws(SerializationError) -> UInt8 { try readLE(1, field).low8 }
    public mutating func readUInt16(_ field: String) throws(SerializationError) -> UInt16 { UInt16(try readLE(2, field)) }
    public mutating func readUInt32(_ field: String) throws(SerializationError) -> UInt32 { UInt32(try readLE(4, field)) }
    public mutating func readUInt64(_ field: String) throws(SerializationError) -> UInt64 { try readLE(8, field) }
    public mutating func readInt32(_ field: String) throws(SerializationError) -> Int32 { Int32(bitPattern: try readUInt32(field)) }
    public mutating func readInt64(_ field: String) throws(SerializationError) -> Int64 { Int64(bitPattern: try readUInt64(field)) }

    /// A CompactSize, rejecting non-minimal encodings as Bitcoin does.
    public mutating func readCompactSize(_ field: String) throws(SerializationError) -> UInt64 {
        let first = try readUInt8(field)
        let value: UInt64
        let minimum: UInt64
        switch first {
        case 0xfd: value = UInt64(try readUInt16(field)); minimum = 0xfd
        case 0xfe: value = UInt64(try readUInt32(field)); minimum = 0x1_0000
        case 0xff: value = try readUInt64(field); minimum = 0x1_0000_0000
        default: return UInt64(first)
        }
        guard value >= minimum else { throw .malformed(what: what, detail: "non-canonical CompactSize for \(field)") }
        return value
    }

    /// A count of items each at least `minimumItemSize` bytes long, checked against the bytes left
    /// before anything is allocated for them.
    public mutating func readCount(_ field: String, minimumItemSize: Int) throws(SerializationError) -> Int {
        let count = try readCompactSize(field)
        guard count <= UInt64(remaining / max(minimumItemSize, 1)) else {
            throw .truncated(what: what, detail: "\(field) claims \(count) items, only \(remaining) bytes left")
        }
        return Int(count)
    }

    /// A CompactSize length, then that many bytes.
    public mutating func readVarBytes(_ field: String) throws(SerializationError) -> [UInt8] {
        let count = try readCompactSize(field)
        guard count <= UInt64(remaining) else {
            throw .truncated(what: what, detail: "\(field) claims \(count) bytes, only \(remaining) left")
        }
        return try read(Int(count), field)
    }

    private mutating func readLE(_ size: Int, _ field: String) throws(SerializationError) -> UInt64 {
        guard size <= remaining else {
            throw .truncated(what: what, detail: "\(field) needs \(size) bytes at offset \(offset), \(remaining) left")
        }
        var v: UInt64 = 0
        for i in 0..<size { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += size
        return v
    }
}

private extension UInt64 {
    var low8: UInt8 { UInt8(truncatingIfNeeded: self) }
}
