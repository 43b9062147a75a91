// The per-connection call-interceptor hook: how a convention above the RPC layer (Multiprocess's
// libmultiprocess thread rules) fills each call's implicit context and sees each served one.

import Capnp
internal import CCapnpRPC

/// Cross-cutting behaviour for the calls of one connection, in the spirit of grpc-swift-2's
/// `ClientInterceptor` and `ServerInterceptor`, for methods with an implicit `context` param
/// (libmultiprocess's `Proxy.Context`, which generated clients hide).
///
/// Client side, a capability carries it (`with(interceptor:)`) and passes it on to the
/// capabilities that come out of its calls' results; the generated client calls
/// `fillContext` for every call of such a method. Server side, capabilities read from the
/// params of a call served for a connection with an interceptor (`CallInterceptors.register`)
/// get it, and a generated dispatch hands it every served call of such a method.
///
/// ```swift
/// final class Stamp: CallInterceptor {
///     func fillContext(_ pointer: PointerBuilder, for capability: Capability) {
///         pointer.initStruct(dataWords: 1, pointerCount: 0).setData(UInt64(42), at: 0)
///     }
///     func serve(_ call: IncomingCall, context: PointerReader,
///                _ handler: () async throws -> Void) async throws {
///         try await handler()
///     }
/// }
/// let echo = Echo.Client(connection.bootstrap().with(interceptor: Stamp()))
/// ```
public protocol CallInterceptor: AnyObject, Sendable {
    /// Fills the context param at `pointer` of a call about to be sent on `capability`.
    /// Capability-table entries it adds that are `CallScopedCapability`s are held until the
    /// call ends, and told so.
    func fillContext(_ pointer: PointerBuilder, for capability: Capability)

    /// Serves `call`, which arrived over this interceptor's connection with its context param at
    /// `context`: runs `handler` exactly once (in a task-local scope of its choosing, say).
    func serve(_ call: IncomingCall, context: PointerReader, _ handler: () async throws -> Void) async throws

    /// What to send instead of `capability`, which came from this interceptor's connection, in a
    /// message going out over `destination`'s (libmultiprocess never passes such a capability on
    /// unwrapped: a local proxy makes each hop use its own connection's threads). By default
    /// the capability itself.
    func forwarded(_ capability: Capability, to destination: any CallInterceptor) -> Capability
}

extension CallInterceptor {
    public func forwarded(_ capability: Capability, to destination: any CallInterceptor) -> Capability {
        capability
    }
}

/// A capability-table entry that stands for `capability` for the length of one call: the
/// outgoing call holds it until it ends, then calls `callEnded`.
public protocol CallScopedCapability: AnyObject, Sendable {
    var capability: Capability { get }
    /// The call ended: `answered` when the callee answered (results or an error), false when it
    /// was cancelled or its connection failed (the callee may still be running it).
    func callEnded(answered: Bool)
}

extension Capability {
    /// What fills the context param of its calls (and of those of capabilities it returns).
    public var interceptor: (any CallInterceptor)? { lineage.interceptor }

    /// The same capability, whose calls (and those of capabilities it returns) go through
    /// `interceptor`; nil sends them with a null context.
    public func with(interceptor: (any CallInterceptor)?) -> Capability {
        ccapnp_cap_retain(handle)
        return Capability(owning: handle, lineage: Lineage(keepAlive: lineage.keepAlive, interceptor: interceptor, window: lineage.window))
    }

    /// Generated clients call this for a method's implicit context param at `pointer`: it asks
    /// the capability's interceptor, if any, to fill it; else it stays null.
    @_spi(Generated) public func fillContext(_ pointer: PointerBuilder) {
        lineage.interceptor?.fillContext(pointer, for: self)
    }
}

extension IncomingCall {
    /// Generated dispatch calls this for a method with an implicit context param in pointer
    /// `contextSlot`: when the caller's connection has an interceptor, `handler` runs through it.
    @_spi(Generated) public func intercept(contextSlot: Int, _ handler: () async throws -> Void) async throws {
        guard let table = params.capabilityTable as? ReceivedMessage, let interceptor = table.connectionInterceptor(),
              let root = try? params.root().readStruct()
        else { return try await handler() }
        try await interceptor.serve(self, context: root._pointer(contextSlot), handler)
    }
}
