// The Echo every process can serve: the smallest real interface, for checking the IPC path.

import CapnpRPC

public final class EchoServer: Echo.Server {
    public init() {}

    public func echo(_ call: ServerCall<Echo.EchoParams, Echo.EchoResults>) async throws {
        call.results.result = try call.params.echo
    }

    /// Nothing to free early: the object goes when the caller drops the capability.
    public func destroy(_ call: ServerCall<Echo.DestroyParams, Echo.DestroyResults>) async throws {}
}
