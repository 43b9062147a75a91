// A writable view of one list in a message under construction; typed list builders wrap it.

/// An untyped list inside a `MessageBuilder`. Callers keep indices below `count`.
public struct ListBuilder {
    @usableFromInline let arena: MessageBuilder?
    @usableFromInline let segment: UInt32
    @usableFromInline let start: UnsafeMutableRawPointer?
    public let count: Int
    @usableFromInline let stepBits: Int
    @usableFromInline let structDataBits: Int
    @usableFromInline let structPointerCount: Int
    public let elementSize: ElementSize

    @inlinable init(arena: MessageBuilder?, segment: UInt32, start: UnsafeMutableRawPointer?, count: Int, stepBits: Int,
                    structDataBits: Int, structPointerCount: Int, elementSize: ElementSize) {
        self.arena = arena
        self.segment = segment
        self.start = start
        self.count = count
        self.stepBits = stepBits
        self.structDataBits = structDataBits
        self.structPointerCount = structPointerCount
        self.elementSize = elementSize
    }

    @inlinable static func empty(_ elementSize: ElementSize) -> ListBuilder {
        ListBuilder(arena: nil, segment: 0, start: nil, count: 0, stepBits: 0, structDataBits: 0,
                    structPointerCount: 0, elementSize: elementSize)
    }

    @inlinable
    public func read<T: FixedWidthInteger>(_ index: Int) -> T {
        T(littleEndian: start.unsafelyUnwrapped.loadUnaligned(fromByteOffset: index * stepBits / 8, as: T.self))
    }

    @inlinable
    public func write<T: FixedWidthInteger>(_ index: Int, _ value: T) {
        start.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: index * stepBits / 8, as: T.self)
    }

    @inlinable
    public func readBool(_ index: Int) -> Bool {
        let bit = index * stepBits
        return (start.unsafelyUnwrapped.load(fromByteOffset: bit / 8, as: UInt8.self) >> UInt8(bit % 8)) & 1 != 0
    }

    @inlinable
    public func writeBool(_ index: Int, _ value: Bool) {
        let bit = index * stepBits
        let mask = UInt8(1) << UInt8(bit % 8)
        let byte = start.unsafelyUnwrapped.load(fromByteOffset: bit / 8, as: UInt8.self)
        start.unsafelyUnwrapped.storeBytes(of: value ? byte | mask : byte & ~mask, toByteOffset: bit / 8, as: UInt8.self)
    }

    @inlinable
    public func structElement(_ index: Int) -> StructBuilder {
        let data = start.unsafelyUnwrapped + index * stepBits / 8
        return StructBuilder(arena: arena.unsafelyUnwrapped, segment: segment, data: data, dataBits: structDataBits,
                             pointers: data + structDataBits / 8, pointerCount: structPointerCount)
    }

    @inlinable
    public func pointerElement(_ index: Int) -> PointerBuilder {
        PointerBuilder(arena: arena.unsafelyUnwrapped, segment: segment,
                       location: start.unsafelyUnwrapped + index * stepBits / 8 + structDataBits / 8)
    }
}
