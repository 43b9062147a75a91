// A child process on the other end of a socketpair, for cross-process RPC tests: a thin layer
// over Multiprocess's Process.

import Multiprocess
#if canImport(Glibc)
import Glibc
#endif

/// A spawned peer: its pid and our end of its socketpair.
public struct PeerProcess: Sendable {
    public let pid: pid_t
    /// Our end of the socketpair (CLOEXEC); hand it to a `Connection`.
    public let fd: Int32

    /// Starts `rpc-test-peer -ipcfd 3`.
    public static func spawnTestPeer() throws(ProcessError) -> PeerProcess {
        let (pid, fd) = try Process.spawn(executableName: "rpc-test-peer")
        return PeerProcess(pid: pid, fd: fd)
    }

    /// Starts `path` with the arguments `arguments(N)` makes, N being the fd its socket is on.
    public static func spawn(_ path: String, arguments: (Int32) -> [String]) throws(ProcessError) -> PeerProcess {
        let (pid, fd) = try Process.spawn(executableName: path, arguments: arguments(Process.childSocketFd))
        return PeerProcess(pid: pid, fd: fd)
    }

    /// Waits for the child to exit (blocking the calling thread).
    public func wait() throws(ProcessError) -> ExitStatus {
        try Process.waitSpawned(pid)
    }

    /// Waits for the child to exit without blocking a thread of the concurrency pool (a peer
    /// that still needs our servers would otherwise starve them).
    public func exitStatus() async throws(ProcessError) -> ExitStatus {
        while true {
            if let status = try Process.reap(pid) { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    public func kill(_ signal: Int32 = SIGKILL) { _ = Glibc.kill(pid, signal) }
}
