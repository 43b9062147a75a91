// Transactions waiting for a block: each with its fee and size, which outpoints it spends (so a
// conflicting spend is refused), and the feerate order block assembly takes them in.

import Consensus

public struct MempoolEntry: Sendable {
    public let transaction: Transaction
    public let txid: Hash256
    public let fee: Int64
    public let vsize: Int
    /// Arrival order, to break feerate ties and keep re-validation in a valid order.
    let sequence: Int

    /// Fee per virtual byte, in units.
    public var feeRate: Double { Double(fee) / Double(vsize) }
}

/// Size figures of the mempool (`getmempoolinfo`).
public struct MempoolInfo: Sendable, Equatable {
    public let count: Int
    /// Sum of the transactions' virtual sizes.
    public let vsize: Int
    /// Sum of the transactions' serialized sizes.
    public let bytes: Int
    public let totalFee: Int64
}

struct Mempool {
    private(set) var entries: [Hash256: MempoolEntry] = [:]
    /// Which mempool transaction spends each outpoint.
    private(set) var spentBy: [OutPoint: Hash256] = [:]
    private var nextSequence = 0

    func contains(_ txid: Hash256) -> Bool { entries[txid] != nil }

    /// An output of a mempool transaction, for a child spending it.
    func output(_ outpoint: OutPoint) -> TxOut? {
        guard let entry = entries[outpoint.txid], Int(outpoint.index) < entry.transaction.outputs.count else { return nil }
        return entry.transaction.outputs[Int(outpoint.index)]
    }

    mutating func add(_ tx: Transaction, fee: Int64) {
        let txid = tx.txid
        entries[txid] = MempoolEntry(transaction: tx, txid: txid, fee: fee, vsize: tx.vsize, sequence: nextSequence)
        nextSequence += 1
        for input in tx.inputs { spentBy[input.previousOutput] = txid }
    }

    /// Removes `txid` alone (its children stay: a confirmed parent leaves them valid).
    mutating func removeOne(_ txid: Hash256) -> Transaction? {
        guard let entry = entries.removeValue(forKey: txid) else { return nil }
        for input in entry.transaction.inputs where spentBy[input.previousOutput] == txid {
            spentBy[input.previousOutput] = nil
        }
        return entry.transaction
    }

    /// Removes `txid` and every mempool transaction spending its outputs; the removed, parents first.
    mutating func removeWithDescendants(_ txid: Hash256) -> [Transaction] {
        guard let entry = entries.removeValue(forKey: txid) else { return [] }
        for input in entry.transaction.inputs where spentBy[input.previousOutput] == txid {
            spentBy[input.previousOutput] = nil
        }
        var removed = [entry.transaction]
        for index in entry.transaction.outputs.indices {
            if let child = spentBy[OutPoint(txid: txid, index: UInt32(index))] { removed += removeWithDescendants(child) }
        }
        return removed
    }

    /// All entries in arrival order (parents before children).
    var inArrivalOrder: [MempoolEntry] { entries.values.sorted { $0.sequence < $1.sequence } }

    /// Entries for a block: highest feerate first, each after its mempool parents, within `maxWeight`.
    func selectForBlock(maxWeight: Int) -> [MempoolEntry] {
        var pending = entries.values.sorted { $0.feeRate != $1.feeRate ? $0.feeRate > $1.feeRate : $0.sequence < $1.sequence }
        var chosen: [MempoolEntry] = []
        var included = Set<Hash256>()
        var weight = 0
        var progress = true
        while progress && !pending.isEmpty {
            progress = false
            var rest: [MempoolEntry] = []
            for entry in pending {
                let parentsIn = entry.transaction.inputs.allSatisfy { !contains($0.previousOutput.txid) || included.contains($0.previousOutput.txid) }
                let txWeight = entry.transaction.weight
                if parentsIn && weight + txWeight <= maxWeight {
                    chosen.append(entry)
                    included.insert(entry.txid)
                    weight += txWeight
                    progress = true
                } else if !parentsIn {
                    rest.append(entry)
                }
            }
            pending = rest
        }
        return chosen
    }

    var info: MempoolInfo {
        MempoolInfo(count: entries.count, vsize: entries.values.reduce(0) { $0 + $1.vsize },
                    bytes: entries.values.reduce(0) { $0 + $1.transaction.serialized().count },
                    totalFee: entries.values.reduce(0) { $0 + $1.fee })
    }
}
