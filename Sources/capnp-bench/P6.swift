// P6 idle-child-rss-MB and P6a idle-child-anon-MB: the memory of a spawned child that has
// answered one ping and then sits idle.

import CapnpRPC
#if canImport(Glibc)
import Glibc
#endif

enum P6 {
    static let idleMilliseconds: UInt32 = 200

    /// Megabytes of the idle child's resident set (`anonymous`: of its anonymous part only).
    static func run(anonymous: Bool) async throws -> Double {
        let child = try Child.spawn()
        defer { child.kill() }
        let connection = try Connection(fd: child.fd)
        defer { connection.close() }
        try await connection.bootstrap(as: Bench.Client.self).ping()
        usleep(idleMilliseconds * 1000)
        let kB = try statusField(child.pid, anonymous ? "RssAnon" : "VmRSS")
        if getenv("BENCH_VERBOSE") != nil {
            printError("idle child threads=\(try statusField(child.pid, "Threads"))")
        }
        return Double(kB) / 1024
    }

    /// The number in a `Name:   123 kB` line of /proc/<pid>/status.
    static func statusField(_ pid: pid_t, _ name: String) throws(BenchError) -> Int {
        guard let file = fopen("/proc/\(pid)/status", "r") else { throw BenchError("cannot open /proc/\(pid)/status") }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix(name + ":") else { continue }
            let digits = text.dropFirst(name.count + 1).drop { $0 == " " || $0 == "\t" }.prefix { $0.isNumber }
            if let value = Int(digits) { return value }
        }
        throw BenchError("no \(name) in /proc/\(pid)/status")
    }
}
