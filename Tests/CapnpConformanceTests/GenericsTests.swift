// Generic structs under several brands, a generic used inside itself with swapped parameters, and unbound use.

@_spi(Generated) import Capnp
import TestSupport
import Testing

@Suite struct GenericsTests {
    static let literal = """
        (textToPoint = (entries = [(key = "a", value = (x = 1, y = 2)), (key = "b")], \
        single = (key = "s", value = (x = 3)), \
        swapped = (single = (key = (x = 5), value = "five"), key = (x = 9, y = 9)), key = "k"), \
        dataToList = (entries = [(key = 0x"01", value = [1, 2])], key = 0x"ff"), \
        pointToText = (swapped = (key = "back"), key = (x = -1, y = -1, label = "pk")), \
        pair = (first = "first", second = (int32Field = 5, textField = "second")), \
        entry = (key = "ek", value = "ev"))
        """

    static func check(_ root: UsesGenerics.Reader, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tp = try root.textToPoint
        let entries = try tp.entries
        #expect(entries.count == 2, sourceLocation: sourceLocation)
        #expect(try entries[0].key == "a" && entries[0].value.x == 1 && entries[0].value.y == 2, sourceLocation: sourceLocation)
        #expect(try entries[1].key == "b" && !entries[1].hasValue, sourceLocation: sourceLocation)
        #expect(try tp.single.key == "s" && tp.single.value.x == 3, sourceLocation: sourceLocation)
        let swapped: Generic<Point, Capnp.Text>.Reader = try tp.swapped
        #expect(try swapped.single.key.x == 5 && swapped.single.value == "five", sourceLocation: sourceLocation)
        #expect(try swapped.key.x == 9 && swapped.key.y == 9, sourceLocation: sourceLocation)
        #expect(try tp.key == "k", sourceLocation: sourceLocation)

        let dl = try root.dataToList
        #expect(try dl.entries.count == 1, sourceLocation: sourceLocation)
        #expect(try dl.entries[0].key.array == [0x01], sourceLocation: sourceLocation)
        #expect(try Array(dl.entries[0].value) == [1, 2], sourceLocation: sourceLocation)
        #expect(try dl.key.array == [0xff], sourceLocation: sourceLocation)

        let pt = try root.pointToText
        #expect(try pt.key.x == -1 && pt.key.label == "pk", sourceLocation: sourceLocation)
        let back: Generic<Capnp.Text, Point>.Reader = try pt.swapped
        #expect(try back.key == "back", sourceLocation: sourceLocation)

        let pair = try root.pair
        #expect(try pair.first == "first", sourceLocation: sourceLocation)
        #expect(try pair.second.int32Field == 5 && pair.second.textField == "second", sourceLocation: sourceLocation)
        #expect(try root.entry.key == "ek" && root.entry.value == "ev", sourceLocation: sourceLocation)
        #expect(!root.hasUnbound && !root.hasAnything, sourceLocation: sourceLocation)
    }

    static func dataReader(_ bytes: [UInt8]) throws -> Capnp.DataReader {
        let message = MessageBuilder()
        message.root.setData(bytes)
        return try message.asReader().root().readData()
    }

    static func int32ListReader(_ values: [Int32]) throws -> Capnp.List<Int32>.Reader {
        let message = MessageBuilder()
        let list = Capnp.List<Int32>.initialize(message.root, count: values.count)
        for (index, value) in values.enumerated() { list[index] = value }
        return try message.asReader().root().read(as: Capnp.List<Int32>.self)
    }

    @Test("generic fields under several brands read what capnp wrote")
    func readsBrandedGenerics() throws {
        try Self.check(try MessageReader(bytes: try Oracle.encode(Self.literal, as: "UsesGenerics")).root(as: UsesGenerics.self))
        let multi = try Oracle.encode(Self.literal, as: "UsesGenerics", segmentSize: 3)
        try Self.check(try MessageReader(bytes: multi).root(as: UsesGenerics.self))
    }

    @Test("generic builders under several brands write capnp's bytes")
    func buildsBrandedGenerics() throws {
        let message = MessageBuilder()
        let root = message.initRoot(UsesGenerics.self)
        let tp = root.initTextToPoint()
        let entries = tp.initEntries(count: 2)
        // A parameter-typed field is set from its Reader type; a struct parameter's getter makes the struct.
        try entries[0].setKey("a")
        entries[0].value.x = 1
        entries[0].value.y = 2
        try entries[1].setKey("b")
        let single = tp.initSingle()
        try single.setKey("s")
        single.value.x = 3
        let swapped: Generic<Point, Capnp.Text>.Builder = tp.initSwapped()
        let swappedSingle = swapped.initSingle()
        swappedSingle.key.x = 5
        try swappedSingle.setValue("five")
        swapped.key.x = 9
        swapped.key.y = 9
        try tp.setKey("k")

        let dl = root.initDataToList()
        let dlEntry = dl.initEntries(count: 1)[0]
        try dlEntry.setKey(Self.dataReader([0x01]))
        try dlEntry.setValue(Self.int32ListReader([1, 2]))
        try dl.setKey(Self.dataReader([0xff]))

        let pt = root.initPointToText()
        try pt.initSwapped().setKey("back")
        pt.key.x = -1
        pt.key.y = -1
        pt.key.label = "pk"

        let pair = root.initPair()
        try pair.setFirst("first")
        pair.second.int32Field = 5
        pair.second.textField = "second"
        let entry = root.initEntry()
        try entry.setKey("ek")
        try entry.setValue("ev")

        let ours = message.serialize()
        let tool = try Oracle.encode(Self.literal, as: "UsesGenerics")
        #expect(ours == tool, "ours \(hex(ours))\ntool \(hex(tool))")
        try Self.check(root.asReader)
        #expect(try Oracle.decode(ours, as: "UsesGenerics") == (try Oracle.normalized(Self.literal, as: "UsesGenerics")))
    }

    static let shapesLiteral = """
        (shapes = (holder = (value = (x = 1, y = 2), count = 7), one = (x = 3, y = 4)), \
        shapesList = [(many = ["a", "b"]), (holder = (value = "h"), one = "t")])
        """

    @Test("a generic struct's group, union and nested constant work under a brand, as capnp encodes them")
    func genericGroupsAndUnions() throws {
        let message = MessageBuilder()
        let root = message.initRoot(UsesGenerics.self)
        let shapes = root.initShapes()
        shapes.holder.value.x = 1
        shapes.holder.value.y = 2
        shapes.holder.count = 7
        shapes.one.x = 3  // selects `one`
        shapes.one.y = 4
        let list = root.initShapesList(count: 2)
        let many = list[0].initMany(count: 2)
        many.set(0, "a")
        many.set(1, "b")
        try list[1].holder.setValue("h")
        try list[1].setOne("t")
        let ours = message.serialize()
        let tool = try Oracle.encode(Self.shapesLiteral, as: "UsesGenerics")
        #expect(ours == tool, "ours \(hex(ours))\ntool \(hex(tool))")

        let back = try MessageReader(bytes: tool).root(as: UsesGenerics.self)
        let s = try back.shapes
        #expect(try s.holder.value.x == 1 && s.holder.value.y == 2 && s.holder.count == 7)
        #expect(try s.which == .one && s.one.x == 3 && s.one.y == 4)
        let l = try back.shapesList
        #expect(l.count == 2 && l[0].which == .many && l[1].which == .one && l[1].holder.count == 3)
        #expect(try l[0].many.elements() == ["a", "b"] && l[1].holder.value == "h" && l[1].one == "t")
        #expect(!back.hasContainer)
        #expect(GenericShapes<Point>.tag == (try Oracle.eval("GenericShapes.tag")).dropFirst().dropLast())
        #expect(Container<Capnp.Text>.Method.allCases.map(\.rawValue) == [0, 1])
    }

    @Test("a generic constant and a defaulted generic field equal capnp's values")
    func genericConstantAndDefault() throws {
        let message = MessageBuilder()
        try message.setRoot(genericConst.structReader)
        #expect(message.serialize() == (try Oracle.evalBinary("genericConst")))
        #expect(try genericConst.key == "gk" && genericConst.single.value.y == -1)

        let empty = MessageBuilder()
        let root = empty.initRoot(UsesGenerics.self)
        let read = try MessageReader(bytes: empty.serialize()).root(as: UsesGenerics.self)
        let defaulted = try read.defaulted
        #expect(try defaulted.key == "dk" && defaulted.entries.count == 1 && defaulted.entries[0].value == "b")
        let copy = MessageBuilder()
        try copy.setRoot(defaulted.structReader)
        #expect(copy.serialize() == (try Oracle.evalBinary("UsesGenerics.defaulted")))
        // The builder copies the default in before changing it.
        try root.defaulted.setKey("changed")
        let text = try Oracle.decode(empty.serialize(), as: "UsesGenerics")
        #expect(text == (try Oracle.normalized("(defaulted = (key = \"changed\", entries = [(key = \"a\", value = \"b\")]))",
                                              as: "UsesGenerics")))
        // A generic bound to an interface and to a list of structs.
        let caps = MessageBuilder()
        let capGeneric = caps.initRoot(UsesGenerics.self).initCapGeneric()
        capGeneric.key.setCapability(3)
        // A parameter-typed field has no init(count:), so a list goes in by copy.
        let scratch = MessageBuilder()
        let points = Capnp.List<Point>.initialize(scratch.root, count: 2)
        points[1].x = 8
        try capGeneric.initSingle().setValue(try scratch.asReader().root().read(as: Capnp.List<Point>.self))
        let back = try MessageReader(bytes: caps.serialize()).root(as: UsesGenerics.self).capGeneric
        #expect(try back.key.index == 3 && back.single.value.map(\.x) == [0, 8])
    }

    @Test("generic setters copy a branded value, and an unbound generic reads it as AnyPointer")
    func unboundGenericAndSetters() throws {
        let source = try MessageReader(bytes: try Oracle.encode(Self.literal, as: "UsesGenerics")).root(as: UsesGenerics.self)
        let message = MessageBuilder()
        let root = message.initRoot(UsesGenerics.self)
        try root.setTextToPoint(try source.textToPoint)
        try root.setPair(try source.pair)
        // The same bytes viewed unbound: every parameter is an AnyPointer.
        let unboundSource = Generic<Capnp.AnyPointer, Capnp.AnyPointer>.Reader(try source.textToPoint.structReader)
        try root.setUnbound(unboundSource)
        try root.anything.copy(from: source.structReader._pointer(3))  // `pair`, as an AnyPointer

        let back = try MessageReader(bytes: message.serialize()).root(as: UsesGenerics.self)
        let unbound = try back.unbound
        #expect(try unbound.key.readText() == "k")
        #expect(try unbound.entries.count == 2)
        #expect(try unbound.entries[0].key.readText() == "a")
        #expect(try unbound.entries[0].value.read(as: Point.self).y == 2)
        #expect(try back.anything.read(as: Pair<Capnp.Text, AllTypes>.self).first == "first")

        let decoded = try Oracle.decode(message.serialize(), as: "UsesGenerics")
        let literalTP = "textToPoint = (entries = [(key = \"a\", value = (x = 1, y = 2)), (key = \"b\")], "
            + "single = (key = \"s\", value = (x = 3)), swapped = (single = (key = (x = 5), value = \"five\"), "
            + "key = (x = 9, y = 9)), key = \"k\")"
        let normalizedTP = try Oracle.normalized("(\(literalTP))", as: "UsesGenerics")
        // capnp cannot print AnyPointer contents, but the branded part must be exactly the literal's.
        #expect(decoded.hasPrefix(String(normalizedTP.dropLast())))
        #expect(decoded.contains("unbound = ("))
    }
}
