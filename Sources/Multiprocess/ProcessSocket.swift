// Process.bind / connect: the listening and connecting unix sockets of IPC addresses.

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// A listening unix socket for `address` (see `connect` for the syntax); returns its fd
    /// (CLOEXEC, owned by the caller) and path.
    ///
    /// A socket file left at the path by a process that is gone is replaced; one a live process
    /// listens on is not (`.addressInUse`), nor is anything that is not a socket (`.notASocket`).
    /// (Telling the two apart takes a connect: a live listener sees one connection that closes at once.)
    /// The socket file has mode 0600: only this user can connect.
    public static func bind(address: String, dataDirectory: String? = nil, name: String? = nil)
        throws(ProcessError) -> (fd: Int32, path: String)
    {
        let socketPath = try UnixSocketPath(address: address, dataDirectory: dataDirectory, name: name)
        let path = socketPath.path
        try removeStaleSocket(socketPath)
        let fd = try unixStreamSocket()
        var bound = false
        do throws(ProcessError) {
            // Linux gives the socket file the mode of the socket inode (less the umask), so the
            // file is never more open than 0600, not even between bind and chmod.
            guard fchmod(fd, 0o600) == 0 else { throw .systemCallFailed(operation: "fchmod(0600) socket for \(path)", errno: errno) }
            let result = socketPath.withSocketAddress { Glibc.bind(fd, $0, $1) }
            guard result == 0 else {
                if errno == EADDRINUSE { throw .addressInUse(path: path) }
                throw .systemCallFailed(operation: "bind \(path)", errno: errno)
            }
            bound = true
            guard chmod(path, 0o600) == 0 else { throw .systemCallFailed(operation: "chmod 0600 \(path)", errno: errno) }
            guard listen(fd, SOMAXCONN) == 0 else { throw .systemCallFailed(operation: "listen on \(path)", errno: errno) }
            return (fd, path)
        } catch {
            close(fd)
            if bound { unlink(path) }
            throw error
        }
    }

    /// A unix socket connected to `address`; returns its fd (CLOEXEC, owned by the caller).
    ///
    /// Addresses: `unix` is `<dataDirectory>/<name>.sock`; `unix:<path>` is `path`, taken
    /// relative to `dataDirectory` unless absolute (`unix:/run/node.sock` needs neither).
    /// - Throws: `.nothingListening` when there is no socket at the path or nobody listens on it
    ///   (so a caller can treat "no server" apart from real failures), `.notASocket` when
    ///   something else is at the path, `.unknownAddressScheme`, `.socketPathTooLong`, …
    public static func connect(address: String, dataDirectory: String? = nil, name: String? = nil) throws(ProcessError) -> Int32 {
        let socketPath = try UnixSocketPath(address: address, dataDirectory: dataDirectory, name: name)
        let fd = try unixStreamSocket()
        let error = connectSocket(fd, socketPath)
        guard error != 0 else { return fd }
        close(fd)
        let path = socketPath.path
        switch error {
        case ENOENT:
            throw .nothingListening(path: path)
        case ECONNREFUSED:
            // Linux refuses a connect to a regular file the same way; say which it is.
            var info = stat()
            if lstat(path, &info) == 0 && info.st_mode & S_IFMT != S_IFSOCK { throw .notASocket(path: path) }
            throw .nothingListening(path: path)
        default:
            throw .systemCallFailed(operation: "connect to \(path)", errno: error)
        }
    }

    /// Removes a socket file at `socketPath` that nobody listens on; throws for anything else there.
    private static func removeStaleSocket(_ socketPath: UnixSocketPath) throws(ProcessError) {
        let path = socketPath.path
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .systemCallFailed(operation: "lstat \(path)", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: path) }
        // Non-blocking, so that a live listener with a full backlog answers EAGAIN instead of
        // leaving us waiting.
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard probe >= 0 else { throw .systemCallFailed(operation: "socket(AF_UNIX)", errno: errno) }
        let result = socketPath.withSocketAddress { Glibc.connect(probe, $0, $1) }
        let error = result == 0 ? 0 : errno
        close(probe)
        switch error {
        case 0, EAGAIN, EINPROGRESS:
            throw .addressInUse(path: path)
        case ECONNREFUSED:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .systemCallFailed(operation: "unlink stale socket \(path)", errno: errno)
            }
        default:
            throw .systemCallFailed(operation: "connect to \(path) (to see whether the socket there is in use)",
                                    errno: error)
        }
    }

    private static func unixStreamSocket() throws(ProcessError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .systemCallFailed(operation: "socket(AF_UNIX, SOCK_STREAM)", errno: errno) }
        return fd
    }

    /// connect(2), 0 or the errno. An interrupted connect goes on in the background, so EINTR
    /// means waiting for it to finish rather than calling connect again.
    private static func connectSocket(_ fd: Int32, _ socketPath: UnixSocketPath) -> Int32 {
        if socketPath.withSocketAddress({ Glibc.connect(fd, $0, $1) }) == 0 { return 0 }
        guard errno == EINTR else { return errno }
        var pending = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while poll(&pending, 1, -1) < 0 {
            guard errno == EINTR else { return errno }
        }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return errno }
        return error
    }
}
