// A read-only view of one struct in a message: data fields are read in place, pointers lazily.

/// A struct inside a message being read. Generated `Reader`s wrap one of these.
///
/// Reading a data field past the end of the struct's data section yields the field's default,
/// which is how older messages stay readable by newer schemas.
///
/// Its underscored accessors (`_read`, `_readText`, `_pointer`, …) are what generated `@inlinable`
/// accessors call (inlinable code cannot call SPI); read fields through a generated `Reader`.
public struct StructReader: @unchecked Sendable {
    // @unchecked Sendable: raw pointers into a message's bytes, which `arena` keeps alive and nothing changes.
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
    public func _read<T: FixedWidthInteger>(_ index: Int, default defaultValue: T = 0) -> T {
        if (index + 1) * T.bitWidth <= dataBits {
            return T(littleEndian: data.unsafelyUnwrapped.loadUnaligned(fromByteOffset: index * (T.bitWidth / 8), as: T.self)) ^ defaultValue
        }
        return defaultValue
    }

    @inlinable
    public func _readBool(_ bit: Int, default defaultValue: Bool = false) -> Bool {
        if bit < dataBits {
            let byte = data.unsafelyUnwrapped.load(fromByteOffset: bit / 8, as: UInt8.self)
            return (byte >> UInt8(bit % 8)) & 1 != 0 ? !defaultValue : defaultValue
        }
        return defaultValue
    }

    @inlinable
    public func _readFloat32(_ index: Int, default defaultValue: Float = 0) -> Float {
        Float(bitPattern: _read(index, default: defaultValue.bitPattern))
    }

    @inlinable
    public func _readFloat64(_ index: Int, default defaultValue: Double = 0) -> Double {
        Double(bitPattern: _read(index, default: defaultValue.bitPattern))
    }

    /// The pointer at `index` of the pointer section; out-of-range indices read as null.
    @inlinable
    public func _pointer(_ index: Int) -> PointerReader {
        if index < pointerCount {
            return PointerReader(arena: arena, segment: segment, location: pointers.unsafelyUnwrapped + index * 8,
                                 nestingLimit: nestingLimit)
        }
        return PointerReader(arena: nil, segment: 0, location: nil, nestingLimit: nestingLimit)
    }

    // MARK: pointer fields, read straight from the struct

    // These match `_pointer(index).read…`, but borrow this struct's arena reference instead of
    // copying it into a `PointerReader`: a copy costs an atomic retain and release per read.

    /// The slot of pointer `index`, or nil (a null pointer) outside the pointer section.
    @inlinable func slot(_ index: Int) -> UnsafeRawPointer? {
        index < pointerCount ? pointers.unsafelyUnwrapped + index * 8 : nil
    }

    /// Whether pointer `index` is null (the field is unset).
    @inlinable public func _isNull(_ index: Int) -> Bool {
        guard let slot = slot(index) else { return true }
        return slot.loadUnaligned(as: UInt64.self) == 0
    }

    /// What owns the bytes read from pointer `index`: this message, or the default's.
    @inlinable func owner(_ index: Int, _ fallback: PointerDefault?) -> MessageReader? {
        if let fallback, _isNull(index) { return fallback.reader.arena }
        return arena
    }

    @inlinable @inline(__always)
    func readBytes(_ index: Int, default fallback: PointerDefault?) throws(CapnpError) -> UnsafeRawBufferPointer? {
        try PointerReader.readBytes(arena: arena, segment: segment, location: slot(index), default: fallback)
    }

    /// Text pointer `index` as a String. Text that is not UTF-8 is an error, not a replacement.
    @inlinable @inline(__always)
    public func _readText(_ index: Int, default fallback: PointerDefault? = nil) throws(CapnpError) -> String {
        try PointerReader.string(try PointerReader.textBytes(try readBytes(index, default: fallback)))
    }

    /// Text pointer `index`'s UTF-8 bytes in place (without the NUL), not validated.
    @inlinable @inline(__always)
    public func _readTextView(_ index: Int, default fallback: PointerDefault? = nil) throws(CapnpError) -> DataReader {
        let bytes = try PointerReader.textBytes(try readBytes(index, default: fallback))
        return DataReader(arena: bytes.baseAddress == nil ? nil : owner(index, fallback), bytes: bytes)
    }

    /// Data pointer `index`, in place.
    @inlinable @inline(__always)
    public func _readData(_ index: Int, default fallback: PointerDefault? = nil) throws(CapnpError) -> DataReader {
        guard let bytes = try readBytes(index, default: fallback) else {
            return DataReader(arena: nil, bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        return DataReader(arena: owner(index, fallback), bytes: bytes)
    }

    /// The data section's bytes, for copying.
    var dataBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: data, count: dataBits / 8) }
}
