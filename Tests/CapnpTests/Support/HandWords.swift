// Hand-crafted words and frames, for messages no builder would write (double-far pads, malformed input).
// Pointer layouts follow the encoding spec; they are inputs to the reader, never expected outputs.

enum Words {
    static func structPointer(offset: Int, dataWords: Int, pointers: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: offset << 2)) | UInt64(dataWords) << 32 | UInt64(pointers) << 48
    }

    /// `size` is the encoding's element-size code: 0 void, 1 bit, 2 byte, 3 two bytes, 4 four bytes,
    /// 5 eight bytes, 6 pointer, 7 composite (then `count` is the word count without the tag).
    static func listPointer(offset: Int, size: UInt64, count: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: offset << 2)) | 1 | size << 32 | UInt64(count) << 35
    }

    static func farPointer(segment: UInt32, offset: Int, doubleFar: Bool = false) -> UInt64 {
        UInt64(offset) << 3 | (doubleFar ? 4 : 0) | 2 | UInt64(segment) << 32
    }

    /// A composite list's tag: the element count where a struct pointer's offset would be.
    static func compositeTag(count: Int, dataWords: Int, pointers: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: count << 2)) | UInt64(dataWords) << 32 | UInt64(pointers) << 48
    }

    static func capability(_ index: UInt32) -> UInt64 { 3 | UInt64(index) << 32 }

    /// Bytes packed little-endian into words, zero-padded to a whole word.
    static func bytes(_ bytes: [UInt8]) -> [UInt64] {
        let padded = bytes + [UInt8](repeating: 0, count: (8 - bytes.count % 8) % 8)
        return stride(from: 0, to: padded.count, by: 8).map { start in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(padded[start + $1]) << (8 * $1) }
        }
    }

    /// The stream framing of `segments`: segment count - 1, the sizes, padding, then the words.
    static func frame(_ segments: [[UInt64]]) -> [UInt8] {
        var table: [UInt32] = [UInt32(segments.count - 1)] + segments.map { UInt32($0.count) }
        if table.count % 2 == 1 { table.append(0) }
        var out: [UInt8] = []
        for value in table { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        for segment in segments {
            for word in segment { withUnsafeBytes(of: word.littleEndian) { out += $0 } }
        }
        return out
    }

    /// A segment table alone, with the given raw count field and sizes (possibly lying about both).
    static func table(countField: UInt32, sizes: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        for value in [countField] + sizes { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        if out.count % 8 != 0 { out += [0, 0, 0, 0] }
        return out
    }
}
