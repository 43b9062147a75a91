// The peer process of the cross-process RPC tests: serves `Tester` on the fd it is given
// (`rpc-test-peer -ipcfd N`) and exits 0 when the other side hangs up.

import CapnpRPC
import Multiprocess
import RPCTestKit
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String, code: Int32) -> Never {
    let line = Array("rpc-test-peer: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

let fd: Int32
do throws(ProcessError) {
    guard let spawned = try Process.checkSpawned(CommandLine.arguments) else {
        fail("usage: rpc-test-peer -ipcfd N", code: 2)
    }
    fd = spawned
} catch {
    fail("\(error)", code: error.exitStatus)
}
do {
    let connection = try Connection(fd: fd, serving: TesterServer(), options: ConnectionOptions(isServer: true))
    _ = await connection.disconnected()
    exit(0)
} catch {
    fail("\(error)", code: 1)
}
