// A received message: its segments, owned here, and the traversal budget all readers of it share.

import Synchronization

/// Owns the bytes of a message being read. Readers point into these bytes and never copy them.
///
/// ```swift
/// let reader = try MessageReader(bytes: received)          // the segment table is checked first
/// let person = try reader.root(as: Person.self)            // a view: nothing is copied
/// print(person.id, try person.name)                        // pointer reads throw CapnpError
/// ```
public final class MessageReader: @unchecked Sendable {
    // @unchecked Sendable: immutable after init (raw segment pointers); the budget is atomic.
    @usableFromInline let segmentStarts: [UnsafeRawPointer]
    @usableFromInline let segmentWordCounts: [Int]
    @usableFromInline let budget: Atomic<Int>
    @usableFromInline let nestingLimit: Int32
    private let release: @Sendable () -> Void
    /// What the message's capability pointers refer to, when the RPC layer received it; else nil.
    public let capabilityTable: (any CapabilityTable)?

    /// Takes segments that stay valid until `release` runs (when the arena is freed).
    public init(segments: [UnsafeRawBufferPointer], options: ReaderOptions,
                capabilityTable: (any CapabilityTable)? = nil, release: @escaping @Sendable () -> Void) {
        self.capabilityTable = capabilityTable
        self.segmentStarts = segments.map { $0.baseAddress ?? UnsafeRawPointer(Self.emptySegment) }
        self.segmentWordCounts = segments.map { $0.count / 8 }
        self.budget = Atomic(options.traversalLimitInWords)
        self.nestingLimit = Int32(clamping: options.nestingLimit)
        self.release = release
    }

    /// Copies `bytes` (one segment per element) into memory this arena owns.
    public convenience init(copying segments: [[UInt8]], options: ReaderOptions = ReaderOptions()) {
        let total = segments.reduce(0) { $0 + ($1.count + 7) / 8 * 8 }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(total, 8), alignment: 8)
        var views: [UnsafeRawBufferPointer] = []
        var offset = 0
        for segment in segments {
            let padded = (segment.count + 7) / 8 * 8
            storage.advanced(by: offset).initializeMemory(as: UInt8.self, repeating: 0, count: padded)
            segment.withUnsafeBytes { storage.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            views.append(UnsafeRawBufferPointer(start: storage.advanced(by: offset), count: padded))
            offset += padded
        }
        let owned = OwnedAllocation(storage)
        self.init(segments: views, options: options, release: { owned.free() })
    }

    deinit { release() }

    // Stands in for an empty segment's missing base address; never read, since the segment has no words.
    nonisolated(unsafe) private static let emptySegment = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)

    public var segmentCount: Int { segmentStarts.count }
    /// The size of its segments, in words (what arrived, not a traversal).
    public var wordCount: Int { segmentWordCounts.reduce(0, +) }

    /// The root pointer: the first word of the first segment.
    public func root() throws(CapnpError) -> PointerReader {
        guard let words = segmentWordCounts.first, words > 0 else {
            throw CapnpError(.truncated, "message has no root pointer: its first segment is empty")
        }
        return PointerReader(arena: self, segment: 0, location: segmentStarts[0], nestingLimit: nestingLimit)
    }

    /// Charges `words` to the traversal budget.
    /// A relaxed load and store, not an atomic subtract, as C++'s ReadLimiter does: this runs for every
    /// pointer read, and a locked instruction each time cost more than the read. Readers racing on one
    /// message may lose some of each other's charges, as in C++; a reader on its own is charged exactly.
    @inlinable @inline(__always) func charge(_ words: Int) throws(CapnpError) {
        let left = budget.load(ordering: .relaxed) &- words
        budget.store(left, ordering: .relaxed)
        if left < 0 { throw Self.budgetSpent() }
    }

    @usableFromInline @inline(never) static func budgetSpent() -> CapnpError {
        CapnpError(.traversalLimitExceeded,
                   "read limit exceeded: the message traverses more words than ReaderOptions.traversalLimitInWords")
    }

    /// Whether `words` words starting at `start` lie inside segment `segment`.
    @inlinable @inline(__always) func contains(segment: UInt32, start: UnsafeRawPointer, words: Int) -> Bool {
        let base = segmentStarts[Int(segment)]
        let offset = start - base
        return offset >= 0 && offset & 7 == 0 && words >= 0 && words <= segmentWordCounts[Int(segment)] - offset / 8
    }

    /// Follows the pointer at `location`: resolves far pointers and returns the tag describing the
    /// target, the target's segment and its first word. The target's extent is not yet checked.
    @inlinable @inline(__always) func follow(segment: UInt32, location: UnsafeRawPointer, pointer: WirePointer)
        throws(CapnpError) -> (tag: WirePointer, segment: UInt32, target: UnsafeRawPointer)
    {
        if pointer.kind != WirePointer.farKind {
            return (pointer, segment, location + 8 + pointer.offset * 8)
        }
        return try followFar(pointer)
    }

    /// `follow` for far pointers: kept out of line so the near case inlines into every accessor.
    @usableFromInline func followFar(_ pointer: WirePointer)
        throws(CapnpError) -> (tag: WirePointer, segment: UInt32, target: UnsafeRawPointer)
    {
        let padSegment = pointer.farSegment
        guard Int(padSegment) < segmentStarts.count else {
            throw CapnpError(.outOfBounds, "far pointer names segment \(padSegment), but the message has \(segmentStarts.count)")
        }
        let padWords = pointer.farIsDoubleFar ? 2 : 1
        let pad = segmentStarts[Int(padSegment)] + pointer.farPadOffset * 8
        guard pointer.farPadOffset + padWords <= segmentWordCounts[Int(padSegment)] else {
            throw CapnpError(.outOfBounds, "far pointer's landing pad lies outside segment \(padSegment)")
        }
        let first = WirePointer(raw: UInt64(littleEndian: pad.loadUnaligned(as: UInt64.self)))
        if !pointer.farIsDoubleFar {
            guard first.kind == WirePointer.structKind || first.kind == WirePointer.listKind, !first.isNull else {
                throw CapnpError(.malformedFarPointer, "far pointer's landing pad is not a struct or list pointer")
            }
            return (first, padSegment, pad + 8 + first.offset * 8)
        }
        guard first.kind == WirePointer.farKind, !first.farIsDoubleFar else {
            throw CapnpError(.malformedFarPointer, "double-far landing pad does not start with a single far pointer")
        }
        let tag = WirePointer(raw: UInt64(littleEndian: (pad + 8).loadUnaligned(as: UInt64.self)))
        guard tag.kind == WirePointer.structKind || tag.kind == WirePointer.listKind else {
            throw CapnpError(.malformedFarPointer, "double-far landing pad's tag is not a struct or list pointer")
        }
        let contentSegment = first.farSegment
        guard Int(contentSegment) < segmentStarts.count else {
            throw CapnpError(.outOfBounds, "double-far pointer names segment \(contentSegment), but the message has \(segmentStarts.count)")
        }
        return (tag, contentSegment, segmentStarts[Int(contentSegment)] + first.farPadOffset * 8)
    }
}

/// A heap block freed exactly once, when the arena that owns it goes away.
final class OwnedAllocation: @unchecked Sendable {
    // @unchecked Sendable: only freed, once, by the release closure of the reader that owns it.
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    func free() { pointer.deallocate() }
}
