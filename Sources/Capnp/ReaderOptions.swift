// Limits a reader enforces on untrusted messages, in one place (the BinaryDecodingOptions pattern).

/// Limits applied while reading a message. The defaults match the C++ implementation.
public struct ReaderOptions: Sendable, Equatable {
    /// Words a reader may traverse in total; each followed pointer charges the size of its target.
    /// Stops amplification attacks where many pointers share one target.
    public var traversalLimitInWords: Int = 8 * 1024 * 1024
    /// How deep structs and lists may nest.
    public var nestingLimit: Int = 64
    /// Segments a segment table may announce; checked before anything is allocated.
    public var maximumSegments: Int = 512
    /// Bytes a framed message may announce in total; checked from the segment table before allocating.
    public var maximumMessageBytes: Int = 64 * 1024 * 1024

    public init() {}

    public init(traversalLimitInWords: Int = 8 * 1024 * 1024, nestingLimit: Int = 64,
                maximumSegments: Int = 512, maximumMessageBytes: Int = 64 * 1024 * 1024) {
        self.traversalLimitInWords = traversalLimitInWords
        self.nestingLimit = nestingLimit
        self.maximumSegments = maximumSegments
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Options for trusted, compiled-in data such as schema defaults: no limits apply.
    public static let trusted = ReaderOptions(traversalLimitInWords: Int.max, nestingLimit: Int(Int32.max),
                                              maximumSegments: Int.max, maximumMessageBytes: Int.max)
}
