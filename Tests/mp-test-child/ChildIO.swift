// Small I/O helpers of mp-test-child: stderr, whole writes, the fd table.

#if canImport(Glibc)
import Glibc
#endif

/// "mp-test-child: <message>" on stderr (fd 2: the C `stderr` global is not concurrency-safe).
func printError(_ message: String) {
    _ = writeAll(2, Array("mp-test-child: \(message)\n".utf8))
}

/// Writes all of `bytes`; false (with a message on stderr, unless that is what failed) if the fd fails.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            if fd != 2 { printError("write to fd \(fd) failed: errno \(errno)") }
            return false
        }
        offset += written
    }
    return true
}
