// One pointer slot of a message being read, and the typed reads that follow it with every bound checked.

/// A pointer slot in a message being read: a struct field, a list element or the root.
///
/// Each `read` follows the pointer, checks the target against its segment, charges the traversal
/// budget and the nesting limit, and throws `CapnpError` on anything malformed.
public struct PointerReader: @unchecked Sendable {
    // @unchecked Sendable: a raw pointer into a message's bytes, which `arena` keeps alive and nothing changes.
    @usableFromInline let arena: MessageReader?
    @usableFromInline let segment: UInt32
    @usableFromInline let location: UnsafeRawPointer?
    @usableFromInline let nestingLimit: Int32

    @inlinable init(arena: MessageReader?, segment: UInt32, location: UnsafeRawPointer?, nestingLimit: Int32) {
        self.arena = arena
        self.segment = segment
        self.location = location
        self.nestingLimit = nestingLimit
    }

    @inlinable var wire: WirePointer {
        guard let location else { return WirePointer(raw: 0) }
        return WirePointer(raw: UInt64(littleEndian: location.loadUnaligned(as: UInt64.self)))
    }

    /// Whether the slot holds a null pointer (the field is unset).
    @inlinable public var isNull: Bool { wire.isNull }

    /// This slot, or `fallback`'s root when this slot is null.
    @inlinable func orDefault(_ fallback: PointerDefault?) -> PointerReader {
        if let fallback, wire.isNull { return fallback.reader }
        return self
    }

    @inlinable func checkNesting() throws(CapnpError) {
        if nestingLimit <= 0 {
            throw CapnpError(.nestingLimitExceeded, "message is nested too deeply (ReaderOptions.nestingLimit)")
        }
    }

    // MARK: structs

    /// Reads a struct; a null pointer reads as `fallback` or as an empty struct.
    @inlinable
    public func readStruct(default fallback: PointerDefault? = nil) throws(CapnpError) -> StructReader {
        let slot = orDefault(fallback)
        let pointer = slot.wire
        guard let arena = slot.arena, !pointer.isNull else { return .empty }
        try slot.checkNesting()
        let (tag, segment, target) = try arena.follow(segment: slot.segment, location: slot.location!, pointer: pointer)
        guard tag.kind == WirePointer.structKind else {
            throw CapnpError(.wrongPointerType, "expected a struct pointer, found \(Self.kindName(tag))")
        }
        let dataWords = tag.structDataWords
        let words = dataWords + tag.structPointerCount
        guard arena.contains(segment: segment, start: target, words: words) else {
            throw CapnpError(.outOfBounds, "struct pointer points outside segment \(segment)")
        }
        try arena.charge(words)
        return StructReader(arena: arena, segment: segment, data: target, dataBits: dataWords * 64,
                            pointers: target + dataWords * 8, pointerCount: tag.structPointerCount,
                            nestingLimit: slot.nestingLimit - 1)
    }

    // MARK: lists

    /// Reads a list whose elements the schema declares as `expected` (`.composite` for structs).
    /// Encodings a newer schema may have written (e.g. structs where primitives were) are accepted
    /// as the encoding spec allows.
    public func readList(expected: ElementSize, default fallback: PointerDefault? = nil) throws(CapnpError) -> ListReader {
        let slot = orDefault(fallback)
        let pointer = slot.wire
        guard let arena = slot.arena, !pointer.isNull else { return .empty(expected) }
        try slot.checkNesting()
        let (tag, segment, target) = try arena.follow(segment: slot.segment, location: slot.location!, pointer: pointer)
        guard tag.kind == WirePointer.listKind else {
            throw CapnpError(.wrongPointerType, "expected a list pointer, found \(Self.kindName(tag))")
        }
        let nesting = slot.nestingLimit - 1
        let size = tag.listElementSize
        if size == .composite {
            let wordCount = tag.listElementCount
            guard arena.contains(segment: segment, start: target, words: wordCount + 1) else {
                throw CapnpError(.outOfBounds, "struct list points outside segment \(segment)")
            }
            let elementTag = WirePointer(raw: UInt64(littleEndian: target.loadUnaligned(as: UInt64.self)))
            guard elementTag.kind == WirePointer.structKind else {
                throw CapnpError(.wrongPointerType, "struct list's tag word is not a struct pointer")
            }
            let count = elementTag.tagElementCount
            let dataWords = elementTag.structDataWords
            let pointerCount = elementTag.structPointerCount
            let wordsPerElement = dataWords + pointerCount
            guard count * wordsPerElement <= wordCount else {
                throw CapnpError(.outOfBounds, "struct list's elements (\(count) × \(wordsPerElement) words) overrun its \(wordCount) words")
            }
            // Zero-sized elements cost nothing to store, so charge per element against amplification.
            try arena.charge(wordsPerElement == 0 ? count : wordCount + 1)
            switch expected {
            case .bit:
                throw CapnpError(.incompatibleList, "found a struct list where a Bool list was expected")
            case .byte, .twoBytes, .fourBytes, .eightBytes:
                guard dataWords > 0 else {
                    throw CapnpError(.incompatibleList, "expected a list of primitives, found structs without data")
                }
            case .pointer:
                guard pointerCount > 0 else {
                    throw CapnpError(.incompatibleList, "expected a list of pointers, found structs without pointers")
                }
            case .void, .composite:
                break
            }
            return ListReader(arena: arena, segment: segment, start: target + 8, count: count,
                              stepBits: wordsPerElement * 64, structDataBits: dataWords * 64,
                              structPointerCount: pointerCount, elementSize: .composite, nestingLimit: nesting)
        }
        let count = tag.listElementCount
        let dataBits = size.dataBits
        let pointerCount = size.pointerCount
        let stepBits = dataBits + pointerCount * 64
        let words = (count * stepBits + 63) / 64
        guard arena.contains(segment: segment, start: target, words: words) else {
            throw CapnpError(.outOfBounds, "list points outside segment \(segment)")
        }
        try arena.charge(size == .void ? count : words)
        switch expected {
        case .composite:
            if size == .bit {
                throw CapnpError(.incompatibleList, "found a Bool list where a struct list was expected")
            }
        case .bit:
            if size != .bit {
                throw CapnpError(.incompatibleList, "expected a Bool list, found elements of size \(size)")
            }
        default:
            if size == .bit || dataBits < expected.dataBits || pointerCount < expected.pointerCount {
                throw CapnpError(.incompatibleList, "expected list elements of size \(expected), found \(size)")
            }
        }
        return ListReader(arena: arena, segment: segment, start: target, count: count, stepBits: stepBits,
                          structDataBits: dataBits, structPointerCount: pointerCount, elementSize: size,
                          nestingLimit: nesting)
    }

    // MARK: blobs

    /// Reads a byte list (Text or Data) in place, with the checks `readList` makes, but without
    /// building a list view: blobs are read often and each view would copy the arena reference.
    @inlinable
    func readBytes(default fallback: PointerDefault?) throws(CapnpError) -> UnsafeRawBufferPointer? {
        try Self.readBytes(arena: arena, segment: segment, location: location, default: fallback)
    }

    /// `readBytes` on a slot given by its parts, so a `StructReader` can read its own pointers
    /// without first copying its arena reference into a `PointerReader`.
    @inlinable @inline(__always)
    static func readBytes(arena: MessageReader?, segment: UInt32, location: UnsafeRawPointer?,
                          default fallback: PointerDefault?) throws(CapnpError) -> UnsafeRawBufferPointer? {
        // A slot has a location only inside a message, so the arena is there too. `guard let` borrows
        // it; `unsafelyUnwrapped` would copy it, a retain the optimizer keeps across `followFar`.
        guard let location, let arena else { return try readBytes(orDefault: fallback) }
        let pointer = WirePointer(raw: UInt64(littleEndian: location.loadUnaligned(as: UInt64.self)))
        if pointer.isNull { return try readBytes(orDefault: fallback) }
        // No nesting charge: a blob has no children (as in C++'s readTextPointer).
        let (tag, segment, target) = try arena.follow(segment: segment, location: location, pointer: pointer)
        guard tag.kind == WirePointer.listKind, tag.listElementSize == .byte else { throw notBytes(tag) }
        let count = tag.listElementCount
        let words = (count + 7) / 8
        guard arena.contains(segment: segment, start: target, words: words) else { throw outside(segment) }
        try arena.charge(words)
        return UnsafeRawBufferPointer(start: target, count: count)
    }

    @inlinable @inline(__always)
    static func readBytes(orDefault fallback: PointerDefault?) throws(CapnpError) -> UnsafeRawBufferPointer? {
        guard let fallback else { return nil }
        return try readBytes(of: fallback)
    }

    /// A default's bytes. Out of line: were `readBytes` recursive, it could not be inlined.
    @usableFromInline @inline(never)
    static func readBytes(of fallback: PointerDefault) throws(CapnpError) -> UnsafeRawBufferPointer? {
        try fallback.reader.readBytes(default: nil)
    }

    // The errors of `readBytes`, built out of line so that the hot path stays small enough to inline.
    @usableFromInline @inline(never) static func notBytes(_ tag: WirePointer) -> CapnpError {
        guard tag.kind == WirePointer.listKind else {
            return CapnpError(.wrongPointerType, "expected a list pointer, found \(kindName(tag))")
        }
        return CapnpError(.incompatibleList, "expected a list of bytes, found elements of size \(tag.listElementSize)")
    }

    @usableFromInline @inline(never) static func outside(_ segment: UInt32) -> CapnpError {
        CapnpError(.outOfBounds, "list points outside segment \(segment)")
    }

    /// Reads the bytes of a Text field, without its NUL terminator, in place.
    @inlinable
    public func readTextBytes(default fallback: PointerDefault? = nil) throws(CapnpError) -> UnsafeRawBufferPointer {
        try Self.textBytes(try readBytes(default: fallback))
    }

    /// A blob's bytes as text: without the NUL terminator, which must be there.
    @inlinable @inline(__always)
    static func textBytes(_ bytes: UnsafeRawBufferPointer?) throws(CapnpError) -> UnsafeRawBufferPointer {
        guard let bytes else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard bytes.count > 0, bytes[bytes.count - 1] == 0 else { throw unterminated() }
        return UnsafeRawBufferPointer(start: bytes.baseAddress, count: bytes.count - 1)
    }

    @usableFromInline @inline(never) static func unterminated() -> CapnpError {
        CapnpError(.malformedText, "text is not NUL-terminated")
    }

    /// Reads a Text field as a String. Text that is not UTF-8 is an error, not a replacement.
    @inlinable
    public func readText(default fallback: PointerDefault? = nil) throws(CapnpError) -> String {
        try Self.string(try readTextBytes(default: fallback))
    }

    @inlinable
    static func string(_ bytes: UnsafeRawBufferPointer) throws(CapnpError) -> String {
        guard let string = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw CapnpError(.malformedText, "text is not valid UTF-8")
        }
        return string
    }

    /// Reads a Text field's UTF-8 bytes in place (without the NUL), not validated.
    @inlinable
    public func readTextView(default fallback: PointerDefault? = nil) throws(CapnpError) -> DataReader {
        let bytes = try readTextBytes(default: fallback)
        return DataReader(arena: bytes.baseAddress == nil ? nil : orDefault(fallback).arena, bytes: bytes)
    }

    /// Reads a Data field in place.
    @inlinable
    public func readData(default fallback: PointerDefault? = nil) throws(CapnpError) -> DataReader {
        guard let bytes = try readBytes(default: fallback) else {
            return DataReader(arena: nil, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return DataReader(arena: orDefault(fallback).arena, bytes: bytes)
    }

    // MARK: capabilities

    /// The capability pointer this slot holds (its index is nil when the slot is null).
    public func readCapability() throws(CapnpError) -> CapabilityPointer {
        CapabilityPointer(index: try readCapabilityIndex(), message: arena)
    }

    /// The capability-table index this slot holds, or nil when it is null.
    public func readCapabilityIndex() throws(CapnpError) -> UInt32? {
        let pointer = wire
        if pointer.isNull { return nil }
        guard pointer.isCapability else {
            throw CapnpError(.wrongPointerType, "expected a capability pointer, found \(Self.kindName(pointer))")
        }
        return pointer.capabilityIndex
    }

    /// The arena this slot belongs to, for the RPC layer's capability table lookups.
    public var message: MessageReader? { arena }

    @usableFromInline static func kindName(_ pointer: WirePointer) -> String {
        switch pointer.kind {
        case WirePointer.structKind: "a struct pointer"
        case WirePointer.listKind: "a list pointer"
        case WirePointer.farKind: "a far pointer"
        default: pointer.isCapability ? "a capability pointer" : "a reserved 'other' pointer"
        }
    }
}
