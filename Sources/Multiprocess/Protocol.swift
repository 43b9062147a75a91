// Protocol: how a process talks to another over one socket, as Bitcoin Core's ipc::Protocol
// (its Cap'n Proto implementation): `connect` gives the peer's Init, `serve` exports ours.

import Capnp
import CapnpRPC
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Cap'n Proto over a connected unix socket, with libmultiprocess's conventions: the first
/// call is `Init.construct` (thread maps exchanged), and calls carry a `Proxy.Context` naming
/// a thread made once per connection with `makeThread`.
///
/// Copies of a Protocol share its `context` and its listeners.
public struct Protocol: Sendable {
    public var options: ConnectionOptions
    public var logger: Logger
    /// Application state for IPC code (Bitcoin Core's `Protocol::context()`).
    public let context: IpcContext
    private let listeners = Listeners()

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
    /// and `makeThread` are sent pipelined, and calls on the Init may follow at once.
    public func connect<Init: CapabilityClient>(fd: Int32, as type: Init.Type, threadName: String = "swift-client") throws(RPCError) -> Connected<Init> {
        let connection = try Connection(fd: fd, options: options)
        let bootstrap = connection.bootstrap()
        // construct @0 (threadMap :ThreadMap) -> (threadMap :ThreadMap), whatever Init it is.
        let params = MessageBuilder(firstSegmentWords: 8)
        params.root.initStruct(dataWords: 0, pointerCount: 1).pointer(0).setClient(Self.threadMap())
        let construct = bootstrap.send(interfaceId: Init.interfaceId, methodId: 0, params: params)
        let threadMap = ThreadMap.Client(construct.pipeline([0]))
        let thread = try threadMap.sendMakeThread(name: threadName).result
        let context = ProxyContext(thread: thread.capability)
        logger.debug("connected on fd \(fd); construct and makeThread(\(threadName)) sent")
        watch(connection, "connection on fd \(fd)")
        return Connected(initClient: Init(bootstrap.with(context: context)), connection: connection, construct: construct)
    }

    /// Serves `init` on `fd` (taken) until the peer closes the connection or it fails; calls
    /// `ready` once serving.
    @discardableResult
    public func serve(fd: Int32, init server: some CapabilityServer,
                      ready: (@Sendable () -> Void)? = nil) async throws(RPCError) -> Disconnect {
        var serverOptions = options
        serverOptions.isServer = true
        let connection = try Connection(fd: fd, serving: server, options: serverOptions)
        ready?()
        watch(connection, "served connection on fd \(fd)")
        return await connection.disconnected()
    }

    /// Accepts connections on `fd`, a listening unix socket (taken), serving each with a new
    /// Init from `makeInit`. Peers `policy` does not allow, and connections beyond
    /// `maxConnections`, are closed at once and logged.
    public func listen(fd: Int32, maxConnections: Int = 64, policy: PeerPolicy = .sameUser,
                       makeInit: @escaping @Sendable () -> any CapabilityServer) -> Listener {
        var accepted = options
        accepted.isServer = true
        let serverOptions = accepted
        let logger = self.logger
        let holder = ListenerHolder()
        let listener = Listener(fd: fd, logger: logger) { client in
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
                let connection = try Connection(fd: client, bootstrap: Capability(serving: makeInit()), options: serverOptions)
                watch(connection, "accepted connection on fd \(client)")
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
    /// as a warning, an ordinary close at debug level.
    func watch(_ connection: Connection, _ what: String) {
        let logger = self.logger
        connection.onDisconnect { ended in
            if ended.cause == .failed {
                logger.warning("\(what) failed: \(ended.reason)")
            } else {
                logger.debug("\(what) ended: \(ended)")
            }
        }
    }

    /// A new ThreadMap to answer `Init.construct` with (the Init server's `construct` returns it).
    public static func threadMap() -> ThreadMap.Client {
        ThreadMap.Client(serving: ThreadMapServer())
    }
}

/// Lets the accept closure reach its listener without a retain cycle.
private final class ListenerHolder: @unchecked Sendable {
    // Set once, before the accept thread starts.
    weak var listener: Listener?
}
