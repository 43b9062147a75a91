// Process.waitSpawned / reap: how a spawned child ended.

#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended. (Swift Testing has an `ExitStatus` too: test files that import
/// both write `Multiprocess.ExitStatus`.)
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// It exited with this code (0...255).
    case exited(Int32)
    /// A signal with this number ended it.
    case signaled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
    }

    /// Decodes a waitpid status; nil for a stopped or continued child.
    init?(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else if signal != 0x7f && status != 0xffff {
            self = .signaled(signal)
        } else {
            return nil
        }
    }
}

extension Process {

    /// Blocks until child `pid` ends and returns how; EINTR is retried.
    /// - Throws: `.noSuchChild` when `pid` is not an unwaited child of this process (pids ≤ 0 too:
    ///   they would wait for any child).
    public static func waitSpawned(_ pid: pid_t) throws(ProcessError) -> ExitStatus {
        while true {
            if let status = try waitOnce(pid, options: 0) { return status }
        }
    }

    /// How child `pid` ended, or nil while it is still running; does not block.
    /// Throws like `waitSpawned`, so that a poll loop cannot spin on a pid that will never end.
    public static func reap(_ pid: pid_t) throws(ProcessError) -> ExitStatus? {
        try waitOnce(pid, options: WNOHANG)
    }

    private static func waitOnce(_ pid: pid_t, options: Int32) throws(ProcessError) -> ExitStatus? {
        guard pid > 0 else { throw .noSuchChild(pid) }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, options)
            if result == pid { return ExitStatus(waitStatus: status) }
            if result == 0 { return nil }
            switch errno {
            case EINTR: continue
            case ECHILD: throw .noSuchChild(pid)
            case let code: throw .systemCallFailed(operation: "waitpid(\(pid))", errno: code)
            }
        }
    }
}
