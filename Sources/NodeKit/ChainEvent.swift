// The notifications the chain state sends, in the order things happen: Bitcoin Core's
// validation-interface events.

import Consensus

/// Why a transaction left the mempool (Bitcoin Core's MemPoolRemovalReason names).
public enum MempoolRemovalReason: String, Sendable {
    /// It was included in a connected block.
    case block
    /// A connected block spent one of its inputs (or a parent's).
    case conflict
    /// A reorg made it invalid (an input vanished or became immature).
    case reorg
}

public enum ChainEvent: Sendable {
    case transactionAddedToMempool(Transaction)
    case transactionRemovedFromMempool(Transaction, reason: MempoolRemovalReason)
    case blockConnected(Block, height: Int)
    case blockDisconnected(Block, height: Int)
    /// Sent once after the active chain changed, with the new tip.
    case updatedBlockTip(hash: Hash256, height: Int)
    /// The chain state is on disk up to the locator's first block: every change is committed
    /// (synchronously) in one transaction, so this follows each tip update.
    case chainStateFlushed(locator: [Hash256])
}
