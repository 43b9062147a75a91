// Process.waitSpawned / reap: statuses, bad pids, and many spawn/teardown cycles leaving nothing behind.

import Multiprocess
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Process.waitSpawned and reap")
struct ProcessWaitTests {
    @Test func reapIsNilWhileRunningThenGivesTheStatusOnce() throws {
        let child = try TestChild.spawn("echo")
        defer { TestChild.killIfRunning(child.pid) }
        #expect(try Process.reap(child.pid) == nil)
        close(child.fd)
        #expect(try TestChild.wait(child.pid) == .exited(0))
        #expect(throws: ProcessError.noSuchChild(child.pid)) { try Process.reap(child.pid) }
        #expect(throws: ProcessError.noSuchChild(child.pid)) { try Process.waitSpawned(child.pid) }
    }

    /// Pids that are not our children must fail at once, never block: 0 and -1 would wait for
    /// any child, 1 is init.
    @Test(arguments: [0, -1, -12345, 1] as [pid_t])
    func pidThatIsNotOurChildIsAnError(pid: pid_t) {
        #expect(throws: ProcessError.noSuchChild(pid)) { try Process.waitSpawned(pid) }
        #expect(throws: ProcessError.noSuchChild(pid)) { try Process.reap(pid) }
        #expect(ProcessError.noSuchChild(pid).description.contains("is not a child of this process"))
    }

    @Test func exitStatusDescriptions() {
        #expect(Multiprocess.ExitStatus.exited(3).description == "exited with status 3")
        #expect(Multiprocess.ExitStatus.signaled(9).description == "killed by signal 9")
    }

    /// 200 cycles in a child of ours (spawn-cycles mode), where nothing else runs: this test
    /// process runs other tests in parallel, whose fds and children come and go. Each cycle ends
    /// its child another way (close, own exit, SIGKILL, failed exec); afterwards the fd table must
    /// be as before and no child, zombie or not, left.
    @Test func twoHundredSpawnCyclesLeaveNoFdsAndNoZombies() throws {
        let child = try TestChild.spawn("spawn-cycles:200")
        defer { TestChild.killIfRunning(child.pid) }
        defer { close(child.fd) }
        let report = String(decoding: try SocketIO.readToEnd(child.fd, seconds: 300), as: UTF8.self)
        #expect(try TestChild.wait(child.pid) == .exited(0))
        let lines = report.split(separator: "\n")
        try #require(!lines.isEmpty, "no report")
        var fields: [String: String] = [:]
        for field in lines[0].split(separator: " ") {
            let parts = field.split(separator: "=", maxSplits: 1)
            fields[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        #expect(fields["cycles"] == "200")
        #expect(fields["failures"] == "0", "\(report)")
        #expect(fields["fds-before"] != nil)
        #expect(fields["fds-before"] == fields["fds-after"], "\(report)")
        #expect(fields["children-left"] == "no", "\(report)")
    }
}
