// mp-test-child in its `listen` mode: a server process of its own, whose memory and fds a test
// can read from /proc while it attacks it, and clients for it.

import CapnpRPC
import Foundation
import Multiprocess
import RPCTestKit
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

struct ListeningChild {
    let pid: pid_t
    let control: Int32
    let directory: String
    var path: String { directory + "/s.sock" }

    /// Starts it listening on a fresh socket path; `environment` adds MP_TEST_CHILD_NOFILE etc.
    static func start(_ environment: [String: String] = [:]) async throws -> ListeningChild {
        let directory = "/tmp/mp-tl-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var all = environment
        all["MP_TEST_CHILD_MODE"] = "listen"
        all["MP_TEST_CHILD_LISTEN"] = directory + "/s.sock"
        let (pid, fd) = try Process.spawn(executableName: TestChild.name, environment: all)
        let child = ListeningChild(pid: pid, control: fd, directory: directory)
        let line = try await offThePool { try SocketIO.readExactly(fd, "listening\n".utf8.count, seconds: 60) }
        guard line == Array("listening\n".utf8) else {
            child.stop()
            throw ProcessTestFailure("the listening child said \(String(decoding: line, as: UTF8.self))")
        }
        return child
    }

    /// Ends it: closing its control socket makes it exit.
    func stop() {
        close(control)
        _ = try? TestChild.wait(pid)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A field of /proc/<pid>/status in KiB (VmRSS, VmSize).
    func kib(_ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            // "VmSize:\t  169384 kB", or with no space when the number is long (ASan's shadow).
            if let value = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") { return value }
        }
        throw ProcessTestFailure("no \(field) in /proc/\(pid)/status")
    }

    /// Its open fds.
    func openFds() throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    /// A raw connected socket.
    func connectRaw() throws -> Int32 {
        try Process.connect(address: "unix:" + path, dataDirectory: "/", name: "unused")
    }

    /// A client connection and its Tester.
    func connect() throws -> (connection: Connection, tester: Tester.Client) {
        let connection = try Connection(fd: try connectRaw())
        return (connection, connection.bootstrap(as: Tester.Client.self))
    }
}

/// Runs blocking `body` on a thread of its own: the concurrency pool has as many threads as
/// cores (2 here), and a test that blocks them stalls every other test in the process.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
