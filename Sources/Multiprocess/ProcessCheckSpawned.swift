// Process.checkSpawned: the child's side of spawn — was this process started as `<exe> -ipcfd N`
// (or by another convention)?

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// The IPC socket this process was spawned with, or nil when `arguments` (normally
    /// `CommandLine.arguments`) are not `[exe, "-ipcfd", N]` at all.
    ///
    /// N must be a decimal number naming an open unix stream socket. The fd is marked CLOEXEC,
    /// so that the processes this one starts do not inherit it.
    /// - Throws: `.malformedIpcFd`, `.ipcFdNotOpen` or `.ipcFdNotUnixStreamSocket`; a child should
    ///   print the error and `exit(error.exitStatus)`.
    ///
    /// `convention` says where the fd is (default `-ipcfd N`; `.fdOnly` takes `[exe, N]`).
    public static func checkSpawned(_ arguments: [String], convention: SpawnConvention = .ipcfd) throws(ProcessError) -> Int32? {
        guard let value = convention.fdArgument(arguments) else { return nil }
        // Int32("") is nil, but Int32 also takes "+3" and "-1", which are not fd numbers.
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let fd = Int32(value)
        else { throw .malformedIpcFd(value) }
        try requireUnixStreamSocket(fd)
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0, fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0 else {
            throw .systemCallFailed(operation: "fcntl(\(fd), F_SETFD, FD_CLOEXEC)", errno: errno)
        }
        return fd
    }

    /// Throws unless `fd` is an open AF_UNIX SOCK_STREAM socket.
    static func requireUnixStreamSocket(_ fd: Int32) throws(ProcessError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            if errno == EBADF { throw .ipcFdNotOpen(fd) }
            throw .systemCallFailed(operation: "fstat(\(fd))", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw .ipcFdNotUnixStreamSocket(fd: fd, actual: fileKind(info.st_mode))
        }
        let domain = try socketOption(fd, SO_DOMAIN)
        let type = try socketOption(fd, SO_TYPE)
        guard domain == AF_UNIX else {
            let name = domain == AF_INET ? "AF_INET" : domain == AF_INET6 ? "AF_INET6" : "domain \(domain)"
            throw .ipcFdNotUnixStreamSocket(fd: fd, actual: "a socket of \(name)")
        }
        guard type == Int32(SOCK_STREAM.rawValue) else {
            let name = type == Int32(SOCK_DGRAM.rawValue) ? "datagram" :
                type == Int32(SOCK_SEQPACKET.rawValue) ? "seqpacket" : "type \(type)"
            throw .ipcFdNotUnixStreamSocket(fd: fd, actual: "a \(name) unix socket")
        }
    }

    private static func socketOption(_ fd: Int32, _ option: Int32) throws(ProcessError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0 else {
            throw .systemCallFailed(operation: "getsockopt(\(fd), SOL_SOCKET, \(option))", errno: errno)
        }
        return value
    }

    /// "a regular file", "a directory", … for an st_mode.
    private static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a pipe"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFLNK: "a symbolic link"
        default: "not a socket (mode \(String(mode, radix: 8)))"
        }
    }
}
