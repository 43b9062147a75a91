// Protocol over a socketpair in one process: construct, the runtime-filled call context, and
// a pycapnp client driving our Init the way Bitcoin Core's interface_ipc.py does.

import CapnpRPC
import Multiprocess
import NodeInterfaces
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An Init whose Echo answers with the name of the thread the caller's context names.
final class ContextProbeInit: Init.Server {
    func makeEcho(_ call: ServerCall<Init.MakeEchoParams, Init.MakeEchoResults>) async throws {
        call.results.setResult(Echo.Client(serving: ContextProbeEcho()))
    }
}

final class ContextProbeEcho: Echo.Server {
    func echo(_ call: ServerCall<Echo.EchoParams, Echo.EchoResults>) async throws {
        let context = try call.params.context
        let name = context.hasThread ? try await context.thread.getName() : "no thread"
        call.results.result = "\(name): \(try call.params.echo)"
    }

    func destroy(_ call: ServerCall<Echo.DestroyParams, Echo.DestroyResults>) async throws {}
}

func socketPair() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        throw RPCError(.failed, "socketpair failed: errno \(errno)")
    }
    return (fds[0], fds[1])
}

@Suite("Protocol")
struct ProtocolTests {
    @Test("connect sends construct and makeThread pipelined; calls carry that thread in their context")
    func contextIsFilled() async throws {
        let (a, b) = try socketPair()
        let serving = Task { try await Protocol().serve(fd: a, init: ContextProbeInit()) }
        let connected = try Protocol().connect(fd: b, as: Init.Client.self, threadName: "probe-thread")
        try await connected.ready()
        let echo = try await connected.initClient.makeEcho()
        #expect(try await echo.echo(echo: "hi") == "probe-thread: hi")
        // A caller that fills the params itself may leave the context out; the server copes.
        let bare = Echo.Client(echo.capability.with(context: nil))
        #expect(try await bare.echo(echo: "bare") == "no thread: bare")
        connected.connection.close()
        #expect(try await serving.value == .peer)
    }
}
