// One two-party RPC connection over a unix stream socket.

import Capnp
internal import CCapnpRPC

/// Limits and role of a connection.
public struct ConnectionOptions: Sendable {
    /// Incoming messages larger than this many words fail the connection (default 8 Mi = 64 MiB).
    /// Same name, type and default as `ReaderOptions.traversalLimitInWords`.
    public var traversalLimitInWords: Int
    /// Maximum struct/list nesting depth of incoming messages (default 64, as `ReaderOptions`).
    public var nestingLimit: Int
    /// Maximum fds accepted per incoming message; 0 refuses fds (default 4).
    public var maxFdsPerMessage: UInt32
    /// Which end of the two-party connection this is; only tells the two ends apart.
    public var isServer: Bool
    /// Closes the connection when no message went either way for this long (nil = never,
    /// the default). A call whose server works longer than this in silence ends with it.
    public var idleTimeout: Duration?
    /// On the server side (`isServer`): closes the connection when no call completed on it (the
    /// Bootstrap's answer counts) this long after it was made, so that sockets that connect and
    /// say nothing cannot hold a slot. nil = never. Default 10 s: far above what a live peer
    /// needs (its Bootstrap is answered at once), with room for a stalled, loaded machine.
    public var handshakeTimeout: Duration?
    /// Bound on what the peer can make this side hold: output queued for it plus its calls not
    /// answered yet (their bytes and 1 KiB each). Past it, the peer's next message waits until
    /// it reads or the answers go out, so a peer that sends calls and never reads its answers
    /// stops itself, and nobody else. nil = no bound. Default 4 MiB.
    public var maxHeldBytes: Int?
    /// Outgoing window: while the params of calls this side sent and has not had answered add up
    /// to more than this, the async `Capability.call` (and generated async methods) wait before
    /// sending, so streaming large calls to a slow peer waits instead of queueing without end.
    /// The sync `send` does not wait (pipelining never blocks). nil = no window. Default 4 MiB.
    public var maxCallBytesInFlight: Int?

    public init(traversalLimitInWords: Int = 8 << 20, nestingLimit: Int = 64,
                maxFdsPerMessage: UInt32 = 4, isServer: Bool = false, idleTimeout: Duration? = nil,
                handshakeTimeout: Duration? = .seconds(10), maxHeldBytes: Int? = 4 << 20,
                maxCallBytesInFlight: Int? = 4 << 20) {
        self.traversalLimitInWords = traversalLimitInWords
        self.nestingLimit = nestingLimit
        self.maxFdsPerMessage = maxFdsPerMessage
        self.isServer = isServer
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.maxHeldBytes = maxHeldBytes
        self.maxCallBytesInFlight = maxCallBytesInFlight
    }
}

/// How and why a connection ended.
public struct Disconnect: Sendable, Equatable, CustomStringConvertible {
    public enum Cause: Sendable, Equatable {
        /// The peer closed the socket, or it broke (the peer was killed).
        case peer
        /// This side ended it: `close()`, the last reference going, or the idle timeout.
        case local
        /// The peer sent what this side refuses (a message above the size limit, garbage, a
        /// protocol violation; the peer is told why), or the peer aborted the connection.
        case failed
    }

    public let cause: Cause
    /// In words, e.g. the limit an incoming message broke.
    public let reason: String

    public init(_ cause: Cause, _ reason: String) {
        self.cause = cause
        self.reason = reason
    }

    public var description: String { "\(cause): \(reason)" }
}

/// A two-party RPC connection. Each side may export one bootstrap capability and ask for the
/// other's. Closing it (or dropping it and every capability that came from it) closes the
/// socket; calls still in flight then fail with `.disconnected`.
///
/// ```swift
/// let server = try Connection(fd: theirs, serving: MyEcho())       // serves its bootstrap
/// try await withConnection(fd: mine) { connection in               // closed when the body ends
///     let echo = connection.bootstrap(as: Echo.Client.self)
///     print(try await echo.echo(echo: "hi"))
///     print(server.disconnect == nil)                              // true: still open here
/// }
/// ```
public final class Connection: Sendable {
    private let handle: Locked<OpaquePointer?>
    private let events: DisconnectEvents
    private let window: OutgoingWindow?

    /// Starts RPC on `fd`, a connected unix stream socket, which the connection owns from now on
    /// (closed also on failure). `bootstrap` is what the peer gets when it asks for ours.
    public init(fd: Int32, bootstrap: Capability? = nil, options: ConnectionOptions = ConnectionOptions()) throws(RPCError) {
        let events = DisconnectEvents()
        var raw = ccapnp_connection_options_default()
        raw.traversal_limit_words = UInt64(max(options.traversalLimitInWords, 0))
        raw.nesting_limit = Int32(clamping: options.nestingLimit)
        raw.max_fds_per_message = options.maxFdsPerMessage
        raw.is_server = options.isServer ? 1 : 0
        raw.idle_timeout_ms = options.idleTimeout.map(Self.milliseconds) ?? 0
        raw.handshake_timeout_ms = options.isServer ? options.handshakeTimeout.map(Self.milliseconds) ?? 0 : 0
        raw.max_held_bytes = options.maxHeldBytes.map { UInt64(max($0, 1)) } ?? 0
        let context = Unmanaged.passRetained(events).toOpaque()
        let handle = ccapnp_connection_new(fd, &raw, bootstrap?.handle, { context, how, reason in
            let cause: Disconnect.Cause = switch how {
            case CCAPNP_ENDED_LOCAL: .local
            case CCAPNP_ENDED_FAILED: .failed
            default: .peer
            }
            let disconnect = Disconnect(cause, reason.map { String(cString: $0) } ?? "")
            Unmanaged<DisconnectEvents>.fromOpaque(context!).takeRetainedValue().fire(disconnect)
        }, context)
        guard let handle else {
            // The shim closed the fd and already reported why (releasing the context).
            throw RPCError(.failed, events.current?.reason ?? "could not create an RPC connection on fd \(fd)")
        }
        self.handle = Locked(handle)
        self.events = events
        self.window = options.maxCallBytesInFlight.map { OutgoingWindow(limit: $0) }
    }

    /// Serves `server` as this side's bootstrap capability.
    public convenience init(fd: Int32, serving server: some CapabilityServer,
                            options: ConnectionOptions = ConnectionOptions()) throws(RPCError) {
        try self.init(fd: fd, bootstrap: Capability(serving: server), options: options)
    }

    deinit { close() }

    /// At least 1 ms (0 would mean no timeout), at most UInt32.max.
    private static func milliseconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        return UInt32(min(max(ms.rounded(.up), 1), Double(UInt32.max)))
    }

    /// The peer's bootstrap capability. Usable at once: calls on it are pipelined until the peer
    /// answers. It keeps this connection open while it lives.
    public func bootstrap() -> Capability {
        guard let cap = handle.withLock({ $0.flatMap(ccapnp_connection_bootstrap) }) else {
            return .broken(.disconnected, "the connection is closed")
        }
        return Capability(owning: cap, lineage: Lineage(keepAlive: self, window: window))
    }

    /// The peer's bootstrap capability as a generated client.
    public func bootstrap<Client: CapabilityClient>(as type: Client.Type) -> Client {
        Client(bootstrap())
    }

    /// Closes the connection now. Bootstrap capabilities from it stop working.
    public func close() {
        if let handle = handle.withLock({ handle in defer { handle = nil }; return handle }) {
            ccapnp_connection_release(handle)
        }
    }

    /// Whether a call completed on this connection (an answer went either way; the Bootstrap's
    /// counts). A listener evicts, when full, the longest-idle connection for which this is false.
    public var completedCall: Bool {
        handle.withLock { $0.map { ccapnp_connection_completed_call($0) != 0 } ?? false }
    }

    /// How the connection ended, or nil while it is open.
    public var disconnect: Disconnect? { events.current }

    /// Runs `handler` (on the loop thread; it must not block) when the connection ends, or at
    /// once if it has already ended.
    public func onDisconnect(_ handler: @escaping @Sendable (Disconnect) -> Void) {
        events.add(handler)
    }

    /// Waits until the connection ends.
    public nonisolated(nonsending) func disconnected() async -> Disconnect {
        await withUnsafeContinuation { continuation in
            events.add { continuation.resume(returning: $0) }
        }
    }
}

/// The disconnect signal of one connection: fired exactly once by the shim.
final class DisconnectEvents: Sendable {
    private let state = Locked<(fired: Disconnect?, handlers: [@Sendable (Disconnect) -> Void])>((nil, []))

    var current: Disconnect? { state.withLock { $0.fired } }

    func add(_ handler: @escaping @Sendable (Disconnect) -> Void) {
        let fired: Disconnect? = state.withLock { state in
            if state.fired == nil { state.handlers.append(handler) }
            return state.fired
        }
        if let fired { handler(fired) }
    }

    func fire(_ reason: Disconnect) {
        let handlers = state.withLock { state in
            state.fired = reason
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler(reason) }
    }
}
