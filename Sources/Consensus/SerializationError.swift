// Why bytes could not be read as a Bitcoin structure.

/// Bytes that are not a well-formed transaction, header or block. `description` says which and where.
public enum SerializationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes ended before the structure did (`what`: "transaction", "block", ...).
    case truncated(what: String, detail: String)
    /// The bytes are complete but not a valid encoding.
    case malformed(what: String, detail: String)

    public var description: String {
        switch self {
        case .truncated(let what, let detail): return "truncated \(what): \(detail)"
        case .malformed(let what, let detail): return "malformed \(what): \(detail)"
        }
    }
}
