// spawn-cycles mode: many spawn/teardown cycles in a process where nothing else runs, so that its
// fd table and children before and after must match exactly (the test process runs other tests
// in parallel, whose fds and children come and go).

import Multiprocess
#if canImport(Glibc)
import Glibc
#endif

/// Runs `count` cycles, each ending its child a different way, then writes to `fd`:
/// "cycles=C failures=F fds-before=a,b fds-after=a,b children-left=yes|no\n", then the failure
/// if there was one. Returns 0.
func runSpawnCycles(_ count: Int, reportingTo fd: Int32) -> Int32 {
    let before = ((try? Process.openFileDescriptors()) ?? [])
    var failures: [String] = []
    var cycles = 0
    // Stops at the first failure: a child that hangs would make every later cycle wait too.
    while cycles < count && failures.isEmpty {
        if let failure = spawnCycle(cycles) { failures.append("cycle \(cycles): \(failure)") }
        cycles += 1
    }
    let after = ((try? Process.openFileDescriptors()) ?? [])
    var status: Int32 = 0
    // ECHILD: no child at all is left, zombie or running.
    let childrenLeft = !(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD)
    var report = "cycles=\(cycles) failures=\(failures.count) fds-before=\(list(before)) "
        + "fds-after=\(list(after)) children-left=\(childrenLeft ? "yes" : "no")\n"
    for failure in failures { report += failure + "\n" }
    return writeAll(fd, Array(report.utf8)) ? 0 : 1
}

private func list(_ fds: [Int32]) -> String { fds.map(String.init).joined(separator: ",") }

/// One spawn and teardown; nil when it went as expected, else what went wrong.
private func spawnCycle(_ cycle: Int) -> String? {
    do throws(ProcessError) {
        switch cycle % 4 {
        case 0:  // echo a message, close: the child exits 0
            let child = try Process.spawn(executableName: "mp-test-child", environment: ["MP_TEST_CHILD_MODE": "echo"])
            let message = Array("ping \(cycle)".utf8)
            let echoed = writeAll(child.fd, message) ? readExactly(child.fd, message.count) : nil
            close(child.fd)
            let status = try waitGuarded(child.pid)
            if echoed != message { return "echo returned \(String(describing: echoed))" }
            return status == .exited(0) ? nil : "echo child \(status)"
        case 1:  // the child exits on its own with a status of its choosing
            let code = Int32(cycle % 100 + 1)
            let child = try Process.spawn(executableName: "mp-test-child", environment: ["MP_TEST_CHILD_MODE": "exit:\(code)"])
            let status = try waitGuarded(child.pid)
            close(child.fd)
            return status == .exited(code) ? nil : "exit:\(code) child \(status)"
        case 2:  // SIGKILL while it waits for input
            let child = try Process.spawn(executableName: "mp-test-child", environment: ["MP_TEST_CHILD_MODE": "echo"])
            kill(child.pid, SIGKILL)
            let status = try waitGuarded(child.pid)
            close(child.fd)
            return status == .signaled(SIGKILL) ? nil : "killed child \(status)"
        default:  // exec fails: glibc must report it and leave no child behind
            do {
                let child = try Process.spawn(executableName: "mp-test-child-missing")
                close(child.fd)
                return "spawning a missing executable succeeded (pid \(child.pid))"
            } catch {
                if case .spawnFailed(_, ENOENT) = error { return nil }
                return "missing executable: \(error)"
            }
        }
    } catch {
        return "\(error)"
    }
}

/// Waits for `pid`; after 30 s (a hang guard) SIGKILLs it and reports that instead.
private func waitGuarded(_ pid: pid_t) throws(ProcessError) -> ExitStatus {
    for _ in 0..<6000 {
        if let status = try Process.reap(pid) { return status }
        usleep(5_000)
    }
    kill(pid, SIGKILL)
    _ = try Process.waitSpawned(pid)
    throw .systemCallFailed(operation: "waiting 30 s for child \(pid) (killed it)", errno: ETIMEDOUT)
}

/// Reads exactly `count` bytes, giving up after 30 s without data (a hang guard).
private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: count)
    while bytes.count < count {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let polled = poll(&ready, 1, 30_000)
        if polled < 0 && errno == EINTR { continue }
        guard polled > 0 else { return nil }
        let got = read(fd, &buffer, count - bytes.count)
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else { return nil }
        bytes += buffer[0..<got]
    }
    return bytes
}
