// Protocol over a socketpair in one process: construct, the runtime-filled call context, and
// a pycapnp client driving our Init the way Bitcoin Core's interface_ipc.py does.

import CapnpRPC
import Multiprocess
import NodeInterfaces
import TestSupport
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
        let callback = context.hasCallbackThread ? " (callbacks: \(try await context.callbackThread.getName()))" : ""
        call.results.result = "\(name)\(callback): \(try call.params.echo)"
    }

    func destroy(_ call: ServerCall<Echo.DestroyParams, Echo.DestroyResults>) async throws {}
}

@Suite("Protocol")
struct ProtocolTests {
    @Test("calls carry a thread the peer made (makeThread pipelined on construct) and a callback thread of ours")
    func contextIsFilled() async throws {
        let (a, b) = try socketPair()
        let serving = Task { try await Protocol().serve(fd: a, init: ContextProbeInit()) }
        let connected = try Protocol().connect(fd: b, as: Init.Client.self, threadName: "probe-thread")
        try await connected.ready()
        let echo = try await connected.initClient.makeEcho()
        // The callback thread is one the client serves (it was a broken capability once).
        #expect(try await echo.echo(echo: "hi") == "probe-thread/1 (callbacks: probe-thread callbacks): hi")
        // A caller that fills the params itself may leave the context out; the server copes.
        let bare = Echo.Client(echo.capability.with(interceptor: nil))
        #expect(try await bare.echo(echo: "bare") == "no thread: bare")
        connected.connection.close()
        #expect(try await serving.value.cause == .peer)
    }
}

/// An Init whose Echo objects each run a cleanup, counted here, when they go.
final class CleanupInit: Init.Server {
    let cleaned = Locked(0)

    func makeEcho(_ call: ServerCall<Init.MakeEchoParams, Init.MakeEchoResults>) async throws {
        let echo = EchoServer()
        Ipc().addCleanup(for: echo) { [self] in cleaned.withLock { $0 += 1 } }
        call.results.setResult(Echo.Client(serving: echo))
    }
}

@Suite("Cleanups")
struct CleanupTests {
    @Test("addCleanup runs when the client drops the capability, and when the connection dies")
    func cleanups() async throws {
        let server = CleanupInit()
        let (a, b) = try socketPair()
        let serving = Task { try await Protocol().serve(fd: a, init: server) }
        let connected = try Protocol().connect(fd: b, as: Init.Client.self)
        do {
            let echo = try await connected.initClient.makeEcho()
            #expect(try await echo.echo(echo: "x") == "x")
        }
        try await eventually("dropping the client to release the Echo") { server.cleaned.withLock { $0 } == 1 }
        let held = try await connected.initClient.makeEcho()
        #expect(try await held.echo(echo: "y") == "y")
        #expect(server.cleaned.withLock { $0 } == 1, "a held Echo stays")
        connected.connection.close()
        try await eventually("the connection's end to release it") { server.cleaned.withLock { $0 } == 2 }
        _ = try await serving.value
        withExtendedLifetime(held) {}
    }
}

@Suite("Init cleanups")
struct InitCleanupTests {
    @Test("addCleanup on the Init a Protocol serves runs when the connection ends (it is served wrapped)")
    func initCleanup() async throws {
        let server = ContextProbeInit()
        let cleaned = Locked(0)
        Protocol().addCleanup(for: server) { cleaned.withLock { $0 += 1 } }
        let (a, b) = try socketPair()
        let serving = Task { try await Protocol().serve(fd: a, init: server) }
        let connected = try Protocol().connect(fd: b, as: Init.Client.self)
        try await connected.ready()
        connected.connection.close()
        _ = try await serving.value
        try await eventually("the served Init's cleanup") { cleaned.withLock { $0 } == 1 }
    }
}
