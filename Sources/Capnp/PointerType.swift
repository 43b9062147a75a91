// Type-level descriptions of Cap'n Proto types, so generated code and generics share one vocabulary.

/// A type that can be an element of a Cap'n Proto list. `List<Element>.Reader` is `Element.ElementListReader`.
/// Its underscored requirements are for the runtime and generated code.
public protocol ListElement {
    associatedtype ElementListReader: ListReaderView
    associatedtype ElementListBuilder: ListBuilderView
    /// The element size a schema declares for lists of this type (`.composite` for structs).
    static var _listElementSize: ElementSize { get }
    static func _makeListReader(_ list: Capnp.ListReader) -> ElementListReader
    static func _makeListBuilder(_ list: Capnp.ListBuilder) -> ElementListBuilder
}

/// A Cap'n Proto type stored behind a pointer: a struct, list, text, data, interface or AnyPointer.
///
/// The underscored requirements are for generated code and the runtime; by hand, read or write a
/// pointer as a type with `PointerReader.read(as:)` and `PointerBuilder.get(as:)`/`set(_:as:)`.
public protocol PointerType: ListElement {
    associatedtype Reader: Sendable
    associatedtype Builder
    /// Reads the value at `pointer`; a null pointer reads as `fallback` or the type's empty value.
    static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> Reader
    /// The existing value at `pointer` for building on, with `fallback` copied in when null.
    static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> Builder
    /// Writes a deep copy of `value` to `pointer`.
    static func _set(_ pointer: PointerBuilder, to value: Reader) throws(CapnpError)
}

/// A pointer type whose lists are lists of pointers (everything but structs).
public protocol PointerListElement: PointerType {}

extension PointerListElement {
    @inlinable public static var _listElementSize: ElementSize { .pointer }
    @inlinable public static func _makeListReader(_ list: Capnp.ListReader) -> PointerListReader<Self> { PointerListReader(list) }
    @inlinable public static func _makeListBuilder(_ list: Capnp.ListBuilder) -> PointerListBuilder<Self> { PointerListBuilder(list) }
}

/// A generated struct's `Reader`: a typed view on a `StructReader`.
public protocol StructReaderView: Sendable {
    init(_ reader: StructReader)
    var structReader: StructReader { get }
}

/// A generated struct's `Builder`: a typed view on a `StructBuilder`.
public protocol StructBuilderView {
    init(_ builder: StructBuilder)
    var structBuilder: StructBuilder { get }
}

/// A generated struct: its namespace holds the schema's sizes and its Reader and Builder.
/// The sizes are underscored: generated code states them and the runtime reads them.
public protocol StructType: PointerType where Reader: StructReaderView, Builder: StructBuilderView {
    static var typeId: UInt64 { get }
    static var _dataWordCount: Int { get }
    static var _pointerCount: Int { get }
}

extension StructType {
    @inlinable public static var _listElementSize: ElementSize { .composite }
    @inlinable public static func _makeListReader(_ list: Capnp.ListReader) -> StructListReader<Self> { StructListReader(list) }
    @inlinable public static func _makeListBuilder(_ list: Capnp.ListBuilder) -> StructListBuilder<Self> { StructListBuilder(list) }

    @inlinable
    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> Reader {
        Reader(try pointer.readStruct(default: fallback))
    }

    @inlinable
    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> Builder {
        Builder(pointer.getStruct(dataWords: _dataWordCount, pointerCount: _pointerCount, default: fallback))
    }

    public static func _set(_ pointer: PointerBuilder, to value: Reader) throws(CapnpError) {
        try pointer.copyStruct(from: value.structReader)
    }

    /// Makes a new struct of this type at `pointer` (for generated code).
    @_spi(Generated) @inlinable
    public static func initialize(_ pointer: PointerBuilder) -> Builder {
        Builder(pointer.makeStruct(dataWords: _dataWordCount, pointerCount: _pointerCount))
    }
}

/// A generated enum: a UInt16 on the wire, with a case for values this schema does not know.
public protocol CapnpEnum: ListElement, Sendable, Hashable where ElementListReader == EnumListReader<Self>, ElementListBuilder == EnumListBuilder<Self> {
    init(rawValue: UInt16)
    var rawValue: UInt16 { get }
}

extension CapnpEnum {
    @inlinable public static var _listElementSize: ElementSize { .twoBytes }
    @inlinable public static func _makeListReader(_ list: Capnp.ListReader) -> EnumListReader<Self> { EnumListReader(list) }
    @inlinable public static func _makeListBuilder(_ list: Capnp.ListBuilder) -> EnumListBuilder<Self> { EnumListBuilder(list) }
}

/// `List(T)` as a type: `List<Int32>.Reader` is a list of Int32, `List<Person>.Builder` a list of structs.
public enum List<Element: ListElement>: PointerListElement {
    public typealias Reader = Element.ElementListReader
    public typealias Builder = Element.ElementListBuilder

    @inlinable
    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> Reader {
        Element._makeListReader(try pointer.readList(expected: Element._listElementSize, default: fallback))
    }

    // Inlinable, as every list accessor is, so the list view comes back specialized: a generic one is
    // copied through its type metadata at each use (a third of a P5 build's time per item).
    @inlinable
    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> Builder {
        if let structs = Element.self as? any StructType.Type {
            return Element._makeListBuilder(pointer.getStructList(dataWords: structs._dataWordCount,
                                                                 pointerCount: structs._pointerCount, default: fallback))
        }
        return Element._makeListBuilder(pointer.getList(Element._listElementSize, default: fallback))
    }

    public static func _set(_ pointer: PointerBuilder, to value: Reader) throws(CapnpError) {
        try pointer.copyList(from: value.listReader)
    }

    /// Makes a new list of `count` elements at `pointer` (for generated code).
    @_spi(Generated) @inlinable
    public static func initialize(_ pointer: PointerBuilder, count: Int) -> Builder {
        if let structs = Element.self as? any StructType.Type {
            return Element._makeListBuilder(pointer.initStructList(count: count, dataWords: structs._dataWordCount,
                                                                  pointerCount: structs._pointerCount))
        }
        return Element._makeListBuilder(pointer.initList(Element._listElementSize, count: count))
    }
}

/// Text: NUL-terminated UTF-8, read as a Swift String.
public enum Text: PointerListElement {
    public typealias Reader = String
    public typealias Builder = String

    @inlinable
    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> String {
        try pointer.readText(default: fallback)
    }

    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> String {
        pointer.getText(default: fallback)
    }

    public static func _set(_ pointer: PointerBuilder, to value: String) throws(CapnpError) {
        pointer.setText(value)
    }
}

/// Cap'n Proto's `Data` type: bytes, read in place. Named `Bytes` so it never shadows Foundation's `Data`.
public enum Bytes: PointerListElement {
    public typealias Reader = DataReader
    public typealias Builder = UnsafeRawBufferPointer

    @inlinable
    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> DataReader {
        try pointer.readData(default: fallback)
    }

    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> UnsafeRawBufferPointer {
        pointer.blobBytes(default: fallback)
    }

    public static func _set(_ pointer: PointerBuilder, to value: DataReader) throws(CapnpError) {
        value.withUnsafeBytes { pointer.setData($0) }
    }
}

/// AnyPointer: the slot itself, for the caller to read as whatever it knows it is.
public enum AnyPointer: PointerListElement {
    public typealias Reader = PointerReader
    public typealias Builder = PointerBuilder

    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> PointerReader {
        pointer.orDefault(fallback)
    }

    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> PointerBuilder { pointer }

    public static func _set(_ pointer: PointerBuilder, to value: PointerReader) throws(CapnpError) {
        try pointer.copy(from: value)
    }
}

/// AnyStruct: a struct of unknown type, as its untyped reader and builder.
public enum AnyStruct: PointerListElement {
    public typealias Reader = StructReader
    public typealias Builder = PointerBuilder

    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> StructReader {
        try pointer.readStruct(default: fallback)
    }

    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> PointerBuilder { pointer }

    public static func _set(_ pointer: PointerBuilder, to value: StructReader) throws(CapnpError) {
        try pointer.copyStruct(from: value)
    }
}

/// A capability (interface) pointer: its index into the message's capability table.
/// The RPC layer turns it into a client.
public struct CapabilityPointer: Sendable, Hashable {
    /// The index into the capability table, or nil for a null capability.
    public let index: UInt32?
    /// The message whose table `index` refers to.
    public let message: MessageReader?

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.index == rhs.index && lhs.message === rhs.message }
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }
}

/// A generated interface namespace: its type ID; values of it are capability pointers.
public protocol InterfaceType: PointerListElement where Reader == CapabilityPointer, Builder == PointerBuilder {
    static var typeId: UInt64 { get }
}

extension InterfaceType {
    public static func _read(_ pointer: PointerReader, default fallback: PointerDefault?) throws(CapnpError) -> CapabilityPointer {
        try pointer.readCapability()
    }

    public static func _builder(_ pointer: PointerBuilder, default fallback: PointerDefault?) -> PointerBuilder { pointer }

    public static func _set(_ pointer: PointerBuilder, to value: CapabilityPointer) throws(CapnpError) {
        if let index = value.index { pointer.setCapability(index) } else { pointer.clear() }
    }
}

extension MessageReader {
    /// The root struct, read as `type`.
    public func root<S: StructType>(as type: S.Type) throws(CapnpError) -> S.Reader {
        S.Reader(try root().readStruct())
    }
}

extension MessageBuilder {
    /// Makes a new root struct of `type`.
    public func initRoot<S: StructType>(_ type: S.Type) -> S.Builder {
        S.initialize(root)
    }

    /// The root struct as `type`, made if absent.
    public func getRoot<S: StructType>(_ type: S.Type) -> S.Builder {
        S._builder(root, default: nil)
    }

    /// Makes the root a deep copy of `reader`.
    public func setRoot(_ reader: StructReader) throws(CapnpError) {
        try root.copyStruct(from: reader)
    }
}
