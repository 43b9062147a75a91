// The fds this process has open, as /proc/self/fd lists them.

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// This process's open fds, sorted (the listing's own fd left out), for closing what a child
    /// must not inherit and for checking that nothing leaked.
    public static func openFileDescriptors() throws(ProcessError) -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else {
            throw .systemCallFailed(operation: "opendir /proc/self/fd", errno: errno)
        }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var fds: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd != own { fds.append(fd) }
        }
        return fds.sorted()
    }
}
