// What went wrong in the node's chain state, with a sentence a person can act on.

import Consensus
import SQLiteSupport

public enum NodeError: Error, Sendable, CustomStringConvertible {
    /// A transaction or block broke a rule; `ValidationError` names it.
    case rejected(ValidationError)
    /// The chain store failed (disk, permissions, a corrupt database).
    case store(StoreError)
    /// No block with this hash is known.
    case unknownBlock(Hash256)
    /// An address could not be used.
    case badAddress(String)
    /// The store holds something that cannot be read back: the datadir is damaged.
    case corrupt(String)

    public var description: String {
        switch self {
        case .rejected(let error): return "rejected: \(error.description)"
        case .store(let error): return "chain store error: \(error.description)"
        case .unknownBlock(let hash): return "block \(hash.hex) is not known"
        case .badAddress(let reason): return "bad address: \(reason)"
        case .corrupt(let reason): return "the chain store is corrupt (\(reason)): remove the datadir's chainstate.sqlite to start again"
        }
    }

    /// The rule broken, when this is a rejection.
    public var validationError: ValidationError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}
