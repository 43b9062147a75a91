// Messages the `capnp` tool writes, single- and multi-segment, plain and packed, read through the raw readers.

@testable import Capnp
import Testing

@Suite struct ReadingCapnpOutputTests {
    @Test("default output of capnp reads back field for field", arguments: Samples.all)
    func defaultSegments(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let message = try MessageReader(bytes: try CapnpTool.encode(sample.literal, as: sample.type))
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try message.root(), as: .structure(sample.type))
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
        // The largest sample outgrows the tool's first segment (1024 words) even without --segment-size.
        #expect(message.segmentCount == 1 || walk.farPointers > 0)
    }

    @Test("packed output of capnp reads back field for field", arguments: Samples.all)
    func packed(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let message = try MessageReader(packed: try CapnpTool.encode(sample.literal, as: sample.type, packed: true))
        let read = try TypedWalk.read(message, as: sample.type, schema: schema)
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
    }

    static let segmentSizes = [1, 2, 3, 5, 8, 13]

    @Test("multi-segment output (--segment-size) reads back through far pointers",
          arguments: Samples.withPointers, segmentSizes)
    func multiSegment(_ sample: Sample, segmentSize: Int) throws {
        let schema = try WireSchema.shared()
        let bytes = try CapnpTool.encode(sample.literal, as: sample.type, segmentSize: segmentSize)
        let message = try MessageReader(bytes: bytes)
        #expect(message.segmentCount > 1, "segment size \(segmentSize) should split the message")
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try message.root(), as: .structure(sample.type))
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
        #expect(walk.farPointers > 0, "a split message is reached through far pointers")
        // The untyped walk agrees with the typed one about the size of everything reachable.
        let single = try MessageReader(bytes: try CapnpTool.encode(sample.literal, as: sample.type))
        #expect(try message.totalSize() == single.totalSize())
    }

    @Test("multi-segment packed output (text:packed --segment-size) reads back",
          arguments: Samples.withPointers, [1, 4])
    func multiSegmentPacked(_ sample: Sample, segmentSize: Int) throws {
        let schema = try WireSchema.shared()
        let packed = try CapnpTool.encode(sample.literal, as: sample.type, segmentSize: segmentSize, packed: true)
        let message = try MessageReader(packed: packed)
        #expect(message.segmentCount > 1)
        let read = try TypedWalk.read(message, as: sample.type, schema: schema)
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
    }
}
