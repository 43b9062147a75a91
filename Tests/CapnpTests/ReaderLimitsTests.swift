// ReaderOptions: the traversal budget is one per message, shared by every read of it; nesting,
// segment-count and size limits apply exactly at their boundaries.

@_spi(Generated) @testable import Capnp
import TestSupport
import Testing

@Suite struct ReaderLimitsTests {
    /// A root with one pointer to a struct of ten data words: reading that struct costs ten words.
    static func tenWordChild() -> [UInt8] {
        let message = MessageBuilder()
        let root = message.root.initStruct(dataWords: 0, pointerCount: 1)
        root._pointer(0).initStruct(dataWords: 10, pointerCount: 0)._write(0, UInt64(42))
        return message.serialize()
    }

    @Test("the traversal budget is shared by repeated reads of one message")
    func budgetSharedAcrossReads() throws {
        // Each pass reads the root struct (1 word) and the child (10 words): three passes and one
        // more root read fit in 34 words.
        let message = try MessageReader(bytes: Self.tenWordChild(), options: ReaderOptions(traversalLimitInWords: 34))
        for _ in 0..<3 {
            // A fresh root() each time: the budget belongs to the message, not to a reader value.
            let child = try message.root().readStruct()._pointer(0)
            #expect(try child.readStruct()._read(0) as UInt64 == 42)
        }
        // One word is left: enough for the root struct, not for the child.
        let root = try message.root().readStruct()
        do {
            _ = try root._pointer(0).readStruct()
            Issue.record("a fourth read of the child fit in a budget of three")
        } catch {
            #expect(error.kind == .traversalLimitExceeded)
        }
    }

    @Test("a new MessageReader over the same bytes starts with a full budget")
    func budgetPerMessage() throws {
        let bytes = Self.tenWordChild()
        let options = ReaderOptions(traversalLimitInWords: 11)
        for _ in 0..<3 {
            let message = try MessageReader(bytes: bytes, options: options)
            #expect(try message.root().readStruct()._pointer(0).readStruct()._read(0) as UInt64 == 42)
            do {
                _ = try message.root().readStruct()._pointer(0).readStruct()
                Issue.record("second read should exceed the budget")
            } catch {
                #expect(error.kind == .traversalLimitExceeded)
            }
        }
    }

    @Test("totalSize spends the same budget as typed reads")
    func totalSizeSpendsBudget() throws {
        let message = try MessageReader(bytes: Self.tenWordChild(), options: ReaderOptions(traversalLimitInWords: 15))
        #expect(try message.totalSize().words == 11)
        do {
            _ = try message.root().readStruct()._pointer(0).readStruct()
            Issue.record("the budget was spent by totalSize")
        } catch {
            #expect(error.kind == .traversalLimitExceeded)
        }
    }

    @Test("concurrent readers of one message share one budget exactly")
    func budgetSharedAcrossTasks() async throws {
        // 1 + 25 × 10 words: across all tasks, exactly 25 reads of the child succeed.
        let message = try MessageReader(bytes: Self.tenWordChild(), options: ReaderOptions(traversalLimitInWords: 251))
        let root = try message.root().readStruct()
        let successes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var count = 0
                    for _ in 0..<10 where (try? root._pointer(0).readStruct()) != nil { count += 1 }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(successes == 25)
    }

    /// A chain of `depth` Trees, each the left child of the one before, the deepest with a label.
    static func treeChain(depth: Int, schema: WireSchema) -> [UInt8] {
        var value: Value = .structure(["value": .int(Int64(depth)), "label": .text("bottom")])
        for level in stride(from: depth - 1, to: 0, by: -1) { value = .structure(["value": .int(Int64(level)), "left": value]) }
        guard case .structure(let fields) = value else { return [] }
        return ValueBuilder(schema: schema).message(fields, root: "Tree").serialize()
    }

    @Test("nestingLimit admits exactly its depth", arguments: [1, 5, 64])
    func nestingBoundary(depth: Int) throws {
        let schema = try WireSchema.shared()
        let bytes = Self.treeChain(depth: depth, schema: schema)
        // Typed reads count each struct as one level; text has no children and is not counted
        // (as C++'s readTextPointer). totalSize(), like C++'s, counts every list too.
        let exact = try MessageReader(bytes: bytes, options: ReaderOptions(nestingLimit: depth))
        _ = try TypedWalk.read(exact, as: "Tree", schema: schema)
        _ = try MessageReader(bytes: bytes, options: ReaderOptions(nestingLimit: depth + 1)).totalSize()
        do {
            _ = try MessageReader(bytes: bytes, options: ReaderOptions(nestingLimit: depth)).totalSize()
            Issue.record("totalSize of depth \(depth) + label passed with nestingLimit \(depth)")
        } catch {
            #expect(error.kind == .nestingLimitExceeded)
        }
        do {
            let tight = try MessageReader(bytes: bytes, options: ReaderOptions(nestingLimit: depth - 1))
            _ = try TypedWalk.read(tight, as: "Tree", schema: schema)
            Issue.record("depth \(depth) read with nestingLimit \(depth - 1)")
        } catch {
            #expect(error.kind == .nestingLimitExceeded)
        }
    }

    @Test("the default nesting limit reads what the capnp tool builds 63 levels deep")
    func defaultNestingReadsToolOutput() throws {
        let schema = try WireSchema.shared()
        var literal = #"(value = 63, label = "bottom")"#
        for level in stride(from: 62, to: 0, by: -1) { literal = "(value = \(level), left = \(literal))" }
        let message = try MessageReader(bytes: try WireSchema.shared().tool.encode(literal, as: "Tree"))
        _ = try TypedWalk.read(message, as: "Tree", schema: schema)
    }

    @Test("maximumSegments admits exactly its count")
    func segmentBoundary() throws {
        let bytes = Words.frame([[Words.structPointer(offset: 0, dataWords: 0, pointers: 0)], [0], [0]])
        _ = try MessageReader(bytes: bytes, options: ReaderOptions(maximumSegments: 3))
        do {
            _ = try MessageReader(bytes: bytes, options: ReaderOptions(maximumSegments: 2))
            Issue.record("3 segments read with maximumSegments 2")
        } catch {
            #expect(error.kind == .messageTooLarge)
        }
    }

    @Test("maximumMessageBytes admits exactly its size, framed and packed")
    func sizeBoundary() throws {
        let sample = Samples.lists
        let bytes = try WireSchema.shared().tool.encode(sample.literal, as: sample.type)
        let body = bytes.count - 8  // one segment: an 8-byte table
        _ = try MessageReader(bytes: bytes, options: ReaderOptions(maximumMessageBytes: body))
        _ = try MessageReader(packed: Packing.pack(bytes), options: ReaderOptions(maximumMessageBytes: body))
        for packed in [false, true] {
            do {
                let options = ReaderOptions(maximumMessageBytes: body - 8)
                _ = packed ? try MessageReader(packed: Packing.pack(bytes), options: options)
                           : try MessageReader(bytes: bytes, options: options)
                Issue.record("a message of \(body) bytes read with a limit of \(body - 8)")
            } catch {
                #expect(error.kind == .messageTooLarge)
            }
        }
    }

    @Test("trusted options read packed input without overflowing their own limits")
    func trustedOptionsReadPacked() throws {
        let sample = Samples.tree
        let packed = try WireSchema.shared().tool.encode(sample.literal, as: sample.type, packed: true)
        let message = try MessageReader(packed: packed, options: .trusted)
        let schema = try WireSchema.shared()
        #expect(try TypedWalk.read(message, as: "Tree", schema: schema) == schema.complete(sample.value, as: .structure("Tree")))
    }
}
