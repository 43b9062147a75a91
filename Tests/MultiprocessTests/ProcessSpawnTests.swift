// Process.spawn with real children: the socketpair works, exit statuses come back, only the IPC
// fd is inherited, and exec failures are errors naming the path.

@testable import Multiprocess
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Process.spawn")
struct ProcessSpawnTests {
    @Test func echoRoundTripThenExitZeroWhenWeClose() throws {
        let child = try TestChild.spawn("echo")
        defer { TestChild.killIfRunning(child.pid) }
        #expect(child.pid > 0)
        #expect(SocketIO.isCloseOnExec(child.fd), "the parent's end must not leak into other children")
        // Larger than one read of the child, smaller than the socket buffers (no deadlock).
        let message = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try SocketIO.writeAll(child.fd, message)
        let echoed = try SocketIO.readExactly(child.fd, message.count)
        #expect(echoed == message)
        close(child.fd)
        #expect(try TestChild.wait(child.pid) == .exited(0))
    }

    @Test(arguments: [0, 7, 255] as [Int32])
    func exitStatusIsReported(code: Int32) throws {
        let child = try TestChild.spawn("exit:\(code)")
        defer { TestChild.killIfRunning(child.pid) }
        defer { close(child.fd) }
        #expect(try Process.waitSpawned(child.pid) == .exited(code))
    }

    @Test(arguments: [SIGKILL, SIGTERM])
    func signalIsReported(signal: Int32) throws {
        let child = try TestChild.spawn("echo")
        defer { TestChild.killIfRunning(child.pid) }
        defer { close(child.fd) }
        // A round trip first, so the child is past its startup.
        try SocketIO.writeAll(child.fd, "up?")
        _ = try SocketIO.readExactly(child.fd, 3)
        kill(child.pid, signal)
        #expect(try TestChild.wait(child.pid) == .signaled(signal))
    }

    @Test func childIgnoresSigintAndWaitsForTheParentToClose() throws {
        let child = try TestChild.spawn("echo")
        defer { TestChild.killIfRunning(child.pid) }
        try SocketIO.writeAll(child.fd, "before")
        #expect(try SocketIO.readExactly(child.fd, 6) == Array("before".utf8))
        kill(child.pid, SIGINT)
        try SocketIO.writeAll(child.fd, "after")
        #expect(try SocketIO.readExactly(child.fd, 5) == Array("after".utf8))
        #expect(try Process.reap(child.pid) == nil, "the child must still be running")
        close(child.fd)
        #expect(try TestChild.wait(child.pid) == .exited(0))
    }

    /// Non-CLOEXEC fds of ours (files, a pipe) must not reach the child, with either way of
    /// closing them: glibc's closefrom action, or the per-fd fallback for glibc < 2.34.
    @Test(arguments: [Process.CloseStrategy.automatic, .enumerate])
    func onlyTheIpcFdIsInherited(strategy: Process.CloseStrategy) throws {
        var ours: [Int32] = []
        defer { ours.forEach { close($0) } }
        for _ in 0..<3 {
            let fd = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
            try #require(fd >= 0)
            ours.append(fd)
        }
        var pipeFds: [Int32] = [-1, -1]
        try #require(pipe(&pipeFds) == 0)
        ours += pipeFds
        #expect(ours.allSatisfy { !SocketIO.isCloseOnExec($0) })

        let child = try Process.spawn(executableName: TestChild.name, searchDirectory: nil,
                                      environment: ["MP_TEST_CHILD_MODE": "report-fds"], closing: strategy)
        defer { TestChild.killIfRunning(child.pid) }
        defer { close(child.fd) }
        let report = String(decoding: try SocketIO.readToEnd(child.fd), as: UTF8.self)
        #expect(try TestChild.wait(child.pid) == .exited(0))

        // "ipcfd=3 fds=0,1,2,3\n"
        let fields = report.split(whereSeparator: { $0 == " " || $0 == "\n" })
        try #require(fields.count == 2, "report: \(report)")
        let ipcFd = Int32(fields[0].dropFirst("ipcfd=".count))
        let fds = Set(fields[1].dropFirst("fds=".count).split(separator: ",").compactMap { Int32($0) })
        #expect(ipcFd == Process.ipcChildFd)
        #expect(fds.contains(Process.ipcChildFd) && fds.isDisjoint(with: ours), "the child had open: \(report)")
        // The per-fd fallback closes the fds open when it lists them: a non-CLOEXEC fd that
        // another test's thread opens after that can reach this child (seen once: fd 165).
        if strategy == .automatic {
            #expect(fds.subtracting([0, 1, 2]) == [Process.ipcChildFd], "the child had open: \(report)")
        }
    }

    @Test func missingExecutableIsAnErrorNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/no-such-child"
        #expect(throws: ProcessError.spawnFailed(path: path, errno: ENOENT)) {
            try Process.spawn(executableName: "no-such-child", searchDirectory: directory.path)
        }
        let error = ProcessError.spawnFailed(path: path, errno: ENOENT)
        #expect(error.description.contains(path))
        #expect(error.description.contains("No such file or directory (errno 2)"))
    }

    @Test func fileThatIsNotExecutableIsAnErrorNamingThePath() throws {
        let directory = try TemporaryDirectory()
        let plain = try directory.write("plain", "#!/bin/sh\nexit 0\n", mode: 0o644)
        #expect(throws: ProcessError.spawnFailed(path: plain, errno: EACCES)) {
            try Process.spawn(executableName: plain)
        }
        // Executable bit, but no executable format: posix_spawn does not fall back to a shell.
        let garbage = try directory.write("garbage", "this is not a program\n", mode: 0o755)
        #expect(throws: ProcessError.spawnFailed(path: garbage, errno: ENOEXEC)) {
            try Process.spawn(executableName: "garbage", searchDirectory: directory.path)
        }
        #expect(throws: ProcessError.spawnFailed(path: directory.path, errno: EACCES)) {
            try Process.spawn(executableName: directory.path)
        }
        #expect(ProcessError.spawnFailed(path: plain, errno: EACCES).description
            == "cannot start \(plain): Permission denied (errno 13); is it executable (chmod +x) and its directory searchable?")
    }

    @Test func theRunningExecutablesDirectoryIsSearchedByDefault() throws {
        #expect(try Process.executablePath("x", searchDirectory: nil) == TestChild.path.dropLast(TestChild.name.count) + "x")
        #expect(try Process.executablePath("x", searchDirectory: "/opt/bin/") == "/opt/bin/x")
        #expect(try Process.executablePath("/abs/x", searchDirectory: "/opt/bin") == "/abs/x")
        #expect(try Process.executablePath("x", searchDirectory: "") == "x")
        // And the absolute path of the child works like its name.
        let child = try Process.spawn(executableName: TestChild.path, environment: ["MP_TEST_CHILD_MODE": "exit:3"])
        defer { TestChild.killIfRunning(child.pid) }
        close(child.fd)
        #expect(try TestChild.wait(child.pid) == .exited(3))
    }

    @Test func badSpawnRequestsAreRefusedBeforeAnythingStarts() {
        #expect(throws: ProcessError.self) { try Process.spawn(executableName: "") }
        #expect(throws: ProcessError.self) { try Process.spawn(executableName: "a\u{0}b") }
        #expect(throws: ProcessError.self) { try Process.spawn(executableName: "x", searchDirectory: "/tmp\u{0}") }
        for bad in [["": "x"], ["A=B": "x"], ["A": "x\u{0}y"]] {
            do {
                _ = try Process.spawn(executableName: TestChild.name, environment: bad)
                Issue.record("environment \(bad) was accepted")
            } catch {
                guard case .invalidSpawnRequest(let reason) = error else {
                    Issue.record("environment \(bad): \(error)")
                    continue
                }
                #expect(reason.contains("environment variable"))
            }
        }
    }

    @Test func environmentOverridesReplaceInheritedEntries() throws {
        let entries = try Process.childEnvironment(["PATH": "/nowhere", "MP_NEW": "1"])
        #expect(entries.filter { $0.hasPrefix("PATH=") } == ["PATH=/nowhere"])
        #expect(entries.contains("MP_NEW=1"))
    }
}
