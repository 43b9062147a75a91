// Field values as the tests state them, and the two bridges to the raw runtime API:
// building a message from values with the builders, and reading values back with a typed walk.

@_spi(Generated) @testable import Capnp
import Testing

/// A value of a field. Floats are kept as bit patterns so NaN and -0 compare exactly.
indirect enum Value: Equatable, Sendable, CustomStringConvertible {
    case void
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float32(UInt32)
    case float64(UInt64)
    case text(String)
    case data([UInt8])
    case list([Value])
    /// Only the fields that are set; the rest are at their defaults (or null).
    case structure([String: Value])
    case null

    static func f32(_ value: Float) -> Value { .float32(value.bitPattern) }
    static func f64(_ value: Double) -> Value { .float64(value.bitPattern) }

    var description: String {
        switch self {
        case .void: "void"
        case .bool(let value): "\(value)"
        case .int(let value): "\(value)"
        case .uint(let value): "\(value)u"
        case .float32(let bits): "\(Float(bitPattern: bits))f"
        case .float64(let bits): "\(Double(bitPattern: bits))"
        case .text(let value): "\"\(value)\""
        case .data(let value): "0x\(value.map { String($0, radix: 16) })"
        case .list(let values): "[\(values.map(\.description).joined(separator: ", "))]"
        case .structure(let fields):
            "(\(fields.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")))"
        case .null: "null"
        }
    }
}

extension FieldLayout {
    /// The value an unset field reads as.
    var defaultValue: Value {
        switch type {
        case .void: .void
        case .bool: .bool(defaultBits != 0)
        case .int(let bits): .int(Int64(truncatingIfNeeded: defaultBits << (64 - bits)) >> (64 - bits))
        case .uint: .uint(defaultBits)
        case .float32: .float32(UInt32(truncatingIfNeeded: defaultBits))
        case .float64: .float64(defaultBits)
        case .text, .data, .list, .structure: .null
        }
    }
}

extension WireSchema {
    /// `value` with every unset struct field filled in with its default, recursively, so it can be
    /// compared with what a typed walk reads.
    func complete(_ value: Value, as type: FieldType) -> Value {
        switch (value, type) {
        case (.structure(let fields), .structure(let name)):
            var all: [String: Value] = [:]
            for field in self[name].fields {
                all[field.name] = fields[field.name].map { complete($0, as: field.type) } ?? field.defaultValue
            }
            for name in fields.keys where all[name] == nil { Issue.record("value sets unknown field \(name)") }
            return .structure(all)
        case (.list(let elements), .list(let element)):
            return .list(elements.map { complete($0, as: element) })
        default:
            return value
        }
    }
}

// MARK: building

/// Builds a message from values with the raw builder API. Data fields are written first, then
/// pointers in slot order, depth first: the order in which `capnp convert` copies a message, so
/// both allocate the same words in the same places.
struct ValueBuilder {
    let schema: WireSchema

    func message(_ fields: [String: Value], root type: String, firstSegmentWords: Int = 1024) -> MessageBuilder {
        let message = MessageBuilder(firstSegmentWords: firstSegmentWords)
        let layout = schema[type]
        build(fields, into: message.root.initStruct(dataWords: layout.dataWords, pointerCount: layout.pointerCount),
              layout)
        return message
    }

    func build(_ fields: [String: Value], into builder: StructBuilder, _ layout: StructLayout) {
        for field in layout.fields where !field.type.isPointer {
            guard let value = fields[field.name] else { continue }
            writeData(value, field, builder)
        }
        for field in layout.fields.filter(\.type.isPointer).sorted(by: { $0.pointerIndex < $1.pointerIndex }) {
            guard let value = fields[field.name] else { continue }
            set(value, as: field.type, at: builder._pointer(field.pointerIndex))
        }
    }

    private func writeData(_ value: Value, _ field: FieldLayout, _ builder: StructBuilder) {
        let offset = field.bitOffset, bits = field.defaultBits
        switch (field.type, value) {
        case (.void, .void): break
        case (.bool, .bool(let v)): builder._writeBool(offset, v, default: bits != 0)
        case (.int(8), .int(let v)): builder._write(offset / 8, Int8(v), default: Int8(truncatingIfNeeded: bits))
        case (.int(16), .int(let v)): builder._write(offset / 16, Int16(v), default: Int16(truncatingIfNeeded: bits))
        case (.int(32), .int(let v)): builder._write(offset / 32, Int32(v), default: Int32(truncatingIfNeeded: bits))
        case (.int(64), .int(let v)): builder._write(offset / 64, v, default: Int64(bitPattern: bits))
        case (.uint(8), .uint(let v)): builder._write(offset / 8, UInt8(v), default: UInt8(truncatingIfNeeded: bits))
        case (.uint(16), .uint(let v)): builder._write(offset / 16, UInt16(v), default: UInt16(truncatingIfNeeded: bits))
        case (.uint(32), .uint(let v)): builder._write(offset / 32, UInt32(v), default: UInt32(truncatingIfNeeded: bits))
        case (.uint(64), .uint(let v)): builder._write(offset / 64, v, default: bits)
        case (.float32, .float32(let v)):
            builder._writeFloat32(offset / 32, Float(bitPattern: v), default: Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case (.float64, .float64(let v)):
            builder._writeFloat64(offset / 64, Double(bitPattern: v), default: Double(bitPattern: bits))
        default: Issue.record("cannot write \(value) to \(field.name) :\(field.type)")
        }
    }

    func set(_ value: Value, as type: FieldType, at slot: PointerBuilder) {
        switch (type, value) {
        case (_, .null): slot.clear()
        case (.text, .text(let text)): slot.setText(text)
        case (.data, .data(let bytes)): slot.setData(bytes)
        case (.structure(let name), .structure(let fields)):
            let layout = schema[name]
            build(fields, into: slot.initStruct(dataWords: layout.dataWords, pointerCount: layout.pointerCount), layout)
        case (.list(.structure(let name)), .list(let elements)):
            let layout = schema[name]
            let list = slot.initStructList(count: elements.count, dataWords: layout.dataWords,
                                           pointerCount: layout.pointerCount)
            for (index, element) in elements.enumerated() {
                guard case .structure(let fields) = element else { Issue.record("\(element) is not a struct"); continue }
                build(fields, into: list.structElement(index), layout)
            }
        case (.list(let element), .list(let elements)):
            let list = slot.initList(element.listElementSize, count: elements.count)
            for (index, value) in elements.enumerated() {
                switch (element, value) {
                case (.void, .void): break
                case (.bool, .bool(let v)): list.writeBool(index, v)
                case (.int(8), .int(let v)): list.write(index, Int8(v))
                case (.int(16), .int(let v)): list.write(index, Int16(v))
                case (.int(32), .int(let v)): list.write(index, Int32(v))
                case (.int(64), .int(let v)): list.write(index, v)
                case (.uint(8), .uint(let v)): list.write(index, UInt8(v))
                case (.uint(16), .uint(let v)): list.write(index, UInt16(v))
                case (.uint(32), .uint(let v)): list.write(index, UInt32(v))
                case (.uint(64), .uint(let v)): list.write(index, v)
                case (.float32, .float32(let bits)): list.write(index, bits)
                case (.float64, .float64(let bits)): list.write(index, bits)
                case (.text, _), (.data, _), (.list, _): set(value, as: element, at: list.pointerElement(index))
                default: Issue.record("cannot put \(value) in a List(\(element))")
                }
            }
        default:
            Issue.record("cannot set \(value) as \(type)")
        }
    }
}

// MARK: reading

/// Reads every field of a message by schema with the raw reader API, as generated code will.
/// Counts the far and double-far pointers it follows, to show a test exercised them.
struct TypedWalk {
    let schema: WireSchema
    var farPointers = 0
    var doubleFarPointers = 0

    init(schema: WireSchema) { self.schema = schema }

    /// Reads the whole message as `type`.
    static func read(_ message: MessageReader, as type: String, schema: WireSchema) throws(CapnpError) -> Value {
        var walk = TypedWalk(schema: schema)
        return try walk.pointer(try message.root(), as: .structure(type))
    }

    mutating func structure(_ reader: StructReader, _ layout: StructLayout) throws(CapnpError) -> Value {
        var fields: [String: Value] = [:]
        for field in layout.fields {
            fields[field.name] = try self.field(reader, field)
        }
        return .structure(fields)
    }

    private mutating func field(_ reader: StructReader, _ field: FieldLayout) throws(CapnpError) -> Value {
        let offset = field.bitOffset, bits = field.defaultBits
        switch field.type {
        case .void: return .void
        case .bool: return .bool(reader._readBool(offset, default: bits != 0))
        case .int(8): return .int(Int64(reader._read(offset / 8, default: Int8(truncatingIfNeeded: bits))))
        case .int(16): return .int(Int64(reader._read(offset / 16, default: Int16(truncatingIfNeeded: bits))))
        case .int(32): return .int(Int64(reader._read(offset / 32, default: Int32(truncatingIfNeeded: bits))))
        case .int: return .int(reader._read(offset / 64, default: Int64(bitPattern: bits)))
        case .uint(8): return .uint(UInt64(reader._read(offset / 8, default: UInt8(truncatingIfNeeded: bits))))
        case .uint(16): return .uint(UInt64(reader._read(offset / 16, default: UInt16(truncatingIfNeeded: bits))))
        case .uint(32): return .uint(UInt64(reader._read(offset / 32, default: UInt32(truncatingIfNeeded: bits))))
        case .uint: return .uint(reader._read(offset / 64, default: bits))
        case .float32:
            return .float32(reader._readFloat32(offset / 32, default: Float(bitPattern: UInt32(truncatingIfNeeded: bits))).bitPattern)
        case .float64: return .float64(reader._readFloat64(offset / 64, default: Double(bitPattern: bits)).bitPattern)
        case .text, .data, .list, .structure: return try pointer(reader._pointer(field.pointerIndex), as: field.type)
        }
    }

    mutating func pointer(_ slot: PointerReader, as type: FieldType) throws(CapnpError) -> Value {
        if slot.isNull { return .null }
        let wire = slot.wire
        if wire.kind == WirePointer.farKind {
            farPointers += 1
            if wire.farIsDoubleFar { doubleFarPointers += 1 }
        }
        switch type {
        case .text: return .text(try slot.readText())
        case .data: return .data(Array(try slot.readData()))
        case .structure(let name): return try structure(try slot.readStruct(), schema[name])
        case .list(let element):
            let list = try slot.readList(expected: element.listElementSize)
            var values: [Value] = []
            values.reserveCapacity(min(list.count, 1 << 16))
            for index in 0..<list.count {
                switch element {
                case .void: values.append(.void)
                case .bool: values.append(.bool(list.readBool(index)))
                case .int(8): values.append(.int(Int64(list.read(index) as Int8)))
                case .int(16): values.append(.int(Int64(list.read(index) as Int16)))
                case .int(32): values.append(.int(Int64(list.read(index) as Int32)))
                case .int: values.append(.int(list.read(index) as Int64))
                case .uint(8): values.append(.uint(UInt64(list.read(index) as UInt8)))
                case .uint(16): values.append(.uint(UInt64(list.read(index) as UInt16)))
                case .uint(32): values.append(.uint(UInt64(list.read(index) as UInt32)))
                case .uint: values.append(.uint(list.read(index) as UInt64))
                case .float32: values.append(.float32(list.read(index)))
                case .float64: values.append(.float64(list.read(index)))
                case .text, .data, .list: values.append(try pointer(list.pointerElement(index), as: element))
                case .structure(let name): values.append(try structure(list.structElement(index), schema[name]))
                }
            }
            return .list(values)
        default:
            Issue.record("\(type) is not a pointer type")
            return .null
        }
    }
}
