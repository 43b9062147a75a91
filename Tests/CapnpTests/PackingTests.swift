// Packing must produce exactly what `capnp convert binary:packed` produces, and unpacking must invert it.

@testable import Capnp
import TestSupport
import Testing

@Suite struct PackingTests {
    @Test("Packing.pack equals capnp convert binary:packed", arguments: Samples.all)
    func packEqualsTool(_ sample: Sample) throws {
        let bytes = try WireSchema.shared().tool.encode(sample.literal, as: sample.type)
        let tool = try CapnpTool.pack(bytes)
        #expect(Packing.pack(bytes) == tool, "\(sample.name)\n ours \(hex(Packing.pack(bytes)))\n tool \(hex(tool))")
        #expect(try Packing.unpack(tool) == bytes)
    }

    @Test("serializePacked of a built message equals capnp convert text:packed", arguments: Samples.all)
    func serializePackedEqualsTool(_ sample: Sample) throws {
        let schema = try WireSchema.shared()
        let ours = ValueBuilder(schema: schema).message(sample.fields, root: sample.type).serializePacked()
        #expect(ours == (try WireSchema.shared().tool.encode(sample.literal, as: sample.type, packed: true)))
    }

    @Test("multi-segment messages pack as capnp packs them", arguments: [1, 3, 8])
    func multiSegmentPackEqualsTool(segmentSize: Int) throws {
        for sample in Samples.withPointers {
            let bytes = try WireSchema.shared().tool.encode(sample.literal, as: sample.type, segmentSize: segmentSize)
            let tool = try CapnpTool.pack(bytes, segmentSize: segmentSize)
            // The tool re-lays the message out before packing; the comparison holds only if that is a no-op.
            try #require(try Packing.unpack(tool) == bytes, "the tool changed the layout of \(sample.name)")
            #expect(Packing.pack(bytes) == tool, "\(sample.name) at segment size \(segmentSize)")
        }
    }

    @Test("unpack inverts pack on seeded random words with every zero-byte pattern")
    func unpackInvertsPackOnRandomWords() throws {
        var random = SeededRandom(seed: 0x5EED_0001)
        for _ in 0..<500 {
            let words = Int(random.next() % 700)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(words * 8)
            var mode = 0
            for _ in 0..<words {
                if random.next() % 16 == 0 { mode = Int(random.next() % 4) }
                for _ in 0..<8 {
                    switch mode {
                    case 0: bytes.append(0)  // zero runs
                    case 1: bytes.append(UInt8(random.next() % 255 + 1))  // incompressible runs
                    case 2: bytes.append(random.next() % 8 == 0 ? 0 : UInt8(truncatingIfNeeded: random.next() | 1))
                    default: bytes.append(UInt8(truncatingIfNeeded: random.next()))
                    }
                }
            }
            let packed = Packing.pack(bytes)
            #expect(try Packing.unpack(packed) == bytes)
        }
    }

    @Test("zero runs and incompressible runs longer than 255 words pack as capnp packs them")
    func longRunsEqualTool() throws {
        // 400 zero words then 400 words without zero bytes: both runs must be split at 255.
        // (Small enough to stay within the tool's first segment, so it keeps this layout.)
        let segment = [Words.structPointer(offset: 0, dataWords: 0, pointers: 1),
                       Words.listPointer(offset: 0, size: 5, count: 800)]
            + [UInt64](repeating: 0, count: 400) + [UInt64](repeating: 0x0102_0304_0506_0708, count: 400)
        let bytes = Words.frame([segment])
        let tool = try CapnpTool.pack(bytes)
        try #require(try Packing.unpack(tool) == bytes, "the tool changed the layout")
        #expect(Packing.pack(bytes) == tool)
        #expect(try Packing.unpack(Packing.pack(bytes)) == bytes)
    }
}
