// A read-only view of one list in a message; typed list views wrap it.

/// An untyped list inside a message being read. Element reads are in place and bounds-free:
/// the whole list was checked against its segment when the pointer was followed.
public struct ListReader: @unchecked Sendable {
    // @unchecked Sendable: raw pointers into a message's bytes, which `arena` keeps alive and nothing changes.
    @usableFromInline let arena: MessageReader?
    @usableFromInline let segment: UInt32
    @usableFromInline let start: UnsafeRawPointer?
    public let count: Int
    @usableFromInline let stepBits: Int
    @usableFromInline let structDataBits: Int
    @usableFromInline let structPointerCount: Int
    /// The element size as encoded on the wire.
    public let elementSize: ElementSize
    @usableFromInline let nestingLimit: Int32

    @inlinable init(arena: MessageReader?, segment: UInt32, start: UnsafeRawPointer?, count: Int, stepBits: Int,
                    structDataBits: Int, structPointerCount: Int, elementSize: ElementSize, nestingLimit: Int32) {
        self.arena = arena
        self.segment = segment
        self.start = start
        self.count = count
        self.stepBits = stepBits
        self.structDataBits = structDataBits
        self.structPointerCount = structPointerCount
        self.elementSize = elementSize
        self.nestingLimit = nestingLimit
    }

    /// An empty list, as a null pointer reads.
    @inlinable static func empty(_ elementSize: ElementSize) -> ListReader {
        ListReader(arena: nil, segment: 0, start: nil, count: 0, stepBits: 0, structDataBits: 0,
                   structPointerCount: 0, elementSize: elementSize, nestingLimit: 0)
    }

    /// A primitive element. Callers keep `index` below `count`.
    @inlinable
    public func read<T: FixedWidthInteger>(_ index: Int) -> T {
        T(littleEndian: start.unsafelyUnwrapped.loadUnaligned(fromByteOffset: index * stepBits / 8, as: T.self))
    }

    @inlinable
    public func readBool(_ index: Int) -> Bool {
        let bit = index * stepBits
        return (start.unsafelyUnwrapped.load(fromByteOffset: bit / 8, as: UInt8.self) >> UInt8(bit % 8)) & 1 != 0
    }

    /// A struct element; for lists of primitives this views each element as a one-field struct.
    @inlinable
    public func structElement(_ index: Int) -> StructReader {
        let data = start.unsafelyUnwrapped + index * stepBits / 8
        return StructReader(arena: arena, segment: segment, data: data, dataBits: structDataBits,
                            pointers: data + structDataBits / 8, pointerCount: structPointerCount,
                            nestingLimit: nestingLimit)
    }

    /// A pointer element (for struct lists read as pointer lists, the struct's first pointer).
    @inlinable
    public func pointerElement(_ index: Int) -> PointerReader {
        PointerReader(arena: arena, segment: segment,
                      location: start.unsafelyUnwrapped + index * stepBits / 8 + structDataBits / 8,
                      nestingLimit: nestingLimit)
    }
}

/// The bytes of a Data field, read in place. The message stays alive while this view does.
public struct DataReader: RandomAccessCollection, @unchecked Sendable, CustomStringConvertible {
    // @unchecked Sendable: a raw view of bytes that `arena` keeps alive and nothing changes.
    @usableFromInline let arena: MessageReader?
    public let bytes: UnsafeRawBufferPointer

    @inlinable init(arena: MessageReader?, bytes: UnsafeRawBufferPointer) {
        self.arena = arena
        self.bytes = bytes
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { bytes.count }
    @inlinable public subscript(position: Int) -> UInt8 { bytes[position] }

    /// Calls `body` with the bytes; they are valid only inside it unless the reader is kept alive.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(arena) { try body(bytes) }
    }

    public var description: String { "\(bytes.count) bytes" }
}
