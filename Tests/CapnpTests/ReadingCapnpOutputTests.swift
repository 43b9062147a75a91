// Messages the `capnp` tool writes, single- and multi-segment, plain and packed, read through the raw readers.

@testable import Capnp
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReadingCapnpOutputTests {
    @Test("default output of capnp reads back field for field", arguments: Samples.all)
    func defaultSegments(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let message = try MessageReader(bytes: try WireSchema.shared().tool.encode(sample.literal, as: sample.type))
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try message.root(), as: .structure(sample.type))
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
        // The largest sample outgrows the tool's first segment (1024 words) even without --segment-size.
        #expect(message.segmentCount == 1 || walk.farPointers > 0)
    }

    @Test("packed output of capnp reads back field for field", arguments: Samples.all)
    func packed(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let message = try MessageReader(packed: try WireSchema.shared().tool.encode(sample.literal, as: sample.type, packed: true))
        let read = try TypedWalk.read(message, as: sample.type, schema: schema)
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
    }

    static let segmentSizes = [1, 2, 3, 5, 8, 13]

    @Test("multi-segment output (--segment-size) reads back through far pointers",
          arguments: Samples.withPointers, segmentSizes)
    func multiSegment(_ sample: Sample, segmentSize: Int) throws {
        let schema = try WireSchema.shared()
        let bytes = try WireSchema.shared().tool.encode(sample.literal, as: sample.type, segmentSize: segmentSize)
        let message = try MessageReader(bytes: bytes)
        #expect(message.segmentCount > 1, "segment size \(segmentSize) should split the message")
        var walk = TypedWalk(schema: schema)
        let read = try walk.pointer(try message.root(), as: .structure(sample.type))
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
        #expect(walk.farPointers > 0, "a split message is reached through far pointers")
        // The untyped walk agrees with the typed one about the size of everything reachable.
        let single = try MessageReader(bytes: try WireSchema.shared().tool.encode(sample.literal, as: sample.type))
        #expect(try message.totalSize() == single.totalSize())
    }

    @Test("multi-segment packed output (text:packed --segment-size) reads back",
          arguments: Samples.withPointers, [1, 4])
    func multiSegmentPacked(_ sample: Sample, segmentSize: Int) throws {
        let schema = try WireSchema.shared()
        let packed = try WireSchema.shared().tool.encode(sample.literal, as: sample.type, segmentSize: segmentSize, packed: true)
        let message = try MessageReader(packed: packed)
        #expect(message.segmentCount > 1)
        let read = try TypedWalk.read(message, as: sample.type, schema: schema)
        #expect(read == schema.complete(sample.value, as: .structure(sample.type)))
    }

    /// Several messages in one stream, as `capnp convert` writes them for several literals.
    static func stream() throws -> (bytes: [UInt8], samples: [Sample]) {
        let samples = [Samples.tree, Samples.tree, Samples.tree]
        let literals = samples.map(\.literal).joined(separator: "\n")
        // Small segments, so each message in the stream has a multi-entry segment table.
        return (try WireSchema.shared().tool.encode(literals, as: "Tree", segmentSize: 4), samples)
    }

    @Test("a stream of capnp messages reads one prefix at a time")
    func streamByPrefix() throws {
        let schema = try WireSchema.shared()
        let (bytes, samples) = try Self.stream()
        var offset = 0
        for sample in samples {
            var consumed = 0
            let message = try bytes.withUnsafeBytes { raw in
                try MessageReader(prefixOf: UnsafeRawBufferPointer(rebasing: raw[offset...]), consumed: &consumed)
            }
            #expect(message.segmentCount > 1)
            #expect(try TypedWalk.read(message, as: "Tree", schema: schema) == schema.complete(sample.value, as: .structure("Tree")))
            offset += consumed
        }
        #expect(offset == bytes.count)
    }

    @Test("a stream of capnp messages reads from a file descriptor until end of stream")
    func streamFromDescriptor() throws {
        let schema = try WireSchema.shared()
        let (bytes, samples) = try Self.stream()
        try #require(bytes.count < 16 * 1024, "the whole stream must fit in a pipe buffer")
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        #expect(bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == bytes.count)
        close(fds[1])
        for sample in samples {
            let message = try #require(try Framing.read(from: fds[0]))
            #expect(try TypedWalk.read(message, as: "Tree", schema: schema) == schema.complete(sample.value, as: .structure("Tree")))
        }
        #expect(try Framing.read(from: fds[0]) == nil)
    }

    @Test("Framing.write output is what capnp reads", arguments: Samples.withPointers)
    func framingWriteToDescriptor(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let message = ValueBuilder(schema: schema).message(sample.fields, root: sample.type, firstSegmentWords: 3)
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let expected = message.serialize()
        try #require(expected.count < 16 * 1024)
        try Framing.write(message, to: fds[1])
        close(fds[1])
        var got = [UInt8](repeating: 0, count: expected.count + 8)
        let count = got.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        #expect(Array(got[..<max(count, 0)]) == expected)
        #expect(try WireSchema.shared().tool.decode(expected, as: sample.type) == WireSchema.shared().tool.normalized(sample.literal, as: sample.type))
    }
}
