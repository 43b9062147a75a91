// The socket path an IPC address names: `unix`, `unix:/absolute/path`, or `unix:<path>` relative
// to the data directory.

#if canImport(Glibc)
import Glibc
#endif

/// A unix socket path that fits in a `sockaddr_un`.
struct UnixSocketPath {
    /// `sun_path` holds 108 bytes, and we always pass the terminating NUL.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    let path: String

    /// Parses `address`: `unix` is `<dataDirectory>/<name>.sock`; `unix:<path>` is `path`, a
    /// relative one taken relative to `dataDirectory`. An absolute path needs neither.
    init(address: String, dataDirectory: String?, name: String?) throws(ProcessError) {
        let path: String
        if address == "unix" {
            guard let name, !name.isEmpty else {
                throw .invalidAddress(address: address, reason: "'unix' needs a process name to make <name>.sock")
            }
            guard let dataDirectory else {
                throw .invalidAddress(address: address, reason: "'unix' needs a data directory to hold <name>.sock; or give 'unix:/absolute/path'")
            }
            path = joinPath(dataDirectory, name + ".sock")
        } else if address.hasPrefix("unix:") {
            let given = String(address.dropFirst("unix:".count))
            guard !given.isEmpty else {
                throw .invalidAddress(address: address, reason: "no path after 'unix:'")
            }
            if given.hasPrefix("/") {
                path = given
            } else if let dataDirectory {
                path = joinPath(dataDirectory, given)
            } else {
                throw .invalidAddress(address: address, reason: "a relative path needs a data directory; or give an absolute path")
            }
        } else {
            throw .unknownAddressScheme(address)
        }
        guard !path.utf8.contains(0) else {
            throw .invalidAddress(address: address, reason: "the socket path contains a NUL byte")
        }
        let bytes = path.utf8.count
        guard bytes <= Self.maxPathBytes else { throw .socketPathTooLong(path: path, bytes: bytes) }
        self.path = path
    }

    /// Calls `body` with this path as a `sockaddr` for bind / connect.
    func withSocketAddress<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: path.utf8)  // the rest stays zero: the NUL
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
