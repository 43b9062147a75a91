// Far and double-far pointers: hand-crafted landing pads the reader must follow, and builders that
// are forced to spill into new segments, checked by decoding their output with the capnp tool.

@_spi(Generated) @testable import Capnp
import TestSupport
import Testing

@Suite struct FarPointerTests {
    /// The data word of an Item with `id` and `flag`, placed where the schema says.
    static func itemData(_ layout: StructLayout, id: UInt32, flag: Bool) -> UInt64 {
        UInt64(id) << UInt64(layout.field("id").bitOffset) | (flag ? 1 : 0) << UInt64(layout.field("flag").bitOffset)
    }

    /// Item(id = 7, flag = true, name = "hello", child = (id = 9, name = "hi")) over six segments:
    /// the root and `name` through double-far pointers, `child` through a single far pointer.
    static func doubleFarItem() throws -> [UInt8] {
        let layout = try WireSchema.shared()["Item"]
        try #require(layout.dataWords == 1 && layout.pointerCount == 2)
        try #require(layout.field("name").pointerIndex == 0 && layout.field("child").pointerIndex == 1)
        let hello = Words.bytes(Array("hello\0".utf8)), hi = Words.bytes(Array("hi\0".utf8))
        return Words.frame([
            // 0: the root pointer is double-far: its pad is at segment 1, word 0.
            [Words.farPointer(segment: 1, offset: 0, doubleFar: true)],
            // 1: the pad: a far pointer to the struct's first word (segment 2, word 0), then the tag.
            [Words.farPointer(segment: 2, offset: 0), Words.structPointer(offset: 0, dataWords: 1, pointers: 2)],
            // 2: the struct; `name` is double-far (pad in segment 3), `child` single-far (pad in segment 4).
            [itemData(layout, id: 7, flag: true), Words.farPointer(segment: 3, offset: 0, doubleFar: true),
             Words.farPointer(segment: 4, offset: 0)],
            // 3: name's pad: far to segment 5 word 0, and a byte-list tag for 6 bytes.
            [Words.farPointer(segment: 5, offset: 0), Words.listPointer(offset: 0, size: 2, count: 6)],
            // 4: child's landing pad (a struct pointer to the next word), the child, its text.
            [Words.structPointer(offset: 0, dataWords: 1, pointers: 2), itemData(layout, id: 9, flag: false),
             Words.listPointer(offset: 1, size: 2, count: 3), 0] + hi,
            // 5: the text of `name`.
            hello,
        ])
    }

    static let doubleFarLiteral = #"(id = 7, flag = true, name = "hello", child = (id = 9, name = "hi"))"#
    static let doubleFarValue: Value = .structure([
        "id": .uint(7), "flag": .bool(true), "name": .text("hello"),
        "child": .structure(["id": .uint(9), "name": .text("hi")]),
    ])

    @Test("hand-crafted double-far pointers to a struct and to text are followed")
    func handCraftedDoubleFar() throws {
        let schema = try WireSchema.shared()
        let bytes = try Self.doubleFarItem()
        let message = try MessageReader(bytes: bytes)
        #expect(message.segmentCount == 6)
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try message.root(), as: .structure("Item"))
        #expect(read == schema.complete(Self.doubleFarValue, as: .structure("Item")))
        #expect(walk.farPointers == 3 && walk.doubleFarPointers == 2)
        // The tool reads the same hand-crafted bytes as the same message: the crafting follows the spec.
        #expect(try WireSchema.shared().tool.decode(bytes, as: "Item") == WireSchema.shared().tool.normalized(Self.doubleFarLiteral, as: "Item"))
    }

    @Test("totalSize counts the objects behind far pointers, not their landing pads")
    func totalSizeThroughFarPointers() throws {
        let size = try MessageReader(bytes: try Self.doubleFarItem()).totalSize()
        let schema = try WireSchema.shared()
        let flat = ValueBuilder(schema: schema).message(
            ["id": .uint(7), "flag": .bool(true), "name": .text("hello"),
             "child": .structure(["id": .uint(9), "name": .text("hi")])], root: "Item")
        #expect(size == (try flat.asReader().totalSize()))
        #expect(size.words == 3 + 1 + 3 + 1)  // two Items of 3 words, "hello\0" and "hi\0" of one word each
    }

    @Test("a single-far root pointer with its landing pad in another segment is followed")
    func singleFarRoot() throws {
        let schema = try WireSchema.shared()
        let layout = schema["Item"]
        let bytes = Words.frame([
            [Words.farPointer(segment: 1, offset: 1)],
            [0xDEAD_BEEF, Words.structPointer(offset: 0, dataWords: 1, pointers: 2), Self.itemData(layout, id: 42, flag: false), 0, 0],
        ])
        let read = try TypedWalk.read(try MessageReader(bytes: bytes), as: "Item", schema: schema)
        #expect(read == schema.complete(.structure(["id": .uint(42)]), as: .structure("Item")))
        #expect(try WireSchema.shared().tool.decode(bytes, as: "Item") == WireSchema.shared().tool.normalized("(id = 42)", as: "Item"))
    }

    @Test("builders with tiny segments spill through far pointers that capnp decodes",
          arguments: Samples.withPointers, [1, 2, 5, 9])
    func builderSpillsIntoSegments(_ sample: Sample, firstSegmentWords: Int) throws {
        let schema = try WireSchema.shared()
        let message = ValueBuilder(schema: schema).message(sample.fields, root: sample.type,
                                                            firstSegmentWords: firstSegmentWords)
        let bytes = message.serialize()
        #expect(message.segmentsForOutput.count > 1)
        #expect(try WireSchema.shared().tool.decode(bytes, as: sample.type) == WireSchema.shared().tool.normalized(sample.literal, as: sample.type))
        let reader = try MessageReader(bytes: bytes)
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try reader.root(), as: .structure(sample.type))
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
        #expect(walk.farPointers > 0)
        let flat = ValueBuilder(schema: schema).message(sample.fields, root: sample.type, firstSegmentWords: 1 << 16)
        #expect(try reader.totalSize() == flat.asReader().totalSize())
    }

    @Test("upgrading a struct whose segment is full writes a double-far pointer capnp decodes")
    func builderDoubleFar() throws {
        let schema = try WireSchema.shared()
        let layout = schema["Item"]
        let message = MessageBuilder(firstSegmentWords: 4)
        // Segment 0 fills up exactly: root pointer, a one-pointer struct, and 15 bytes of text.
        let old = message.root.initStruct(dataWords: 0, pointerCount: 1)
        old._pointer(layout.field("name").pointerIndex).setText("fourteen chars")
        #expect(message.segmentsForOutput.count == 1 && message.totalWords == 4)
        // Growing it to an Item moves it to segment 1; its text stays in the full segment 0, so the moved
        // pointer needs a two-word landing pad outside segment 0: a double-far pointer.
        let item = message.root.getStruct(dataWords: layout.dataWords, pointerCount: layout.pointerCount)
        item._write(layout.field("id").bitOffset / 32, UInt32(5))
        let bytes = message.serialize()
        let reader = try MessageReader(bytes: bytes)
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try reader.root(), as: .structure("Item"))
        #expect(read == schema.complete(.structure(["id": .uint(5), "name": .text("fourteen chars")]), as: .structure("Item")))
        #expect(walk.doubleFarPointers == 1)
        #expect(try WireSchema.shared().tool.decode(bytes, as: "Item")
                    == WireSchema.shared().tool.normalized(#"(id = 5, name = "fourteen chars")"#, as: "Item"))
    }
}
