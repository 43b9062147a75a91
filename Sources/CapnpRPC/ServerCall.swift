// What a generated Server method receives: one call with its params and results typed.

import Capnp

/// One call to a generated `Server` method: read `params`, fill `results`, return (or throw).
public struct ServerCall<Params: StructType, Results: StructType>: Sendable {
    /// The untyped call, for what the typed view does not cover (IDs, the raw messages).
    public let call: IncomingCall
    public let params: Params.Reader

    /// Decodes the params root; a malformed one fails the call as `.failed`.
    @_spi(Generated) public init(_ call: IncomingCall) throws(RPCError) {
        self.call = call
        self.params = try call.params(as: Params.self)
    }

    /// The results, made on first use. Use it from the serving task only.
    public var results: Results.Builder { call.results.getRoot(Results.self) }

    /// Calls pipelined on the capabilities set in `results` so far go to them at once, before
    /// this call returns.
    public func setPipeline() { call.setPipeline() }
}
