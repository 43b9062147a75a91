// The datadir: created if missing, and locked (flock) so that a second noded refuses to use it.

#if canImport(Glibc)
import Glibc
#endif

struct DataDirectory {
    let path: String
    private let lockFd: Int32

    /// Creates `path` (default ~/.noded) with its parents, mode 0700, and takes its lock.
    static func open(_ requested: String?) throws -> DataDirectory {
        let path = try resolve(requested)
        try makeDirectories(path)
        let lockPath = path + "/.lock"
        let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("cannot open the lock file \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Failure("cannot lock the data directory \(path): another noded is probably using it")
        }
        return DataDirectory(path: path, lockFd: fd)
    }

    func unlock() {
        _ = flock(lockFd, LOCK_UN)
        close(lockFd)
    }

    private static func resolve(_ requested: String?) throws -> String {
        var path = requested ?? "~/.noded"
        if path == "~" || path.hasPrefix("~/") {
            guard let home = getenv("HOME").map({ String(cString: $0) }), !home.isEmpty else {
                throw Failure("HOME is not set: give -datadir")
            }
            path = home + path.dropFirst()
        }
        guard !path.isEmpty else { throw Failure("-datadir is empty") }
        if !path.hasPrefix("/") {
            guard let cwd = getcwd(nil, 0) else { throw Failure("cannot read the current directory") }
            defer { free(cwd) }
            path = String(cString: cwd) + "/" + path
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func makeDirectories(_ path: String) throws {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw Failure("cannot create the data directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure("the data directory \(path) is not a directory")
        }
    }
}
