// What a wallet needs from the node's chain (Bitcoin Core's interfaces::Chain pattern): one
// implementation calls the generated Chain.Client over IPC, another calls a chain in the same process.

import Consensus

/// A block as the wallet reads it during a rescan.
public struct ChainBlock: Sendable {
    public let block: Block
    public let height: Int
    public let inActiveChain: Bool

    public init(block: Block, height: Int, inActiveChain: Bool) {
        self.block = block
        self.height = height
        self.inActiveChain = inActiveChain
    }
}

public protocol WalletChain: Sendable {
    /// The active chain's tip.
    func tip() async throws(WalletError) -> (hash: Hash256, height: Int)
    /// The active chain's block at `height`, if the chain is that long.
    func blockHash(height: Int) async throws(WalletError) -> Hash256?
    /// A block with its height, or nil when the chain does not know it.
    func block(_ hash: Hash256) async throws(WalletError) -> ChainBlock?
    /// Submits `tx` to the mempool; returns nil when accepted, else the node's reason.
    func broadcast(_ tx: Transaction, maxFee: Int64) async throws(WalletError) -> String?
    /// Whether the mempool holds `txid`.
    func isInMempool(_ txid: Hash256) async throws(WalletError) -> Bool
    /// A feerate (units per 1000 vbytes) to confirm within `blocks`; 0 when there is no estimate.
    func estimateSmartFee(blocks: Int) async throws(WalletError) -> Int64
    /// The lowest feerate (units per 1000 vbytes) the mempool relays.
    func relayMinFee() async throws(WalletError) -> Int64
    /// Passes a startup message on to the node's subscribers.
    func initMessage(_ message: String) async
    /// Passes rescan progress (0...100) on to the node's subscribers.
    func showProgress(title: String, progress: Int, resumePossible: Bool) async
}
