// Lists beyond the AllTypes sample: schema evolution of list elements, long bit lists, three-deep
// nesting, messages past the first segment, and AnyStruct/AnyList/Capability fields.

@_spi(Generated) import Capnp
import TestSupport
import Testing

@Suite struct ListsTests {
    @Test("a list of primitives or text reads as a list of structs whose first field holds it, as in capnp")
    func primitiveListReadsAsStructList() throws {
        let v1 = try Oracle.encode("(items = [1, -2, 3], names = [\"a\", \"b\"])", as: "ListsV1")
        let v2 = try MessageReader(bytes: v1).root(as: ListsV2.self)
        let items = try v2.items, names = try v2.names
        #expect(items.map(\.value) == [1, -2, 3] && items.allSatisfy { !$0.hasLabel })
        #expect(try names.map { try $0.name } == ["a", "b"] && names.map(\.weight) == [0, 0])

        // Rebuilt from what Swift read, the message is what capnp reads from the same bytes.
        let message = MessageBuilder()
        let root = message.initRoot(ListsV2.self)
        let builtItems = root.initItems(count: items.count)
        for (index, item) in items.enumerated() { builtItems[index].value = item.value }
        let builtNames = root.initNames(count: names.count)
        for (index, name) in names.enumerated() { builtNames[index].name = try name.name }
        #expect(try Oracle.decode(message.serialize(), as: "ListsV2") == (try Oracle.decode(v1, as: "ListsV2")))

        // Copying the upgraded list keeps its encoding, which capnp still reads as structs.
        let copy = MessageBuilder()
        let copied = copy.initRoot(ListsV2.self)
        try copied.setItems(items)
        try copied.setNames(names)
        #expect(try Oracle.decode(copy.serialize(), as: "ListsV2") == (try Oracle.decode(v1, as: "ListsV2")))
    }

    @Test("a list of structs reads as a list of its first field's values, as in capnp")
    func structListReadsAsPrimitiveList() throws {
        let v2 = try Oracle.encode("(items = [(value = 1, label = \"x\"), (value = -2)], names = [(name = \"a\", weight = 5)])",
                                   as: "ListsV2")
        let v1 = try MessageReader(bytes: v2).root(as: ListsV1.self)
        #expect(try Array(v1.items) == [1, -2])
        #expect(try v1.names.elements() == ["a"])
        let message = MessageBuilder()
        let root = message.initRoot(ListsV1.self)
        let items = root.initItems(count: 2)
        items[0] = 1
        items[1] = -2
        root.initNames(count: 1).set(0, "a")
        #expect(try Oracle.decode(message.serialize(), as: "ListsV1") == (try Oracle.decode(v2, as: "ListsV1")))
    }

    @Test("building on an older schema's list grows each element so new fields are kept, as capnp does",
          arguments: [1, 1024])
    func builderUpgradesOlderLists(firstSegmentWords: Int) throws {
        let v1 = try Oracle.encode("(items = [1, -2], names = [\"a\", \"b\"])", as: "ListsV1")
        let message = MessageBuilder(firstSegmentWords: firstSegmentWords)
        try message.setRoot(try MessageReader(bytes: v1).root(as: ListsV1.self).structReader)
        let root = message.getRoot(ListsV2.self)
        root.items[1].value = 7
        root.items[1].label = "new"
        root.names[0].weight = 9
        #expect(root.items[0].value == 1 && root.names[1].name == "b")
        let expected = "(items = [(value = 1), (value = 7, label = \"new\")], names = [(name = \"a\", weight = 9), (name = \"b\")])"
        #expect(try Oracle.decode(message.serialize(), as: "ListsV2") == (try Oracle.normalized(expected, as: "ListsV2")))

        let old = try Oracle.encode("(list = [(a = 1, tail = 2), (b = \"x\")])", as: "UnionListV1")
        let unions = MessageBuilder(firstSegmentWords: firstSegmentWords)
        try unions.setRoot(try MessageReader(bytes: old).root(as: UnionListV1.self).structReader)
        let list = unions.getRoot(UnionListV2.self).list
        list[0].c = 2.5
        #expect(list[1].which == .b && list[1].b == "x" && list[0].tail == 2)
        let grown = "(list = [(c = 2.5, tail = 2), (b = \"x\")])"
        #expect(try Oracle.decode(unions.serialize(), as: "UnionListV2") == (try Oracle.normalized(grown, as: "UnionListV2")))
    }

    static let bits = (0..<70).map { $0 % 3 == 0 || $0 == 69 }
    static let deep: [[[Int8]]] = [[[1, 2], []], [], [[-128, 127, 0]]]
    static let count = 40

    static var literal: String {
        let deepText = "[" + deep.map { "[" + $0.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
            .joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        let many = (0..<count).map { "(int32Field = \($0), textField = \"element \($0)\")" }.joined(separator: ", ")
        return "(deep = \(deepText), bits = [\(bits.map(String.init).joined(separator: ", "))], many = [\(many)])"
    }

    @Test("three-deep lists, a 70-element Bool list and a struct list past the first segment match capnp")
    func nestedAndLongLists() throws {
        let message = MessageBuilder()
        let root = message.initRoot(Anys.self)
        let outer = root.initDeep(count: Self.deep.count)
        for (i, middle) in Self.deep.enumerated() {
            let built = outer.initList(i, count: middle.count)
            for (j, inner) in middle.enumerated() {
                let list = built.initList(j, count: inner.count)
                for (k, value) in inner.enumerated() { list[k] = value }
            }
        }
        let bits = root.initBits(count: Self.bits.count)
        for (index, bit) in Self.bits.enumerated() { bits[index] = bit }
        let many = root.initMany(count: Self.count)
        for index in 0..<Self.count {
            many[index].int32Field = Int32(index)
            many[index].textField = "element \(index)"
        }
        #expect(message.totalWords > 1024)
        let ours = message.serialize()
        let tool = try Oracle.encode(Self.literal, as: "Anys")
        #expect(try Oracle.decode(ours, as: "Anys") == (try Oracle.decode(tool, as: "Anys")))

        for bytes in [tool, ours] {
            let back = try MessageReader(bytes: bytes).root(as: Anys.self)
            #expect(try back.deep.elements().map { try $0.elements().map { Array($0) } } == Self.deep)
            #expect(try Array(back.bits) == Self.bits)
            let elements = try back.many
            #expect(elements.count == Self.count)
            #expect(try elements.enumerated().allSatisfy { (try $1.textField) == "element \($0)" && $1.int32Field == Int32($0) })
        }
    }

    @Test("AnyStruct, AnyList, Capability and List(interface) fields hold what was put in them")
    func anyFields() throws {
        let message = MessageBuilder()
        let root = message.initRoot(Anys.self)
        // The typed forms a user has for an untyped slot (no SPI import needed).
        let point = root.anyStruct.initStruct(as: Point.self)
        point.x = 6
        point.label = "any"
        let list = root.anyList.initList(as: Capnp.List<Int32>.self, count: 3)
        list[2] = 9
        // The capnp tool has no capability table and cannot print capabilities, so it reads the message first.
        let text = try Oracle.decode(message.serialize(), as: "Anys")
        #expect(text.hasPrefix("(anyStruct = <opaque pointer>, anyList = <opaque pointer>"), "\(text)")
        root.capability.setCapability(4)
        let bases = root.initBases(count: 2)
        bases.slot(1).setCapability(7)

        let back = try MessageReader(bytes: message.serialize()).root(as: Anys.self)
        let any = Point.Reader(try back.anyStruct)
        #expect(any.x == 6)
        #expect(try any.label == "any")
        #expect(try Array(back.anyList.read(as: Capnp.List<Int32>.self)) == [0, 0, 9])
        #expect(try back.capability.readCapabilityIndex() == 4)
        #expect(try back.bases.count == 2 && back.bases.get(0).index == nil && back.bases.get(1).index == 7)
    }

    // Catches `get(as:)` making a fresh struct instead of returning the one there, and `set(_:as:)`
    // writing anything but a deep copy (the source message is gone when the copy is read).
    @Test("an AnyPointer slot is set, built on and read as a type the caller names")
    func typedFormsOnAnAnyPointer() throws {
        let message = MessageBuilder()
        let root = message.initRoot(UsesGenerics.self)
        do {
            let scratch = MessageBuilder()
            let source = scratch.initRoot(Point.self)
            source.x = 3
            source.label = "copied"
            try root.anything.set(source.asReader, as: Point.self)
        }
        root.anything.get(as: Point.self).y = 4
        let back = try MessageReader(bytes: message.serialize()).root(as: UsesGenerics.self)
        let point = try back.anything.read(as: Point.self)
        #expect(point.x == 3 && point.y == 4)
        #expect(try point.label == "copied")
        #expect(throws: CapnpError.self) { try back.anything.read(as: Capnp.Text.self) }  // a struct is not Text
    }
}
