// libmultiprocess's call context for one connection: which of the peer's threads each call runs
// on (one per call in flight, from a pool), and which of ours the peer's callbacks during it use.

@_spi(Generated) import Capnp
import CapnpRPC
import Synchronization

/// The `context :Proxy.Context` of every call on one connection's capabilities, filled by the
/// rules of libmultiprocess:
/// - `thread` is a thread the peer made (`ThreadMap.makeThread`) that no other call in flight
///   uses: an idle one from this connection's pool, else a new one, asked for pipelined in the
///   same message burst (the call pays no extra round trip). It goes back when the call is
///   answered; a cancelled call's thread is dropped (the peer may still be running on it).
/// - While this process serves a call from the peer that named `callbackThread = X`, calls back
///   to the peer (from the handler, its child tasks, or tasks it starts) name `thread = X`.
/// - `callbackThread` is a thread this process serves, for the peer's calls back during it.
///
/// Bound: one thread per call in flight, with no limit (a libmultiprocess client makes one per
/// OS thread that calls); up to `maxIdleThreads` idle ones are kept, and beyond that a thread
/// whose call ended is released (the peer ends it).
public final class ProxyContext: CallInterceptor {
    /// `Proxy.Context`'s type ID (file 0xcc316e3f71a040fb): the generator recognises the param by it.
    public static let typeId: UInt64 = 0x9c44_e664_5d0b_22c6
    /// Idle threads a connection keeps for later calls.
    public static let maxIdleThreads = 64

    /// The peer's ThreadMap (from `Init.construct`); nil: calls send no thread.
    private let threadMap: Proxy.ThreadMap.Client?
    /// Ours, for the peer's callbacks.
    let callbackThread: Capability
    private let threadName: String
    /// Mutation knob for tests: false makes one thread serve every call (what `Protocol` did
    /// before the pool), which a libmultiprocess peer runs one call at a time.
    private let threadPerCall: Bool
    private let pool = Mutex<Pool>(Pool())

    private struct Pool {
        var idle: [PooledThread] = []
        var made = 0
        var shared: Capability?
    }

    init(threadMap: Proxy.ThreadMap.Client?, threadName: String, threadPerCall: Bool = true) {
        self.threadMap = threadMap
        self.threadName = threadName
        self.threadPerCall = threadPerCall
        callbackThread = Proxy.Thread.Client(serving: ThreadServer(name: "\(threadName) callbacks")).capability
    }

    public func fillContext(_ pointer: PointerBuilder, for capability: Capability) {
        let context = pointer.initStruct(dataWords: 0, pointerCount: 2)
        if let serving = ServingContext.current, serving.context === self {
            context._pointer(0).setCapability(entry: serving.callbackThread)
        } else {
            context._pointer(0).setCapability(entry: takeThread())
        }
        context._pointer(1).setCapability(entry: callbackThread)
    }

    public func serve(_ call: IncomingCall, context: PointerReader, _ handler: () async throws -> Void) async throws {
        guard let fields = try? context.readStruct(), !fields._pointer(1).isNull,
              let pointer = try? fields._pointer(1).readCapability()
        else { return try await handler() }
        try await ServingContext.$current.withValue(ServingContext(context: self, callbackThread: pointer.capability)) {
            try await handler()
        }
    }

    /// A capability from this connection going to another connection's peer goes as a local
    /// proxy, whose calls here name this connection's threads.
    public func forwarded(_ capability: Capability, to destination: any CallInterceptor) -> Capability {
        Capability(serving: ForwardingServer(capability, context: self))
    }

    /// An idle thread, or a new one (pipelined); nil without a ThreadMap.
    private func takeThread() -> (any AnyObject & Sendable)? {
        guard let threadMap else { return nil }
        let (idle, number, shared) = pool.withLock { pool -> (PooledThread?, Int, Capability?) in
            if !threadPerCall, let shared = pool.shared { return (nil, 0, shared) }
            if let idle = pool.idle.popLast() { return (idle, 0, nil) }
            pool.made += 1
            return (nil, pool.made, nil)
        }
        if let idle { return idle }
        if let shared { return shared }
        guard let made = try? threadMap.sendMakeThread(name: "\(threadName)/\(number)").result.capability else { return nil }
        guard threadPerCall else {
            pool.withLock { $0.shared = $0.shared ?? made }
            return made
        }
        return PooledThread(made, pool: self)
    }

    fileprivate func giveBack(_ thread: PooledThread) {
        pool.withLock { pool in
            if pool.idle.count < Self.maxIdleThreads { pool.idle.append(thread) }
        }
    }

    /// How many threads it asked the peer for (tests).
    var threadsMade: Int { pool.withLock { $0.made } }
}

/// A peer thread lent to one call at a time.
private final class PooledThread: CallScopedCapability {
    let capability: Capability
    private weak let pool: ProxyContext?

    init(_ capability: Capability, pool: ProxyContext) {
        self.capability = capability
        self.pool = pool
    }

    func callEnded(answered: Bool) {
        if answered { pool?.giveBack(self) }
    }
}

/// The served call the current task works for: its connection's context and the thread its
/// caller named for callbacks.
struct ServingContext: Sendable {
    let context: ProxyContext
    let callbackThread: Capability

    @TaskLocal static var current: ServingContext?
}
