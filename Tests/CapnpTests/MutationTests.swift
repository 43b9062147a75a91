// Seeded random damage to valid messages: every outcome of reading must be a value or a CapnpError.
// A trap or a hang fails the run; the seeds make any failure reproducible.

@testable import Capnp
import TestSupport
import Testing

@Suite struct MutationTests {
    /// Valid messages to damage, with the root type to walk them as.
    static func corpus() throws -> [(bytes: [UInt8], type: String)] {
        var corpus: [(bytes: [UInt8], type: String)] = []
        for sample in [Samples.lists, Samples.tree, Samples.blobs, Samples.primsMixed, Samples.emptyLists] {
            corpus.append((try WireSchema.shared().tool.encode(sample.literal, as: sample.type), sample.type))
        }
        corpus.append((try WireSchema.shared().tool.encode(Samples.lists.literal, as: "Lists", segmentSize: 3), "Lists"))
        corpus.append((try WireSchema.shared().tool.encode(Samples.tree.literal, as: "Tree", segmentSize: 1), "Tree"))
        corpus.append((try FarPointerTests.doubleFarItem(), "Item"))
        return corpus
    }

    /// A pointer-shaped word with small random fields: damage that reaches the pointer logic.
    static func randomPointer(_ random: inout SeededRandom) -> UInt64 {
        let offset = Int(random.next() % 64) - 32
        switch random.next() % 5 {
        case 0: return Words.structPointer(offset: offset, dataWords: Int(random.next() % 4), pointers: Int(random.next() % 4))
        case 1: return Words.listPointer(offset: offset, size: random.next() % 8, count: Int(random.next() % 200))
        case 2: return Words.farPointer(segment: UInt32(random.next() % 4), offset: Int(random.next() % 40),
                                        doubleFar: random.next() % 2 == 0)
        case 3: return Words.compositeTag(count: Int(random.next() % 300), dataWords: Int(random.next() % 3),
                                          pointers: Int(random.next() % 3))
        default: return random.next()
        }
    }

    static func mutate(_ bytes: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<(1 + Int(random.next() % 3)) {
            guard !bytes.isEmpty else { break }
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0: bytes[at] ^= UInt8(1) << UInt8(random.next() % 8)  // flip a bit
            case 1: bytes[at] = UInt8(truncatingIfNeeded: random.next())  // replace a byte
            case 2: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][Int(random.next() % 4)]
            case 3:  // overwrite an aligned word with a pointer-shaped word
                let word = at / 8 * 8
                guard word + 8 <= bytes.count else { continue }
                let value = randomPointer(&random)
                for index in 0..<8 { bytes[word + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
            case 4: bytes.removeLast(Int(random.next() % UInt64(min(bytes.count, 24))))  // truncate
            default: bytes.insert(contentsOf: [UInt8](repeating: UInt8(truncatingIfNeeded: random.next()), count: 8), at: at / 8 * 8)
            }
        }
        return bytes
    }

    /// Reads `message` every way the tests know; returns whether all of it succeeded.
    static func readEveryWay(_ message: MessageReader, as type: String, schema: WireSchema) -> Bool {
        var ok = true
        do { _ = try message.totalSize() } catch { ok = false }
        do { _ = try TypedWalk.read(message, as: type, schema: schema) } catch { ok = false }
        // Walk it as a different type too: the schema does not match, the bounds checks still must.
        do { _ = try TypedWalk.read(message, as: type == "Lists" ? "Tree" : "Lists", schema: schema) } catch { ok = false }
        // Deep-copying what was read (as the RPC layer does with received messages) must yield a
        // message that reads back cleanly.
        do {
            let copy = MessageBuilder()
            try copy.setRoot(try message.root().readStruct())
            do {
                _ = try MessageReader(bytes: copy.serialize()).totalSize()
            } catch {
                Issue.record("a copy of a readable message does not read back: \(error)")
            }
        } catch {
            ok = false
        }
        return ok
    }

    // Small limits keep the worst case per mutation cheap: damage can announce huge but legal lists.
    static let options = ReaderOptions(traversalLimitInWords: 1 << 15, nestingLimit: 32)

    @Test("thousands of seeded mutations of framed messages read as values or CapnpErrors")
    func framedMutations() throws {
        let schema = try WireSchema.shared()
        var outcomes = (accepted: 0, rejected: 0)
        for (index, (bytes, type)) in try Self.corpus().enumerated() {
            var random = SeededRandom(seed: 0xC0FF_EE00 + UInt64(index))
            for _ in 0..<600 {
                let damaged = Self.mutate(bytes, &random)
                do {
                    let message = try MessageReader(bytes: damaged, options: Self.options)
                    if Self.readEveryWay(message, as: type, schema: schema) { outcomes.accepted += 1 } else { outcomes.rejected += 1 }
                } catch {
                    outcomes.rejected += 1
                }
            }
        }
        // Both outcomes occur, so the mutations neither all miss nor all break the frame.
        #expect(outcomes.accepted > 100 && outcomes.rejected > 100, "\(outcomes)")
    }

    @Test("seeded mutations of packed messages read as values or CapnpErrors")
    func packedMutations() throws {
        let schema = try WireSchema.shared()
        var rejected = 0
        for (index, (bytes, type)) in try Self.corpus().enumerated() {
            let packed = Packing.pack(bytes)
            var random = SeededRandom(seed: 0xBAD_5EED + UInt64(index))
            for _ in 0..<200 {
                do {
                    let message = try MessageReader(packed: Self.mutate(packed, &random), options: Self.options)
                    if !Self.readEveryWay(message, as: type, schema: schema) { rejected += 1 }
                } catch {
                    rejected += 1
                }
            }
        }
        #expect(rejected > 0)
    }

    @Test("random bytes after a valid segment table read as values or CapnpErrors")
    func randomSegments() throws {
        let schema = try WireSchema.shared()
        var random = SeededRandom(seed: 0xF00D)
        for _ in 0..<1500 {
            let segments = (0..<(1 + Int(random.next() % 3))).map { _ in
                (0..<(1 + Int(random.next() % 12))).map { _ in
                    random.next() % 3 == 0 ? Self.randomPointer(&random) : random.next() % 4 == 0 ? 0 : random.next()
                }
            }
            guard let message = try? MessageReader(bytes: Words.frame(segments), options: Self.options) else {
                Issue.record("a well-framed message was rejected")
                continue
            }
            _ = Self.readEveryWay(message, as: ["Lists", "Tree", "Item", "Blobs"][Int(random.next() % 4)], schema: schema)
        }
    }
}
