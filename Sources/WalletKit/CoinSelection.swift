// Coin selection and fees: largest coins first until the payment and the fee for the transaction's
// virtual size are covered, with change when it is worth an output.

/// A coin the wallet may spend.
public struct SpendableCoin: Sendable, Equatable {
    public let outpoint: OutPointKey
    public let value: Int64
    public let change: Bool
    public let index: UInt32
}

/// An outpoint as the wallet stores it (txid bytes in internal order and the output index).
public struct OutPointKey: Sendable, Hashable {
    public let txid: [UInt8]
    public let vout: UInt32
}

enum CoinSelection {
    /// Virtual sizes of P2WPKH spends (a 72-byte signature, the worst case, so fees never fall short).
    static let overheadVSize = 11, inputVSize = 68, outputVSize = 31
    /// Bitcoin Core's dust threshold for a P2WPKH output at the 3000/kvB dust feerate.
    static let dust: Int64 = 294

    static func fee(vsize: Int, feeRate: Int64) -> Int64 { (Int64(vsize) * feeRate + 999) / 1000 }

    /// The coins to spend, the fee, and the change (0: none) for paying `amount` in `outputs` outputs.
    /// With `subtractFee` the recipients pay the fee, so the coins need cover only `amount`.
    static func select(_ coins: [SpendableCoin], amount: Int64, outputs: Int, feeRate: Int64,
                       subtractFee: Bool) throws(WalletError) -> (coins: [SpendableCoin], fee: Int64, change: Int64) {
        let available = coins.reduce(0) { $0 + $1.value }
        var chosen: [SpendableCoin] = []
        var total: Int64 = 0
        for coin in coins.sorted(by: { $0.value > $1.value }) {
            chosen.append(coin)
            total += coin.value
            let feeWithChange = fee(vsize: overheadVSize + chosen.count * inputVSize + (outputs + 1) * outputVSize, feeRate: feeRate)
            let feeWithout = fee(vsize: overheadVSize + chosen.count * inputVSize + outputs * outputVSize, feeRate: feeRate)
            let needed = subtractFee ? amount : amount + feeWithout
            guard total >= needed else { continue }
            let change = total - amount - (subtractFee ? 0 : feeWithChange)
            if change >= dust { return (chosen, feeWithChange, change) }
            // Change too small to be worth an output goes to the fee.
            return (chosen, subtractFee ? feeWithout + (total - amount) : total - amount, 0)
        }
        throw .insufficientFunds(needed: amount + fee(vsize: overheadVSize + max(1, coins.count) * inputVSize + outputs * outputVSize,
                                                     feeRate: feeRate), available: available)
    }
}
