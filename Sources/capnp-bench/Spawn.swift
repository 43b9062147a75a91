// Spawning the child role with Multiprocess's Process.spawn (socketpair, only the child's end
// inherited, `-ipcfd N`), and getting rid of the child again (scripts/bench-cxx/README.md,
// "Spawning").

import Multiprocess
#if canImport(Glibc)
import Glibc
#endif

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A spawned `capnp-bench -ipcfd N`: its pid and the parent's end of the socketpair.
struct Child: Sendable {
    let pid: pid_t
    /// The parent's end (CLOEXEC); hand it to a `Connection`, which then owns it.
    let fd: Int32

    /// Our own executable, as `/proc/self/exe` names it (read once).
    static let executable: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "/proc/self/exe" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Spawns this executable as the child. No handshake: the caller talks to it at once.
    static func spawn() throws(BenchError) -> Child {
        do {
            let (pid, fd) = try Process.spawn(executableName: executable)
            return Child(pid: pid, fd: fd)
        } catch {
            throw BenchError("\(error)")
        }
    }

    /// Waits for a child whose socket has been closed; SIGKILL if it has not exited in 2 s.
    /// Blocks: never call it on the RPC loop thread, which must run to close the socket.
    func reap() {
        for _ in 0..<200 {
            if (try? Process.reap(pid)) != .some(nil) { return }
            usleep(10_000)
        }
        printError("child \(pid) did not exit within 2 s of the close; killing it")
        kill()
    }

    /// SIGKILL, then waits for it.
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        _ = try? Process.waitSpawned(pid)
    }
}
