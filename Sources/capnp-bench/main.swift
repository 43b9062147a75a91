// capnp-bench: the Swift side of scripts/bench. Protocol (scripts/bench-cxx/README.md):
// `capnp-bench <figure>` prints one number; exit 3 means the figure is not implemented yet.

#if canImport(Glibc)
import Glibc
#endif

func printError(_ message: String) {
    let bytes = Array("capnp-bench: \(message)\n".utf8)
    _ = write(2, bytes, bytes.count)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let figure = arguments.first else {
    printError("usage: capnp-bench P1|P2|P3|P4|P5|P5-check")
    exit(2)
}

do {
    switch figure {
    case "P5":
        print(String(format2: try P5.run()))
    case "P5-check":
        print(try P5.iteration(42))
    case "P1", "P2", "P3", "P4", "-ipcfd":
        // The RPC figures need the Swift RPC layer (CapnpRPC), which is not built yet.
        printError("\(figure) is not implemented yet")
        exit(3)
    default:
        printError("unknown figure '\(figure)'; usage: capnp-bench P1|P2|P3|P4|P5|P5-check")
        exit(2)
    }
} catch {
    printError("\(figure) failed: \(error)")
    exit(1)
}

extension String {
    /// Two decimals, without Foundation.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
