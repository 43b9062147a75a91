// A writable view of one struct in a message under construction. Generated `Builder`s wrap one.

/// A struct inside a `MessageBuilder`. Setters write in place; the struct's size is fixed by the schema.
///
/// Its underscored accessors (`_write`, `_setText`, `_pointer`, …) are what generated `@inlinable`
/// accessors call (inlinable code cannot call SPI); set fields through a generated `Builder`.
public struct StructBuilder {
    @usableFromInline let arena: MessageBuilder
    @usableFromInline let segment: UInt32
    @usableFromInline let data: UnsafeMutableRawPointer
    @usableFromInline let pointers: UnsafeMutableRawPointer
    @usableFromInline let dataBits: Int
    @usableFromInline let pointerCount: Int

    @inlinable init(arena: MessageBuilder, segment: UInt32, data: UnsafeMutableRawPointer, dataBits: Int,
                    pointers: UnsafeMutableRawPointer, pointerCount: Int) {
        self.arena = arena
        self.segment = segment
        self.data = data
        self.dataBits = dataBits
        self.pointers = pointers
        self.pointerCount = pointerCount
    }

    /// Writes `value` XORed with the field's default, so defaults encode as zero.
    @inlinable
    public func _write<T: FixedWidthInteger>(_ index: Int, _ value: T, default defaultValue: T = 0) {
        if (index + 1) * T.bitWidth <= dataBits {
            data.storeBytes(of: (value ^ defaultValue).littleEndian, toByteOffset: index * (T.bitWidth / 8), as: T.self)
        }
    }

    @inlinable
    public func _read<T: FixedWidthInteger>(_ index: Int, default defaultValue: T = 0) -> T {
        if (index + 1) * T.bitWidth <= dataBits {
            return T(littleEndian: data.loadUnaligned(fromByteOffset: index * (T.bitWidth / 8), as: T.self)) ^ defaultValue
        }
        return defaultValue
    }

    @inlinable
    public func _writeBool(_ bit: Int, _ value: Bool, default defaultValue: Bool = false) {
        if bit < dataBits {
            let mask = UInt8(1) << UInt8(bit % 8)
            let byte = data.load(fromByteOffset: bit / 8, as: UInt8.self)
            data.storeBytes(of: value != defaultValue ? byte | mask : byte & ~mask, toByteOffset: bit / 8, as: UInt8.self)
        }
    }

    @inlinable
    public func _readBool(_ bit: Int, default defaultValue: Bool = false) -> Bool {
        if bit < dataBits {
            return (data.load(fromByteOffset: bit / 8, as: UInt8.self) >> UInt8(bit % 8)) & 1 != 0 ? !defaultValue : defaultValue
        }
        return defaultValue
    }

    @inlinable
    public func _writeFloat32(_ index: Int, _ value: Float, default defaultValue: Float = 0) {
        _write(index, value.bitPattern, default: defaultValue.bitPattern)
    }

    @inlinable
    public func _readFloat32(_ index: Int, default defaultValue: Float = 0) -> Float {
        Float(bitPattern: _read(index, default: defaultValue.bitPattern))
    }

    @inlinable
    public func _writeFloat64(_ index: Int, _ value: Double, default defaultValue: Double = 0) {
        _write(index, value.bitPattern, default: defaultValue.bitPattern)
    }

    @inlinable
    public func _readFloat64(_ index: Int, default defaultValue: Double = 0) -> Double {
        Double(bitPattern: _read(index, default: defaultValue.bitPattern))
    }

    /// The pointer slot at `index`. The index must be inside the schema's pointer section.
    @inlinable
    public func _pointer(_ index: Int) -> PointerBuilder {
        precondition(index < pointerCount, "pointer \(index) is outside a struct of \(pointerCount) pointers")
        return PointerBuilder(arena: arena, segment: segment, location: pointers + index * 8)
    }

    /// Writes `text` to pointer `index` as NUL-terminated UTF-8; same as `_pointer(index).setText(text)`,
    /// but borrowing this struct's arena reference instead of copying it into a `PointerBuilder`.
    @inlinable @inline(__always)
    public func _setText(_ index: Int, _ text: String) {
        precondition(index < pointerCount, "pointer \(index) is outside a struct of \(pointerCount) pointers")
        PointerBuilder.setText(text, arena: arena, segment: segment, slot: pointers + index * 8)
    }

    /// A reader over the same bytes.
    public var asReader: StructReader {
        StructReader(arena: arena.asReader(), segment: segment, data: data, dataBits: dataBits, pointers: pointers,
                     pointerCount: pointerCount, nestingLimit: Int32.max)
    }

    /// The message this struct belongs to.
    public var message: MessageBuilder { arena }
}
