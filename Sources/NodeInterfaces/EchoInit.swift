// An Init that only makes Echo objects: what the demo child (and test children) serve.

import CapnpRPC

public final class EchoInit: Init.Server {
    public init() {}

    public func makeEcho(_ call: ServerCall<Init.MakeEchoParams, Init.MakeEchoResults>) async throws {
        call.results.setResult(Echo.Client(serving: EchoServer()))
    }
}
