// noded's log: every line to <datadir>/debug.log, and to stdout with -printtoconsole.

import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The open debug.log, shared by every logger; lines are written whole, under a lock.
final class LogFile: Sendable {
    private let fd: Int32
    private let console: Bool
    private let lock = Mutex<Void>(())

    init(path: String, console: Bool) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.console = console
    }

    func write(_ line: String) {
        let bytes = Array(line.utf8)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                _ = Glibc.write(fd, buffer.baseAddress, buffer.count)
                if console { _ = Glibc.write(1, buffer.baseAddress, buffer.count) }
            }
        }
    }

    func flush() { _ = fsync(fd) }
}

struct FileLogHandler: LogHandler {
    let label: String
    let file: LogFile
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let stamp = String(format4: Int(parts.tm_year) + 1900) + "-" + String(pad2: Int(parts.tm_mon) + 1) + "-" + String(pad2: Int(parts.tm_mday))
            + "T" + String(pad2: Int(parts.tm_hour)) + ":" + String(pad2: Int(parts.tm_min)) + ":" + String(pad2: Int(parts.tm_sec)) + "Z"
        file.write("\(stamp) [\(label)] \(event.level): \(event.message)\n")
    }
}

extension String {
    init(pad2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
    init(format4 value: Int) { self = "\(value)" }
}
