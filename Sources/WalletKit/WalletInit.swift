// The Init node-wallet serves: makeWalletLoader(chain) returns the WalletLoader over that Chain.
// The other ordinals belong to the node's Init and answer unimplemented here.

import CapnpRPC
import Multiprocess
import NodeInterfaces

public final class WalletInit: Init.Server {
    private let datadir: String
    private let onStop: @Sendable () -> Void

    public init(datadir: String, onStop: @escaping @Sendable () -> Void = {}) {
        self.datadir = datadir
        self.onStop = onStop
    }

    public func makeWalletLoader(_ call: ServerCall<Init.MakeWalletLoaderParams, Init.MakeWalletLoaderResults>) async throws {
        guard call.params.hasChain else { throw RPCError(.failed, "makeWalletLoader needs the node's Chain") }
        let chain = call.params.chain
        let manager = WalletManager(datadir: datadir, chain: IPCChain(client: chain))
        call.results.setResult(WalletLoader.Client(serving: WalletLoaderServer(manager: manager, chainClient: chain, onStop: onStop)))
    }
}
