// Typed reads and writes of a pointer slot, for an AnyPointer field whose type the caller knows.

extension PointerReader {
    /// The value here read as `type`; a null pointer reads as the type's empty value.
    ///
    /// ```swift
    /// let person = try reader.payload.read(as: Person.self)   // payload :AnyPointer
    /// ```
    @inlinable
    public func read<T: PointerType>(as type: T.Type) throws(CapnpError) -> T.Reader {
        try T._read(self, default: nil)
    }
}

extension PointerBuilder {
    /// The value here as `type`, to build on (a null struct or list is made empty).
    @inlinable
    public func get<T: PointerType>(as type: T.Type) -> T.Builder {
        T._builder(self, default: nil)
    }

    /// Writes a deep copy of `value`, of `type`, here.
    @inlinable
    public func set<T: PointerType>(_ value: T.Reader, as type: T.Type) throws(CapnpError) {
        try T._set(self, to: value)
    }

    /// Makes a new struct of `type` here, every field at its default.
    @inlinable
    public func initStruct<S: StructType>(as type: S.Type) -> S.Builder {
        S.Builder(makeStruct(dataWords: S._dataWordCount, pointerCount: S._pointerCount))
    }

    /// Makes a new list of `count` elements here: `initList(as: List<Int32>.self, count: 3)`.
    @inlinable
    public func initList<Element>(as type: List<Element>.Type, count: Int) -> List<Element>.Builder {
        if let structs = Element.self as? any StructType.Type {
            return Element._makeListBuilder(initStructList(count: count, dataWords: structs._dataWordCount,
                                                          pointerCount: structs._pointerCount))
        }
        return Element._makeListBuilder(initList(Element._listElementSize, count: count))
    }
}
