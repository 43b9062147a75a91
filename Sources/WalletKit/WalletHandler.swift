// The Handler the wallet's subscriptions (handleLoadWallet, handleTransactionChanged,
// handleShowProgress) return: disconnect, destroy or dropping it ends the subscription once.

import CapnpRPC
import Multiprocess
import NodeInterfaces
import Synchronization

final class WalletHandler: Handler.Server {
    private let onEnd = Mutex<(@Sendable () -> Void)?>(nil)

    static func make(_ end: @escaping @Sendable () -> Void) -> Handler.Client {
        let server = WalletHandler()
        server.onEnd.withLock { $0 = end }
        Ipc().addCleanup(for: server) { [server] in server.end() }
        return Handler.Client(serving: server)
    }

    private func end() { onEnd.withLock { current in defer { current = nil }; return current }?() }

    func disconnect(_ call: ServerCall<Handler.DisconnectParams, Handler.DisconnectResults>) async throws { end() }
    func destroy(_ call: ServerCall<Handler.DestroyParams, Handler.DestroyResults>) async throws { end() }
}
