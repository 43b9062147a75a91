// The one error type of the wire format: a kind a program can switch on, and a message a person can act on.

/// An error found while reading or framing a Cap'n Proto message.
///
/// Readers never trap on hostile bytes; every bound they check fails with one of these.
public struct CapnpError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The segment table or stream ended early, or its sizes are inconsistent.
        case truncated
        /// A pointer points outside its segment, or names a segment that does not exist.
        case outOfBounds
        /// A pointer has a type the reader did not expect (e.g. a list where a struct belongs).
        case wrongPointerType
        /// A list's element size is incompatible with the schema's element type.
        case incompatibleList
        /// A far pointer's landing pad is malformed (e.g. a far pointer to a far pointer).
        case malformedFarPointer
        /// Text is not NUL-terminated or not UTF-8.
        case malformedText
        /// The reader's traversal budget is spent (amplification or cyclic pointers).
        case traversalLimitExceeded
        /// Pointers are nested deeper than the reader allows.
        case nestingLimitExceeded
        /// The segment table announces more segments, or more bytes, than allowed.
        case messageTooLarge
        /// Packed input is malformed.
        case malformedPacking
        /// A capability pointer has no entry in the message's capability table.
        case invalidCapability
        /// The operating system failed a read or write.
        case io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }
}
