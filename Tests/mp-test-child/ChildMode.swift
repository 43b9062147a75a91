// What mp-test-child does with its socket, chosen by the environment variable MP_TEST_CHILD_MODE.

import CapnpRPC
import Multiprocess
import RPCTestKit
#if canImport(Glibc)
import Glibc
#endif

enum ChildMode {
    /// Writes back what it reads until EOF, then exits 0. The default.
    case echo
    /// Exits at once with this status.
    case exit(Int32)
    /// Reads and discards until EOF, answering nothing (a child that never serves), then exits 0.
    case mute
    /// Writes "ipcfd=N fds=a,b,c\n" (its open fds) to the socket, then exits 0.
    case reportFds
    /// Spawns and tears down this many children of its own, then reports (SpawnCycles.swift).
    case spawnCycles(Int)
    /// Serves RPCTestKit's TestInit (its Tester calls the parent back) until the parent closes.
    case serveInit
    /// Serves a Tester on a unix socket (ListenMode.swift) until the parent closes.
    case listen
    /// A mode it does not know: exits 2 with this message.
    case invalid(String)

    static let summary = "echo (default) | exit:<status> | mute | report-fds | spawn-cycles:<count> | init | listen"

    static func fromEnvironment() -> ChildMode {
        guard let raw = getenv("MP_TEST_CHILD_MODE") else { return .echo }
        let mode = String(cString: raw)
        if mode == "echo" || mode.isEmpty { return .echo }
        if mode == "report-fds" { return .reportFds }
        if mode == "mute" { return .mute }
        if mode == "init" { return .serveInit }
        if mode == "listen" { return .listen }
        if mode.hasPrefix("exit:") {
            guard let status = Int32(mode.dropFirst("exit:".count)), (0...255).contains(status) else {
                return .invalid("MP_TEST_CHILD_MODE '\(mode)': the exit status must be 0...255")
            }
            return .exit(status)
        }
        if mode.hasPrefix("spawn-cycles:") {
            guard let count = Int(mode.dropFirst("spawn-cycles:".count)), count > 0 else {
                return .invalid("MP_TEST_CHILD_MODE '\(mode)': the count must be a positive number")
            }
            return .spawnCycles(count)
        }
        return .invalid("unknown MP_TEST_CHILD_MODE '\(mode)'; modes: \(summary)")
    }

    /// Runs the mode on `fd`; returns the exit status.
    func run(_ fd: Int32) -> Int32 {
        switch self {
        case .serveInit:
            // Only this mode starts Swift concurrency (and the fds its runtime opens), so that
            // report-fds sees exactly what the spawn left open.
            Task {
                let ended = try? await Protocol().serve(fd: fd, init: TestInitServer())
                Glibc.exit(ended == nil || ended?.cause == .failed ? 1 : 0)
            }
            while true { pause() }
        case .echo:
            return echo(fd)
        case .exit(let status):
            return status
        case .mute:
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count == 0 { return 0 }
                if count < 0 && errno != EINTR { return 1 }
            }
        case .reportFds:
            let others = ((try? Process.openFileDescriptors()) ?? []).map(String.init).joined(separator: ",")
            return writeAll(fd, Array("ipcfd=\(fd) fds=\(others)\n".utf8)) ? 0 : 1
        case .spawnCycles(let count):
            return runSpawnCycles(count, reportingTo: fd)
        case .listen:
            return runListen(fd)
        case .invalid(let message):
            printError(message)
            return 2
        }
    }

    private func echo(_ fd: Int32) -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count == 0 { return 0 }
            if count < 0 {
                if errno == EINTR { continue }
                printError("read from fd \(fd) failed: errno \(errno)")
                return 1
            }
            guard writeAll(fd, Array(buffer[0..<count])) else { return 1 }
        }
    }
}

