// Ending calls and connections: cancellation, peers that die mid-call, closing our side.

import Capnp
import CapnpRPC
import Multiprocess
import RPCTestKit
import TestSupport
import Testing

@Suite("RPC lifecycle")
struct LifecycleTests {
    @Test("cancelling the calling task cancels the call on the server", arguments: Setup.allCases)
    func cancellation(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        let call = Task { await rpcError { try await tester.hang() } }
        try await eventually("the call to reach the server") { try await tester.stats().hanging == 1 }
        call.cancel()
        let error = try await withHangGuard("the cancelled call to end") { await call.value }
        #expect(error?.kind == .cancelled)
        try await eventually("the server task to see the cancellation") {
            let stats = try await tester.stats()
            return stats.cancelled == 1 && stats.hanging == 0
        }
    }

    @Test("a task cancelled before it calls fails at once and sends nothing that hangs", arguments: Setup.allCases)
    func cancelledBeforeCalling(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await rpcError { try await tester.hang() }
        }
        let error = try await withHangGuard("the cancelled call to end") { await call.value }
        #expect(error?.kind == .cancelled)
        #expect(try await tester.add(a: 1, b: 2) == 3)
    }

    @Test("a peer that dies mid-call fails the pending call with .disconnected", arguments: Setup.allCases)
    func disconnectMidCall(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.client.close() }
        let tester = ends.tester
        let call = Task { await rpcError { try await tester.hang() } }
        try await eventually("the call to reach the server") { try await tester.stats().hanging == 1 }
        ends.killServer()
        let error = try await withHangGuard("the pending call to fail") { await call.value }
        #expect(error?.kind == .disconnected)
        let disconnect = try await withHangGuard("the disconnect signal") { await ends.client.disconnected() }
        #expect(disconnect.cause == .peer, "\(disconnect)")
        #expect(ends.client.disconnect == disconnect)
        // Later calls fail at once, the same way.
        #expect(await rpcError { try await tester.add(a: 1, b: 1) }?.kind == .disconnected)
        if let peer = ends.peer { #expect(try await peer.exitStatus() == .signaled(9)) }
    }

    @Test("a server that exits while answering fails the call, not hangs it", arguments: [Setup.crossProcess])
    func serverExitsDuringCall(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.client.close() }
        let error = try await withHangGuard("the call to fail") { await rpcError { try await ends.tester.exit(code: 7) } }
        #expect(error?.kind == .disconnected)
        #expect(try await ends.peer?.exitStatus() == .exited(7))
    }

    @Test("closing our side fails our pending calls and tells the peer", arguments: Setup.allCases)
    func closeLocally(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        let tester = ends.tester
        let seen = Locked<Disconnect?>(nil)
        ends.client.onDisconnect { reason in seen.withLock { $0 = reason } }
        let call = Task { await rpcError { try await tester.hang() } }
        try await eventually("the call to reach the server") { try await tester.stats().hanging == 1 }
        ends.client.close()
        let error = try await withHangGuard("the pending call to fail") { await call.value }
        #expect(error?.kind == .disconnected)
        #expect(ends.client.disconnect == Disconnect(.local, "closed by this side"))
        #expect(seen.withLock { $0 } == ends.client.disconnect)
        if let server = ends.server {
            let ended = try await withHangGuard("the server to see it") { await server.disconnected() }
            #expect(ended == Disconnect(.peer, "the peer closed the connection"))
        }
        if let peer = ends.peer { #expect(try await peer.exitStatus() == .exited(0), "the peer exits 0 when we hang up") }
        ends.server?.close()
    }
}
