// Wire.swift: just enough hand-written Cap'n Proto encoding to drive the C API without the
// Capnp module: single-segment messages whose root is a struct of data words and pointers.

import CCapnpRPC

enum Wire {
    /// A struct pointer; the struct starts `offset` words after the pointer's own word.
    static func structPointer(dataWords: UInt16, pointers: UInt16, offset: Int32 = 0) -> UInt64 {
        UInt64(UInt32(bitPattern: offset << 2)) | UInt64(dataWords) << 32 | UInt64(pointers) << 48
    }

    static func capPointer(_ index: UInt32) -> UInt64 { 3 | UInt64(index) << 32 }

    /// Root struct with one UInt64 data word.
    static func value(_ v: UInt64) -> [UInt64] { [structPointer(dataWords: 1, pointers: 0), v] }

    /// Root struct with one pointer: capability 0.
    static let oneCap: [UInt64] = [structPointer(dataWords: 0, pointers: 1), capPointer(0)]
}

/// Calls `body` with a ccapnp_message_in over `words` and `caps` (borrowed for the call).
func withMessageIn<R>(
    _ words: [UInt64], caps: [OpaquePointer?] = [], _ body: (UnsafePointer<ccapnp_message_in>) -> R
) -> R {
    words.withUnsafeBufferPointer { wordBuffer in
        var segment = ccapnp_segment(data: UnsafeRawPointer(wordBuffer.baseAddress), words: wordBuffer.count)
        return withUnsafePointer(to: &segment) { segmentPointer in
            caps.withUnsafeBufferPointer { capBuffer in
                var message = ccapnp_message_in(
                    segments: segmentPointer, segment_count: 1,
                    caps: capBuffer.baseAddress, cap_count: capBuffer.count,
                    release: nil, release_ctx: nil)
                return withUnsafePointer(to: &message) { body($0) }
            }
        }
    }
}

/// Reads the root struct of a message the shim handed out.
struct ViewReader {
    let view: ccapnp_message_view

    private func word(_ index: Int) -> UInt64 {
        view.segments[0].data.load(fromByteOffset: index * 8, as: UInt64.self)
    }

    private var root: (data: Int, dataWords: Int, pointers: Int, pointerCount: Int)? {
        guard view.segment_count > 0, view.segments[0].words > 0 else { return nil }
        let p = word(0)
        guard p != 0, p & 3 == 0 else { return nil }
        let offset = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: p)) >> 2)
        let dataWords = Int((p >> 32) & 0xFFFF)
        let data = 1 + offset
        return (data, dataWords, data + dataWords, Int(p >> 48))
    }

    var value: UInt64? {
        guard let root, root.dataWords > 0 else { return nil }
        return word(root.data)
    }

    func cap(pointer index: Int) -> OpaquePointer? {
        guard let root, index < root.pointerCount else { return nil }
        let w = word(root.pointers + index)
        guard w & 3 == 3 else { return nil }
        let capIndex = Int(w >> 32)
        guard capIndex < view.cap_count else { return nil }
        return view.caps[capIndex]
    }
}
