// Spawning the child role: socketpair + posix_spawn of our own executable with `-ipcfd N`,
// and getting rid of the child again (scripts/bench-cxx/README.md, "Spawning").

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

    /// `socketpair(AF_UNIX, SOCK_STREAM)`, our end marked CLOEXEC, the child's end inherited;
    /// `posix_spawn(<self> -ipcfd <child end>)`; then the child's end is closed here.
    /// No handshake: the caller talks to the child at once.
    static func spawn() throws(BenchError) -> Child {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw BenchError("socketpair failed: errno \(errno)")
        }
        guard fcntl(fds[0], F_SETFD, FD_CLOEXEC) == 0 else {
            let error = errno
            close(fds[0]); close(fds[1])
            throw BenchError("fcntl(FD_CLOEXEC) failed: errno \(error)")
        }
        let path = executable
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup("-ipcfd"), strdup(String(fds[1])), nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, nil, nil, &argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw BenchError("posix_spawn \(path) failed: errno \(status)")
        }
        return Child(pid: pid, fd: fds[0])
    }

    /// Waits for a child whose socket has been closed; SIGKILL if it has not exited in 2 s.
    /// Blocks: never call it on the RPC loop thread, which must run to close the socket.
    func reap() {
        var status: Int32 = 0
        for _ in 0..<200 {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { return }
            usleep(10_000)
        }
        printError("child \(pid) did not exit within 2 s of the close; killing it")
        kill()
    }

    /// SIGKILL, then waits for it.
    func kill() {
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
