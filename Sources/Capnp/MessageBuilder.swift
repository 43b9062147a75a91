// A message under construction: zeroed segments allocated as needed, and the root pointer.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a message. Builders returned from it point into its segments; keep it alive while using them.
///
/// ```swift
/// let message = MessageBuilder()
/// let person = message.initRoot(Person.self)
/// person.name = "Alice"
/// let bytes = message.serialize()
/// ```
public final class MessageBuilder {
    @usableFromInline struct Segment {
        @usableFromInline let start: UnsafeMutableRawPointer
        @usableFromInline let capacity: Int
        @usableFromInline var used: Int
    }

    // The segment table is a plain buffer, not an Array: allocation runs for every pointer set, and
    // an Array's bounds, uniqueness and exclusivity checks cost a fifth of a build (callgrind, P5).
    @exclusivity(unchecked) @usableFromInline var segments: UnsafeMutablePointer<Segment>
    @exclusivity(unchecked) @usableFromInline var segmentCount = 0
    private var segmentCapacity = 4
    private var nextSegmentWords: Int

    /// The capability table: capability pointer `i` refers to `capabilities[i]` (nil: a null
    /// capability). The wire format only stores indices; the RPC layer fills and sends the table.
    public var capabilities: [(any AnyObject & Sendable)?] = []

    /// `firstSegmentWords` sizes the first segment; later ones grow with the message.
    public init(firstSegmentWords: Int = 1024) {
        nextSegmentWords = max(firstSegmentWords, 1)
        segments = .allocate(capacity: segmentCapacity)
        _ = addSegment(minimumWords: 1)
        segments[0].used = 1  // the root pointer
    }

    deinit {
        for index in 0..<segmentCount { free(segments[index].start) }
        segments.deallocate()
    }

    private func addSegment(minimumWords: Int) -> UInt32 {
        precondition(minimumWords <= WireLimits.maxSegmentWords, "an object of \(minimumWords) words does not fit in a segment")
        // An object bigger than the growth step gets the step as room behind it, so what it points to
        // (a struct list's texts, say) lands beside it, not in yet another segment behind far pointers.
        let wanted = minimumWords <= nextSegmentWords ? nextSegmentWords : minimumWords + nextSegmentWords
        let words = min(wanted, WireLimits.maxSegmentWords)
        let start = calloc(words, 8)!
        if segmentCount == segmentCapacity {
            let grown = UnsafeMutablePointer<Segment>.allocate(capacity: segmentCapacity * 2)
            grown.moveInitialize(from: segments, count: segmentCount)
            segments.deallocate()
            segments = grown
            segmentCapacity *= 2
        }
        (segments + segmentCount).initialize(to: Segment(start: start, capacity: words, used: 0))
        segmentCount += 1
        nextSegmentWords = min(nextSegmentWords + words, WireLimits.maxSegmentWords)
        return UInt32(segmentCount - 1)
    }

    /// Allocates `words` zeroed words for an object whose pointer sits in segment `segment`.
    /// Returns where the object is and where its struct/list pointer must be written: the slot itself
    /// when the object shares its segment, else a landing pad just before the object, which the caller's
    /// slot must reach through a far pointer (already written here).
    @inlinable @inline(__always)
    func allocate(words: Int, for segment: UInt32, slot: UnsafeMutableRawPointer)
        -> (segment: UInt32, target: UnsafeMutableRawPointer, pointerSlot: UnsafeMutableRawPointer)
    {
        let index = Int(segment)
        if segments[index].capacity - segments[index].used >= words {
            let target = segments[index].start + segments[index].used * 8
            segments[index].used += words
            return (segment, target, slot)
        }
        return allocateBehindPad(words: words, slot: slot)
    }

    /// `allocate` when the slot's segment is full: the object goes behind a landing pad elsewhere.
    @usableFromInline
    func allocateBehindPad(words: Int, slot: UnsafeMutableRawPointer)
        -> (segment: UInt32, target: UnsafeMutableRawPointer, pointerSlot: UnsafeMutableRawPointer)
    {
        let (padSegment, pad) = allocateAnywhere(words: words + 1)
        let farPointer = WirePointer.farPointer(padOffset: (pad - segments[Int(padSegment)].start) / 8,
                                                segment: padSegment, doubleFar: false)
        slot.storeBytes(of: farPointer.raw.littleEndian, as: UInt64.self)
        return (padSegment, pad + 8, pad)
    }

    /// Allocates in the last segment, or in a new one when it is full.
    @usableFromInline
    func allocateAnywhere(words: Int) -> (UInt32, UnsafeMutableRawPointer) {
        var index = segmentCount - 1
        if segments[index].capacity - segments[index].used < words {
            index = Int(addSegment(minimumWords: words))
        }
        let target = segments[index].start + segments[index].used * 8
        segments[index].used += words
        return (UInt32(index), target)
    }

    /// Tries to allocate in exactly `segment`.
    func allocate(words: Int, inSegment segment: UInt32) -> UnsafeMutableRawPointer? {
        let index = Int(segment)
        guard segments[index].capacity - segments[index].used >= words else { return nil }
        let target = segments[index].start + segments[index].used * 8
        segments[index].used += words
        return target
    }

    /// Appends `capability` to the capability table and returns its index.
    public func addCapability(_ capability: (any AnyObject & Sendable)?) -> UInt32 {
        capabilities.append(capability)
        return UInt32(capabilities.count - 1)
    }

    @inlinable func segmentStart(_ segment: UInt32) -> UnsafeMutableRawPointer { segments[Int(segment)].start }

    /// The root pointer slot.
    public var root: PointerBuilder { PointerBuilder(arena: self, segment: 0, location: segments[0].start) }

    /// The segments as they stand, each trimmed to the words in use.
    public var segmentsForOutput: [UnsafeRawBufferPointer] {
        (0..<segmentCount).map { UnsafeRawBufferPointer(start: segments[$0].start, count: segments[$0].used * 8) }
    }

    /// Total words in use across segments.
    public var totalWords: Int { (0..<segmentCount).reduce(0) { $0 + segments[$1].used } }

    /// A reader over this message as it stands now. It keeps the builder alive; building more
    /// afterwards is allowed, but the reader sees only segments that existed when it was made,
    /// and must not be read on another thread while this one builds.
    public func asReader(options: ReaderOptions = .trusted) -> MessageReader {
        // The release closure only keeps the builder alive; it never touches it from another thread.
        nonisolated(unsafe) let owner = self
        return MessageReader(segments: segmentsForOutput, options: options, release: { withExtendedLifetime(owner) {} })
    }
}
