// The Handler a subscription returns: `disconnect`, `destroy`, or dropping it ends the subscription.

import CapnpRPC
import Multiprocess
import NodeInterfaces
import Synchronization

final class HandlerServer: Handler.Server {
    private let cancel = Mutex<(@Sendable () -> Void)?>(nil)

    /// `onEnd` runs once: at disconnect, destroy, or when the last client drops the Handler.
    static func make(_ onEnd: @escaping @Sendable () -> Void) -> Handler.Client {
        let server = HandlerServer()
        server.cancel.withLock { $0 = onEnd }
        Ipc().addCleanup(for: server) { [server] in server.end() }
        return Handler.Client(serving: server)
    }

    func end() {
        let onEnd = cancel.withLock { current in defer { current = nil }; return current }
        onEnd?()
    }

    func disconnect(_ call: ServerCall<Handler.DisconnectParams, Handler.DisconnectResults>) async throws { end() }
    func destroy(_ call: ServerCall<Handler.DestroyParams, Handler.DestroyResults>) async throws { end() }
}
