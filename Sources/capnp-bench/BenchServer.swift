// The child role, `capnp-bench -ipcfd N`: serves `Bench` as the bootstrap capability on fd N
// until the parent closes its end (scripts/bench-cxx/README.md, "Child role").

import Capnp
import CapnpRPC
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
    /// The fd number in `argument`: plain decimal digits, at most 2^20 (as the C++ side accepts).
    static func parseFd(_ argument: String) -> Int32? {
        guard !argument.isEmpty, argument.utf8.count <= 7,
              argument.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let fd = Int32(argument), fd <= 1 << 20 else { return nil }
        return fd
    }

    /// Serves until the parent closes: exit 0. A bad N (not a number, not an open stream
    /// socket) is a usage error: exit 2. SIGINT is ignored (the parent's terminal may send it).
    static func run(fdArgument: String) -> Never {
        signal(SIGINT, SIG_IGN)
        guard let fd = parseFd(fdArgument) else {
            printError("-ipcfd needs a file descriptor number, got '\(fdArgument)'")
            exit(2)
        }
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else {
            printError("-ipcfd \(fd): not an open socket (errno \(errno))")
            exit(2)
        }
        guard type == Int32(SOCK_STREAM.rawValue) else {
            printError("-ipcfd \(fd): not a stream socket")
            exit(2)
        }
        do {
            let connection = try Connection(fd: fd, serving: BenchServer(), options: ConnectionOptions(isServer: true))
            _ = try Caller.block { await connection.disconnected() }
            exit(0)
        } catch {
            printError("-ipcfd \(fd): \(error)")
            exit(1)
        }
    }
}
