// A block: its header and transactions, serialized as Bitcoin does (header, CompactSize count,
// transactions in segwit form), with size and weight.

public struct Block: Hashable, Sendable {
    public var header: BlockHeader
    public var transactions: [Transaction]

    public init(header: BlockHeader, transactions: [Transaction]) {
        self.header = header
        self.transactions = transactions
    }

    public var hash: Hash256 { header.hash }

    public func serialized(includingWitness: Bool = true) -> [UInt8] {
        var w = ByteWriter()
        header.write(to: &w)
        w.writeCompactSize(UInt64(transactions.count))
        for tx in transactions { tx.write(to: &w, includingWitness: includingWitness) }
        return w.bytes
    }

    public var size: Int { serialized().count }
    /// BIP141 weight: stripped size × 3 + total size.
    public var weight: Int { serialized(includingWitness: false).count * 3 + serialized().count }

    /// Parses exactly one block; trailing bytes are an error.
    public init(bytes: [UInt8]) throws(SerializationError) {
        var r = ByteReader(bytes, what: "block")
        header = try BlockHeader(from: &r)
        // The smallest transaction is 60 bytes (version, 1 input of 41, 1 output of 9, lockTime).
        let count = try r.readCount("transaction count", minimumItemSize: 60)
        var transactions: [Transaction] = []
        transactions.reserveCapacity(count)
        for _ in 0..<count { transactions.append(try Transaction(from: &r)) }
        guard r.isAtEnd else { throw .malformed(what: "block", detail: "\(r.remaining) bytes after the end") }
        self.transactions = transactions
    }

    /// The merkle root over the txids.
    public var computedMerkleRoot: Hash256 { Merkle.root(transactions.map(\.txid)) }

    /// BIP141's witness merkle root: over the wtxids, the coinbase's taken as zero.
    public var computedWitnessMerkleRoot: Hash256 {
        Merkle.root(transactions.enumerated().map { $0.offset == 0 ? .zero : $0.element.wtxid })
    }
}

public enum Merkle {
    /// Bitcoin's merkle root: pairwise double SHA-256, the last of an odd level paired with itself.
    /// The root of no hashes is zero.
    public static func root(_ hashes: [Hash256]) -> Hash256 {
        guard !hashes.isEmpty else { return .zero }
        var level = hashes
        while level.count > 1 { level = parents(of: level) }
        return level[0]
    }

    /// The hashes that, paired from the first leaf (the coinbase) up, give the root: the first
    /// leaf's sibling at each level.
    public static func pathOfFirst(_ hashes: [Hash256]) -> [Hash256] {
        var level = hashes
        var path: [Hash256] = []
        while level.count > 1 {
            path.append(level[1])
            level = parents(of: level)
        }
        return path
    }

    /// One level up: each pair hashed together, an odd last hash paired with itself.
    static func parents(of level: [Hash256]) -> [Hash256] {
        var next: [Hash256] = []
        next.reserveCapacity((level.count + 1) / 2)
        var i = 0
        while i < level.count {
            let right = i + 1 < level.count ? level[i + 1] : level[i]
            next.append(.of(level[i].bytes + right.bytes))
            i += 2
        }
        return next
    }
}

/// BIP141's witness commitment: an OP_RETURN output of the coinbase holding
/// SHA256d(witness merkle root ‖ witness reserved value), the reserved value being the coinbase's
/// single 32-byte witness item.
public enum WitnessCommitment {
    /// OP_RETURN, push 36, then the header 0xaa21a9ed.
    public static let prefix: [UInt8] = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed]

    /// The output script committing to `witnessRoot` with `reservedValue`.
    public static func script(witnessRoot: Hash256, reservedValue: [UInt8] = [UInt8](repeating: 0, count: 32)) -> [UInt8] {
        prefix + Hashes.sha256d(witnessRoot.bytes + reservedValue)
    }

    /// The commitment hash in the coinbase: from the last output that has the commitment's form.
    public static func find(in coinbase: Transaction) -> [UInt8]? {
        for output in coinbase.outputs.reversed()
        where output.scriptPubKey.count >= 38 && Array(output.scriptPubKey.prefix(6)) == prefix {
            return Array(output.scriptPubKey[6..<38])
        }
        return nil
    }
}
