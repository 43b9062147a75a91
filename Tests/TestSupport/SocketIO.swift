// Byte I/O on sockets and pipes for tests, with hang guards.

#if canImport(Glibc)
import Glibc
#endif

/// A SocketIO call failed; the description says how.
public struct SocketIOError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Reading and writing whole messages on a socket, with hang guards.
public enum SocketIO {
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            // send(2) for MSG_NOSIGNAL (a peer that hung up is an error, not a SIGPIPE); write(2)
            // for what is not a socket.
            var written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == ENOTSOCK { written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw SocketIOError("write to fd \(fd) failed: errno \(errno)") }
            offset += written
        }
    }

    public static func writeAll(_ fd: Int32, _ text: String) throws { try writeAll(fd, Array(text.utf8)) }

    /// Exactly `count` bytes; throws on EOF first, or when nothing comes for `seconds`.
    public static func readExactly(_ fd: Int32, _ count: Int, seconds: Int = 30) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            let chunk = try readSome(fd, upTo: count - bytes.count, seconds: seconds)
            guard !chunk.isEmpty else { throw SocketIOError("EOF on fd \(fd) after \(bytes.count) of \(count) bytes") }
            bytes += chunk
        }
        return bytes
    }

    /// Everything until EOF.
    public static func readToEnd(_ fd: Int32, seconds: Int = 30) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let chunk = try readSome(fd, upTo: 65536, seconds: seconds)
            if chunk.isEmpty { return bytes }
            bytes += chunk
        }
    }

    /// One read (empty at EOF), after waiting at most `seconds` for the fd to become readable.
    public static func readSome(_ fd: Int32, upTo limit: Int, seconds: Int = 30) throws -> [UInt8] {
        try awaitReadable(fd, seconds: seconds)
        var buffer = [UInt8](repeating: 0, count: limit)
        while true {
            let count = read(fd, &buffer, limit)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SocketIOError("read from fd \(fd) failed: errno \(errno)") }
            return Array(buffer[0..<count])
        }
    }

    /// Waits until `fd` is readable (for a listening socket: has a connection to accept).
    public static func awaitReadable(_ fd: Int32, seconds: Int = 30) throws {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let result = poll(&ready, 1, Int32(seconds * 1000))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw SocketIOError("fd \(fd) not readable within \(seconds) s") }
            return
        }
    }

    /// The next connection on `listener` (CLOEXEC), waiting at most `seconds` for it.
    public static func accept(_ listener: Int32, seconds: Int = 30) throws -> Int32 {
        try awaitReadable(listener, seconds: seconds)
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { throw SocketIOError("accept on fd \(listener) failed: errno \(errno)") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    public static func isCloseOnExec(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFD)
        return flags >= 0 && flags & FD_CLOEXEC != 0
    }
}
