// Lists of pointers as collections, and the setters that building lists needs.
//
// Reading a Text, Data or list element follows a pointer, which hostile bytes can make fail. So a
// `PointerListReader` is a collection of `Result<Element, CapnpError>`: each element is read when
// it is reached, and a malformed one is a `.failure`, never a crash. `try list.get(i)` and
// `try list.elements()` throw instead (capnp-rust's lists yield `Result`s the same way).

extension PointerListReader: RandomAccessCollection {
    public typealias Element = Result<T.Reader, CapnpError>
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { listReader.count }

    @inlinable public subscript(position: Int) -> Result<T.Reader, CapnpError> {
        do {
            return .success(try get(position))
        } catch {
            return .failure(error)
        }
    }
}

extension PointerListBuilder where T == Text {
    /// Element `index` as text: read it, or write a copy of a String.
    public subscript(index: Int) -> String {
        get { slot(index).getText() }
        nonmutating set { slot(index).setText(newValue) }
    }
}

extension PointerListBuilder where T == Bytes {
    /// Element `index` as a view of its bytes (as a Reader's Data is); setting it copies.
    public subscript(index: Int) -> DataReader {
        get { slot(index).dataView() }
        nonmutating set { newValue.withUnsafeBytes { slot(index).setData($0) } }
    }
}

/// `List(T)` itself, so lists of lists can be told apart from other pointer lists.
public protocol ListOfAnyElement: PointerType {}
extension List: ListOfAnyElement {}

extension PointerListBuilder where T: ListOfAnyElement {
    /// Element `index` of a list of lists, to build on (`initList(_:count:)` makes a new one).
    public subscript(index: Int) -> T.Builder {
        T._builder(slot(index), default: nil)
    }
}

extension StructListBuilder {
    /// Makes element `index` a copy of `value`: the element keeps the list's size, fields `value`
    /// lacks are cleared, and pointers are copied deeply (which can fail on a malformed `value`).
    public func set(_ index: Int, _ value: S.Reader) throws(CapnpError) {
        let element = self[index].structBuilder
        if element.dataBits >= 8 { element.data.initializeMemory(as: UInt8.self, repeating: 0, count: element.dataBits / 8) }
        for slot in 0..<element.pointerCount { element._pointer(slot).clear() }
        try element.copy(from: value.structReader)
    }
}
