// node-wallet: the wallet process. `noded` starts it as `node-wallet -ipcfd N` and hands it the
// node's Chain through Init.makeWalletLoader; its keys and wallet files never leave this process.
// The wallet directory is <datadir>/wallets, datadir from -datadir=<dir> or NODE_WALLET_DATADIR.
// `node-wallet -ipcconnect=unix[:path] -datadir=<dir>` attaches to a running noded instead: it takes
// the node's Chain, hands the node its WalletLoader (Node.attachWalletLoader), and runs until the
// node goes.

import CapnpRPC
import Multiprocess
import NodeInterfaces
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
if let connect = arguments.first(where: { $0 == "-ipcconnect" || $0.hasPrefix("-ipcconnect=") }) {
    let address = connect == "-ipcconnect" ? "unix" : String(connect.dropFirst("-ipcconnect=".count))
    do {
        let reason = try await Ipc().withConnection(to: address, dataDirectory: datadir, name: "node", as: Init.Client.self) { node in
            let chain = try await node.initClient.makeChain()
            let loader = try await Init.Client(serving: WalletInit(datadir: datadir)).makeWalletLoader(chain: chain)
            // Attach first: noded stops a wallet child of its own before this one opens the files.
            try await node.initClient.makeNode().attachWalletLoader(loader: loader)
            try await loader.start()  // subscribes it to the chain and reloads the wallets it had
            return await node.connection.disconnected()
        }
        let line = Array("node-wallet: noded went away (\(reason)); exiting\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(0)
    } catch {
        fail("cannot attach to noded at \(address): \(error)")
    }
}
fail("run by noded as `node-wallet -ipcfd N`, or attach to a running noded with -ipcconnect=unix[:path]")
