// A child process on the other end of a socketpair, for cross-process RPC tests.

import Multiprocess
#if canImport(Glibc)
import Glibc
#endif

/// A spawned peer: its pid and our end of its socketpair.
public struct PeerProcess: Sendable {
    public let pid: pid_t
    /// Our end of the socketpair (CLOEXEC); hand it to a `Connection`.
    public let fd: Int32

    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(pid: pid_t, fd: Int32) {
        self.pid = pid
        self.fd = fd
    }

    /// Starts `rpc-test-peer` with the library's own spawn (`-ipcfd N`, only its socket inherited).
    public static func spawnTestPeer() throws -> PeerProcess {
        let (pid, fd) = try Process.spawn(executableName: "rpc-test-peer")
        return PeerProcess(pid: pid, fd: fd)
    }

    /// Starts `path` with the arguments `arguments(N)` makes, N being the child's end of a new
    /// socketpair.
    public static func spawn(_ path: String, arguments: (Int32) -> [String]) throws(SpawnError) -> PeerProcess {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SpawnError(description: "socketpair failed: errno \(errno)")
        }
        // The child's end must survive exec: clear CLOEXEC on it alone.
        _ = fcntl(fds[1], F_SETFD, 0)
        defer { close(fds[1]) }
        let argv = [path] + arguments(fds[1])
        var cStrings = argv.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        cStrings.append(nil)
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, nil, nil, &cStrings, environ)
        guard status == 0 else {
            close(fds[0])
            throw SpawnError(description: "posix_spawn \(path) failed: errno \(status)")
        }
        return PeerProcess(pid: pid, fd: fds[0])
    }

    /// Waits for the child to exit; its exit code, or 128 + signal.
    public func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Waits for the child to exit without blocking a thread of the concurrency pool (a peer
    /// that still needs our servers would otherwise starve them); its exit code, or 128 + signal.
    public func exitStatus() async -> Int32 {
        var status: Int32 = 0
        while true {
            let pid = waitpid(self.pid, &status, WNOHANG)
            if pid == self.pid { break }
            if pid < 0 && errno != EINTR { return -1 }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    public func kill(_ signal: Int32 = SIGKILL) { _ = Glibc.kill(pid, signal) }
}

/// The built products directory: test bundle and executables sit side by side.
public func productsDirectory() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let path = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
    return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
}
