// Values an older schema does not know (enumerants, union members) read as `.unknown` and survive copies.

import Capnp
import TestSupport
import Testing

@Suite struct UnknownValuesTests {
    @Test("enumerants from a newer schema read as unknown and survive a copy back to capnp")
    func unknownEnumerants() throws {
        let literal = "(e = d, list = [a, c, d, b])"
        let bytes = try Oracle.encode(literal, as: "HoldsEnumV2")
        let old = try MessageReader(bytes: bytes).root(as: HoldsEnumV1.self)
        #expect(old.e == .unknown(3))
        #expect(try Array(old.list) == [.a, .unknown(2), .unknown(3), .b])
        #expect(EnumV1.unknown(3).rawValue == 3 && EnumV1(rawValue: 1) == .b)

        let copy = MessageBuilder()
        try copy.setRoot(old.structReader)
        #expect(copy.serialize() == bytes)
        #expect(try Oracle.decode(copy.serialize(), as: "HoldsEnumV2") == (try Oracle.normalized(literal, as: "HoldsEnumV2")))

        // Writing an unknown value through the older schema's builder is what the newer schema reads.
        let built = MessageBuilder()
        let root = built.initRoot(HoldsEnumV1.self)
        root.e = .unknown(3)
        let list = root.initList(count: 4)
        list[0] = .a
        list[1] = .unknown(2)
        list[2] = .unknown(3)
        list[3] = .b
        #expect(built.serialize() == bytes)
        #expect(root.e == .unknown(3) && list[1] == .unknown(2))
    }

    @Test("a union member from a newer schema reads as unknown, keeps its data, and survives a copy")
    func unknownUnionMember() throws {
        let literal = "(c = 2.5, tail = 9)"
        let bytes = try Oracle.encode(literal, as: "UnionV2")
        let old = try MessageReader(bytes: bytes).root(as: UnionV1.self)
        #expect(old.which == .unknown(2))
        #expect(old.tail == 9)

        let copy = MessageBuilder()
        try copy.setRoot(old.structReader)
        #expect(try Oracle.decode(copy.serialize(), as: "UnionV2") == (try Oracle.normalized(literal, as: "UnionV2")))
        #expect(copy.getRoot(UnionV1.self).which == .unknown(2))

        // Known members still read normally from the newer writer.
        let known = try MessageReader(bytes: try Oracle.encode("(b = \"bee\", tail = 1)", as: "UnionV2")).root(as: UnionV1.self)
        #expect(known.which == .b)
        #expect(try known.b == "bee")
    }

    @Test("unknown discriminants in an unnamed and a named union are reported, not trapped on")
    func unknownDiscriminantInNamedUnion() throws {
        // Shapes' discriminants are at 16-bit offsets 0 (the unnamed union) and 1 (shade), as the generated code says.
        let message = MessageBuilder()
        let shapes = message.initRoot(Shapes.self)
        shapes.structBuilder._write(0, UInt16(40))
        shapes.structBuilder._write(1, UInt16(41))
        let back = try MessageReader(bytes: message.serialize()).root(as: Shapes.self)
        #expect(back.which == .unknown(40))
        #expect(back.shade.which == .unknown(41))
        let text = try Oracle.decode(message.serialize(), as: "Shapes")
        #expect(!text.contains("circle") && !text.contains("color"))
    }
}
