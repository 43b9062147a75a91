// capnpc-swift: the `capnp compile -o swift` plugin. Reads a CodeGeneratorRequest on stdin and
// writes one .swift file per schema into the current directory (capnp runs plugins in the output dir).

import Capnp
import CapnpCompiler
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    let line = Array("capnpc-swift: \(message)\n".utf8)
    _ = write(2, line, line.count)
    exit(1)
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
    usage: capnp compile -o swift:<output-dir> [-I<dir>] [--src-prefix=<dir>] <file.capnp>…
           (or -o /path/to/capnpc-swift:<output-dir>)

    A Cap'n Proto compiler plugin: reads a CodeGeneratorRequest on standard input and writes
    <file>.swift for each schema file into the current directory.
    """)
    exit(0)
}
if isatty(0) != 0 {
    fail("expects a CodeGeneratorRequest on standard input; run it through `capnp compile -o swift` (see --help)")
}

// The request is trusted input from capnp itself, and schemas can be large: lift the read limits.
let options = ReaderOptions(traversalLimitInWords: .max, nestingLimit: 1024, maximumSegments: 1 << 16,
                            maximumMessageBytes: 1 << 31)
let message: MessageReader
do {
    guard let read = try Framing.read(from: 0, options: options) else { fail("standard input is empty") }
    message = read
} catch {
    fail("cannot read the CodeGeneratorRequest: \(error)")
}

do {
    for file in try CodeGenerator.generate(message) {
        let directory = file.path.split(separator: "/").dropLast().joined(separator: "/")
        if !directory.isEmpty {
            var partial = ""
            for component in directory.split(separator: "/") {
                partial += (partial.isEmpty ? "" : "/") + component
                mkdir(partial, 0o755)
            }
        }
        guard let handle = fopen(file.path, "w") else { fail("cannot write \(file.path): errno \(errno)") }
        fputs(file.contents, handle)
        fclose(handle)
    }
} catch {
    fail("\(error)")
}
