// Typed views on lists: one reader and one builder per kind of element.

/// A typed list reader, for generic code that needs the untyped list underneath.
public protocol ListReaderView: Sendable {
    var listReader: ListReader { get }
}

/// A typed list builder.
public protocol ListBuilderView {
    var listBuilder: ListBuilder { get }
}

/// A number stored in lists and data sections by its bit pattern.
public protocol PrimitiveValue: ListElement, Sendable where ElementListReader == PrimitiveListReader<Self>, ElementListBuilder == PrimitiveListBuilder<Self> {
    associatedtype Bits: FixedWidthInteger
    init(capnpBits: Bits)
    var capnpBits: Bits { get }
}

extension PrimitiveValue {
    @inlinable public static var _listElementSize: ElementSize {
        switch MemoryLayout<Bits>.size {
        case 1: .byte
        case 2: .twoBytes
        case 4: .fourBytes
        default: .eightBytes
        }
    }
    @inlinable public static func _makeListReader(_ list: ListReader) -> PrimitiveListReader<Self> { PrimitiveListReader(list) }
    @inlinable public static func _makeListBuilder(_ list: ListBuilder) -> PrimitiveListBuilder<Self> { PrimitiveListBuilder(list) }
}

extension PrimitiveValue where Bits == Self {
    @inlinable public init(capnpBits: Self) { self = capnpBits }
    @inlinable public var capnpBits: Self { self }
}

extension Int8: PrimitiveValue { public typealias Bits = Int8 }
extension Int16: PrimitiveValue { public typealias Bits = Int16 }
extension Int32: PrimitiveValue { public typealias Bits = Int32 }
extension Int64: PrimitiveValue { public typealias Bits = Int64 }
extension UInt8: PrimitiveValue { public typealias Bits = UInt8 }
extension UInt16: PrimitiveValue { public typealias Bits = UInt16 }
extension UInt32: PrimitiveValue { public typealias Bits = UInt32 }
extension UInt64: PrimitiveValue { public typealias Bits = UInt64 }

extension Float: PrimitiveValue {
    @inlinable public init(capnpBits: UInt32) { self.init(bitPattern: capnpBits) }
    @inlinable public var capnpBits: UInt32 { bitPattern }
}

extension Double: PrimitiveValue {
    @inlinable public init(capnpBits: UInt64) { self.init(bitPattern: capnpBits) }
    @inlinable public var capnpBits: UInt64 { bitPattern }
}

public struct PrimitiveListReader<T: PrimitiveValue>: RandomAccessCollection, ListReaderView {
    public let listReader: ListReader
    @inlinable public init(_ list: ListReader) { listReader = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listReader.count }
    @inlinable public subscript(index: Int) -> T {
        precondition(index >= 0 && index < listReader.count, "list index out of range")
        return T(capnpBits: listReader.read(index))
    }
}

public struct PrimitiveListBuilder<T: PrimitiveValue>: RandomAccessCollection, MutableCollection, ListBuilderView {
    public let listBuilder: ListBuilder
    @inlinable public init(_ list: ListBuilder) { listBuilder = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listBuilder.count }
    @inlinable public subscript(index: Int) -> T {
        get {
            precondition(index >= 0 && index < listBuilder.count, "list index out of range")
            return T(capnpBits: listBuilder.read(index))
        }
        nonmutating set {
            precondition(index >= 0 && index < listBuilder.count, "list index out of range")
            listBuilder.write(index, newValue.capnpBits)
        }
    }
}

extension Bool: ListElement {
    @inlinable public static var _listElementSize: ElementSize { .bit }
    @inlinable public static func _makeListReader(_ list: ListReader) -> BoolListReader { BoolListReader(list) }
    @inlinable public static func _makeListBuilder(_ list: ListBuilder) -> BoolListBuilder { BoolListBuilder(list) }
}

public struct BoolListReader: RandomAccessCollection, ListReaderView {
    public let listReader: ListReader
    @inlinable public init(_ list: ListReader) { listReader = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listReader.count }
    @inlinable public subscript(index: Int) -> Bool {
        precondition(index >= 0 && index < listReader.count, "list index out of range")
        return listReader.readBool(index)
    }
}

public struct BoolListBuilder: RandomAccessCollection, MutableCollection, ListBuilderView {
    public let listBuilder: ListBuilder
    @inlinable public init(_ list: ListBuilder) { listBuilder = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listBuilder.count }
    @inlinable public subscript(index: Int) -> Bool {
        get {
            precondition(index >= 0 && index < listBuilder.count, "list index out of range")
            return listBuilder.readBool(index)
        }
        nonmutating set {
            precondition(index >= 0 && index < listBuilder.count, "list index out of range")
            listBuilder.writeBool(index, newValue)
        }
    }
}

/// `Void` has no Swift value type that can conform, so lists of Void use this.
public struct VoidValue: ListElement, Sendable, Hashable {
    public init() {}
    @inlinable public static var _listElementSize: ElementSize { .void }
    @inlinable public static func _makeListReader(_ list: ListReader) -> VoidListReader { VoidListReader(list) }
    @inlinable public static func _makeListBuilder(_ list: ListBuilder) -> VoidListBuilder { VoidListBuilder(list) }
}

public struct VoidListReader: RandomAccessCollection, ListReaderView {
    public let listReader: ListReader
    public init(_ list: ListReader) { listReader = list }
    public var startIndex: Int { 0 }
    public var endIndex: Int { listReader.count }
    public subscript(index: Int) -> VoidValue { VoidValue() }
}

public struct VoidListBuilder: ListBuilderView {
    public let listBuilder: ListBuilder
    public init(_ list: ListBuilder) { listBuilder = list }
    public var count: Int { listBuilder.count }
}

public struct EnumListReader<E: CapnpEnum>: RandomAccessCollection, ListReaderView {
    public let listReader: ListReader
    @inlinable public init(_ list: ListReader) { listReader = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listReader.count }
    @inlinable public subscript(index: Int) -> E {
        precondition(index >= 0 && index < listReader.count, "list index out of range")
        return E(rawValue: listReader.read(index))
    }
}

public struct EnumListBuilder<E: CapnpEnum>: RandomAccessCollection, MutableCollection, ListBuilderView {
    public let listBuilder: ListBuilder
    @inlinable public init(_ list: ListBuilder) { listBuilder = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listBuilder.count }
    @inlinable public subscript(index: Int) -> E {
        get {
            precondition(index >= 0 && index < listBuilder.count, "list index out of range")
            return E(rawValue: listBuilder.read(index))
        }
        nonmutating set {
            precondition(index >= 0 && index < listBuilder.count, "list index out of range")
            listBuilder.write(index, newValue.rawValue)
        }
    }
}

public struct StructListReader<S: StructType>: RandomAccessCollection, ListReaderView {
    public let listReader: ListReader
    @inlinable public init(_ list: ListReader) { listReader = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listReader.count }
    @inlinable public subscript(index: Int) -> S.Reader {
        precondition(index >= 0 && index < listReader.count, "list index out of range")
        return S.Reader(listReader.structElement(index))
    }
}

public struct StructListBuilder<S: StructType>: RandomAccessCollection, ListBuilderView {
    public let listBuilder: ListBuilder
    @inlinable public init(_ list: ListBuilder) { listBuilder = list }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listBuilder.count }
    @inlinable public subscript(index: Int) -> S.Builder {
        precondition(index >= 0 && index < listBuilder.count, "list index out of range")
        return S.Builder(listBuilder.structElement(index))
    }
}

/// A list of pointers (text, data, lists, interfaces, AnyPointer). Reading an element follows a
/// pointer, so it can fail: use `get(_:)`, or `elements()` for all at once; as a collection its
/// elements are `Result`s (ListCollections.swift).
public struct PointerListReader<T: PointerType>: ListReaderView {
    public let listReader: ListReader
    @inlinable public init(_ list: ListReader) { listReader = list }
    @inlinable public var count: Int { listReader.count }
    @inlinable public var indices: Range<Int> { 0..<listReader.count }

    @inlinable public func get(_ index: Int) throws(CapnpError) -> T.Reader {
        precondition(index >= 0 && index < listReader.count, "list index out of range")
        return try T._read(listReader.pointerElement(index), default: nil)
    }

    /// Every element, read eagerly.
    public func elements() throws(CapnpError) -> [T.Reader] {
        var result: [T.Reader] = []
        result.reserveCapacity(count)
        for index in indices { result.append(try get(index)) }
        return result
    }
}

public struct PointerListBuilder<T: PointerType>: ListBuilderView {
    public let listBuilder: ListBuilder
    @inlinable public init(_ list: ListBuilder) { listBuilder = list }
    @inlinable public var count: Int { listBuilder.count }
    @inlinable public var indices: Range<Int> { 0..<listBuilder.count }

    /// The pointer slot of element `index`, to initialise in place.
    @inlinable public func slot(_ index: Int) -> PointerBuilder {
        precondition(index >= 0 && index < listBuilder.count, "list index out of range")
        return listBuilder.pointerElement(index)
    }

    @inlinable public func get(_ index: Int) -> T.Builder { T._builder(slot(index), default: nil) }

    /// Writes a deep copy of `value` at `index`.
    public func set(_ index: Int, _ value: T.Reader) throws(CapnpError) { try T._set(slot(index), to: value) }
}

extension PointerListBuilder where T == Text {
    /// Writes `text` at `index`.
    public func set(_ index: Int, _ text: String) { slot(index).setText(text) }
}

extension PointerListBuilder where T == Bytes {
    /// Writes `bytes` at `index`.
    public func set(_ index: Int, _ bytes: [UInt8]) { slot(index).setData(bytes) }
}

extension PointerListBuilder {
    /// Makes a new list of `count` elements at `index` (for lists of lists).
    public func initList<E>(_ index: Int, count: Int) -> E.ElementListBuilder where T == List<E> {
        List<E>.initialize(slot(index), count: count)
    }

    /// Makes a new struct at `index` (for lists of AnyStruct-like pointers to structs).
    public func initStruct<S: StructType>(_ index: Int, as type: S.Type) -> S.Builder {
        S.initialize(slot(index))
    }
}
