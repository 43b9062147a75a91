// capnp-bench: the Swift side of scripts/bench. Protocol (scripts/bench-cxx/README.md):
//
//   capnp-bench P1|P2|P3|P4|P5   runs one figure, prints one number on stdout
//   capnp-bench P6|P6a           idle spawned child's RSS / anonymous RSS, MB
//   capnp-bench P5-check         prints the P5 checksum for seed 42
//   capnp-bench -ipcfd N         child role: serves Bench on fd N until the parent closes
//   capnp-bench shim-latency     not a scripts/bench figure (no C++ baseline): microseconds per
//                                sequential call through the C shim alone, in one process,
//                                caller off the loop and on it (ShimLatency.swift)
//
// Exit status: 0 ok, 1 failure, 2 usage error, 3 figure not implemented.
// Environment: BENCH_VERBOSE=1 prints batch values to stderr; BENCH_CALLER=loop|global picks
// the executor of the calling task (Caller.swift); BENCH_DIVIDE=N shrinks the RPC figures'
// call counts N-fold, for profiling (Stats.swift).

#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: capnp-bench P1|P2|P3|P4|P5|P5-check|P6|P6a|shim-latency
           capnp-bench -ipcfd N   (child role)
    """

func usageError(_ message: String? = nil) -> Never {
    if let message { printError(message) }
    printError(usage)
    exit(2)
}

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())

// Synchronous on purpose: the work runs in tasks while the main thread blocks (Caller.block).
if arguments.first == "-ipcfd" {
    ChildRole.run(CommandLine.arguments)
}
guard arguments.count == 1 else { usageError() }
let figure = arguments[0]

do {
    switch figure {
    case "P1":
        print(String(fixed: try Caller.block { try await Caller.withChild(P1.run) }, decimals: 2))
    case "P2":
        print(String(fixed: try Caller.block { try await Caller.withChild(P2.run) }, decimals: 0))
    case "P3":
        print(String(fixed: try Caller.block { try await Caller.withChild(P3.run) }, decimals: 2))
    case "P4":
        print(String(fixed: try Caller.block { try await Caller.run(P4.run) }, decimals: 3))
    case "P6", "P6a":
        print(String(fixed: try Caller.block { try await Caller.run { try await P6.run(anonymous: figure == "P6a") } }, decimals: 2))
    case "P5":
        print(String(fixed: try P5.run(), decimals: 2))
    case "P5-check":
        print(try P5.iteration(42))
    case "shim-latency":
        let (offLoop, onLoop) = try ShimLatency.run()
        print("shim-sequential-call-us off-loop=\(String(fixed: offLoop, decimals: 2)) on-loop=\(String(fixed: onLoop, decimals: 2))")
    default:
        // A figure name this binary does not have is "not implemented", as on the C++ side.
        if figure.count > 1, figure.first == "P", figure.dropFirst().allSatisfy(\.isASCII), figure.dropFirst().allSatisfy(\.isNumber) {
            printError("figure \(figure) is not implemented")
            exit(3)
        }
        usageError("unknown figure '\(figure)'")
    }
} catch {
    printError("\(figure) failed: \(error)")
    exit(1)
}
