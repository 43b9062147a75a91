// The stream framing: a segment table followed by the segments, read and written.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the standard stream framing of the encoding spec.
///
/// The segment table is checked against `ReaderOptions` before any segment memory is allocated.
public enum Framing {
    /// Parses a segment table from its first bytes: segment word counts and the table's own size in bytes.
    /// Returns nil when `bytes` does not yet hold the whole table.
    static func parseTable(_ bytes: UnsafeRawBufferPointer, options: ReaderOptions) throws(CapnpError) -> (sizes: [Int], tableBytes: Int)? {
        guard bytes.count >= 4 else { return nil }
        let segmentCount = Int(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))) + 1
        guard segmentCount <= options.maximumSegments, segmentCount <= 1 << 20 else {
            throw CapnpError(.messageTooLarge, "segment table announces \(segmentCount) segments; the limit is \(options.maximumSegments)")
        }
        let tableBytes = (4 + segmentCount * 4 + 7) / 8 * 8
        guard bytes.count >= tableBytes else { return nil }
        var sizes: [Int] = []
        sizes.reserveCapacity(segmentCount)
        var totalWords = 0
        for index in 0..<segmentCount {
            let words = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 + index * 4, as: UInt32.self)))
            totalWords += words
            sizes.append(words)
        }
        guard totalWords <= options.maximumMessageBytes / 8 else {
            throw CapnpError(.messageTooLarge, "segment table announces \(totalWords * 8) bytes; the limit is \(options.maximumMessageBytes)")
        }
        return (sizes, tableBytes)
    }

    /// Copies one framed message from the start of `bytes` into aligned memory, once.
    /// Returns its segments, the memory that holds them, and the number of input bytes it took.
    static func copySegments(_ bytes: UnsafeRawBufferPointer, options: ReaderOptions) throws(CapnpError)
        -> (storage: OwnedAllocation, segments: [UnsafeRawBufferPointer], used: Int)
    {
        guard let (sizes, tableBytes) = try parseTable(bytes, options: options) else {
            throw CapnpError(.truncated, "input ends inside the segment table (\(bytes.count) bytes)")
        }
        let bodyBytes = sizes.reduce(0, +) * 8
        guard bytes.count - tableBytes >= bodyBytes else {
            throw CapnpError(.truncated, "segment table announces \(bodyBytes) bytes of segments, but only \(bytes.count - tableBytes) follow")
        }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bodyBytes, 8), alignment: 8)
        if bodyBytes > 0 { storage.copyMemory(from: bytes.baseAddress! + tableBytes, byteCount: bodyBytes) }
        return (OwnedAllocation(storage), views(storage, sizes), tableBytes + bodyBytes)
    }

    static func views(_ storage: UnsafeMutableRawPointer, _ sizes: [Int]) -> [UnsafeRawBufferPointer] {
        var views: [UnsafeRawBufferPointer] = []
        views.reserveCapacity(sizes.count)
        var offset = 0
        for words in sizes {
            views.append(UnsafeRawBufferPointer(start: storage + offset, count: words * 8))
            offset += words * 8
        }
        return views
    }

    /// The framed bytes of `segments`.
    public static func encode(_ segments: [UnsafeRawBufferPointer]) -> [UInt8] {
        let tableBytes = (4 + segments.count * 4 + 7) / 8 * 8
        let total = tableBytes + segments.reduce(0) { $0 + $1.count }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt32(segments.count - 1).littleEndian, as: UInt32.self)
            for (index, segment) in segments.enumerated() {
                raw.storeBytes(of: UInt32(segment.count / 8).littleEndian, toByteOffset: 4 + index * 4, as: UInt32.self)
            }
            if segments.count % 2 == 0 { raw.storeBytes(of: UInt32(0), toByteOffset: tableBytes - 4, as: UInt32.self) }
            var offset = tableBytes
            for segment in segments where segment.count > 0 {
                (raw.baseAddress! + offset).copyMemory(from: segment.baseAddress!, byteCount: segment.count)
                offset += segment.count
            }
            initialized = total
        }
    }

    // MARK: file descriptors

    /// Reads one framed message from `fd`. Returns nil on end of stream before the first byte.
    public static func read(from fd: Int32, options: ReaderOptions = ReaderOptions()) throws(CapnpError) -> MessageReader? {
        var first = [UInt8](repeating: 0, count: 8)
        let got = try readFully(fd, &first, 0, 8, allowEOF: true)
        if got == 0 { return nil }
        guard got == 8 else { throw CapnpError(.truncated, "stream ended inside the segment table") }
        let segmentCount = Int(UInt32(littleEndian: first.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })) + 1
        guard segmentCount <= options.maximumSegments, segmentCount <= 1 << 20 else {
            throw CapnpError(.messageTooLarge, "segment table announces \(segmentCount) segments; the limit is \(options.maximumSegments)")
        }
        let tableBytes = (4 + segmentCount * 4 + 7) / 8 * 8
        var table = first + [UInt8](repeating: 0, count: tableBytes - 8)
        if tableBytes > 8 {
            guard try readFully(fd, &table, 8, tableBytes - 8, allowEOF: false) == tableBytes - 8 else {
                throw CapnpError(.truncated, "stream ended inside the segment table")
            }
        }
        guard let (sizes, _) = try withBytes(table, { (raw) throws(CapnpError) in try parseTable(raw, options: options) }) else {
            throw CapnpError(.truncated, "stream ended inside the segment table")
        }
        let bodyBytes = sizes.reduce(0, +) * 8
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bodyBytes, 8), alignment: 8)
        var filled = 0
        while filled < bodyBytes {
            let n = Glibc.read(fd, storage + filled, bodyBytes - filled)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                storage.deallocate()
                throw n == 0 ? CapnpError(.truncated, "stream ended after \(filled) of \(bodyBytes) segment bytes")
                             : CapnpError(.io, "read failed: errno \(errno)")
            }
            filled += n
        }
        let owned = OwnedAllocation(storage)
        return MessageReader(segments: views(storage, sizes), options: options, release: { owned.free() })
    }

    private static func readFully(_ fd: Int32, _ buffer: inout [UInt8], _ offset: Int, _ count: Int, allowEOF: Bool) throws(CapnpError) -> Int {
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset + filled, count - filled) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw CapnpError(.io, "read failed: errno \(errno)") }
            if n == 0 { return filled }
            filled += n
        }
        return filled
    }

    /// Writes `message` framed to `fd`.
    public static func write(_ message: MessageBuilder, to fd: Int32) throws(CapnpError) {
        let bytes = encode(message.segmentsForOutput)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw CapnpError(.io, "write failed: errno \(errno)") }
            written += n
        }
    }
}

extension MessageBuilder {
    /// The message in the standard stream framing.
    public func serialize() -> [UInt8] { Framing.encode(segmentsForOutput) }

    /// The message packed, in the standard stream framing.
    public func serializePacked() -> [UInt8] { Packing.pack(serialize()) }
}

extension MessageReader {
    /// Decodes one framed message; the whole of `bytes` must be that message.
    public convenience init(bytes: [UInt8], options: ReaderOptions = ReaderOptions()) throws(CapnpError) {
        let (storage, segments, used) = try withBytes(bytes) { (raw) throws(CapnpError) in
            try Framing.copySegments(raw, options: options)
        }
        guard used == bytes.count else {
            storage.free()
            throw CapnpError(.truncated, "\(bytes.count - used) bytes follow the message")
        }
        self.init(segments: segments, options: options, release: { storage.free() })
    }

    /// Decodes one framed message from any byte collection (Foundation's `Data`, a slice, …);
    /// contiguous storage is read directly, anything else is gathered into an array first.
    public convenience init<Bytes: Collection<UInt8>>(contiguousBytes bytes: Bytes, options: ReaderOptions = ReaderOptions()) throws(CapnpError) {
        let parsed: Result<(OwnedAllocation, [UnsafeRawBufferPointer], Int), CapnpError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CapnpError) in try Framing.copySegments(UnsafeRawBufferPointer(buffer), options: options) }
        }
        let (storage, segments, used) = try (parsed ?? Result { () throws(CapnpError) in
            try withBytes(Array(bytes)) { (raw) throws(CapnpError) in try Framing.copySegments(raw, options: options) }
        }).get()
        guard used == bytes.count else {
            storage.free()
            throw CapnpError(.truncated, "\(bytes.count - used) bytes follow the message")
        }
        self.init(segments: segments, options: options, release: { storage.free() })
    }

    /// Decodes the first framed message in `bytes`; `consumed` tells how many bytes it took.
    public convenience init(prefixOf bytes: UnsafeRawBufferPointer, consumed: inout Int,
                            options: ReaderOptions = ReaderOptions()) throws(CapnpError) {
        let (storage, segments, used) = try Framing.copySegments(bytes, options: options)
        consumed = used
        self.init(segments: segments, options: options, release: { storage.free() })
    }

    /// Decodes one packed, framed message.
    public convenience init(packed: [UInt8], options: ReaderOptions = ReaderOptions()) throws(CapnpError) {
        // Saturate: limits such as `.trusted` (Int.max) must not overflow into a trap.
        let tableBytes = options.maximumSegments >= Int.max / 8 - 2 ? Int.max : 8 * (options.maximumSegments + 2)
        let (limit, overflow) = options.maximumMessageBytes.addingReportingOverflow(tableBytes)
        let bytes = try Packing.unpack(packed, maximumBytes: overflow ? Int.max : limit)
        try self.init(bytes: bytes, options: options)
    }
}

/// `Array.withUnsafeBytes` rethrows untyped errors; this keeps them typed.
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(CapnpError) -> R) throws(CapnpError) -> R {
    let result: Result<R, CapnpError> = bytes.withUnsafeBytes { raw in
        Result { () throws(CapnpError) in try body(raw) }
    }
    return try result.get()
}
