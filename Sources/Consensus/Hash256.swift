// A 32-byte double SHA-256 (txid, wtxid, block hash, merkle root) in Bitcoin's internal byte order,
// shown reversed as Bitcoin shows it.

/// 32 bytes in internal order; `description`/`hex` give Bitcoin's display order (reversed).
public struct Hash256: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The bytes in internal (serialization) order.
    public let bytes: [UInt8]

    public static let zero = Hash256(unchecked: [UInt8](repeating: 0, count: 32))

    /// `bytes` must be 32 long, in internal order.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Parses display-order hex, as `getbestblockhash` prints it.
    public init?(displayHex: String) {
        guard let raw = Hex.decode(displayHex), raw.count == 32 else { return nil }
        bytes = raw.reversed()
    }

    /// The double SHA-256 of `data`.
    public static func of(_ data: [UInt8]) -> Hash256 { Hash256(unchecked: Hashes.sha256d(data)) }

    /// Display order hex (reversed), as Bitcoin prints txids and block hashes.
    public var hex: String { Hex.encode(bytes.reversed()) }
    public var description: String { hex }

    public static func < (a: Hash256, b: Hash256) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
