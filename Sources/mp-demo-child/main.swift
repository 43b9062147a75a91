// mp-demo-child: the process mp-demo spawns. It serves an Init that makes Echo objects on the
// socket it inherits (`-ipcfd N`) and exits when mp-demo closes the connection.

import Multiprocess
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
if arguments.count == 2, ["-h", "--help"].contains(arguments[1]) {
    print("usage: mp-demo-child -ipcfd N\n\nStarted by mp-demo, which passes it one end of a socketpair as fd N.")
    exit(0)
}
guard let status = await Ipc().startSpawnedProcess(arguments, init: EchoInit()) else {
    let message = Array("mp-demo-child: not started by mp-demo (expected exactly: -ipcfd N); see --help\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}
exit(status)
