// Schema values (defaults and constants) as Swift literals or as words of a one-segment message.

import Capnp

enum Values {
    /// The raw bits of a data value, for deciding whether a default is zero.
    static func isZero(_ value: Value.Reader) -> Bool {
        switch value.which {
        case .bool: !value.bool
        case .int8: value.int8 == 0
        case .int16: value.int16 == 0
        case .int32: value.int32 == 0
        case .int64: value.int64 == 0
        case .uint8: value.uint8 == 0
        case .uint16: value.uint16 == 0
        case .uint32: value.uint32 == 0
        case .uint64: value.uint64 == 0
        case .float32: value.float32.bitPattern == 0
        case .float64: value.float64.bitPattern == 0
        case .enum_: value.enum_ == 0
        default: true
        }
    }

    /// A Swift literal for a data value (number, Bool, float or enum raw value).
    static func literal(_ value: Value.Reader) -> String {
        switch value.which {
        case .bool: value.bool ? "true" : "false"
        case .int8: "\(value.int8)"
        case .int16: "\(value.int16)"
        case .int32: "\(value.int32)"
        case .int64: "\(value.int64)"
        case .uint8: "\(value.uint8)"
        case .uint16: "\(value.uint16)"
        case .uint32: "\(value.uint32)"
        case .uint64: "\(value.uint64)"
        case .float32: floatLiteral(value.float32)
        case .float64: doubleLiteral(value.float64)
        case .enum_: "\(value.enum_)"
        default: "0"
        }
    }

    /// Finite floats print as their shortest exact decimal; others by bit pattern.
    static func floatLiteral(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "Float(bitPattern: \(SwiftNames.hex(UInt64(value.bitPattern))))"
    }

    static func doubleLiteral(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "Double(bitPattern: \(SwiftNames.hex(value.bitPattern)))"
    }

    /// The pointer a pointer-typed value holds (text, data, list, struct or AnyPointer).
    static func pointer(_ value: Value.Reader) -> PointerReader? {
        switch value.which {
        case .text, .data, .list, .struct_, .anyPointer: value.anyPointer
        default: nil
        }
    }

    /// The value `pointer` reaches, as a one-segment message whose first word points to it.
    static func words(of pointer: PointerReader) throws -> [UInt64] {
        let size = try pointer.totalSize()
        let message = MessageBuilder(firstSegmentWords: size.words + 1)
        try message.root.copy(from: pointer)
        let segment = message.segmentsForOutput[0]
        return (0..<(segment.count / 8)).map { UInt64(littleEndian: segment.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
    }
}
