// A peer that is not Swift: pycapnp, with only the schema files, drives our Init the way
// Bitcoin Core's interface_ipc.py drives bitcoin-node (construct, makeThread, makeEcho, echo).

import Foundation
import Multiprocess
import NodeInterfaces
import Testing

private let root = String(#filePath).components(separatedBy: "/Tests/").first!
private let python = root + "/.venv/bin/python"

/// Starts `arguments` with `fd` as the child's fd 3; returns its pid.
private func spawnWithFd3(_ arguments: [String], fd: Int32) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fd, 3)
    var argv = arguments.map { strdup($0) }
    defer { argv.forEach { free($0) } }
    argv.append(nil)
    var pid: pid_t = 0
    let status = posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ)
    guard status == 0 else { throw ProcessError.spawnFailed(path: arguments[0], errno: status) }
    return pid
}

@Suite("Init interop with pycapnp", .enabled(if: access(python, X_OK) == 0, "no .venv with pycapnp: run scripts/setup"))
struct PycapnpInitTests {
    @Test("pycapnp calls construct, makeThread, makeEcho(context) and echo on our Init, with and without a context")
    func interfaceIpcStyle() async throws {
        let (ours, theirs) = try socketPair()
        let serving = Task { try await Protocol().serve(fd: ours, init: EchoInit()) }
        let pid = try spawnWithFd3([python, root + "/Tests/Interop/pycapnp_init_client.py", "3"], fd: theirs)
        close(theirs)
        var status: Multiprocess.ExitStatus?
        for _ in 0..<6000 where status == nil {
            status = try Process.reap(pid)
            if status == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        if status == nil { kill(pid, SIGKILL); _ = try? Process.waitSpawned(pid) }
        #expect(status == .exited(0), "pycapnp_init_client.py: its output above names the failed check")
        #expect(try await serving.value == .peer)
    }
}
