// Hostile bytes: each must be rejected with the right CapnpError kind, without crashing, hanging or
// allocating what the input merely announces.

@testable import Capnp
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One malformed message and the error reading it must produce.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    enum Read: Sendable {
        /// Decode the frame only.
        case frame
        /// Read the root as a struct.
        case rootStruct
        /// Walk the whole message by schema, as this root type.
        case walk(String)
        /// `totalSize()` from the root.
        case totalSize
    }

    let name: String
    let bytes: [UInt8]
    var packed = false
    var options = ReaderOptions()
    let read: Read
    let expected: CapnpError.Kind
    /// Another kind that describes the fault equally well, where the runtime may reasonably use either.
    var alternative: CapnpError.Kind? = nil

    var testDescription: String { name }

    func run() throws(CapnpError) {
        let message = packed ? try MessageReader(packed: bytes, options: options)
                             : try MessageReader(bytes: bytes, options: options)
        switch read {
        case .frame: break
        case .rootStruct: _ = try message.root().readStruct()
        case .walk(let type):
            // The schema is already loaded by the time cases run; a missing tool fails elsewhere.
            guard let schema = try? WireSchema.shared() else { return }
            _ = try TypedWalk.read(message, as: type, schema: schema)
        case .totalSize: _ = try message.totalSize()
        }
    }
}

private typealias W = Words

/// A root struct with `pointers` pointer slots and no data, followed by `rest`.
private func rootWith(pointers: Int, _ slots: [UInt64], _ rest: [UInt64] = []) -> [UInt64] {
    [W.structPointer(offset: 0, dataWords: 0, pointers: pointers)] + slots
        + [UInt64](repeating: 0, count: pointers - slots.count) + rest
}

/// Blobs (0 data words, 4 pointers) with t0 set to `t0`, a pointer to whatever follows the struct.
private func blobsWithText(_ t0: UInt64, _ rest: [UInt64]) -> [UInt8] {
    W.frame([[W.structPointer(offset: 0, dataWords: 0, pointers: 4), t0 == 0 ? 0 : t0, 0, 0, 0] + rest])
}

/// A Blobs message whose t0 is a byte list holding exactly `bytes`.
private func blobsWithTextBytes(_ bytes: [UInt8]) -> [UInt8] {
    blobsWithText(W.listPointer(offset: 3, size: 2, count: bytes.count), W.bytes(bytes))
}

enum MalformedCorpus {
    // Pointer slot order of the Lists struct in the test schema, checked by `listsLayoutIsAsAssumed`.
    static let listsPointers = 14
    static func lists(slot: Int, _ pointer: UInt64, _ rest: [UInt64]) -> [UInt8] {
        // `pointer` is written at `slot`; its offset must be relative to that slot's end.
        var slots = [UInt64](repeating: 0, count: listsPointers)
        slots[slot] = pointer
        return W.frame([rootWith(pointers: listsPointers, slots, rest)])
    }
    /// Offset from the end of Lists pointer `slot` to the first word after the struct.
    static func afterLists(_ slot: Int) -> Int { listsPointers - 1 - slot }

    static let cases: [MalformedCase] = [
        // Bounds.
        MalformedCase(name: "struct pointer past the end of its segment",
                      bytes: W.frame([[W.structPointer(offset: 0, dataWords: 1, pointers: 2)]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "struct pointer before the start of its segment",
                      bytes: W.frame([[W.structPointer(offset: -5, dataWords: 1, pointers: 0), 0]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "struct pointer with a huge offset",
                      bytes: W.frame([[W.structPointer(offset: (1 << 29) - 1, dataWords: 1, pointers: 0)]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "list pointer past the end of its segment",
                      bytes: blobsWithText(W.listPointer(offset: 3, size: 2, count: 100), [0, 0]),
                      read: .walk("Blobs"), expected: .outOfBounds),
        MalformedCase(name: "eight-byte list whose count times size overflows its segment",
                      bytes: lists(slot: 6, W.listPointer(offset: afterLists(6), size: 5, count: (1 << 29) - 1), [0]),
                      read: .walk("Lists"), expected: .outOfBounds),
        MalformedCase(name: "pointer list whose count overflows its segment",
                      bytes: lists(slot: 8, W.listPointer(offset: afterLists(8), size: 6, count: (1 << 29) - 1), [0]),
                      read: .totalSize, expected: .outOfBounds),
        MalformedCase(name: "bit list whose count overflows its segment",
                      bytes: lists(slot: 1, W.listPointer(offset: afterLists(1), size: 1, count: 65), [0]),
                      read: .walk("Lists"), expected: .outOfBounds),
        MalformedCase(name: "composite list whose word count overflows its segment",
                      bytes: lists(slot: 10, W.listPointer(offset: afterLists(10), size: 7, count: 30),
                                   [W.compositeTag(count: 10, dataWords: 1, pointers: 2)]),
                      read: .walk("Lists"), expected: .outOfBounds),
        MalformedCase(name: "composite list whose tag has more elements than its words hold",
                      bytes: lists(slot: 10, W.listPointer(offset: afterLists(10), size: 7, count: 3),
                                   [W.compositeTag(count: 5, dataWords: 1, pointers: 2), 0, 0, 0]),
                      read: .walk("Lists"), expected: .outOfBounds),
        MalformedCase(name: "composite list whose tag has the maximum element count",
                      bytes: lists(slot: 10, W.listPointer(offset: afterLists(10), size: 7, count: 3),
                                   [W.compositeTag(count: (1 << 30) - 1, dataWords: 1, pointers: 0), 0, 0, 0]),
                      read: .totalSize, expected: .outOfBounds),
        MalformedCase(name: "composite list whose tag is not a struct pointer",
                      bytes: lists(slot: 10, W.listPointer(offset: afterLists(10), size: 7, count: 1),
                                   [W.listPointer(offset: 0, size: 2, count: 1), 0]),
                      read: .walk("Lists"), expected: .wrongPointerType),

        // Far pointers.
        MalformedCase(name: "far pointer to a segment that does not exist",
                      bytes: W.frame([[W.farPointer(segment: 5, offset: 0)]]), read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "far pointer whose landing pad is past its segment's end",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 10)], [0]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "far pointer whose landing pad is itself a far pointer",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0)], [W.farPointer(segment: 1, offset: 0)]]),
                      read: .rootStruct, expected: .malformedFarPointer),
        MalformedCase(name: "far pointer whose landing pad is null",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0)], [0]]),
                      read: .rootStruct, expected: .malformedFarPointer),
        MalformedCase(name: "far pointer whose landing pad is a capability",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0)], [W.capability(0)]]),
                      read: .totalSize, expected: .malformedFarPointer),
        MalformedCase(name: "far pointer whose landing pad's target is out of bounds",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0)],
                                      [W.structPointer(offset: 0, dataWords: 4, pointers: 0)]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "double-far whose first pad word is double-far",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0, doubleFar: true)],
                                      [W.farPointer(segment: 1, offset: 0, doubleFar: true),
                                       W.structPointer(offset: 0, dataWords: 1, pointers: 0)]]),
                      read: .rootStruct, expected: .malformedFarPointer),
        MalformedCase(name: "double-far whose first pad word is not a far pointer",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0, doubleFar: true)],
                                      [W.structPointer(offset: 0, dataWords: 1, pointers: 0),
                                       W.structPointer(offset: 0, dataWords: 1, pointers: 0), 0]]),
                      read: .rootStruct, expected: .malformedFarPointer),
        MalformedCase(name: "double-far whose tag word is a far pointer",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0, doubleFar: true)],
                                      [W.farPointer(segment: 2, offset: 0), W.farPointer(segment: 2, offset: 0)], [0]]),
                      read: .rootStruct, expected: .malformedFarPointer),
        MalformedCase(name: "double-far whose two-word pad straddles its segment's end",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0, doubleFar: true)],
                                      [W.farPointer(segment: 0, offset: 0)]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "double-far to content in a segment that does not exist",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0, doubleFar: true)],
                                      [W.farPointer(segment: 9, offset: 0), W.structPointer(offset: 0, dataWords: 1, pointers: 0)]]),
                      read: .rootStruct, expected: .outOfBounds),
        MalformedCase(name: "double-far to content past its segment's end",
                      bytes: W.frame([[W.farPointer(segment: 1, offset: 0, doubleFar: true)],
                                      [W.farPointer(segment: 2, offset: 3), W.structPointer(offset: 0, dataWords: 1, pointers: 0)],
                                      [0]]),
                      read: .rootStruct, expected: .outOfBounds),

        // Cycles and amplification.
        MalformedCase(name: "struct whose pointer points to itself stops at the nesting limit",
                      bytes: W.frame([[W.structPointer(offset: 0, dataWords: 0, pointers: 1),
                                       W.structPointer(offset: -1, dataWords: 0, pointers: 1)]]),
                      read: .totalSize, expected: .nestingLimitExceeded),
        MalformedCase(name: "struct whose pointer points to itself stops at the traversal limit",
                      bytes: W.frame([[W.structPointer(offset: 0, dataWords: 0, pointers: 1),
                                       W.structPointer(offset: -1, dataWords: 0, pointers: 1)]]),
                      options: ReaderOptions(traversalLimitInWords: 500, nestingLimit: 100_000),
                      read: .totalSize, expected: .traversalLimitExceeded),
        MalformedCase(name: "Tree whose left child is the tree itself",
                      bytes: W.frame([[W.structPointer(offset: 0, dataWords: 1, pointers: 4), 0, 0,
                                       W.structPointer(offset: -3, dataWords: 1, pointers: 4), 0, 0]]),
                      read: .walk("Tree"), expected: .nestingLimitExceeded),
        MalformedCase(name: "pointer list whose element points back at the list",
                      bytes: W.frame([[W.structPointer(offset: 0, dataWords: 0, pointers: 1),
                                       W.listPointer(offset: 0, size: 6, count: 1),
                                       W.listPointer(offset: -1, size: 6, count: 1)]]),
                      read: .totalSize, expected: .nestingLimitExceeded),
        MalformedCase(name: "void list of 2^29-1 elements is charged against the traversal limit",
                      bytes: lists(slot: 0, W.listPointer(offset: afterLists(0), size: 0, count: (1 << 29) - 1), []),
                      read: .walk("Lists"), expected: .traversalLimitExceeded),
        MalformedCase(name: "void list of 2^29-1 elements in totalSize",
                      bytes: lists(slot: 0, W.listPointer(offset: afterLists(0), size: 0, count: (1 << 29) - 1), []),
                      read: .totalSize, expected: .traversalLimitExceeded),
        MalformedCase(name: "list of 2^30-1 zero-sized structs is charged per element",
                      bytes: lists(slot: 11, W.listPointer(offset: afterLists(11), size: 7, count: 0),
                                   [W.compositeTag(count: (1 << 30) - 1, dataWords: 0, pointers: 0)]),
                      read: .walk("Lists"), expected: .traversalLimitExceeded),
        MalformedCase(name: "many list elements pointing at one large list",
                      bytes: {
                          // 1000 pointers, each to the same 10000-word list: 10M words to traverse in 11K.
                          let count = 1000
                          let pointers = (0..<count).map { W.listPointer(offset: count - 1 - $0, size: 5, count: 10_000) }
                          return lists(slot: 12, W.listPointer(offset: afterLists(12), size: 6, count: count),
                                       pointers + [UInt64](repeating: 7, count: 10_000))
                      }(),
                      read: .totalSize, expected: .traversalLimitExceeded),
        MalformedCase(name: "Tree nested deeper than the nesting limit",
                      bytes: {
                          // 100 Trees, each the left child of the one before.
                          var words: [UInt64] = [W.structPointer(offset: 0, dataWords: 1, pointers: 4)]
                          for _ in 0..<100 { words += [0, 0, W.structPointer(offset: 2, dataWords: 1, pointers: 4), 0, 0] }
                          words += [0, 0, 0, 0, 0]
                          return W.frame([words])
                      }(),
                      read: .walk("Tree"), expected: .nestingLimitExceeded),

        // Text.
        MalformedCase(name: "text without a NUL terminator", bytes: blobsWithTextBytes(Array("abc".utf8)),
                      read: .walk("Blobs"), expected: .malformedText),
        MalformedCase(name: "text that is an empty byte list", bytes: blobsWithTextBytes([]),
                      read: .walk("Blobs"), expected: .malformedText),
        MalformedCase(name: "text with invalid UTF-8", bytes: blobsWithTextBytes([0x61, 0xFF, 0xFE, 0]),
                      read: .walk("Blobs"), expected: .malformedText),
        MalformedCase(name: "text with an overlong UTF-8 encoding", bytes: blobsWithTextBytes([0xC0, 0x80, 0]),
                      read: .walk("Blobs"), expected: .malformedText),
        MalformedCase(name: "text with a UTF-16 surrogate", bytes: blobsWithTextBytes([0xED, 0xA0, 0x80, 0]),
                      read: .walk("Blobs"), expected: .malformedText),
        MalformedCase(name: "text with a truncated UTF-8 sequence", bytes: blobsWithTextBytes([0x61, 0xE2, 0x9C, 0]),
                      read: .walk("Blobs"), expected: .malformedText),
        MalformedCase(name: "text encoded as a list of two-byte elements",
                      bytes: blobsWithText(W.listPointer(offset: 3, size: 3, count: 2), [0x0061]),
                      read: .walk("Blobs"), expected: .malformedText, alternative: .incompatibleList),

        // Pointer kinds.
        MalformedCase(name: "reserved 'other' pointer where text belongs",
                      bytes: blobsWithText(3 | 4, []), read: .walk("Blobs"), expected: .wrongPointerType),
        MalformedCase(name: "reserved 'other' pointer in totalSize",
                      bytes: blobsWithText(3 | 0x1_0000_0000 | 8, []), read: .totalSize, expected: .wrongPointerType),
        MalformedCase(name: "capability pointer as the root struct",
                      bytes: W.frame([[W.capability(0)]]), read: .rootStruct, expected: .wrongPointerType),
        MalformedCase(name: "list pointer as the root struct",
                      bytes: W.frame([[W.listPointer(offset: 0, size: 2, count: 8), 0]]),
                      read: .rootStruct, expected: .wrongPointerType),
        MalformedCase(name: "struct pointer where text belongs",
                      bytes: blobsWithText(W.structPointer(offset: 3, dataWords: 1, pointers: 0), [0]),
                      read: .walk("Blobs"), expected: .wrongPointerType),
        MalformedCase(name: "byte list where a Bool list belongs",
                      bytes: lists(slot: 1, W.listPointer(offset: afterLists(1), size: 2, count: 1), [1]),
                      read: .walk("Lists"), expected: .incompatibleList),
        MalformedCase(name: "bit list where a UInt32 list belongs",
                      bytes: lists(slot: 4, W.listPointer(offset: afterLists(4), size: 1, count: 3), [5]),
                      read: .walk("Lists"), expected: .incompatibleList),
        MalformedCase(name: "two-byte list where an Int64 list belongs",
                      bytes: lists(slot: 6, W.listPointer(offset: afterLists(6), size: 3, count: 2), [5]),
                      read: .walk("Lists"), expected: .incompatibleList),
        MalformedCase(name: "bit list where a struct list belongs",
                      bytes: lists(slot: 10, W.listPointer(offset: afterLists(10), size: 1, count: 3), [5]),
                      read: .walk("Lists"), expected: .incompatibleList),
        MalformedCase(name: "data-only struct list where a Text list belongs",
                      bytes: lists(slot: 8, W.listPointer(offset: afterLists(8), size: 7, count: 1),
                                   [W.compositeTag(count: 1, dataWords: 1, pointers: 0), 0]),
                      read: .walk("Lists"), expected: .incompatibleList),

        // Framing.
        MalformedCase(name: "empty input", bytes: [], read: .frame, expected: .truncated),
        MalformedCase(name: "first segment empty, so no root pointer", bytes: W.frame([[]]),
                      read: .rootStruct, expected: .truncated),
        MalformedCase(name: "bytes after the message", bytes: W.frame([[0]]) + [0, 0, 0, 0, 0, 0, 0, 0],
                      read: .frame, expected: .truncated),
        MalformedCase(name: "segment table announcing 2^32 segments",
                      bytes: W.table(countField: .max, sizes: [1]) + [UInt8](repeating: 0, count: 64),
                      read: .frame, expected: .messageTooLarge),
        MalformedCase(name: "segment table announcing more segments than maximumSegments",
                      bytes: W.frame([[UInt64]](repeating: [0], count: 4)), options: ReaderOptions(maximumSegments: 3),
                      read: .frame, expected: .messageTooLarge),
        MalformedCase(name: "segment table announcing a 32 GiB segment",
                      bytes: W.table(countField: 0, sizes: [.max]) + [UInt8](repeating: 0, count: 8),
                      read: .frame, expected: .messageTooLarge),
        MalformedCase(name: "segment table whose sizes add up past maximumMessageBytes",
                      bytes: W.table(countField: 2, sizes: [1 << 22, 1 << 22, 1 << 22]) + [UInt8](repeating: 0, count: 8),
                      read: .frame, expected: .messageTooLarge),
        MalformedCase(name: "segment table within limits announcing more than follows",
                      bytes: W.table(countField: 0, sizes: [1000]) + [UInt8](repeating: 0, count: 16),
                      read: .frame, expected: .truncated),

        // Packing.
        MalformedCase(name: "packed zero runs expanding past a 4 MiB limit",
                      bytes: Array(repeatElement([0x00, 0xFF] as [UInt8], count: 2100).joined()),
                      packed: true, options: ReaderOptions(maximumMessageBytes: 4 << 20), read: .frame,
                      expected: .messageTooLarge),
        MalformedCase(name: "packed zero runs expanding past a 1 MiB limit",
                      bytes: Array(repeatElement([0x00, 0xFF] as [UInt8], count: 1000).joined()),
                      packed: true, options: ReaderOptions(maximumMessageBytes: 1 << 20), read: .frame,
                      expected: .messageTooLarge),
        MalformedCase(name: "packed word cut short", bytes: [0xFF, 1, 2, 3], packed: true, read: .frame,
                      expected: .malformedPacking),
        MalformedCase(name: "packed zero tag without its run count", bytes: [0x00], packed: true, read: .frame,
                      expected: .malformedPacking),
        MalformedCase(name: "packed 0xFF run announcing more words than follow",
                      bytes: [0xFF, 1, 1, 1, 1, 1, 1, 1, 1, 5, 2, 2, 2, 2, 2, 2, 2, 2], packed: true, read: .frame,
                      expected: .malformedPacking),
    ]
}

@Suite struct MalformedInputTests {
    @Test("the corpus assumes the Lists pointer slots of the schema")
    func listsLayoutIsAsAssumed() throws {
        let layout = try WireSchema.shared()["Lists"]
        #expect(layout.dataWords == 0 && layout.pointerCount == MalformedCorpus.listsPointers)
        let names = ["voids", "bools", "u8s", "i16s", "u32s", "f32s", "i64s", "f64s", "texts", "datas", "items",
                     "empties", "nested", "deep"]
        #expect(names.enumerated().allSatisfy { layout.field($0.element).pointerIndex == $0.offset })
        let blobs = try WireSchema.shared()["Blobs"]
        #expect(blobs.dataWords == 0 && blobs.pointerCount == 4 && blobs.field("t0").pointerIndex == 0)
        let tree = try WireSchema.shared()["Tree"]
        #expect(tree.dataWords == 1 && tree.pointerCount == 4 && tree.field("left").pointerIndex == 1)
    }

    @Test("malformed input is rejected with the right error kind", arguments: MalformedCorpus.cases)
    func rejected(_ testCase: MalformedCase) throws {
        _ = try WireSchema.shared()
        do {
            try testCase.run()
            Issue.record("\(testCase.name) was accepted")
        } catch {
            #expect(error.kind == testCase.expected || error.kind == testCase.alternative, "\(error)")
        }
    }

    /// Faults in the pointers themselves: any reader that follows the bad pointer must see them,
    /// whatever schema it reads with.
    private static let structuralKinds: Set<CapnpError.Kind> =
        [.truncated, .outOfBounds, .malformedFarPointer, .traversalLimitExceeded, .nestingLimitExceeded]
    /// What reading with a schema the bytes were not written for may also report.
    private static let schemaMismatchKinds: Set<CapnpError.Kind> = [.wrongPointerType, .incompatibleList, .malformedText]

    // Mutations caught: a reader that reports a fault under the wrong kind (say outOfBounds for a
    // bad far pointer), that accepts a message whose pointers are broken (totalSize succeeding on
    // one), or a malformed message that no reader rejects as the case says.
    @Test("every other reader of a malformed message fails with the case's error, or one the schema explains",
          arguments: MalformedCorpus.cases)
    func otherReadersFailCleanly(_ testCase: MalformedCase) throws {
        let schema = try WireSchema.shared()
        let allowed = Set([testCase.expected] + (testCase.alternative.map { [$0] } ?? []))
        let message: MessageReader
        do {
            message = testCase.packed ? try MessageReader(packed: testCase.bytes, options: testCase.options)
                                      : try MessageReader(bytes: testCase.bytes, options: testCase.options)
        } catch {
            #expect(allowed.contains(error.kind), "the frame failed with \(error)")
            return
        }
        var matched = false
        // totalSize follows every pointer and knows no schema: the case's fault, or nothing.
        do {
            _ = try message.totalSize()
            #expect(!Self.structuralKinds.contains(testCase.expected), "totalSize accepted a message with broken pointers")
        } catch {
            matched = true
            #expect(allowed.contains(error.kind), "totalSize: \(error)")
        }
        for type in ["Blobs", "Lists", "Tree", "Item", "Prims"] {
            do {
                _ = try TypedWalk.read(message, as: type, schema: schema)
            } catch {
                matched = matched || allowed.contains(error.kind)
                #expect(allowed.union(Self.schemaMismatchKinds).contains(error.kind), "reading as \(type): \(error)")
            }
        }
        #expect(matched, "no reader reported \(testCase.expected)")
    }

    @Test("every truncation of a valid multi-segment message is reported as truncated")
    func everyPrefixIsTruncated() throws {
        let sample = Samples.lists
        for bytes in [try WireSchema.shared().tool.encode(sample.literal, as: sample.type, segmentSize: 3), try FarPointerTests.doubleFarItem()] {
            for length in 0..<bytes.count {
                do {
                    _ = try MessageReader(bytes: Array(bytes[..<length]))
                    Issue.record("a prefix of \(length) bytes decoded")
                } catch {
                    #expect(error.kind == .truncated, "prefix of \(length) bytes: \(error)")
                }
            }
        }
    }

    @Test("every truncation of a packed message fails cleanly")
    func everyPackedPrefixFails() throws {
        let sample = Samples.lists
        let packed = try WireSchema.shared().tool.encode(sample.literal, as: sample.type, segmentSize: 3, packed: true)
        for length in 0..<packed.count {
            do {
                _ = try MessageReader(packed: Array(packed[..<length]))
                Issue.record("a packed prefix of \(length) bytes decoded")
            } catch {
                #expect(error.kind == .truncated || error.kind == .malformedPacking, "prefix \(length): \(error)")
            }
        }
    }

    @Test("a stream announcing huge segments fails from the table, before reading or allocating the body")
    func streamTableCheckedFirst() throws {
        for table in [W.table(countField: 0, sizes: [.max]), W.table(countField: .max, sizes: [1]),
                      W.table(countField: 1, sizes: [1 << 28, 1 << 28])] {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            defer { close(fds[0]) }
            // Only the table is written; the announced body never arrives. Reading it would block or
            // report truncation, so an error of kind messageTooLarge proves the table was checked first.
            _ = table.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            close(fds[1])
            do {
                _ = try Framing.read(from: fds[0])
                Issue.record("a stream announcing \(table) was accepted")
            } catch {
                #expect(error.kind == .messageTooLarge, "\(error)")
            }
        }
    }

    @Test("Packing.unpack stops at maximumBytes")
    func unpackHonoursMaximum() {
        let bomb = Array(repeatElement([0x00, 0xFF] as [UInt8], count: 100).joined())  // 100 × 256 words
        #expect(throws: CapnpError.self) { _ = try Packing.unpack(bomb, maximumBytes: 100 * 256 * 8 - 1) }
        #expect((try? Packing.unpack(bomb, maximumBytes: 100 * 256 * 8))?.count == 100 * 256 * 8)
    }
}
