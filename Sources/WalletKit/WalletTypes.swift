// The values a wallet answers with: its balances and its view of one transaction.

import Consensus

/// Bitcoin Core's WalletBalances, without watch-only.
public struct Balances: Sendable, Equatable {
    /// Confirmed and mature, plus unconfirmed change of our own transactions.
    public var trusted: Int64 = 0
    /// Unconfirmed payments from others.
    public var untrustedPending: Int64 = 0
    /// Coinbase outputs not yet spendable.
    public var immature: Int64 = 0

    public init(trusted: Int64 = 0, untrustedPending: Int64 = 0, immature: Int64 = 0) {
        self.trusted = trusted
        self.untrustedPending = untrustedPending
        self.immature = immature
    }
}

/// A transaction as the wallet sees it.
public struct WalletTransaction: Sendable, Equatable {
    public let transaction: Transaction
    public var txid: Hash256 { transaction.txid }
    /// Received minus sent (the fee included).
    public let amount: Int64
    /// The fee, for transactions this wallet paid; 0 otherwise.
    public let fee: Int64
    public let blockHash: Hash256?
    /// -1 while unconfirmed.
    public let blockHeight: Int
    public let confirmations: Int
    public let isCoinbase: Bool
    public let abandoned: Bool
    /// When the wallet first saw it (seconds since 1970).
    public let time: Int64
}

/// A transaction the wallet made and signed, not yet committed.
public struct CreatedTransaction: Sendable {
    public let transaction: Transaction
    public let fee: Int64
    /// The change output's index, or -1 when there is none.
    public let changePosition: Int
}
