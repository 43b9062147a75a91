// Serving capabilities: the shim hands every incoming call to a CapabilityServer, which answers
// from a task that starts inline on the loop (no hop if it never suspends).

import Capnp
internal import CCapnpRPC
import Synchronization

/// An object that serves calls. Generated `Server` protocols implement `dispatch` by switching
/// on the interface and method IDs; implement those protocols rather than this one.
public protocol CapabilityServer: AnyObject, Sendable {
    /// Handles one call: read `call.params`, fill `call.results`, or throw. An `RPCError` reaches
    /// the caller as is; any other error as `.failed` with its description.
    ///
    /// It starts on the RPC loop thread, so it must not block; after its first suspension it
    /// continues on the global executor.
    func dispatch(_ call: IncomingCall) async throws

    /// An fd to expose with this capability (kept open by the server), or nil.
    var fileDescriptor: Int32? { get }
}

extension CapabilityServer {
    public var fileDescriptor: Int32? { nil }
}

/// One call to a server: its params, its results, and its answer.
public final class IncomingCall: @unchecked Sendable {
    // @unchecked Sendable: it goes from the loop thread to the one task that serves it, which alone builds the results.
    public let interfaceId: UInt64
    public let methodId: UInt16
    /// The params message; it stays valid after the call is answered.
    public let params: MessageReader
    // Used by the one task serving the call, then by `answer` on the same task.
    private var resultsMessage: MessageBuilder?
    private let handle: OpaquePointer
    /// Where the serving task is (`CallState`); here rather than captured, to save an allocation.
    let taskState = Atomic<UInt8>(CallState.running)

    init(handle: OpaquePointer, interfaceId: UInt64, methodId: UInt16) {
        self.handle = handle
        self.interfaceId = interfaceId
        self.methodId = methodId
        if let params = ccapnp_server_call_take_params(handle) {
            self.params = ReceivedMessage.reader(taking: params)
            // On the loop (dispatch's first step): the capabilities in the params get their
            // connection's interceptor, if it has one.
            if CallInterceptors.anyRegistered, let table = self.params.capabilityTable as? ReceivedMessage {
                _ = table.connectionInterceptor()
            }
        } else {
            self.params = MessageReader(segments: [], options: .trusted, release: {})
        }
    }

    /// The results message, made on first use. Not thread-safe: use it from the serving task.
    public var results: MessageBuilder {
        if let resultsMessage { return resultsMessage }
        let message = MessageBuilder(firstSegmentWords: 128)
        resultsMessage = message
        return message
    }

    /// The params as `Params`.
    public func params<Params: StructType>(as type: Params.Type) throws(RPCError) -> Params.Reader {
        try RPCError.decoding { () throws(CapnpError) in try params.root(as: type) }
    }

    /// Declares the capabilities the results hold so far: calls the client pipelines on them go
    /// straight to them, before this call returns.
    public func setPipeline() {
        MessageBuilder.withMessageIn(resultsMessage) { ccapnp_server_call_set_pipeline(handle, $0) }
    }

    func answer(_ error: (any Error)?, started: ContinuousClock.Instant? = nil) {
        guard let error else {
            let message = resultsMessage
            resultsMessage = nil
            RPCTracing.trace("served \(RPCTracing.describe(interfaceId, methodId))\(RPCTracing.elapsed(since: started)), results \((message?.totalWords ?? 0) * 8) bytes")
            if let message, !message.capabilities.isEmpty {
                message.forwardCapabilities(to: (params.capabilityTable as? ReceivedMessage)?.interceptor)
            }
            MessageBuilder.withMessageIn(message) { ccapnp_server_call_return(handle, $0) }
            return
        }
        let rpcError = error as? RPCError ?? RPCError(.failed, String(describing: error))
        RPCTracing.trace("served \(RPCTracing.describe(interfaceId, methodId)) with an error\(RPCTracing.elapsed(since: started)): \(rpcError)")
        var reason = rpcError.reason
        reason.withUTF8 { ccapnp_server_call_fail(handle, rpcError.code, $0.baseAddress, $0.count) }
    }
}

/// Where a served call's task is: running unlisted, finished, or listed in `ServerBox.calls`.
enum CallState {
    static let running: UInt8 = 0
    static let finished: UInt8 = 1
    static let listed: UInt8 = 2
}

/// The shim-side context of one server: the server, and the calls it is still answering (so a
/// cancellation can find their task).
final class ServerBox: Sendable {
    let server: any CapabilityServer
    /// Tasks of unanswered calls that suspended, by call handle.
    private let calls = Locked<[UInt: Task<Void, Never>]>([:])

    private init(_ server: any CapabilityServer) {
        self.server = server
        ServerCleanups.retain(server)
    }

    deinit { ServerCleanups.release(server) }

    static func makeCapability(_ server: any CapabilityServer) -> OpaquePointer {
        var vtable = ccapnp_server_vtable(
            dispatch: { context, interfaceId, methodId, handle in
                ServerBox.from(context).dispatch(interfaceId, methodId, handle!)
            },
            cancelled: { context, handle in
                ServerBox.from(context).cancel(handle!)
            },
            get_fd: { context in
                ServerBox.from(context).server.fileDescriptor ?? -1
            },
            destroy: { context in
                Unmanaged<ServerBox>.fromOpaque(context!).release()
            })
        let context = Unmanaged.passRetained(ServerBox(server)).toOpaque()
        guard let cap = ccapnp_server_new(&vtable, context) else {
            fatalError("capnp event loop unavailable: could not create a server")
        }
        return cap
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> ServerBox {
        Unmanaged<ServerBox>.fromOpaque(context!).takeUnretainedValue()
    }

    private static func key(_ handle: OpaquePointer) -> UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle))) }

    private func dispatch(_ interfaceId: UInt64, _ methodId: UInt16, _ handle: OpaquePointer) {
        let call = IncomingCall(handle: handle, interfaceId: interfaceId, methodId: methodId)
        RPCTracing.trace("serving \(RPCTracing.describe(interfaceId, methodId)), params \(call.params.wordCount * 8) bytes")
        let started = RPCTracing.start()
        let key = Self.key(handle)
        let server = self.server
        // Most calls finish inline; those skip the registry of running calls entirely.
        let task = Task.immediate {
            var failure: (any Error)?
            do { try await server.dispatch(call) } catch { failure = error }
            if !call.taskState.compareExchange(expected: CallState.running, desired: CallState.finished, ordering: .acquiringAndReleasing).exchanged {
                // Listed: unlist before answering, since once answered the handle may be reused.
                _ = self.calls.withLock { $0.removeValue(forKey: key) }
            }
            call.answer(failure, started: started)
        }
        // Finished inline (the common case): nothing to list, no lock to take.
        if call.taskState.load(ordering: .acquiring) == CallState.finished { return }
        // Still running (suspended): list it so that a cancellation can reach it. Under the lock,
        // so the task's unlisting waits for this.
        calls.withLock { calls in
            if call.taskState.compareExchange(expected: CallState.running, desired: CallState.listed, ordering: .acquiringAndReleasing).exchanged {
                calls[key] = task
            }
        }
    }

    private func cancel(_ handle: OpaquePointer) {
        let key = Self.key(handle)
        calls.withLock { $0[key] }?.cancel()
    }
}
