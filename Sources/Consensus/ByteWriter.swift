// Appends Bitcoin's little-endian integers, CompactSize counts and length-prefixed byte strings.

public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func write(_ data: [UInt8]) { bytes += data }
    public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }
    public mutating func writeUInt16(_ v: UInt16) { writeLE(UInt64(v), 2) }
    public mutating func writeUInt32(_ v: UInt32) { writeLE(UInt64(v), 4) }
    public mutating func writeUInt64(_ v: UInt64) { writeLE(v, 8) }
    public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }
    public mutating func writeInt64(_ v: Int64) { writeUInt64(UInt64(bitPattern: v)) }

    /// CompactSize: one byte below 0xfd, else a 0xfd/0xfe/0xff marker and 2, 4 or 8 bytes.
    public mutating func writeCompactSize(_ v: UInt64) {
        switch v {
        case ..<0xfd: writeUInt8(UInt8(v))
        case ...0xffff: writeUInt8(0xfd); writeUInt16(UInt16(v))
        case ...0xffff_ffff: writeUInt8(0xfe); writeUInt32(UInt32(v))
        default: writeUInt8(0xff); writeUInt64(v)
        }
    }

    /// A CompactSize length, then the bytes.
    public mutating func writeVarBytes(_ data: [UInt8]) {
        writeCompactSize(UInt64(data.count))
        write(data)
    }

    private mutating func writeLE(_ v: UInt64, _ size: Int) {
        for i in 0..<size { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}
