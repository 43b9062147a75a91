// What goes wrong in a wallet, with messages that say what to do about it.

import SQLiteSupport

public enum WalletError: Error, Sendable, CustomStringConvertible {
    case badSeed(String)
    case invalidChild(UInt32)
    case badPath(String)
    case database(StoreError)
    case corrupt(String)
    case exists(String)
    case notFound(String)
    case badAddress(String)
    case badAmount(String)
    case insufficientFunds(needed: Int64, available: Int64)
    case unknownTransaction(String)
    case refused(String)
    case chain(String)
    case cancelled(String)

    public var description: String {
        switch self {
        case .badSeed(let m): m
        case .invalidChild(let i): "BIP32 child \(i) is invalid (a 2^-127 event); derive the next index"
        case .badPath(let p): "\(p) is not a BIP32 path like m/84'/1'/0'/0/0"
        case .database(let e): "wallet database: \(e)"
        case .corrupt(let m): "the wallet database is damaged: \(m); restore it from a backup"
        case .exists(let m): m
        case .notFound(let m): m
        case .badAddress(let m): m
        case .badAmount(let m): m
        case .insufficientFunds(let needed, let available):
            "insufficient funds: \(needed) units needed with the fee, \(available) spendable (mature, unspent, unreserved)"
        case .unknownTransaction(let t): "the wallet has no transaction \(t)"
        case .refused(let r): "the node refused the transaction: \(r)"
        case .chain(let m): "chain: \(m)"
        case .cancelled(let m): m
        }
    }
}
