// Temporary directories for tests: made fresh, removed with their contents when dropped.

#if canImport(Glibc)
import Glibc
#endif

/// Making or using a temporary directory failed; the description says how.
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh directory under /tmp (short, so socket paths in it fit sun_path), removed with
/// everything in it on deinit. The one way tests make temporary files.
public final class TemporaryDirectory: Sendable {
    public let path: String

    /// `prefix` names the directory (/tmp/<prefix>-XXXXXX), to tell whose it is.
    public init(_ prefix: String = "test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TemporaryDirectoryError("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    deinit { Self.remove(path) }

    /// Writes `text` to the file `name` in this directory, with `mode`; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        try write(name, bytes: Array(text.utf8), mode: mode)
    }

    /// Writes `bytes` to the file `name` in this directory, with `mode`; returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8], mode: mode_t = 0o644) throws -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw TemporaryDirectoryError("cannot create \(file): errno \(errno)") }
        defer { close(fd) }
        try SocketIO.writeAll(fd, bytes)
        guard fchmod(fd, mode) == 0 else { throw TemporaryDirectoryError("chmod \(file): errno \(errno)") }
        return file
    }

    public func read(_ name: String) throws -> String {
        String(decoding: try readBytes(name), as: UTF8.self)
    }

    public func readBytes(_ name: String) throws -> [UInt8] {
        let file = path + "/" + name
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TemporaryDirectoryError("cannot open \(file): errno \(errno)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw TemporaryDirectoryError("read \(file): errno \(errno)") }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    public func makeDirectory(_ name: String) throws {
        guard mkdir(path + "/" + name, 0o700) == 0 else { throw TemporaryDirectoryError("mkdir \(name): errno \(errno)") }
    }

    private static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR, let directory = opendir(path) {
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(directory)
            for name in names { remove(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
