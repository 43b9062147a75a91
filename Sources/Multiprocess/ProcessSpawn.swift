// Process.spawn: a socketpair, and a child started with one end of it as fd 3, told so with
// `-ipcfd 3` or another convention.

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Starts `executableName -ipcfd N` with one end of a new unix socketpair as fd N, and returns
    /// the child's pid and the other end.
    ///
    /// The executable is looked for next to the running executable (the directory of
    /// `/proc/self/exe`), or in `searchDirectory`; an absolute `executableName` is used as it is.
    /// The child gets stdin, stdout and stderr, the socket, and no other fd of this process.
    /// `environment` entries are added to (or replace those of) this process's environment.
    ///
    /// The returned fd is CLOEXEC and belongs to the caller. Closing it is the child's signal to
    /// exit; collect the child with `waitSpawned` or `reap`.
    /// - Throws: `ProcessError.spawnFailed` naming the path and errno when the executable cannot
    ///   be run (glibc reports exec failures through `posix_spawn`'s result).
    /// `convention` says how the child is told its fd (default `-ipcfd N`).
    public static func spawn(executableName: String, searchDirectory: String? = nil,
                             environment: [String: String] = [:], convention: SpawnConvention = .ipcfd)
        throws(ProcessError) -> (pid: pid_t, fd: Int32)
    {
        try spawn(executableName: executableName, searchDirectory: searchDirectory, environment: environment,
                  closing: .automatic, arguments: convention.arguments(ipcChildFd))
    }

    /// `spawn`, but the child runs as `executableName arguments…`, for peers that take their
    /// socket another way (not Swift ones, say). The socket is always the child's fd
    /// `childSocketFd`.
    public static func spawn(executableName: String, arguments: [String], searchDirectory: String? = nil,
                             environment: [String: String] = [:]) throws(ProcessError) -> (pid: pid_t, fd: Int32) {
        try spawn(executableName: executableName, searchDirectory: searchDirectory, environment: environment,
                  closing: .automatic, arguments: arguments)
    }

    /// The fd the spawned child has its socket on.
    public static var childSocketFd: Int32 { ipcChildFd }

    /// `spawn` with a choice of how the child closes inherited fds (tests try both), and of its
    /// arguments (nil: `-ipcfd 3`).
    static func spawn(executableName: String, searchDirectory: String?, environment: [String: String],
                      closing strategy: CloseStrategy, arguments: [String]? = nil) throws(ProcessError) -> (pid: pid_t, fd: Int32) {
        let path = try executablePath(executableName, searchDirectory: searchDirectory)
        let envp = try childEnvironment(environment)
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw .systemCallFailed(operation: "socketpair", errno: errno)
        }
        let parentEnd = fds[0]
        var childEnd = fds[1]
        defer { close(childEnd) }
        do throws(ProcessError) {
            if childEnd == ipcChildFd {
                // The child's dup2 onto 3 must not be a dup2 onto itself: that keeps CLOEXEC
                // before glibc 2.29.
                let moved = fcntl(childEnd, F_DUPFD_CLOEXEC, ipcChildFd + 1)
                guard moved >= 0 else { throw .systemCallFailed(operation: "fcntl(F_DUPFD_CLOEXEC)", errno: errno) }
                close(childEnd)
                childEnd = moved
            }
            let pid = try spawnChild(path: path, arguments: [path] + (arguments ?? [ipcFdFlag, String(ipcChildFd)]),
                                     environment: envp, socket: childEnd, parentEnd: parentEnd, closing: strategy)
            return (pid, parentEnd)
        } catch {
            close(parentEnd)
            throw error
        }
    }

    /// Where `spawn` looks for `name`.
    static func executablePath(_ name: String, searchDirectory: String?) throws(ProcessError) -> String {
        guard !name.isEmpty else { throw .invalidSpawnRequest("the executable name is empty") }
        guard !name.utf8.contains(0) else { throw .invalidSpawnRequest("the executable name contains a NUL byte") }
        if name.hasPrefix("/") { return name }
        let directory: String
        if let searchDirectory { directory = searchDirectory } else { directory = try executableDirectory() }
        guard !directory.utf8.contains(0) else {
            throw .invalidSpawnRequest("the search directory contains a NUL byte")
        }
        return joinPath(directory, name)
    }

    /// The directory of the running executable, where `spawn` looks by default.
    public static func executableDirectory() throws(ProcessError) -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { readlink("/proc/self/exe", $0.baseAddress!, $0.count) }
            }
            guard count >= 0 else { throw .executableDirectoryUnknown(errno: errno) }
            if count < buffer.count {
                let path = String(decoding: buffer[0..<count], as: UTF8.self)
                guard let slash = path.lastIndex(of: "/") else { return "." }
                return slash == path.startIndex ? "/" : String(path[..<slash])
            }
            // Possibly truncated: try again with more room.
            buffer = [UInt8](repeating: 0, count: buffer.count * 2)
        }
    }

    /// This process's environment with `overrides` applied, as "NAME=value" strings.
    static func childEnvironment(_ overrides: [String: String]) throws(ProcessError) -> [String] {
        for (name, value) in overrides {
            guard !name.isEmpty, !name.contains("="), !name.utf8.contains(0), !value.utf8.contains(0) else {
                throw .invalidSpawnRequest("environment variable '\(name)' has an empty name, an '=' in its "
                                           + "name, or a NUL byte")
            }
        }
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            let name = text.prefix { $0 != "=" }
            if overrides[String(name)] == nil { entries.append(text) }
            pointer += 1
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) { entries.append("\(name)=\(value)") }
        return entries
    }
}

/// `directory/name`, without a doubled slash; an empty directory means the current one.
func joinPath(_ directory: String, _ name: String) -> String {
    if directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
}
