// A peer that is not Swift: pycapnp, with only the schema files, drives our Init the way
// Bitcoin Core's interface_ipc.py drives bitcoin-node (construct, makeThread, makeEcho, echo).

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import TestSupport
import Testing

@Suite("Init interop with pycapnp", .enabled(if: Pycapnp.python != nil, "no .venv with pycapnp: run scripts/setup"))
struct PycapnpInitTests {
    @Test("pycapnp calls construct, makeThread, makeEcho(context) and echo on our Init, with and without a context")
    func interfaceIpcStyle() async throws {
        let (pid, ours) = try Process.spawn(executableName: Pycapnp.python!, arguments: [
            Pycapnp.script("pycapnp_init_client.py"), String(Process.childSocketFd)])
        let serving = Task { try await Protocol().serve(fd: ours, init: EchoInit()) }
        var status: Multiprocess.ExitStatus?
        for _ in 0..<6000 where status == nil {
            status = try Process.reap(pid)
            if status == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        if status == nil { kill(pid, SIGKILL); _ = try? Process.waitSpawned(pid) }
        #expect(status == .exited(0), "pycapnp_init_client.py: its output above names the failed check")
        #expect(try await serving.value.cause == .peer)
    }
}
