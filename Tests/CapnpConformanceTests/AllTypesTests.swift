// Every primitive, blob and list kind through generated code, checked against what capnp writes and reads.

import Capnp
import Testing
import TestSupport

@Suite struct AllTypesTests {
    static func built() -> MessageBuilder {
        let message = MessageBuilder()
        AllTypesSample.build(message.initRoot(AllTypes.self))
        return message
    }

    @Test("generated builders write the bytes capnp convert text:binary writes")
    func builtBytesEqualCapnp() throws {
        let ours = Self.built().serialize()
        let tool = try Oracle.encode(AllTypesSample.literal, as: "AllTypes")
        #expect(ours == tool, "ours \(hex(ours))\ntool \(hex(tool))")
    }

    @Test("generated readers read every field capnp wrote in one segment")
    func readsSingleSegment() throws {
        let bytes = try Oracle.encode(AllTypesSample.literal, as: "AllTypes")
        let message = try MessageReader(bytes: bytes)
        #expect(message.segmentCount == 1)
        try AllTypesSample.check(try message.root(as: AllTypes.self))
    }

    @Test("generated readers follow far pointers capnp wrote with small segments", arguments: [1, 2, 3, 5, 8, 13, 32])
    func readsMultiSegment(segmentSize: Int) throws {
        let bytes = try Oracle.encode(AllTypesSample.literal, as: "AllTypes", segmentSize: segmentSize)
        let message = try MessageReader(bytes: bytes)
        #expect(message.segmentCount > 1)
        try AllTypesSample.check(try message.root(as: AllTypes.self))
    }

    @Test("generated readers read capnp's packed encoding")
    func readsPacked() throws {
        let packed = try Oracle.encode(AllTypesSample.literal, as: "AllTypes", packed: true)
        try AllTypesSample.check(try MessageReader(packed: packed).root(as: AllTypes.self))
        let multi = try Oracle.encode(AllTypesSample.literal, as: "AllTypes", segmentSize: 4, packed: true)
        try AllTypesSample.check(try MessageReader(packed: multi).root(as: AllTypes.self))
    }

    @Test("capnp decodes the built message to the literal's canonical text")
    func roundTripsThroughCapnpText() throws {
        let decoded = try Oracle.decode(Self.built().serialize(), as: "AllTypes")
        #expect(decoded == (try Oracle.normalized(AllTypesSample.literal, as: "AllTypes")))
    }

    @Test("packed output equals capnp's packed output")
    func packedEqualsCapnp() throws {
        let message = Self.built()
        let tool = try Oracle.encode(AllTypesSample.literal, as: "AllTypes", packed: true)
        #expect(message.serializePacked() == tool)
        #expect(message.serializePacked() == (try CapnpTool.pack(message.serialize())))
        #expect(try Oracle.decode(message.serializePacked(), as: "AllTypes", packed: true)
                == (try Oracle.normalized(AllTypesSample.literal, as: "AllTypes")))
    }

    @Test("a builder reads back what it wrote, and copying a capnp-written struct keeps every field")
    func builderReadsBackAndCopies() throws {
        let message = Self.built()
        let root = message.getRoot(AllTypes.self)
        try AllTypesSample.check(root.asReader)
        #expect(root.textField == "foo" && Array(root.dataField) == [0x62, 0x61, 0x72])
        #expect(Array(root.int64List) == [123456789012345, -678901234567890, .min, .max])
        #expect(root.structList[2].textField == "structlist 3")

        // Copy a multi-segment capnp message into a fresh builder via the generated setter.
        let source = try MessageReader(bytes: try Oracle.encode(AllTypesSample.literal, as: "AllTypes", segmentSize: 3))
        let copy = MessageBuilder()
        let holder = copy.initRoot(AllTypes.self)
        try holder.setStructField(try source.root(as: AllTypes.self))
        try AllTypesSample.check(try holder.asReader.structField)
        let decoded = try Oracle.decode(copy.serialize(), as: "AllTypes")
        #expect(decoded == (try Oracle.normalized("(structField = \(AllTypesSample.literal))", as: "AllTypes")))
    }

    @Test("messages built across small segments (far and double-far pointers) read back in capnp",
          arguments: [1, 2, 4, 16])
    func builtMultiSegmentDecodesInCapnp(firstSegmentWords: Int) throws {
        let message = MessageBuilder(firstSegmentWords: firstSegmentWords)
        AllTypesSample.build(message.initRoot(AllTypes.self))
        #expect(message.segmentsForOutput.count > 1)
        let bytes = message.serialize()
        #expect(try Oracle.decode(bytes, as: "AllTypes") == (try Oracle.normalized(AllTypesSample.literal, as: "AllTypes")))
        try AllTypesSample.check(try MessageReader(bytes: bytes).root(as: AllTypes.self))
        // capnp reads our packed multi-segment stream too.
        #expect(try Oracle.decode(message.serializePacked(), as: "AllTypes", packed: true)
                == (try Oracle.normalized(AllTypesSample.literal, as: "AllTypes")))
        try AllTypesSample.check(try MessageReader(packed: message.serializePacked()).root(as: AllTypes.self))
    }

    @Test("packing capnp's multi-segment bytes gives capnp's packed stream for the same layout", arguments: [1, 3, 7])
    func packsMultiSegmentLikeCapnp(segmentSize: Int) throws {
        let binary = try Oracle.encode(AllTypesSample.literal, as: "AllTypes", segmentSize: segmentSize)
        let packed = try Oracle.encode(AllTypesSample.literal, as: "AllTypes", segmentSize: segmentSize, packed: true)
        #expect(Packing.pack(binary) == packed)
        #expect(try Packing.unpack(packed) == binary)
    }

    @Test("packing long runs of zero words and of literal words (past the 255-word tag limit) matches capnp")
    func packsLongRuns() throws {
        let dense = (0..<600).map { UInt64(0x0102030405060708) &* UInt64($0 + 1) | 0x0101010101010101 }
        let literal = "(int64List = [\(Array(repeating: "0", count: 600).joined(separator: ", "))], "
            + "uint64List = [\(dense.map(String.init).joined(separator: ", "))])"
        let message = MessageBuilder()
        let root = message.initRoot(AllTypes.self)
        _ = root.initInt64List(count: 600)
        AllTypesSample.fill(root.initUint64List(count: dense.count), dense)
        let tool = try Oracle.encode(literal, as: "AllTypes", packed: true)
        #expect(message.serializePacked() == tool)
        let back = try MessageReader(packed: tool).root(as: AllTypes.self)
        #expect(try back.int64List.count == 600 && back.int64List.allSatisfy { $0 == 0 })
        #expect(try Array(back.uint64List) == dense)
    }

    @Test("UTF-8 text beyond ASCII, and escapes, encode as capnp encodes them")
    func unicodeText() throws {
        let texts = ["ünïcødé ✓ 🚀", "tab\there \"quoted\" back\\slash", ""]
        let literal = "(textField = \"\(texts[0])\", textList = [\"\(texts[0])\", \"tab\\there \\\"quoted\\\" back\\\\slash\", \"\"])"
        let message = MessageBuilder()
        let root = message.initRoot(AllTypes.self)
        root.textField = texts[0]
        let list = root.initTextList(count: 3)
        for (index, text) in texts.enumerated() { list.set(index, text) }
        let tool = try Oracle.encode(literal, as: "AllTypes")
        #expect(message.serialize() == tool)
        let back = try MessageReader(bytes: tool).root(as: AllTypes.self)
        #expect(try back.textField == texts[0] && back.textList.elements() == texts)
        #expect(try back.textFieldBytes.array == Array(texts[0].utf8))
    }

    @Test("an empty root reads as all zeros and empty lists, and capnp agrees it is empty")
    func emptyStruct() throws {
        let message = MessageBuilder()
        _ = message.initRoot(AllTypes.self)
        let root = try MessageReader(bytes: message.serialize()).root(as: AllTypes.self)
        #expect(root.int64Field == 0 && root.float64Field == 0 && !root.boolField && root.enumField == .foo)
        #expect(try root.textField == "" && root.dataField.isEmpty && root.int32ListList.count == 0)
        #expect(try root.structField.int32Field == 0 && !root.hasStructField)
        #expect(message.serialize() == (try Oracle.encode("()", as: "AllTypes")))
    }
}
