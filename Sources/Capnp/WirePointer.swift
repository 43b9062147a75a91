// The 64-bit pointer encoding of the Cap'n Proto wire format, decoded and encoded in one place.

/// How big each element of a list is, as encoded in a list pointer.
public enum ElementSize: UInt8, Sendable {
    case void = 0, bit = 1, byte = 2, twoBytes = 3, fourBytes = 4, eightBytes = 5, pointer = 6, composite = 7

    /// Data bits per element (for non-composite lists).
    @inlinable public var dataBits: Int {
        switch self {
        case .void: 0
        case .bit: 1
        case .byte: 8
        case .twoBytes: 16
        case .fourBytes: 32
        case .eightBytes: 64
        case .pointer, .composite: 0
        }
    }

    @inlinable public var pointerCount: Int { self == .pointer ? 1 : 0 }
}

/// One pointer word. Field names follow the encoding spec: A is the kind, B, C and D its parts.
@usableFromInline
struct WirePointer {
    @usableFromInline var raw: UInt64

    @usableFromInline static let structKind: UInt64 = 0
    @usableFromInline static let listKind: UInt64 = 1
    @usableFromInline static let farKind: UInt64 = 2
    @usableFromInline static let otherKind: UInt64 = 3

    @inlinable init(raw: UInt64) { self.raw = raw }

    @inlinable var isNull: Bool { raw == 0 }
    @inlinable var kind: UInt64 { raw & 3 }
    @inlinable var lower: UInt32 { UInt32(truncatingIfNeeded: raw) }
    @inlinable var upper: UInt32 { UInt32(truncatingIfNeeded: raw >> 32) }

    /// Signed word offset (B) for struct and list pointers, from the end of the pointer.
    @inlinable var offset: Int { Int(Int32(bitPattern: lower) >> 2) }

    // Struct pointers.
    @inlinable var structDataWords: Int { Int(UInt16(truncatingIfNeeded: upper)) }
    @inlinable var structPointerCount: Int { Int(UInt16(truncatingIfNeeded: upper >> 16)) }

    // List pointers.
    /// Every 3-bit value names a size; a switch, unlike `init(rawValue:)!`, inlines to a few moves.
    @inlinable @inline(__always) var listElementSize: ElementSize {
        switch upper & 7 {
        case 0: .void
        case 1: .bit
        case 2: .byte
        case 3: .twoBytes
        case 4: .fourBytes
        case 5: .eightBytes
        case 6: .pointer
        default: .composite
        }
    }
    /// Element count, or for composite lists the word count excluding the tag.
    @inlinable var listElementCount: Int { Int(upper >> 3) }

    // Far pointers.
    @inlinable var farIsDoubleFar: Bool { raw & 4 != 0 }
    @inlinable var farPadOffset: Int { Int(lower >> 3) }
    @inlinable var farSegment: UInt32 { upper }

    // Other pointers: B == 0 is a capability.
    @inlinable var isCapability: Bool { kind == Self.otherKind && lower == 3 }
    @inlinable var capabilityIndex: UInt32 { upper }

    /// For a composite list's tag word, the element count is stored in the offset field.
    @inlinable var tagElementCount: Int { Int(lower >> 2) }

    /// The same pointer with a new offset (B), keeping its kind and sizes.
    @inlinable func withOffset(_ offset: Int) -> WirePointer {
        WirePointer(raw: raw & 0xFFFF_FFFF_0000_0003 | UInt64(UInt32(truncatingIfNeeded: offset << 2)))
    }

    @inlinable static func structPointer(offset: Int, dataWords: Int, pointerCount: Int) -> WirePointer {
        let lower = UInt64(UInt32(truncatingIfNeeded: offset << 2))
        return WirePointer(raw: lower | UInt64(dataWords) << 32 | UInt64(pointerCount) << 48)
    }

    @inlinable static func listPointer(offset: Int, elementSize: ElementSize, count: Int) -> WirePointer {
        let lower = UInt64(UInt32(truncatingIfNeeded: offset << 2)) | listKind
        return WirePointer(raw: lower | UInt64(elementSize.rawValue) << 32 | UInt64(count) << 35)
    }

    @inlinable static func farPointer(padOffset: Int, segment: UInt32, doubleFar: Bool) -> WirePointer {
        let lower = UInt64(padOffset) << 3 | (doubleFar ? 4 : 0) | farKind
        return WirePointer(raw: lower | UInt64(segment) << 32)
    }

    @inlinable static func capability(index: UInt32) -> WirePointer {
        WirePointer(raw: otherKind | UInt64(index) << 32)
    }

    /// Composite list tag: the element count in the offset field, then the element's struct sizes.
    @inlinable static func compositeTag(elementCount: Int, dataWords: Int, pointerCount: Int) -> WirePointer {
        WirePointer(raw: UInt64(UInt32(truncatingIfNeeded: elementCount << 2)) | UInt64(dataWords) << 32
                    | UInt64(pointerCount) << 48)
    }
}

/// Limits the encoding itself places on sizes.
@usableFromInline enum WireLimits {
    /// List element counts and composite word counts are 29 bits.
    @usableFromInline static let maxListElements = (1 << 29) - 1
    /// Segment offsets in far pointers are 29 bits.
    @usableFromInline static let maxSegmentWords = (1 << 29) - 1
}
