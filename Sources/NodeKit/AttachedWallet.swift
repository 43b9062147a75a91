// A wallet process that attached itself (node-wallet -ipcconnect, Node.attachWalletLoader): its
// loader serves wallet commands until its process goes, then the provider it replaced takes over.

import CapnpRPC
import NodeInterfaces
import Synchronization

actor AttachedWallet: WalletProvider {
    private var loader: WalletLoader.Client?
    /// What served wallet commands before (noded's spawning WalletChild, or none with -nowallet).
    let fallback: (any WalletProvider)?
    private let node: NodeRuntime

    init(loader: WalletLoader.Client, fallback: (any WalletProvider)?, node: NodeRuntime) {
        self.loader = loader
        self.fallback = fallback
        self.node = node
    }

    /// The attached loader while its process answers; once it is gone, the fallback's.
    func walletLoader() async throws -> WalletLoader.Client {
        if let loader {
            // The server side does not see the attached connection close, so a cheap call tells.
            do {
                _ = try await loader.getWalletNames()
                return loader
            } catch where error.kind == .disconnected {
                detach(reason: error.reason)
            }
        }
        guard let fallback else {
            throw RPCError(.failed, "the attached wallet process disconnected and this noded runs no wallet process of its own (-nowallet)")
        }
        return try await fallback.walletLoader()
    }

    func standDown() async { await fallback?.standDown() }

    func status() async -> (pid: Int32, state: String) {
        if loader != nil { return (0, "attached (node-wallet -ipcconnect)") }
        return await fallback?.status() ?? (0, "none")
    }

    private func detach(reason: String) {
        loader = nil
        node.walletLog.withLock { $0 }("attached wallet process disconnected (\(reason)); "
            + (fallback == nil ? "no wallet process now" : "the next wallet command starts one"))
        let fallback = self.fallback
        node.wallet.withLock { current in
            if (current as? AttachedWallet) === self { current = fallback }
        }
    }
}
