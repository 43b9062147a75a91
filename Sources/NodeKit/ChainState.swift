// The node's chain state: a regtest chain kept in a datadir (ChainStore), its validation, the
// mempool, reorgs (invalidate/reconsider, most work wins) and the notifications of each change.
//
// Every block on regtest has the same `bits` (enforced), so a chain's work is proportional to its
// length: the most-work chain is the longest, and on a tie the current tip stays.

import Consensus
import SQLiteSupport
#if canImport(Glibc)
import Glibc
#endif

/// What a caller learns about a known block (`findBlock`).
public struct BlockInfo: Sendable {
    public let hash: Hash256
    public let height: Int
    public let header: BlockHeader
    /// Median of the times of this block and up to ten before it.
    public let medianTimePast: UInt32
    public let inActiveChain: Bool
    /// Marked invalid (by `invalidateBlock` or a failed validation), or descending from such a block.
    public let invalid: Bool
}

public actor ChainState {
    public let params: ChainParams
    public let datadir: String
    /// Bitcoin's limit on block weight.
    public static let maxBlockWeight = 4_000_000

    private let store: ChainStore
    private var index: [Hash256: StoredBlock] = [:]
    private var active: [Hash256] = []
    private var nextSequence: Int64 = 0
    private var mempool = Mempool()
    private var pendingEvents: [ChainEvent] = []
    private var subscribers: [Int: @Sendable (ChainEvent) -> Void] = [:]
    private var nextSubscriber = 0

    /// Opens (or creates) the chain state in `datadir`/chainstate.sqlite. A new store starts at the
    /// genesis block; an existing one resumes at its tip, finishing a reorg a crash interrupted.
    public init(datadir: String, params: ChainParams = .regtest) throws(NodeError) {
        self.params = params
        self.datadir = datadir
        let store: ChainStore
        do {
            store = try ChainStore(path: datadir + "/chainstate.sqlite")
            for entry in try store.allBlocks() { index[entry.hash] = entry }
            active = try store.activeChain()
        } catch { throw .store(error) }
        self.store = store
        nextSequence = (index.values.map(\.sequence).max() ?? -1) + 1
        if active.isEmpty {
            let genesis = params.genesis
            let entry = StoredBlock(hash: genesis.hash, previous: .zero, height: 0, time: genesis.header.time, sequence: 0, failed: false)
            do {
                try store.transaction {
                    try store.insertBlock(entry, data: genesis.serialized())
                    try store.setActive(height: 0, hash: genesis.hash)
                }
            } catch let error as StoreError { throw .store(error) } catch { throw .corrupt("\(error)") }
            index[genesis.hash] = entry
            active = [genesis.hash]
            nextSequence = 1
        }
        guard active[0] == params.genesis.hash else {
            throw .corrupt("its genesis block \(active[0].hex) is not \(params.name)'s")
        }
    }

    // MARK: - Queries

    public var height: Int { active.count - 1 }
    public var tip: (hash: Hash256, height: Int) { (active[active.count - 1], active.count - 1) }

    /// The hash of the active chain's block at `height`, or nil above the tip.
    public func blockHash(height: Int) -> Hash256? { active.indices.contains(height) ? active[height] : nil }

    /// Bitcoin's block locator of the active chain: from the tip down one block at a time, then
    /// (past the 11th entry) in steps that double, ending at genesis.
    public func locator() -> [Hash256] {
        var hashes: [Hash256] = []
        var height = active.count - 1
        var step = 1
        while height >= 0 {
            hashes.append(active[height])
            if height == 0 { break }
            height = max(height - step, 0)
            if hashes.count > 10 { step *= 2 }
        }
        return hashes
    }

    /// The block `hash`, when known.
    public func block(_ hash: Hash256) throws(NodeError) -> Block? {
        guard index[hash] != nil else { return nil }
        return try loadBlock(hash)
    }

    public func blockInfo(_ hash: Hash256) throws(NodeError) -> BlockInfo? {
        guard let entry = index[hash], let block = try block(hash) else { return nil }
        return BlockInfo(hash: hash, height: entry.height, header: block.header, medianTimePast: medianTimePast(of: hash),
                         inActiveChain: isActive(hash), invalid: hasFailedAncestor(hash))
    }

    /// The ancestor of `hash` at `height` (the block itself at its own height).
    public func ancestor(of hash: Hash256, height: Int) -> Hash256? {
        guard var entry = index[hash], height >= 0, height <= entry.height else { return nil }
        while entry.height > height { entry = index[entry.previous]! }
        return entry.hash
    }

    /// The last block both `a` and `b` descend from.
    public func commonAncestor(_ a: Hash256, _ b: Hash256) -> Hash256? {
        guard let ea = index[a], let eb = index[b] else { return nil }
        var x = ancestor(of: a, height: min(ea.height, eb.height))!
        var y = ancestor(of: b, height: min(ea.height, eb.height))!
        while x != y { x = index[x]!.previous; y = index[y]!.previous }
        return x
    }

    /// The unspent coin at `outpoint` in the active chain's UTXO set.
    public func coin(_ outpoint: OutPoint) throws(NodeError) -> Coin? {
        do { return try store.coin(outpoint) } catch { throw .store(error) }
    }

    /// The whole UTXO set (for consistency checks and small wallets).
    public func utxoSet() throws(NodeError) -> [OutPoint: Coin] {
        do { return try store.allCoins() } catch { throw .store(error) }
    }

    /// A transaction in the mempool or in an active-chain block, with that block's hash.
    public func transaction(_ txid: Hash256) throws(NodeError) -> (Transaction, block: Hash256?)? {
        if let entry = mempool.entries[txid] { return (entry.transaction, nil) }
        let blockHash: Hash256?
        do { blockHash = try store.blockContaining(txid) } catch { throw .store(error) }
        guard let blockHash, let block = try block(blockHash) else { return nil }
        return block.transactions.first { $0.txid == txid }.map { ($0, blockHash) }
    }

    public func isInMempool(_ txid: Hash256) -> Bool { mempool.contains(txid) }
    public var mempoolInfo: MempoolInfo { mempool.info }
    /// Mempool entries in arrival order.
    public var mempoolEntries: [MempoolEntry] { mempool.inArrivalOrder }

    // MARK: - Notifications

    /// Calls `handler` for every event, in order, on the chain state's executor (keep it short).
    /// Returns an id for `unsubscribe`.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (ChainEvent) -> Void) -> Int {
        nextSubscriber += 1
        subscribers[nextSubscriber] = handler
        return nextSubscriber
    }

    public func unsubscribe(_ id: Int) { subscribers[id] = nil }

    /// Every event from now on, in order, until the stream's consumer stops.
    public func notifications() -> AsyncStream<ChainEvent> {
        let (stream, continuation) = AsyncStream<ChainEvent>.makeStream()
        let id = subscribe { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in Task { await self?.unsubscribe(id) } }
        return stream
    }

    private func emit(_ event: ChainEvent) { pendingEvents.append(event) }

    private func flushEvents() {
        let events = pendingEvents
        pendingEvents = []
        for event in events { for handler in subscribers.values { handler(event) } }
    }

    // MARK: - Transactions

    /// Bitcoin Core's default minimum relay feerate: units per 1000 virtual bytes.
    public static let minRelayFeePerKvB: Int64 = 1000

    /// Validates `tx` against the tip and the mempool and adds it. Refuses conflicts (no
    /// replacement), missing or spent inputs, immature coinbase spends, overspends, bad signatures,
    /// non-standard outputs, a fee below the minimum relay feerate, and a fee above `maxFee` when
    /// given (`broadcastTransaction`'s guard). Returns the fee.
    @discardableResult
    public func acceptToMempool(_ tx: Transaction, maxFee: Int64? = nil) throws(NodeError) -> Int64 {
        defer { flushEvents() }
        let fee = try checkForMempool(tx)
        if let maxFee, fee > maxFee {
            throw .rejected(ValidationError(.maxFeeExceeded, "transaction \(tx.txid.hex) pays a fee of \(fee), above the maximum \(maxFee) asked for"))
        }
        mempool.add(tx, fee: fee)
        emit(.transactionAddedToMempool(tx))
        return fee
    }

    private func checkForMempool(_ tx: Transaction) throws(NodeError) -> Int64 {
        let txid = tx.txid
        guard !tx.isCoinbase else { throw .rejected(ValidationError(.unexpectedCoinbase, "coinbase \(txid.hex) cannot enter the mempool")) }
        guard !mempool.contains(txid) else { throw .rejected(ValidationError(.alreadyKnown, "transaction \(txid.hex) is already in the mempool")) }
        do { try TransactionChecks.checkAlone(tx) } catch { throw .rejected(error) }
        var spent: [TxOut] = []
        for (i, input) in tx.inputs.enumerated() {
            if let other = mempool.spentBy[input.previousOutput] {
                throw .rejected(ValidationError(.mempoolConflict,
                    "double spend: input \(i) of \(txid.hex) spends \(input.previousOutput), already spent by \(other.hex) in the mempool (replacement is not supported)"))
            }
            if let output = mempool.output(input.previousOutput) { spent.append(output); continue }
            guard let coin = try coin(input.previousOutput) else {
                throw .rejected(ValidationError(.missingOrSpent,
                    "double spend or unknown input: input \(i) of \(txid.hex) spends \(input.previousOutput), which is not in the UTXO set"))
            }
            let nextHeight = height + 1
            if coin.isCoinbase && nextHeight - coin.height < params.coinbaseMaturity {
                throw .rejected(ValidationError(.prematureCoinbaseSpend,
                    "immature coinbase spend: input \(i) of \(txid.hex) spends a coinbase of height \(coin.height), spendable from height \(coin.height + params.coinbaseMaturity)"))
            }
            spent.append(coin.output)
        }
        let fee: Int64
        do { fee = try TransactionChecks.verifySpends(tx, spent: spent) } catch { throw .rejected(error) }
        let minimum = Int64(tx.vsize) * Self.minRelayFeePerKvB / 1000
        guard fee >= minimum else {
            throw .rejected(ValidationError(.minRelayFeeNotMet, "transaction \(txid.hex) pays \(fee) for \(tx.vsize) vbytes, below the minimum relay fee of \(minimum)"))
        }
        return fee
    }

    // MARK: - Blocks

    /// Checks `block` and adds it to the block tree; connects it (and reorganizes) when it makes the
    /// chain with most work. Throws when the block itself is invalid.
    public func submitBlock(_ block: Block) throws(NodeError) {
        defer { flushEvents() }
        let hash = block.hash
        guard index[hash] == nil else { throw .rejected(ValidationError(.duplicateBlock, "block \(hash.hex) is already known")) }
        try checkAlone(block)
        guard let parent = index[block.header.previousBlockHash] else {
            throw .rejected(ValidationError(.unknownParent, "block \(hash.hex)'s parent \(block.header.previousBlockHash.hex) is not known"))
        }
        guard !hasFailedAncestor(parent.hash) else {
            throw .rejected(ValidationError(.invalidParent, "block \(hash.hex) builds on the invalid block \(parent.hash.hex)"))
        }
        guard block.header.time > medianTimePast(of: parent.hash) else {
            throw .rejected(ValidationError(.timeTooOld, "block \(hash.hex)'s time is not after the median time of the 11 blocks before it"))
        }
        let entry = StoredBlock(hash: hash, previous: parent.hash, height: parent.height + 1, time: block.header.time,
                                sequence: nextSequence, failed: false)
        if parent.hash == tip.hash {
            // The usual case: store and connect in one transaction, so the block is never stored unconnected.
            let undo = try validateConnection(block, height: entry.height)
            try commitConnection(block, entry: entry, undo: undo, storing: true)
            nextSequence += 1
            emit(.updatedBlockTip(hash: hash, height: entry.height))
            emit(.chainStateFlushed(locator: locator()))
            return
        }
        do { try store.insertBlock(entry, data: block.serialized()) } catch { throw .store(error) }
        index[hash] = entry
        nextSequence += 1
        lastFailure = nil
        try activateBestChain()
        if hasFailedAncestor(hash) {
            throw lastFailure ?? .rejected(ValidationError(.invalidParent, "block \(hash.hex) descends from a block that failed validation"))
        }
    }

    /// The rejection of the last block that failed while activating a chain, for `submitBlock` to report.
    private var lastFailure: NodeError?

    /// Marks `hash` invalid: it and its descendants leave the active chain (their transactions
    /// return to the mempool) and the best remaining chain becomes active.
    public func invalidateBlock(_ hash: Hash256) throws(NodeError) {
        defer { flushEvents() }
        guard let entry = index[hash] else { throw .unknownBlock(hash) }
        guard entry.height > 0 else { throw .rejected(ValidationError(.invalidParent, "the genesis block cannot be invalidated")) }
        try setFailed(hash, true)
        var disconnected: [Block] = []
        let oldTip = tip.hash
        while isActive(hash) { disconnected.append(try disconnectTip()) }
        try activateBestChain(alreadyDisconnected: disconnected, oldTip: oldTip)
    }

    /// Clears the invalid mark of `hash`, its ancestors and descendants, and activates the chain with
    /// most work (the current one on a tie).
    public func reconsiderBlock(_ hash: Hash256) throws(NodeError) {
        defer { flushEvents() }
        guard index[hash] != nil else { throw .unknownBlock(hash) }
        for (other, entry) in index where entry.failed {
            if ancestor(of: other, height: index[hash]!.height) == hash || ancestor(of: hash, height: entry.height) == other {
                try setFailed(other, false)
            }
        }
        try activateBestChain()
    }

    // MARK: - Mining

    /// Mines `count` blocks paying to `address` (a `bcrt1…` P2WPKH address): what `generatetoaddress` calls.
    public func generate(count: Int, toAddress address: String) throws(NodeError) -> [Hash256] {
        let parsed: SegwitAddress
        do { parsed = try SegwitAddress(address, expectedHRP: params.bech32HRP) } catch { throw .badAddress(error.description) }
        return try generate(count: count, to: parsed.scriptPubKey)
    }

    /// Mines `count` blocks whose coinbase pays `script`, each with the mempool's transactions by
    /// feerate; returns their hashes once each is connected and stored.
    public func generate(count: Int, to script: [UInt8]) throws(NodeError) -> [Hash256] {
        var hashes: [Hash256] = []
        for _ in 0..<count {
            let template = makeBlockTemplate(paying: script)
            guard let header = ProofOfWork.solve(template.header, accept: { self.index[$0] == nil }) else {
                throw .rejected(ValidationError(.highHash, "no nonce meets the target for this template"))
            }
            var block = template
            block.header = header
            try submitBlock(block)
            hashes.append(block.hash)
        }
        return hashes
    }

    /// A block on the tip: coinbase (BIP34 height, subsidy + fees, witness commitment) and mempool
    /// transactions by feerate. Its nonce is not searched yet.
    public func makeBlockTemplate(paying script: [UInt8]) -> Block {
        makeBlockTemplate(paying: script, reservedWeight: 4000, useMempool: true).block
    }

    /// A block on the tip whose mempool transactions (by feerate) fit in the block weight less
    /// `reservedWeight` (kept for the coinbase); also returns their mempool entries, in block order.
    public func makeBlockTemplate(paying script: [UInt8], reservedWeight: Int, useMempool: Bool) -> (block: Block, entries: [MempoolEntry]) {
        let nextHeight = height + 1
        let entries = useMempool ? mempool.selectForBlock(maxWeight: max(0, Self.maxBlockWeight - reservedWeight)) : []
        let fees = entries.reduce(Int64(0)) { $0 + $1.fee }
        var coinbase = Transaction(inputs: [TxIn(previousOutput: .null, scriptSig: Script.heightPush(nextHeight) + [0x00],
                                                 witness: [[UInt8](repeating: 0, count: 32)])],
                                   outputs: [TxOut(value: params.subsidy(height: nextHeight) + fees, scriptPubKey: script)])
        var block = Block(header: BlockHeader(version: 0x2000_0000, previousBlockHash: tip.hash, merkleRoot: .zero,
                                              time: max(UInt32(truncatingIfNeeded: time(nil)), medianTimePast(of: tip.hash) + 1),
                                              bits: params.powBits, nonce: 0),
                          transactions: [coinbase] + entries.map(\.transaction))
        coinbase.outputs.append(TxOut(value: 0, scriptPubKey: WitnessCommitment.script(witnessRoot: block.computedWitnessMerkleRoot)))
        block.transactions[0] = coinbase
        block.header.merkleRoot = block.computedMerkleRoot
        return (block, entries)
    }

    /// Bitcoin Core's TestBlockValidity: every check of `block` as the next block on the tip, without
    /// storing or connecting it. Returns false (nothing checked) when its parent is not the tip.
    public func checkNextBlock(_ block: Block, checkMerkleRoot: Bool = true, checkPow: Bool = true) throws(NodeError) -> Bool {
        guard block.header.previousBlockHash == tip.hash else { return false }
        try checkAlone(block, checkMerkleRoot: checkMerkleRoot, checkPow: checkPow)
        guard block.header.time > medianTimePast(of: tip.hash) else {
            throw .rejected(ValidationError(.timeTooOld, "block \(block.hash.hex)'s time is not after the median time of the 11 blocks before it"))
        }
        _ = try validateConnection(block, height: height + 1)
        return true
    }

    /// The mempool entry of each txid (nil where there is none), for Mining's transaction look-ups.
    public func mempoolEntries(txids: [Hash256]) -> [MempoolEntry?] { txids.map { mempool.entries[$0] } }

    // MARK: - Validation

    /// The checks that need no chain: proof of work, merkle root, coinbase shape, weight.
    private func checkAlone(_ block: Block, checkMerkleRoot: Bool = true, checkPow: Bool = true) throws(NodeError) {
        let hash = block.hash
        guard block.header.bits == params.powBits else {
            throw .rejected(ValidationError(.badBits, "block \(hash.hex) has bits \(block.header.bits), \(params.name) requires \(params.powBits)"))
        }
        guard !checkPow || block.header.hasValidProofOfWork else {
            throw .rejected(ValidationError(.highHash, "block \(hash.hex)'s hash is above its target (no proof of work)"))
        }
        guard let coinbase = block.transactions.first, coinbase.isCoinbase else {
            throw .rejected(ValidationError(.badCoinbase, "block \(hash.hex)'s first transaction is not a coinbase"))
        }
        guard !block.transactions.dropFirst().contains(where: \.isCoinbase) else {
            throw .rejected(ValidationError(.badCoinbase, "block \(hash.hex) has more than one coinbase"))
        }
        let txids = block.transactions.map(\.txid)
        guard Set(txids).count == txids.count else {
            throw .rejected(ValidationError(.duplicateTransaction, "block \(hash.hex) contains a transaction twice"))
        }
        guard !checkMerkleRoot || Merkle.root(txids) == block.header.merkleRoot else {
            throw .rejected(ValidationError(.badMerkleRoot, "block \(hash.hex)'s merkle root does not match its transactions"))
        }
        guard block.weight <= Self.maxBlockWeight else {
            throw .rejected(ValidationError(.badCoinbase, "block \(hash.hex) weighs \(block.weight), above \(Self.maxBlockWeight)"))
        }
        // BIP141: a commitment, when present, must match; without one, no transaction may carry witnesses.
        if let commitment = WitnessCommitment.find(in: coinbase) {
            let witness = coinbase.inputs[0].witness
            guard witness.count == 1, witness[0].count == 32 else {
                throw .rejected(ValidationError(.badWitnessNonce, "block \(hash.hex)'s coinbase witness is not one 32-byte reserved value"))
            }
            guard Hashes.sha256d(block.computedWitnessMerkleRoot.bytes + witness[0]) == commitment else {
                throw .rejected(ValidationError(.badWitnessCommitment, "block \(hash.hex)'s witness commitment does not match its wtxids"))
            }
        } else if block.transactions.contains(where: \.hasWitness) {
            throw .rejected(ValidationError(.unexpectedWitness, "block \(hash.hex) has witness data but no witness commitment"))
        }
    }

    /// Checks `block` against the tip it would extend: BIP34 height, every transaction's inputs
    /// (present, unspent, mature, signed) and the coinbase amount. Returns its undo data.
    private func validateConnection(_ block: Block, height: Int) throws(NodeError) -> BlockUndo {
        let hash = block.hash
        let coinbase = block.transactions[0]
        let heightPush = Script.heightPush(height)
        guard coinbase.inputs[0].scriptSig.starts(with: heightPush) else {
            throw .rejected(ValidationError(.badCoinbaseHeight, "block \(hash.hex)'s coinbase does not start with its height \(height) (BIP34)"))
        }
        do { try TransactionChecks.checkAlone(coinbase, coinbase: true) } catch { throw .rejected(error) }
        var created: [OutPoint: Coin] = [:]
        var spentInBlock = Set<OutPoint>()
        var undo = BlockUndo()
        var fees: Int64 = 0
        for tx in block.transactions.dropFirst() {
            let txid = tx.txid
            do { try TransactionChecks.checkAlone(tx) } catch { throw .rejected(error) }
            var spent: [TxOut] = []
            for (i, input) in tx.inputs.enumerated() {
                let outpoint = input.previousOutput
                guard !spentInBlock.contains(outpoint) else {
                    throw .rejected(ValidationError(.missingOrSpent, "double spend: \(outpoint) is spent twice in block \(hash.hex)"))
                }
                var found = created[outpoint]
                if found == nil { found = try coin(outpoint) }
                guard let coin = found else {
                    throw .rejected(ValidationError(.missingOrSpent,
                        "double spend or unknown input: input \(i) of \(txid.hex) in block \(hash.hex) spends \(outpoint), which is not in the UTXO set"))
                }
                if coin.isCoinbase && height - coin.height < params.coinbaseMaturity {
                    throw .rejected(ValidationError(.prematureCoinbaseSpend,
                        "immature coinbase spend: input \(i) of \(txid.hex) spends a coinbase of height \(coin.height) at height \(height)"))
                }
                spentInBlock.insert(outpoint)
                created[outpoint] = nil
                undo.spent.append((outpoint, coin))
                spent.append(coin.output)
            }
            do { fees += try TransactionChecks.verifySpends(tx, spent: spent) } catch { throw .rejected(error) }
            addOutputs(of: tx, height: height, to: &created)
        }
        let claimed = coinbase.outputs.reduce(Int64(0)) { $0 + $1.value }
        let allowed = params.subsidy(height: height) + fees
        guard claimed <= allowed else {
            throw .rejected(ValidationError(.badCoinbaseAmount, "block \(hash.hex)'s coinbase pays \(claimed), more than subsidy + fees = \(allowed)"))
        }
        return undo
    }

    /// Spendable outputs of `tx` (OP_RETURN outputs never enter the UTXO set).
    private func addOutputs(of tx: Transaction, height: Int, to coins: inout [OutPoint: Coin]) {
        let txid = tx.txid
        for (i, output) in tx.outputs.enumerated() where Script.classify(output.scriptPubKey) != .nullData {
            coins[OutPoint(txid: txid, index: UInt32(i))] = Coin(output: output, height: height, isCoinbase: tx.isCoinbase)
        }
    }

    /// Writes a validated block's connection in one transaction, then updates memory and the mempool.
    private func commitConnection(_ block: Block, entry: StoredBlock, undo: BlockUndo, storing: Bool) throws(NodeError) {
        let hash = entry.hash
        var created: [OutPoint: Coin] = [:]
        for tx in block.transactions { addOutputs(of: tx, height: entry.height, to: &created) }
        let spentHere = Set(undo.spent.map(\.0))
        do {
            try store.transaction {
                if storing { try store.insertBlock(entry, data: block.serialized()) }
                for (outpoint, _) in undo.spent where created[outpoint] == nil { try store.removeCoin(outpoint) }
                for (outpoint, coin) in created where !spentHere.contains(outpoint) { try store.addCoin(outpoint, coin) }
                try store.setUndo(hash, undo.serialized)
                try store.setActive(height: entry.height, hash: hash)
                for tx in block.transactions { try store.indexTransaction(tx.txid, block: hash) }
            }
        } catch let error as StoreError { throw .store(error) } catch { throw .corrupt("\(error)") }
        index[hash] = entry
        active.append(hash)
        // The block's transactions leave the mempool (their children stay), then whatever spent the same outputs.
        for tx in block.transactions.dropFirst() {
            if let removed = mempool.removeOne(tx.txid) { emit(.transactionRemovedFromMempool(removed, reason: .block)) }
        }
        for tx in block.transactions.dropFirst() {
            for input in tx.inputs {
                if let conflict = mempool.spentBy[input.previousOutput] {
                    for removed in mempool.removeWithDescendants(conflict) { emit(.transactionRemovedFromMempool(removed, reason: .conflict)) }
                }
            }
        }
        emit(.blockConnected(block, height: entry.height))
    }

    /// Disconnects the tip in one transaction (restoring the coins it spent); returns its block.
    private func disconnectTip() throws(NodeError) -> Block {
        let hash = tip.hash
        let tipHeight = height
        let block = try loadBlock(hash)
        let undo: BlockUndo
        do {
            guard let bytes = try store.undoData(hash) else { throw NodeError.corrupt("block \(hash.hex) has no undo data") }
            undo = try BlockUndo(bytes: bytes)
        } catch let error as NodeError { throw error } catch { throw .corrupt("undo data of \(hash.hex): \(error)") }
        do {
            try store.transaction {
                for tx in block.transactions {
                    for i in tx.outputs.indices { try store.removeCoin(OutPoint(txid: tx.txid, index: UInt32(i))) }
                    try store.indexTransaction(tx.txid, block: nil)
                }
                let txids = Set(block.transactions.map(\.txid))
                for (outpoint, coin) in undo.spent where !txids.contains(outpoint.txid) { try store.addCoin(outpoint, coin) }
                try store.setActive(height: tipHeight, hash: nil)
            }
        } catch let error as StoreError { throw .store(error) } catch { throw .corrupt("\(error)") }
        active.removeLast()
        emit(.blockDisconnected(block, height: tipHeight))
        return block
    }

    /// Makes the valid chain with most work active: disconnects to the fork point, connects the new
    /// branch block by block (marking any that fails invalid and trying again), then returns the
    /// disconnected blocks' transactions to the mempool and drops what is no longer valid.
    private func activateBestChain(alreadyDisconnected: [Block] = [], oldTip: Hash256? = nil) throws(NodeError) {
        let startTip = oldTip ?? tip.hash
        var disconnected = alreadyDisconnected
        while let best = bestCandidate(), index[best]!.height > height {
            let fork = commonAncestor(best, tip.hash)!
            while tip.hash != fork { disconnected.append(try disconnectTip()) }
            var path: [Hash256] = []
            var cursor = best
            while cursor != fork { path.append(cursor); cursor = index[cursor]!.previous }
            for hash in path.reversed() {
                let entry = index[hash]!
                let block = try loadBlock(hash)
                do {
                    let undo = try validateConnection(block, height: entry.height)
                    try commitConnection(block, entry: entry, undo: undo, storing: false)
                } catch {
                    if case .rejected = error {
                        lastFailure = error
                        try setFailed(hash, true)
                        break
                    }
                    throw error
                }
            }
        }
        // Transactions of disconnected blocks (oldest block first) return to the mempool when still valid.
        for block in disconnected.reversed() {
            for tx in block.transactions.dropFirst() where !mempool.contains(tx.txid) {
                if let fee = try? checkForMempool(tx) {
                    mempool.add(tx, fee: fee)
                    emit(.transactionAddedToMempool(tx))
                }
            }
        }
        if !disconnected.isEmpty {
            // A reorg can take away inputs or make coinbase spends immature: re-check the rest, in arrival order.
            // Parents come before children, so a child is checked after its parent stayed or left.
            for entry in mempool.inArrivalOrder {
                guard let tx = mempool.removeOne(entry.txid) else { continue }
                if let fee = try? checkForMempool(tx) {
                    mempool.add(tx, fee: fee)
                } else {
                    emit(.transactionRemovedFromMempool(tx, reason: .reorg))
                }
            }
        }
        if tip.hash != startTip {
            emit(.updatedBlockTip(hash: tip.hash, height: height))
            emit(.chainStateFlushed(locator: locator()))
        }
    }

    /// The tip of the valid chain with most work: the highest block without an invalid ancestor,
    /// the earliest stored on a tie, and the current tip when it is as high.
    private func bestCandidate() -> Hash256? {
        // One pass by height marks every block at or below a failed one (no walk to genesis per block).
        var invalid = Set<Hash256>()
        for entry in index.values.sorted(by: { $0.height < $1.height }) where entry.failed || invalid.contains(entry.previous) {
            invalid.insert(entry.hash)
        }
        var best: StoredBlock?
        for entry in index.values where !invalid.contains(entry.hash) {
            if let b = best, entry.height < b.height || (entry.height == b.height && entry.sequence >= b.sequence) { continue }
            best = entry
        }
        guard let best else { return nil }
        return best.height > height ? best.hash : nil
    }

    // MARK: - Helpers

    private func isActive(_ hash: Hash256) -> Bool {
        guard let entry = index[hash] else { return false }
        return active.indices.contains(entry.height) && active[entry.height] == hash
    }

    private func hasFailedAncestor(_ hash: Hash256) -> Bool {
        var cursor = index[hash]
        while let entry = cursor {
            if entry.failed { return true }
            if entry.height == 0 { return false }
            cursor = index[entry.previous]
        }
        return false
    }

    private func setFailed(_ hash: Hash256, _ failed: Bool) throws(NodeError) {
        do { try store.setFailed(hash, failed) } catch { throw .store(error) }
        index[hash]!.failed = failed
    }

    private func medianTimePast(of hash: Hash256) -> UInt32 {
        var times: [UInt32] = []
        var cursor = index[hash]
        while let entry = cursor, times.count < 11 {
            times.append(entry.time)
            cursor = entry.height == 0 ? nil : index[entry.previous]
        }
        times.sort()
        return times[times.count / 2]
    }

    private func loadBlock(_ hash: Hash256) throws(NodeError) -> Block {
        let bytes: [UInt8]?
        do { bytes = try store.blockData(hash) } catch { throw .store(error) }
        guard let bytes else { throw .corrupt("block \(hash.hex) is indexed but its data is missing") }
        do { return try Block(bytes: bytes) } catch { throw .corrupt("block \(hash.hex): \(error)") }
    }
}
