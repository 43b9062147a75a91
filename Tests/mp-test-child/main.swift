// The child of the Multiprocess tests: started by Process.spawn as `mp-test-child -ipcfd N` (or
// `mp-test-child N`), it
// does on that socket what MP_TEST_CHILD_MODE says (ChildMode.swift), so argv stays exactly that.

import Multiprocess
#if canImport(Glibc)
import Glibc
#endif

let ipcFd: Int32
do throws(ProcessError) {
    // `-ipcfd N`, or `N` alone (libmultiprocess's example convention, SpawnConvention.fdOnly).
    var found = try Process.checkSpawned(CommandLine.arguments)
    if found == nil { found = try Process.checkSpawned(CommandLine.arguments, convention: .fdOnly) }
    guard let fd = found else {
        _ = writeAll(2, Array(("usage: mp-test-child -ipcfd N | mp-test-child N\n"
            + "  Started by the Multiprocess tests through Process.spawn; N is its socket.\n"
            + "  MP_TEST_CHILD_MODE: \(ChildMode.summary)\n").utf8))
        exit(2)
    }
    ipcFd = fd
} catch {
    printError("\(error)")
    exit(error.exitStatus)
}
Process.ignoreInterrupts()
exit(ChildMode.fromEnvironment().run(ipcFd))
