// Messages built with the raw builder API must be the bytes `capnp convert text:binary` writes,
// and the tool must read them back as the literal they were built from.

@testable import Capnp
import TestSupport
import Testing

@Suite struct EncodingMatchesCapnpTests {
    @Test("built bytes equal capnp convert text:binary", arguments: Samples.all)
    func builtBytesEqualTool(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let ours = ValueBuilder(schema: schema).message(sample.fields, root: sample.type).serialize()
        let tool = try WireSchema.shared().tool.encode(sample.literal, as: sample.type)
        #expect(ours == tool, "\(sample.name): ours \(hex(ours))\n tool \(hex(tool))")
    }

    @Test("capnp encode agrees with capnp convert on the same literal")
    func encodeCommandAgrees() throws {
        let schema = try WireSchema.shared()
        let sample = Samples.lists
        let encoded = try CapnpTool.run(["encode", schema.path, sample.type], input: Array(sample.literal.utf8))
        let ours = ValueBuilder(schema: schema).message(sample.fields, root: sample.type).serialize()
        #expect(ours == encoded)
    }

    @Test("built messages decode with capnp binary:text to the literal", arguments: Samples.all)
    func toolDecodesBuiltMessage(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let ours = ValueBuilder(schema: schema).message(sample.fields, root: sample.type).serialize()
        let decoded = try WireSchema.shared().tool.decode(ours, as: sample.type)
        #expect(decoded == (try WireSchema.shared().tool.normalized(sample.literal, as: sample.type)))
    }

    @Test("a field set to its non-zero default encodes as zero (XOR)")
    func defaultEncodesAsZero() throws {
        let schema = try WireSchema.shared()
        let sample = Samples.defaultsAtDefault
        let message = ValueBuilder(schema: schema).message(sample.fields, root: sample.type)
        let bytes = message.serialize()
        let layout = schema[sample.type]
        // Segment table (8 bytes), root pointer (8 bytes), then the data section: all zero.
        let data = bytes[16..<(16 + layout.dataWords * 8)]
        #expect(data.allSatisfy { $0 == 0 })
        #expect(bytes == (try WireSchema.shared().tool.encode(sample.literal, as: sample.type)))
        // And reads back as the defaults, not as zeros.
        let read = try TypedWalk.read(try MessageReader(bytes: bytes), as: sample.type, schema: schema)
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
    }

    @Test("empty text is a one-byte list holding NUL; null text stays a null pointer")
    func emptyTextIsNotNull() throws {
        let schema = try WireSchema.shared()
        let bytes = try WireSchema.shared().tool.encode(Samples.emptyBlobs.literal, as: "Blobs")
        let message = try MessageReader(bytes: bytes)
        let root = try message.root().readStruct()
        let layout = schema["Blobs"]
        let t0 = root._pointer(layout.field("t0").pointerIndex), t1 = root._pointer(layout.field("t1").pointerIndex)
        let d0 = root._pointer(layout.field("d0").pointerIndex), d1 = root._pointer(layout.field("d1").pointerIndex)
        #expect(!t0.isNull && t1.isNull && !d0.isNull && d1.isNull)
        #expect(try t0.readList(expected: .byte).count == 1)
        #expect(try t0.readText() == "" && t1.readText() == "")
        #expect(try d0.readData().count == 0 && d1.readData().count == 0)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
}
