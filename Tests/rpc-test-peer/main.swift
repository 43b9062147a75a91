// The peer process of the cross-process RPC tests: serves `Tester` on the fd it is given
// (`rpc-test-peer -ipcfd N`) and exits 0 when the other side hangs up.

import CapnpRPC
import RPCTestKit
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String, code: Int32) -> Never {
    let line = Array("rpc-test-peer: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(code)
}

let arguments = CommandLine.arguments
guard arguments.count == 3, arguments[1] == "-ipcfd", let fd = Int32(arguments[2]), fd >= 0 else {
    fail("usage: rpc-test-peer -ipcfd N", code: 2)
}
do {
    let connection = try Connection(fd: fd, serving: TesterServer(), options: ConnectionOptions(isServer: true))
    _ = await connection.disconnected()
    exit(0)
} catch {
    fail("\(error)", code: 1)
}
