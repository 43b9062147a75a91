// Helpers of the Process tests: the test child.

import Multiprocess
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A test helper failed; the description says how.
struct ProcessTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The mp-test-child executable, and ways of starting and ending it.
enum TestChild {
    static let name = "mp-test-child"

    /// Where it is built: next to the test bundle, as Process.spawn looks for it.
    static var path: String { path(of: name) }

    /// Where an executable of this package is built.
    static func path(of executable: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "./x"
        return String(exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)]) + "/" + executable
    }

    /// Spawns it through Process.spawn in `mode` (MP_TEST_CHILD_MODE).
    static func spawn(_ mode: String = "echo") throws -> (pid: pid_t, fd: Int32) {
        try Process.spawn(executableName: name, environment: ["MP_TEST_CHILD_MODE": mode])
    }

    /// Waits for `pid` to end; a hang guard kills it after `seconds` (far above a normal run).
    static func wait(_ pid: pid_t, seconds: Int = 60) throws -> ExitStatus {
        for _ in 0..<(seconds * 200) {
            if let status = try Process.reap(pid) { return status }
            usleep(5_000)
        }
        kill(pid, SIGKILL)
        _ = try? Process.waitSpawned(pid)
        throw ProcessTestFailure("child \(pid) had not exited after \(seconds) s; killed it")
    }

    /// For a `defer` after spawning: SIGKILLs and reaps `pid` unless it has been waited for
    /// already, so that a failing test leaves no child behind.
    static func killIfRunning(_ pid: pid_t) {
        do {
            guard try Process.reap(pid) == nil else { return }
        } catch {
            return  // already waited for
        }
        kill(pid, SIGKILL)
        _ = try? Process.waitSpawned(pid)
    }

    /// Runs it (or another `executable` of this package) with exactly `arguments` after argv[0]
    /// (not through Process.spawn), with each `placed.source` fd duplicated onto
    /// `placed.target` in the child; returns how it ended and what it wrote to stderr.
    static func run(_ arguments: [String], placing placed: [(source: Int32, target: Int32)] = [],
                    executable: String = name) throws -> (status: ExitStatus, stderr: String)
    {
        let path = path(of: executable)
        let directory = try TemporaryDirectory()
        let errorPath = directory.path + "/stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        for (source, target) in placed { posix_spawn_file_actions_adddup2(&actions, source, target) }
        var argv = ([path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        argv.append(nil)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard result == 0 else { throw ProcessTestFailure("posix_spawn \(path): errno \(result)") }
        defer { killIfRunning(pid) }
        let status = try wait(pid)
        return (status, try directory.read("stderr"))
    }
}

/// The mode bits (permissions) of the file at `path`, or nil if there is none.
func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode : nil
}
