// Bitcoin's 80-byte block header, its hash and its proof of work (compact `bits` target).

public struct BlockHeader: Hashable, Sendable {
    public var version: Int32
    public var previousBlockHash: Hash256
    public var merkleRoot: Hash256
    public var time: UInt32
    public var bits: UInt32
    public var nonce: UInt32

    public init(version: Int32, previousBlockHash: Hash256, merkleRoot: Hash256, time: UInt32, bits: UInt32, nonce: UInt32) {
        self.version = version
        self.previousBlockHash = previousBlockHash
        self.merkleRoot = merkleRoot
        self.time = time
        self.bits = bits
        self.nonce = nonce
    }

    public static let size = 80

    public var serialized: [UInt8] {
        var w = ByteWriter(capacity: 80)
        write(to: &w)
        return w.bytes
    }

    public func write(to w: inout ByteWriter) {
        w.writeInt32(version)
        w.write(previousBlockHash.bytes)
        w.write(merkleRoot.bytes)
        w.writeUInt32(time)
        w.writeUInt32(bits)
        w.writeUInt32(nonce)
    }

    public init(from r: inout ByteReader) throws(SerializationError) {
        version = try r.readInt32("version")
        previousBlockHash = Hash256(unchecked: try r.read(32, "previous block hash"))
        merkleRoot = Hash256(unchecked: try r.read(32, "merkle root"))
        time = try r.readUInt32("time")
        bits = try r.readUInt32("bits")
        nonce = try r.readUInt32("nonce")
    }

    /// The block hash: double SHA-256 of the 80 bytes.
    public var hash: Hash256 { .of(serialized) }

    /// Whether the hash, read as a little-endian 256-bit number, is at most the target `bits` encodes.
    public var hasValidProofOfWork: Bool {
        guard let target = ProofOfWork.target(bits: bits) else { return false }
        return ProofOfWork.isAtMost(hash: hash, target: target)
    }
}
