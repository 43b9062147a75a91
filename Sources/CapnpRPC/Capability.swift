// A client reference to a capability: local server, remote object, promise, fd or broken.

import Capnp
internal import CCapnpRPC

/// A reference to a capability. Dropping the last Swift reference releases it (the peer is told
/// once nothing else holds it). Calls on a capability whose connection is gone fail with
/// `.disconnected`.
///
/// Generated clients wrap one. To hand a peer an object of your own, serve it as one:
///
/// ```swift
/// let echo = Echo.Client(serving: MyEcho())     // a local object, callable like a remote one
/// call.results.setResult(echo)                  // the peer gets a capability to it
/// let file = Capability(fileDescriptor: fd)     // or a capability that carries an fd
/// ```
public final class Capability: @unchecked Sendable {
    // @unchecked Sendable: immutable; the shim's handle (an OpaquePointer) may be used from any thread.
    let handle: OpaquePointer
    /// What it inherited from the capability it came from: its connection, its interceptor.
    let lineage: Lineage

    init(owning handle: OpaquePointer, lineage: Lineage = Lineage()) {
        self.handle = handle
        self.lineage = lineage
    }

    deinit { ccapnp_cap_release(handle) }

    /// A capability whose every call fails with `kind` and `reason`.
    public static func broken(_ kind: RPCError.Kind, _ reason: String) -> Capability {
        let kindCode = RPCError(kind, reason).code
        guard let handle = ccapnp_cap_new_broken(kindCode, reason) else {
            fatalError("capnp event loop unavailable: could not create a capability")
        }
        return Capability(owning: handle)
    }

    /// A capability that carries `fileDescriptor` (ownership taken: it is closed when the last
    /// reference anywhere goes). Put it in a message to pass the fd to a peer.
    public convenience init(fileDescriptor: Int32) {
        guard let handle = ccapnp_cap_new_fd(fileDescriptor) else {
            fatalError("capnp event loop unavailable: could not create a capability")
        }
        self.init(owning: handle)
    }

    /// A capability served by `server` in this process.
    public convenience init(serving server: some CapabilityServer) {
        self.init(owning: ServerBox.makeCapability(server))
    }

    /// The fd this capability carries (a new descriptor, CLOEXEC, that the caller must close),
    /// or nil when it carries none. Waits for a promised capability to resolve.
    public func fileDescriptor() async -> Int32? {
        let fd: Int32 = await withUnsafeContinuation { continuation in
            let box = Unmanaged.passRetained(FdWaiter(continuation)).toOpaque()
            ccapnp_cap_get_fd(handle, { context, fd in
                Unmanaged<FdWaiter>.fromOpaque(context!).takeRetainedValue().continuation.resume(returning: fd)
            }, box)
        }
        return fd >= 0 ? fd : nil
    }

    /// Sends a call and returns at once; await its `response()`, or pipeline on it. It does not
    /// wait for the connection's outgoing window (`ConnectionOptions.maxCallBytesInFlight`), so
    /// that pipelining never blocks; stream large calls with `call` to be held back.
    /// `params` is sent: the compiler rejects changing it afterwards (the shim may still be reading it).
    public func send(interfaceId: UInt64, methodId: UInt16, params: sending MessageBuilder?) -> OutgoingCall {
        OutgoingCall.send(to: self, interfaceId: interfaceId, methodId: methodId, params: params)
    }

    /// Calls a method and waits for its results. Cancelling the task cancels the call. First waits
    /// while the connection has more than `ConnectionOptions.maxCallBytesInFlight` of calls unanswered.
    public nonisolated(nonsending) func call(interfaceId: UInt64, methodId: UInt16, params: sending MessageBuilder?) async throws(RPCError) -> MessageReader {
        await roomToSend()
        return try await send(interfaceId: interfaceId, methodId: methodId, params: params).response()
    }
}

extension Capability {
    /// Waits while the connection's outgoing window is full; at once otherwise. Generated async
    /// methods call it before sending, as `call` does.
    @_spi(Generated) public nonisolated(nonsending) func roomToSend() async {
        if let window = lineage.window, window.isFull { await window.waitForRoom() }
    }
}

/// What capabilities pass on to those that come out of their calls' results: the connection
/// they keep open, and what fills their calls' context param.
struct Lineage: Sendable {
    var keepAlive: (any AnyObject & Sendable)? = nil
    var interceptor: (any CallInterceptor)? = nil
    /// The connection's bound on calls sent and not answered.
    var window: OutgoingWindow? = nil
}

private final class FdWaiter {
    let continuation: UnsafeContinuation<Int32, Never>
    init(_ continuation: UnsafeContinuation<Int32, Never>) { self.continuation = continuation }
}

extension CapabilityPointer {
    /// The capability this pointer refers to. A null pointer, or one whose message carries no
    /// capability table, gives a broken capability (calls on it fail), as in capnp C++.
    public var capability: Capability {
        guard let index else { return .broken(.failed, "null capability") }
        guard let table = message?.capabilityTable as? ReceivedMessage else {
            return .broken(.failed, "capability pointer in a message that was not received over RPC")
        }
        return table.capability(at: index) ?? .broken(.failed, "capability index \(index) is out of range")
    }
}
