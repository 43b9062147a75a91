// The callback the RPC tests hand to the server: it calls the server back while being called.

import CapnpRPC

/// Answers `notify(depth)` with a trail of the nested calls: for depth > 0 it first calls
/// `tester.callBack(self, depth - 1)`, so the server calls it again, inside the first call.
public final class TrailCallback: Callback.Server {
    let tester: Tester.Client?

    public init(calling tester: Tester.Client?) { self.tester = tester }

    public var client: Callback.Client { Callback.Client(serving: self) }

    public func notify(_ call: ServerCall<Callback.NotifyParams, Callback.NotifyResults>) async throws {
        let depth = call.params.depth
        guard depth > 0, let tester else {
            call.results.trail = "callback\(depth)"
            return
        }
        let inner = try await tester.callBack(callback: client, depth: depth - 1)
        call.results.trail = "callback\(depth)<\(inner)"
    }
}
