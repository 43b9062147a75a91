// A read-only view of one struct in a message: data fields are read in place, pointers lazily.

/// A struct inside a message being read. Generated `Reader`s wrap one of these.
///
/// Reading a data field past the end of the struct's data section yields the field's default,
/// which is how older messages stay readable by newer schemas.
public struct StructReader: @unchecked Sendable {
    @usableFromInline let arena: MessageReader?
    @usableFromInline let segment: UInt32
    @usableFromInline let data: UnsafeRawPointer?
    @usableFromInline let pointers: UnsafeRawPointer?
    @usableFromInline let dataBits: Int
    @usableFromInline let pointerCount: Int
    @usableFromInline let nestingLimit: Int32

    @inlinable init(arena: MessageReader?, segment: UInt32, data: UnsafeRawPointer?, dataBits: Int,
                    pointers: UnsafeRawPointer?, pointerCount: Int, nestingLimit: Int32) {
        self.arena = arena
        self.segment = segment
        self.data = data
        self.dataBits = dataBits
        self.pointers = pointers
        self.pointerCount = pointerCount
        self.nestingLimit = nestingLimit
    }

    /// A struct with no fields set: every field reads as its default.
    public static let empty = StructReader(arena: nil, segment: 0, data: nil, dataBits: 0, pointers: nil,
                                           pointerCount: 0, nestingLimit: 0)

    /// Words in the data section, as encoded.
    public var dataWordCount: Int { dataBits / 64 }
    /// Pointers in the pointer section, as encoded.
    public var pointerSectionCount: Int { pointerCount }

    /// The data field of type `T` at `index` (in units of `T`'s size), XORed with its default.
    @inlinable
    public func read<T: FixedWidthInteger>(_ index: Int, default defaultValue: T = 0) -> T {
        if (index + 1) * T.bitWidth <= dataBits {
            return T(littleEndian: data.unsafelyUnwrapped.loadUnaligned(fromByteOffset: index * (T.bitWidth / 8), as: T.self)) ^ defaultValue
        }
        return defaultValue
    }

    @inlinable
    public func readBool(_ bit: Int, default defaultValue: Bool = false) -> Bool {
        if bit < dataBits {
            let byte = data.unsafelyUnwrapped.load(fromByteOffset: bit / 8, as: UInt8.self)
            return (byte >> UInt8(bit % 8)) & 1 != 0 ? !defaultValue : defaultValue
        }
        return defaultValue
    }

    @inlinable
    public func readFloat32(_ index: Int, default defaultValue: Float = 0) -> Float {
        Float(bitPattern: read(index, default: defaultValue.bitPattern))
    }

    @inlinable
    public func readFloat64(_ index: Int, default defaultValue: Double = 0) -> Double {
        Double(bitPattern: read(index, default: defaultValue.bitPattern))
    }

    /// The pointer at `index` of the pointer section; out-of-range indices read as null.
    @inlinable
    public func pointer(_ index: Int) -> PointerReader {
        if index < pointerCount {
            return PointerReader(arena: arena, segment: segment, location: pointers.unsafelyUnwrapped + index * 8,
                                 nestingLimit: nestingLimit)
        }
        return PointerReader(arena: nil, segment: 0, location: nil, nestingLimit: nestingLimit)
    }

    /// The data section's bytes, for copying.
    var dataBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: data, count: dataBits / 8) }
}
