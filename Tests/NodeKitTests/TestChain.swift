// Helpers for the NodeKit tests: a chain in a fresh datadir, keys, signed spends and hand-built blocks.

import Consensus
import NodeKit
import TestSupport

struct TestChain {
    let directory: TemporaryDirectory
    let chain: ChainState

    init() throws {
        directory = try TemporaryDirectory("nodekit")
        chain = try ChainState(datadir: directory.path)
    }

    static func key(_ seed: UInt8) -> PrivateKey { try! PrivateKey([UInt8](repeating: seed, count: 32)) }
    static func script(_ key: PrivateKey) -> [UInt8] { Script.p2wpkh(keyHash: key.publicKey.hash160) }

    /// The coinbase of the active block at `height`.
    func coinbase(at height: Int) async throws -> Transaction {
        let hash = try #require(await chain.blockHash(height: height))
        return try #require(try await chain.block(hash)).transactions[0]
    }

    /// A transaction spending output `index` of `tx` (owned by `key`) to `outputs`, signed.
    static func spend(_ tx: Transaction, _ index: Int = 0, key: PrivateKey, to outputs: [TxOut]) -> Transaction {
        var spend = Transaction(inputs: [TxIn(previousOutput: OutPoint(txid: tx.txid, index: UInt32(index)))], outputs: outputs)
        Signer.signP2WPKH(&spend, inputIndex: 0, key: key, spent: tx.outputs[index])
        return spend
    }

    /// A solved block on the tip (or on `parent`) with the given transactions after its coinbase (paying `coinbaseValue`
    /// or the template's value), for blocks the miner would not make.
    func block(with transactions: [Transaction], coinbaseValue: Int64? = nil, parent: Hash256? = nil) async throws -> Block {
        var block = await chain.makeBlockTemplate(paying: Self.script(Self.key(99)))
        var coinbase = block.transactions[0]
        coinbase.outputs.removeLast()  // the template's commitment
        if let parent {
            let height = try #require(try await chain.blockInfo(parent)).height + 1
            block.header.previousBlockHash = parent
            coinbase.inputs[0].scriptSig = Script.heightPush(height) + [0x00]
            coinbase.outputs[0].value = ChainParams.regtest.subsidy(height: height)
        }
        if let coinbaseValue { coinbase.outputs[0].value = coinbaseValue }
        block.transactions = [coinbase] + transactions
        coinbase.outputs.append(TxOut(value: 0, scriptPubKey: WitnessCommitment.script(witnessRoot: block.computedWitnessMerkleRoot)))
        block.transactions[0] = coinbase
        block.header.merkleRoot = block.computedMerkleRoot
        block.header = try #require(ProofOfWork.solve(block.header))
        return block
    }
}

/// Collects a chain's events in order.
final class EventLog: @unchecked Sendable {
    private var events: [ChainEvent] = []
    /// The locator of the last chainStateFlushed (kept apart: one follows every tip update).
    private(set) var lastLocator: [Hash256]?
    private let lock = NSLockLike()

    func append(_ event: ChainEvent) {
        lock.withLock {
            if case .chainStateFlushed(let locator) = event { lastLocator = locator } else { events.append(event) }
        }
    }

    func takeLocator() -> [Hash256]? { lock.withLock { defer { lastLocator = nil }; return lastLocator } }

    /// Each event as a short line ("connected 102", "added <txid>", ...), then cleared.
    func take() -> [String] {
        lock.withLock {
            defer { events = [] }
            return events.map { event in
                switch event {
                case .blockConnected(_, let height): return "connected \(height)"
                case .blockDisconnected(_, let height): return "disconnected \(height)"
                case .transactionAddedToMempool(let tx): return "added \(tx.txid.hex.prefix(8))"
                case .transactionRemovedFromMempool(let tx, let reason): return "removed \(tx.txid.hex.prefix(8)) \(reason.rawValue)"
                case .updatedBlockTip(_, let height): return "tip \(height)"
                case .chainStateFlushed: return "flushed"  // kept apart by append
                }
            }
        }
    }
}

/// A mutex without Foundation.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Testing
