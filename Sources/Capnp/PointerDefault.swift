// Schema default values for pointer fields, compiled into generated code as words.

/// The default value of a pointer field: a one-segment message whose root is the value.
/// Generated code keeps one per defaulted field and reads it when the field is null.
public final class PointerDefault: Sendable {
    @usableFromInline let arena: MessageReader

    /// `words` is a segment whose first word points to the value (as `capnp compile` encodes defaults).
    @_spi(Generated) public init(words: [UInt64]) {
        let bytes = words.flatMap { word in withUnsafeBytes(of: word.littleEndian) { Array($0) } }
        arena = MessageReader(copying: [bytes], options: .trusted)
    }

    /// The value itself, for constants.
    public var root: PointerReader { reader }

    @usableFromInline var reader: PointerReader {
        PointerReader(arena: arena, segment: 0, location: arena.segmentStarts[0], nestingLimit: arena.nestingLimit)
    }
}
