// The ThreadMap a process hands its peer in `Init.construct`. libmultiprocess runs each call on
// the server thread the caller names; here every call runs as a task anyway, so a thread is
// just its name (what `getName` reports), kept so libmultiprocess-style callers work unchanged.

import CapnpRPC

final class ThreadMapServer: Proxy.ThreadMap.Server {
    func makeThread(_ call: ServerCall<Proxy.ThreadMap.MakeThreadParams, Proxy.ThreadMap.MakeThreadResults>) async throws {
        call.results.setResult(Proxy.Thread.Client(serving: ThreadServer(name: try call.params.name)))
    }

    func makePool(_ call: ServerCall<Proxy.ThreadMap.MakePoolParams, Proxy.ThreadMap.MakePoolResults>) async throws {}
}

final class ThreadServer: Proxy.Thread.Server {
    let name: String
    init(name: String) { self.name = name }

    func getName(_ call: ServerCall<Proxy.Thread.GetNameParams, Proxy.Thread.GetNameResults>) async throws {
        call.results.result = name
    }
}
