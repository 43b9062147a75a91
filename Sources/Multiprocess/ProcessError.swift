// Everything Process can fail with, each case with a message that says what to do about it.

#if canImport(Glibc)
import Glibc
#endif

/// Why a `Process` operation failed.
public enum ProcessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `spawn` was given an empty name, or a name, directory or environment entry holding a NUL byte.
    case invalidSpawnRequest(String)
    /// `/proc/self/exe` could not be read, so there is no directory to find the executable in.
    case executableDirectoryUnknown(errno: Int32)
    /// `posix_spawn` failed; on glibc this includes exec failures (missing file, not executable).
    case spawnFailed(path: String, errno: Int32)
    /// The value after `-ipcfd` is not a decimal number in 0...Int32.max.
    case malformedIpcFd(String)
    /// The fd named by `-ipcfd` is not open in this process.
    case ipcFdNotOpen(Int32)
    /// The fd named by `-ipcfd` is open but is not a unix stream socket; `actual` says what it is.
    case ipcFdNotUnixStreamSocket(fd: Int32, actual: String)
    /// `waitSpawned` / `reap` got a pid that is not (or no longer) an unwaited child of this process.
    case noSuchChild(pid_t)
    /// An address whose scheme is not `unix`.
    case unknownAddressScheme(String)
    /// A `unix` address that cannot name a socket path.
    case invalidAddress(address: String, reason: String)
    /// The socket path does not fit in `sockaddr_un.sun_path` (108 bytes with the NUL).
    case socketPathTooLong(path: String, bytes: Int)
    /// `bind` found something other than a socket at the path, and left it alone.
    case notASocket(path: String)
    /// `bind` found a socket at the path that a live process still listens on.
    case addressInUse(path: String)
    /// `connect` found no socket at the path, or nobody listening on it.
    case nothingListening(path: String)
    /// Any other failing system call: what was attempted, and its errno.
    case systemCallFailed(operation: String, errno: Int32)

    /// The exit status a spawned child should exit with when `checkSpawned` throws this error,
    /// distinct per kind so that the parent can tell them apart: 2 for a malformed `-ipcfd` value
    /// (a usage error), 3 for an fd that is not open, 4 for an fd that is not a unix stream
    /// socket, 1 for anything else.
    public var exitStatus: Int32 {
        switch self {
        case .malformedIpcFd: 2
        case .ipcFdNotOpen: 3
        case .ipcFdNotUnixStreamSocket: 4
        default: 1
        }
    }

    public var description: String {
        switch self {
        case .invalidSpawnRequest(let reason):
            return "cannot spawn: \(reason)"
        case .executableDirectoryUnknown(let code):
            return "cannot find the directory of the running executable (readlink /proc/self/exe: "
                + "\(errorText(code))); pass searchDirectory or an absolute executable path"
        case .spawnFailed(let path, let code):
            return "cannot start \(path): \(errorText(code))" + spawnHint(code)
        case .malformedIpcFd(let value):
            return "-ipcfd value '\(value)' is not a file descriptor number "
                + "(expected a decimal number from 0 to \(Int32.max))"
        case .ipcFdNotOpen(let fd):
            return "-ipcfd \(fd) is not an open file descriptor; start this program through its "
                + "parent's spawn, which opens the socket it names"
        case .ipcFdNotUnixStreamSocket(let fd, let actual):
            return "-ipcfd \(fd) is \(actual), not a unix stream socket; start this program through "
                + "its parent's spawn, which passes a socketpair end"
        case .noSuchChild(let pid):
            return "process \(pid) is not a child of this process that is left to wait for "
                + "(not spawned here, or already waited for)"
        case .unknownAddressScheme(let address):
            return "unknown address scheme in '\(address)': use 'unix' or 'unix:<path>'"
        case .invalidAddress(let address, let reason):
            return "invalid address '\(address)': \(reason)"
        case .socketPathTooLong(let path, let bytes):
            return "socket path \(path) is \(bytes) bytes; a unix socket path can have at most "
                + "\(UnixSocketPath.maxPathBytes) bytes: use a shorter data directory or 'unix:<shorter path>'"
        case .notASocket(let path):
            return "\(path) exists and is not a socket; left it alone: remove it or choose another address"
        case .addressInUse(let path):
            return "another process is listening on \(path): stop it or choose another address"
        case .nothingListening(let path):
            return "nothing is listening on \(path)"
        case .systemCallFailed(let operation, let code):
            return "\(operation) failed: \(errorText(code))"
        }
    }
}

/// `strerror` text with the number, e.g. "No such file or directory (errno 2)".
func errorText(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}

/// What to check when an exec failed, for the errors people actually hit.
private func spawnHint(_ code: Int32) -> String {
    switch code {
    case ENOENT: "; is it built, and in the directory searched?"
    case EACCES: "; is it executable (chmod +x) and its directory searchable?"
    case ENOEXEC: "; it is not an executable for this machine"
    default: ""
    }
}
