// The in-process WalletChain over NodeKit's ChainState (what a wallet in the node's own process would
// use), and a feed that hands the chain's events to wallets in order.

import Consensus
import NodeKit
import Testing
import WalletKit

struct LocalChain: WalletChain {
    let chain: ChainState

    func tip() async throws(WalletError) -> (hash: Hash256, height: Int) { await chain.tip }
    func blockHash(height: Int) async throws(WalletError) -> Hash256? { await chain.blockHash(height: height) }
    func block(_ hash: Hash256) async throws(WalletError) -> ChainBlock? {
        do {
            guard let info = try await chain.blockInfo(hash), let block = try await chain.block(hash) else { return nil }
            return ChainBlock(block: block, height: info.height, inActiveChain: info.inActiveChain)
        } catch { throw .chain(error.description) }
    }
    func broadcast(_ tx: Transaction, maxFee: Int64) async throws(WalletError) -> String? {
        do { try await chain.acceptToMempool(tx, maxFee: maxFee > 0 ? maxFee : nil); return nil } catch { return error.description }
    }
    func isInMempool(_ txid: Hash256) async throws(WalletError) -> Bool { await chain.isInMempool(txid) }
    func estimateSmartFee(blocks: Int) async throws(WalletError) -> Int64 { 0 }
    func relayMinFee() async throws(WalletError) -> Int64 { ChainState.minRelayFeePerKvB }
    func initMessage(_ message: String) async {}
    func showProgress(title: String, progress: Int, resumePossible: Bool) async {}
}

/// Delivers every chain event to `wallets`, in order, from a task of its own.
final class EventFeed: @unchecked Sendable {
    private var task: Task<Void, Never>?

    init(chain: ChainState, wallets: [WalletState]) async {
        let stream = await chain.notifications()
        task = Task {
            for await event in stream {
                for wallet in wallets {
                    switch event {
                    case .blockConnected(let block, let height): try? await wallet.blockConnected(block, height: height)
                    case .blockDisconnected(let block, let height): try? await wallet.blockDisconnected(block, height: height)
                    case .transactionAddedToMempool(let tx): try? await wallet.transactionAddedToMempool(tx)
                    case .transactionRemovedFromMempool(let tx, let reason):
                        try? await wallet.transactionRemovedFromMempool(tx, conflicted: reason != .block)
                    case .updatedBlockTip, .chainStateFlushed: break
                    }
                }
            }
        }
    }

    deinit { task?.cancel() }
}

/// Waits (bounded by iterations, not asserted on time) until `condition` holds.
func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 5_000_000)
    }
    Issue.record("never happened: \(what)")
}
