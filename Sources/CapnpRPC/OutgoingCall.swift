// A call in flight: its answer arrives on the loop and resumes whoever waits for it.

import Capnp
internal import CCapnpRPC

/// An RPC call that was sent. Await `response()` for its results; `pipeline(_:)` gives
/// capabilities from the results before they arrive (promise pipelining).
public final class OutgoingCall: @unchecked Sendable {
    // @unchecked Sendable: `state` changes only under `stateLock`; the shim handle is set once, at send.
    typealias Outcome = Result<MessageReader, RPCError>
    typealias Waiter = UnsafeContinuation<Outcome, Never>
    private enum State {
        /// One waiter needs no array (the common case: one task awaits the answer).
        case waiting(Waiter?, [Waiter])
        case done(Outcome)
    }

    // Set once in `send`, before the call is shared; the shim allows use from any thread.
    private var handle: OpaquePointer?
    /// Guards `state`. Inline rather than a `Locked`, which would cost two more allocations per
    /// call: the lock is held for a few instructions only, never across a call out.
    private let stateLock = SpinLock()
    private var state = State.waiting(nil, [])

    /// What was called (for tracing).
    let interfaceId: UInt64
    let methodId: UInt16
    /// Passed on to the capabilities in the results.
    private let lineage: Lineage
    /// What the interceptor lent this call (a thread, say): held until the call ends. Set in
    /// `send` before the call goes out, taken by `complete` on the loop.
    private var scoped: (any CallScopedCapability)?
    /// When it was sent, while tracing is on.
    private var tracedStart: ContinuousClock.Instant?
    /// The bytes this call counts in its connection's window until it completes.
    private var windowBytes = 0

    private init(interfaceId: UInt64, methodId: UInt16, lineage: Lineage) {
        self.interfaceId = interfaceId
        self.methodId = methodId
        self.lineage = lineage
    }

    deinit { if let handle { ccapnp_call_release(handle) } }

    static func send(to capability: Capability, interfaceId: UInt64, methodId: UInt16,
                     params: MessageBuilder?) -> OutgoingCall {
        let target = capability.handle
        RPCTracing.trace("call \(RPCTracing.describe(interfaceId, methodId)) sent, params \((params?.totalWords ?? 0) * 8) bytes")
        let call = OutgoingCall(interfaceId: interfaceId, methodId: methodId, lineage: capability.lineage)
        call.tracedStart = RPCTracing.start()
        if let window = capability.lineage.window {
            call.windowBytes = (params?.totalWords ?? 0) * 8
            window.sent(call.windowBytes)
        }
        if let params, !params.capabilities.isEmpty {
            params.forwardCapabilities(to: capability.lineage.interceptor)
            call.scoped = Self.callScoped(in: params.capabilities)
        }
        let context = Unmanaged.passRetained(call).toOpaque()
        call.handle = MessageBuilder.withMessageIn(params) { input in
            ccapnp_call_send(target, interfaceId, methodId, input, { context, results, error in
                let call = Unmanaged<OutgoingCall>.fromOpaque(context!).takeRetainedValue()
                if let results {
                    let reader = ReceivedMessage.reader(taking: results, lineage: call.lineage)
                    RPCTracing.trace("call \(RPCTracing.describe(call.interfaceId, call.methodId)) answered\(RPCTracing.elapsed(since: call.tracedStart)), results \(reader.wordCount * 8) bytes")
                    call.complete(.success(reader))
                } else {
                    let failure = RPCError(error!.pointee)
                    RPCTracing.trace("call \(RPCTracing.describe(call.interfaceId, call.methodId)) failed\(RPCTracing.elapsed(since: call.tracedStart)): \(failure)")
                    call.complete(.failure(failure))
                }
            }, context)
        }
        // A nil handle means the shim could not send: the completion above already failed it.
        return call
    }

    private static func callScoped(in entries: [(any AnyObject & Sendable)?]) -> (any CallScopedCapability)? {
        for case let entry as any CallScopedCapability in entries { return entry }
        return nil
    }

    private func complete(_ outcome: Outcome) {
        let (first, others, completing) = stateLock.withLock { () -> (Waiter?, [Waiter], Bool) in
            guard case .waiting(let first, let others) = state else { return (nil, [], false) }
            state = .done(outcome)
            return (first, others, true)
        }
        if completing, let window = lineage.window { window.answered(windowBytes) }
        if completing, let scoped {
            self.scoped = nil
            switch outcome {
            case .success: scoped.callEnded(answered: true)
            case .failure(let error): scoped.callEnded(answered: error.kind != .cancelled && error.kind != .disconnected)
            }
        }
        first?.resume(returning: outcome)
        for waiter in others { waiter.resume(returning: outcome) }
    }

    /// The results. Cancelling the waiting task cancels the call (capnp sends Finish) for
    /// every waiter, and they get `.cancelled`.
    ///
    /// `nonisolated(nonsending)`, like every async step of a call: it runs on the caller's
    /// executor, so waiting costs no executor switches on the way in and out (callgrind: each
    /// switch looks up the task's executor preference under a lock).
    public nonisolated(nonsending) func response() async throws(RPCError) -> MessageReader {
        let outcome = await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Outcome, Never>) in
                let ready: Outcome? = stateLock.withLock { () -> Outcome? in
                    switch state {
                    case .done(let outcome): return outcome
                    case .waiting(nil, let others):
                        state = .waiting(continuation, others)
                        return nil
                    case .waiting(let first, var others):
                        others.append(continuation)
                        state = .waiting(first, others)
                        return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            cancel()
        }
        return try outcome.get()
    }

    /// Cancels the call if it has not completed.
    public func cancel() {
        if let handle { ccapnp_call_cancel(handle) }
    }

    /// The capability at `path` (pointer-field indices from the results struct) of the results
    /// that have not arrived yet. Calls on it are sent at once and delivered when it resolves.
    public func pipeline(_ path: [UInt16]) -> Capability {
        guard let handle else { return .broken(.failed, "capnp event loop unavailable") }
        let cap = path.withUnsafeBufferPointer { ccapnp_call_pipeline(handle, $0.baseAddress, $0.count) }
        guard let cap else { return .broken(.failed, "could not pipeline on the call") }
        return Capability(owning: cap, lineage: lineage)
    }
}

/// An `OutgoingCall` whose results are a `Results` struct: generated clients return it from
/// their `send…` methods and add pipeline accessors for the results' capabilities.
public struct PendingCall<Results: StructType>: Sendable {
    public let call: OutgoingCall

    @_spi(Generated) public init(_ call: OutgoingCall) { self.call = call }

    public nonisolated(nonsending) func response() async throws(RPCError) -> Results.Reader {
        let message = try await call.response()
        return try RPCError.decoding { () throws(CapnpError) in try message.root(as: Results.self) }
    }
}
