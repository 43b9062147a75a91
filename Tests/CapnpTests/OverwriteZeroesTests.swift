// Overwriting or clearing a pointer in a builder zeroes what it pointed to, so stale bytes never
// reach the wire; the result must still be a message the capnp tool reads as intended.

@_spi(Generated) @testable import Capnp
import TestSupport
import Testing

@Suite struct OverwriteZeroesTests {
    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool { contains(bytes, Array(needle.utf8)) }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<($0 + needle.count)]) == needle }
    }

    @Test("overwriting text and structs zeroes the old objects", arguments: [1024, 2])
    func overwriteZeroes(firstSegmentWords: Int) throws {
        let schema = try WireSchema.shared()
        let item = schema["Item"]
        let message = MessageBuilder(firstSegmentWords: firstSegmentWords)
        let root = message.root.initStruct(dataWords: item.dataWords, pointerCount: item.pointerCount)
        root._pointer(item.field("name").pointerIndex).setText("SECRET-NAME-1")
        let child = root._pointer(item.field("child").pointerIndex).initStruct(dataWords: item.dataWords, pointerCount: item.pointerCount)
        child._pointer(item.field("name").pointerIndex).setText("SECRET-CHILD-2")
        child._write(item.field("id").bitOffset / 32, UInt32(0x5EC2E7))
        // Replace both: the old text and the old child (with its text) must be gone from the bytes.
        root._pointer(item.field("name").pointerIndex).setText("new")
        let fresh = root._pointer(item.field("child").pointerIndex).initStruct(dataWords: item.dataWords, pointerCount: item.pointerCount)
        fresh._write(item.field("id").bitOffset / 32, UInt32(3))
        let bytes = message.serialize()
        #expect(!Self.contains(bytes, "SECRET"))
        #expect(!Self.contains(bytes, [0xE7, 0xC2, 0x5E]))  // the old child's id, little-endian
        #expect(try WireSchema.shared().tool.decode(bytes, as: "Item") == WireSchema.shared().tool.normalized(#"(name = "new", child = (id = 3))"#, as: "Item"))
    }

    @Test("clearing a pointer nulls it and zeroes its target, far pads included", arguments: [1024, 2])
    func clearZeroes(firstSegmentWords: Int) throws {
        let schema = try WireSchema.shared()
        let lists = schema["Lists"]
        let message = MessageBuilder(firstSegmentWords: firstSegmentWords)
        let root = message.root.initStruct(dataWords: lists.dataWords, pointerCount: lists.pointerCount)
        let texts = root._pointer(lists.field("texts").pointerIndex).initList(.pointer, count: 2)
        texts.pointerElement(0).setText("SECRET-A")
        texts.pointerElement(1).setText("SECRET-B")
        root._pointer(lists.field("texts").pointerIndex).clear()
        #expect(root._pointer(lists.field("texts").pointerIndex).isNull)
        let bytes = message.serialize()
        #expect(!Self.contains(bytes, "SECRET"))
        // Everything after the root pointer is zero: the root struct's slots and the cleared objects.
        let body = bytes[(bytes.count - message.totalWords * 8 + 8)...]
        let nonZeroWords = stride(from: body.startIndex, to: body.endIndex, by: 8).filter { body[$0..<($0 + 8)].contains { $0 != 0 } }
        // Only far pointers' own slots may remain (the root's pointer to segment 1 when segments are tiny).
        #expect(nonZeroWords.count <= (firstSegmentWords < 16 ? 2 : 0), "\(hex(Array(body)))")
        #expect(try WireSchema.shared().tool.decode(bytes, as: "Lists") == WireSchema.shared().tool.normalized("()", as: "Lists"))
    }
}
