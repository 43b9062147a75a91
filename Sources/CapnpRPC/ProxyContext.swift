// The per-call context of libmultiprocess-style interfaces: methods with a
// `context :Proxy.Context` param get it filled in by the runtime, not by the caller.

@_spi(Generated) import Capnp

/// What a call's `context` param (libmultiprocess's `Proxy.Context`) carries: the callee-side
/// thread the call should run on, and the caller's thread for callbacks made during it.
/// A connection made by Multiprocess's `Protocol.connect` attaches one to its `Init`, and every
/// capability that comes out of calls on it inherits it.
public final class ProxyContext: Sendable {
    /// `Proxy.Context`'s type ID (file 0xcc316e3f71a040fb): the generator recognises the param by it.
    public static let typeId: UInt64 = 0x9c44_e664_5d0b_22c6

    public let thread: Capability?
    public let callbackThread: Capability?

    public init(thread: Capability?, callbackThread: Capability? = nil) {
        self.thread = thread
        self.callbackThread = callbackThread
    }

    /// Writes the context struct (pointer 0: thread, pointer 1: callbackThread) at `pointer`.
    @_spi(Generated) public func fill(_ pointer: PointerBuilder) {
        let context = pointer.initStruct(dataWords: 0, pointerCount: 2)
        context._pointer(0).setCapability(entry: thread)
        context._pointer(1).setCapability(entry: callbackThread)
    }

    /// Fills the context param at `pointer` from `capability`'s context, if it has one; else
    /// leaves it null (Swift servers accept that; libmultiprocess ones may not).
    @_spi(Generated) public static func fill(_ pointer: PointerBuilder, for capability: Capability) {
        capability.context?.fill(pointer)
    }
}
