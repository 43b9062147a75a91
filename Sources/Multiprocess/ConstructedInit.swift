// The Init a Protocol serves, seen from the connection: its `construct` brings the peer's
// ThreadMap, from which the connection's call context is made.

import Capnp
import CapnpRPC

/// Wraps the Init server of one served connection. The first call of the libmultiprocess
/// convention, `construct @0 (threadMap :ThreadMap)`, hands over the peer's ThreadMap: this
/// makes the connection's `ProxyContext` from it and registers it for the connection, so that
/// calls this process serves there and makes back get libmultiprocess's thread rules.
final class ConstructedInit: CapabilityServer {
    let server: any CapabilityServer
    /// Held as long as this wrapper is served, so that the server's own cleanups
    /// (`Protocol.addCleanup`) run when the connection lets its Init go, as unwrapped.
    private let serving: Capability
    private let threadName: String
    private let threadPerCall: Bool
    private let made = Locked<ProxyContext?>(nil)

    init(_ server: any CapabilityServer, threadName: String, threadPerCall: Bool) {
        self.server = server
        serving = Capability(serving: server)
        self.threadName = threadName
        self.threadPerCall = threadPerCall
    }

    /// The connection's context, once the peer called `construct`.
    var context: ProxyContext? { made.withLock { $0 } }

    func dispatch(_ call: IncomingCall) async throws {
        if call.methodId == 0, context == nil, let root = try? call.params.root().readStruct(),
           !root._pointer(0).isNull {
            let threadMap = root._pointer(0).readClient(Proxy.ThreadMap.Client.self)
            let context = ProxyContext(threadMap: threadMap, threadName: threadName, threadPerCall: threadPerCall)
            made.withLock { $0 = $0 ?? context }
            CallInterceptors.register(context, forConnectionOf: threadMap.capability)
        }
        try await server.dispatch(call)
    }

    var fileDescriptor: Int32? { server.fileDescriptor }
}
