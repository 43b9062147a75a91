// `mp-demo --cycles N`: spawn, call and close the child N times, and check that this process
// ends with the fds and children it started with (no leaked socket, no zombie).

import Multiprocess
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

enum Cycles {
    /// Runs the cycles; prints what it measured; returns whether everything came back.
    static func run(_ count: Int) async -> Bool {
        // Cycle 0 starts what lives for the whole process (the RPC loop thread and its fds).
        var fdsBefore: [Int32]?
        var childrenBefore: [(pid: Int32, state: Character)] = []
        for cycle in 0...count {
            if cycle == 1 {
                fdsBefore = try? Process.openFileDescriptors()
                childrenBefore = children()
            }
            do {
                let child = try await Ipc().spawnProcess("mp-demo-child", as: Init.Client.self)
                let echo = try await child.initClient.makeEcho()
                let answer = try await echo.echo(echo: "cycle \(cycle)")
                let status = await child.close()
                guard answer == "cycle \(cycle)", status == .exited(0) else {
                    print("cycle \(cycle): echo \"\(answer)\", child \(status)")
                    return false
                }
            } catch {
                print("cycle \(cycle) failed: \(error)")
                return false
            }
        }
        let fdsAfter = try? Process.openFileDescriptors()
        let childrenAfter = children()
        print("cycles \(count) fds-before \(fdsBefore?.count ?? -1) fds-after \(fdsAfter?.count ?? -1) "
              + "children-before \(childrenBefore.count) children-after \(childrenAfter.count) "
              + "zombies \(childrenAfter.filter { $0.state == "Z" }.count)")
        return fdsBefore != nil && fdsAfter == fdsBefore && childrenAfter.isEmpty
    }

    /// Processes whose parent is this one, with their state letter (Z: a zombie).
    static func children() -> [(pid: Int32, state: Character)] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [(Int32, Character)] = []
        let me = getpid()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name), let stat = readFile("/proc/\(pid)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm) ": state, then ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == me, let state = fields[0].first { result.append((pid, state)) }
        }
        return result
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(fd, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}
