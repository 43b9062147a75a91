// node-wallet: the wallet process. `noded` starts it as `node-wallet -ipcfd N` and hands it the
// node's Chain through Init.makeWalletLoader; its keys and wallet files never leave this process.
// The wallet directory is <datadir>/wallets, datadir from -datadir=<dir> or NODE_WALLET_DATADIR.

import Multiprocess
import WalletKit
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    let line = Array("node-wallet: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

let arguments = CommandLine.arguments
let datadir = arguments.first { $0.hasPrefix("-datadir=") }.map { String($0.dropFirst("-datadir=".count)) }
    ?? getenv("NODE_WALLET_DATADIR").map { String(cString: $0) }

guard let datadir, !datadir.isEmpty else {
    fail("no datadir: pass -datadir=<dir> (noded sets NODE_WALLET_DATADIR for its child)")
}

if let status = await Ipc().startSpawnedProcess(arguments, init: WalletInit(datadir: datadir)) {
    exit(status)
}
fail("run by noded as `node-wallet -ipcfd N`; attaching to a running noded with -ipcconnect is not implemented yet")
