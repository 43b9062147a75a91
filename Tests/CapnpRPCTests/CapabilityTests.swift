// Capabilities in motion: promise pipelining, callbacks both ways, fds, and release.

import Capnp
import CapnpRPC
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("RPC capabilities")
struct CapabilityTests {
    @Test("a call on a result capability goes out before the result arrives (pipelining)", arguments: Setup.allCases)
    func pipelining(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        // The server answers makeCounter only after counter.next has reached it, so this
        // completes only if next() is sent without waiting for makeCounter's answer.
        let value = try await withHangGuard("a pipelined call") {
            let pending = tester.sendMakeCounter()
            let value = try await pending.counter.next()
            _ = try await pending.response()
            return value
        }
        #expect(value == 1)
    }

    @Test("a client's own server passed as a param is called back, nested", arguments: Setup.allCases)
    func nestedCallbacks(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        let trail = try await withHangGuard("nested callbacks") {
            try await tester.callBack(callback: TrailCallback(calling: tester).client, depth: 3)
        }
        #expect(trail == "server3<callback3<server2<callback2<server1<callback1<server0<callback0")
    }

    @Test("a capability carrying a pipe's write end arrives as a usable fd", arguments: Setup.allCases)
    func fdPassing(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        var pipeFds: [Int32] = [-1, -1]
        #expect(pipe(&pipeFds) == 0)
        defer { close(pipeFds[0]) }
        let sink = Callback.Client(Capability(fileDescriptor: pipeFds[1]))
        try await ends.tester.writeTo(sink: sink, text: "through the pipe")
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(pipeFds[0], &buffer, buffer.count)
        #expect(count > 0 && String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "through the pipe")
    }

    @Test("a connection that takes no fds (plain read/write) serves calls; a capability's fd is not sent over it")
    func connectionWithoutFds() async throws {
        let (ours, theirs) = try socketPair()
        let server = try Connection(fd: theirs, serving: TesterServer(), options: ConnectionOptions(maxFdsPerMessage: 0, isServer: true))
        let client = try Connection(fd: ours, options: ConnectionOptions(maxFdsPerMessage: 0))
        defer { client.close(); server.close() }
        let tester = client.bootstrap(as: Tester.Client.self)
        #expect(try await tester.add(a: 2, b: 3) == 5)
        var pipeFds: [Int32] = [-1, -1]
        #expect(pipe(&pipeFds) == 0)
        defer { close(pipeFds[0]) }
        let sink = Callback.Client(Capability(fileDescriptor: pipeFds[1]))
        let error = await rpcError { try await tester.writeTo(sink: sink, text: "nowhere") }
        #expect(error?.kind == .failed && error?.reason == "the sink carries no file descriptor", "\(String(describing: error))")
        #expect(try await tester.add(a: 4, b: 5) == 9, "the connection goes on")
    }

    @Test("capabilities are released: a dropped client frees the server object, both ways", arguments: Setup.allCases)
    func release(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        // Theirs: a counter we hold lives on the server until we drop it.
        do {
            let pending = tester.sendMakeCounter()
            #expect(try await pending.counter.next() == 1)
            _ = try await pending.response()
            #expect(try await tester.stats().liveCounters == 1)
        }
        try await eventually("the server to free the counter") { try await tester.stats().liveCounters == 0 }

        // Ours: a callback the server holds lives here until the server drops it.
        let dropped = DeinitFlag()
        do {
            let callback = TrailCallback(calling: nil)
            dropped.watch(callback)
            try await tester.hold(callback: callback.client)
        }
        #expect(try await tester.stats().heldCallbacks == 1)
        #expect(!dropped.isSet, "the server still holds the callback")
        try await tester.release()
        try await eventually("our callback to be freed") { dropped.isSet }
    }
}

/// Reports whether an object has been freed (a weak reference gone nil).
final class DeinitFlag: Sendable {
    // Weak references are safe to read from any thread; the lock orders watch before reads.
    private final class WeakBox: @unchecked Sendable { weak var object: AnyObject? }
    private let box = WeakBox()
    private let lock = Locked(())

    func watch(_ object: AnyObject) { lock.withLock { _ in box.object = object } }
    var isSet: Bool { lock.withLock { _ in box.object == nil } }
}
