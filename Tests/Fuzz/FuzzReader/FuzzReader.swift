// The reader's fuzz target: bytes read as a framed, packed or prefixed message (the first byte
// chooses), walked in full, read as every generated view of the conformance schema, and for a
// clean read deep-copied, re-serialized and compared. Hostile bytes must give a typed error.

import Capnp
#if canImport(Glibc)
import Glibc
#endif

private let options = ReaderOptions(traversalLimitInWords: 1 << 16, nestingLimit: 64)

/// Runs one input; traps (a finding) when a clean read does not survive a copy unchanged.
func fuzzReader(_ input: UnsafeRawBufferPointer) {
    guard let mode = input.first else { return }
    let body = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let bytes = Array(body)
    switch mode % 3 {
    case 0:
        check { try? MessageReader(bytes: bytes, options: options) }
    case 1:
        check { try? MessageReader(packed: bytes, options: options) }
    default:
        var at = 0
        while at < body.count {
            var consumed = 0
            let rest = UnsafeRawBufferPointer(rebasing: body[(body.startIndex + at)...])
            guard (try? MessageReader(prefixOf: rest, consumed: &consumed, options: options)) != nil, consumed > 0 else { return }
            let start = at
            check {
                var ignored = 0
                return bytes.withUnsafeBytes { all in
                    try? MessageReader(prefixOf: UnsafeRawBufferPointer(rebasing: all[start...]), consumed: &ignored, options: options)
                }
            }
            at += consumed
        }
    }
}

/// `read` decodes the message afresh each time: the traversal budget is per reader, and each
/// pass here spends one.
private func check(_ read: () -> MessageReader?) {
    guard let message = read() else { return }
    readAllViews(message)
    guard let root = try? read()?.root(), let size = try? root.totalSize(), let source = try? read()?.root() else { return }
    // A message that reads cleanly copies cleanly, to the same size, and a copy of the copy
    // is the same bytes.
    let copy = MessageBuilder()
    do {
        try copy.root.copy(from: source)
    } catch {
        fatalError("a message that reads cleanly failed to copy: \(error)")
    }
    let bytes = copy.serialize()
    guard let reread = try? MessageReader(bytes: bytes, options: .trusted), let again = try? reread.root() else {
        fatalError("the copy of a clean message does not read")
    }
    guard let copySize = try? again.totalSize(), copySize == size else {
        fatalError("the copy has another size: \(String(describing: try? again.totalSize())) for \(size)")
    }
    let second = MessageBuilder()
    guard (try? second.root.copy(from: again)) != nil, second.serialize() == bytes else {
        fatalError("a copy of the copy is not the same bytes")
    }
}

/// libFuzzer's entry: one input.
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzReader(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

/// Built by scripts/fuzz (FUZZING): libFuzzer's driver. Built plainly: runs each file named
/// (or each file in each directory named) once, as the regression run of a corpus.
@main
struct Main {
    static func main() {
        #if FUZZING
        exit(runFuzzer(fuzzerTestOneInput))
        #else
        replayCorpus(CommandLine.arguments.dropFirst(), fuzzReader)
        #endif
    }
}
