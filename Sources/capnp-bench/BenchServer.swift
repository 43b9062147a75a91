// The child role, `capnp-bench -ipcfd N`: serves `Bench` as the bootstrap capability on fd N
// until the parent closes its end (scripts/bench-cxx/README.md, "Child role").

import Capnp
import CapnpRPC
import Dispatch
import Multiprocess
#if canImport(Glibc)
import Glibc
#endif

/// `ping` returns at once; `echo` copies `params.data` into `results.data`.
final class BenchServer: Bench.Server {
    func ping(_ call: ServerCall<Bench.PingParams, Bench.PingResults>) async throws {}

    func echo(_ call: ServerCall<Bench.EchoParams, Bench.EchoResults>) async throws {
        let data = try call.params.data
        let out = call.results.initData(count: data.count)
        data.withUnsafeBytes { bytes in
            if !bytes.isEmpty { out.copyMemory(from: bytes) }
        }
    }
}

enum ChildRole {
    /// Serves until the parent closes: exit 0. Arguments that are not exactly
    /// `[exe, "-ipcfd", N]` with N an open unix stream socket exit with Process's statuses
    /// (2 for a malformed N). SIGINT is ignored (the parent's terminal may send it).
    static func run(_ arguments: [String]) -> Never {
        signal(SIGINT, SIG_IGN)
        let fd: Int32
        do throws(ProcessError) {
            guard let spawned = try Process.checkSpawned(arguments) else {
                printError("usage: capnp-bench -ipcfd N")
                exit(2)
            }
            fd = spawned
        } catch {
            printError("\(error)")
            exit(error.exitStatus)
        }
        do {
            let connection = try Connection(fd: fd, serving: BenchServer(), options: ConnectionOptions(isServer: true))
            // The main thread waits for the end with no task: an idle child then has two threads
            // (this one and the RPC loop), not four or five with the concurrency pool's (P6).
            let ended = DispatchSemaphore(value: 0)
            connection.onDisconnect { _ in ended.signal() }
            ended.wait()
            exit(0)
        } catch {
            printError("-ipcfd \(fd): \(error)")
            exit(1)
        }
    }
}
