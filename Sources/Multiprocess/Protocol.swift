// Protocol: how a process talks to another over one socket, as Bitcoin Core's ipc::Protocol
// (its Cap'n Proto implementation): `connect` gives the peer's Init, `serve` exports ours.

@_spi(Generated) import Capnp
import CapnpRPC
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Cap'n Proto over a connected unix socket, with libmultiprocess's conventions: the first
/// call is `Init.construct` (thread maps exchanged), and calls carry a `Proxy.Context` filled
/// by the connection's `ProxyContext` (a peer thread per call in flight, callbacks on the
/// caller's thread).
///
/// Copies of a Protocol share its `context` and its listeners.
///
/// ```swift
/// // One end of a socketpair each: the child serves, the parent connects.
/// try await Protocol().serve(fd: childEnd, init: EchoInit())        // until the peer closes
/// let connected = try Protocol().connect(fd: parentEnd, as: Init.Client.self)
/// let echo = try await connected.initClient.makeEcho()             // construct went first
/// ```
public struct Protocol: Sendable {
    public var options: ConnectionOptions
    public var logger: Logger
    /// Application state for IPC code (Bitcoin Core's `Protocol::context()`).
    public let context: IpcContext
    private let listeners = Listeners()
    /// The name of the threads this process asks its peers for (they number them).
    public var threadName = "swift"
    /// Mutation knob for tests: false sends every call of a connection on one thread.
    var threadPerCall = true

    public init(options: ConnectionOptions = ConnectionOptions(), logger: Logger = Logger(label: "ipc"),
                context: IpcContext = IpcContext()) {
        self.options = options
        self.logger = logger
        self.context = context
    }

    /// The peer's `Init` on a connection, and the connection.
    public struct Connected<Init: CapabilityClient>: Sendable {
        /// Calls on it (and on what it returns) carry the connection's context.
        public let initClient: Init
        public let connection: Connection
        /// The `construct` call: it answers once the peer serves (the first reply).
        let construct: OutgoingCall

        /// Waits for the peer to answer `construct`, the first call of the connection.
        public func ready() async throws(RPCError) {
            _ = try await construct.response()
        }
    }

    /// Starts RPC on `fd` (taken) and asks the peer for its `Init`. Nothing waits: `construct`
    /// is sent, and calls on the Init may follow at once (their `makeThread` pipelined on it).
    public func connect<Init: CapabilityClient>(fd: Int32, as type: Init.Type, threadName: String? = nil) throws(RPCError) -> Connected<Init> {
        let threadName = threadName ?? self.threadName
        let connection = try Connection(fd: fd, options: options)
        let bootstrap = connection.bootstrap()
        // construct @0 (threadMap :ThreadMap) -> (threadMap :ThreadMap), whatever Init it is.
        let params = MessageBuilder(firstSegmentWords: 8)
        params.root.initStruct(dataWords: 0, pointerCount: 1)._pointer(0).setClient(Self.threadMap())
        let construct = bootstrap.send(interfaceId: Init.interfaceId, methodId: 0, params: params)
        let threadMap = Proxy.ThreadMap.Client(construct.pipeline([0]))
        let context = ProxyContext(threadMap: threadMap, threadName: threadName, threadPerCall: threadPerCall)
        // Registered before any call goes out, so that the peer's callbacks find it.
        CallInterceptors.register(context, forConnectionOf: bootstrap)
        logger.debug("connected on fd \(fd); construct sent")
        watch(connection, "connection on fd \(fd)", context: context)
        return Connected(initClient: Init(bootstrap.with(interceptor: context)), connection: connection, construct: construct)
    }

    /// Serves `init` on `fd` (taken) until the peer closes the connection or it fails; calls
    /// `ready` once serving.
    @discardableResult
    public nonisolated(nonsending) func serve(fd: Int32, init server: some CapabilityServer,
                      ready: (@Sendable () -> Void)? = nil) async throws(RPCError) -> Disconnect {
        var serverOptions = options
        serverOptions.isServer = true
        let served = ConstructedInit(server, threadName: threadName, threadPerCall: threadPerCall)
        let connection = try Connection(fd: fd, serving: served, options: serverOptions)
        ready?()
        watch(connection, "served connection on fd \(fd)", served: served)
        return await connection.disconnected()
    }

    /// Accepts connections on `fd`, a listening unix socket (taken), serving each with a new
    /// Init from `makeInit`. Peers `policy` does not allow, and connections beyond
    /// `maxConnections`, are closed at once and logged.
    public func listen(fd: Int32, maxConnections: Int = 64, policy: PeerPolicy = .sameUser,
                       makeInit: @escaping @Sendable () -> any CapabilityServer) -> IpcListener {
        var accepted = options
        accepted.isServer = true
        let serverOptions = accepted
        let logger = self.logger
        let threadName = self.threadName, threadPerCall = self.threadPerCall
        let holder = ListenerHolder()
        let listener = IpcListener(fd: fd, logger: logger) { client in
            guard let listener = holder.listener else { close(client); return }
            guard let uid = peerUid(client), policy.allows(uid) else {
                logger.warning("refused a connection on fd \(fd): peer uid \(peerUid(client).map(String.init) ?? "unknown") is not allowed")
                close(client)
                return
            }
            guard listener.makeRoom(limit: maxConnections) else {
                logger.warning("refused a connection on fd \(fd): already \(maxConnections) connections")
                close(client)
                return
            }
            do {
                let served = ConstructedInit(makeInit(), threadName: threadName, threadPerCall: threadPerCall)
                let connection = try Connection(fd: client, bootstrap: Capability(serving: served), options: serverOptions)
                watch(connection, "accepted connection on fd \(client)", served: served)
                listener.add(connection)
            } catch {
                logger.error("could not serve an accepted connection: \(error)")
            }
        }
        holder.listener = listener
        listeners.add(listener)
        listener.start()
        return listener
    }

    /// Closes every connection accepted by the listeners this Protocol started (they go on
    /// accepting): what a process does at shutdown before it stops serving.
    public func disconnectIncoming() {
        listeners.disconnectIncoming()
    }

    /// Runs `cleanup` when the last capability serving `server` is released: its clients
    /// dropped it, or their connection died.
    public func addCleanup(for server: some CapabilityServer, _ cleanup: @escaping @Sendable () -> Void) {
        ServerCleanups.add(for: server, cleanup)
    }

    /// Logs how `connection` ends: a failure (a message over the size limit, garbage, an abort)
    /// as a warning, an ordinary close at debug level. Its call context is forgotten then.
    func watch(_ connection: Connection, _ what: String, context: ProxyContext? = nil,
               served: ConstructedInit? = nil) {
        let logger = self.logger
        connection.onDisconnect { [weak context, weak served] ended in
            if let context { CallInterceptors.unregister(context) }
            if let context = served?.context { CallInterceptors.unregister(context) }
            if ended.cause == .failed {
                logger.warning("\(what) failed: \(ended.reason)")
            } else {
                logger.debug("\(what) ended: \(ended)")
            }
        }
    }

    /// A new ThreadMap to answer `Init.construct` with (the Init server's `construct` returns it).
    public static func threadMap() -> Proxy.ThreadMap.Client {
        Proxy.ThreadMap.Client(serving: ThreadMapServer())
    }
}

/// Lets the accept closure reach its listener without a retain cycle.
private final class ListenerHolder: @unchecked Sendable {
    // @unchecked Sendable: `listener` is set once, before the accept thread that reads it starts.
    weak var listener: IpcListener?
}
