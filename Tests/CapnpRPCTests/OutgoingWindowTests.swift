// The outgoing window: past ConnectionOptions.maxCallBytesInFlight of unanswered calls, async calls wait before sending.

import Capnp
import CapnpRPC
import RPCTestKit
import Synchronization
import TestSupport
import Testing

@Suite("RPC outgoing window")
struct OutgoingWindowTests {
    /// Counts the calls that reach it and answers none until `open` is set.
    final class GateServer: CapabilityServer {
        let arrived = Atomic<Int>(0)
        let open = Atomic<Bool>(false)
        /// Counted by the client as its calls return.
        let answered = Atomic<Int>(0)
        func dispatch(_ call: IncomingCall) async throws {
            arrived.add(1, ordering: .sequentiallyConsistent)
            while !open.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    // Mutation: with the window off (no roomToSend in generated methods, or `sent` not counting),
    // all 16 calls reach the server (seen: 16), not at most 5.
    @Test("streaming 256 KiB calls to a server that does not answer stops at the window, then all complete")
    func streamingWaitsForAnswers() async throws {
        let gate = GateServer()
        let (ours, theirs) = try socketPair()
        let server = try Connection(fd: theirs, serving: gate, options: ConnectionOptions(isServer: true))
        let client = try Connection(fd: ours, options: ConnectionOptions(maxCallBytesInFlight: 1 << 20))
        defer { client.close(); server.close() }
        let tester = client.bootstrap(as: Tester.Client.self)
        let text = String(repeating: "x", count: 256 << 10)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    _ = try await tester.measure { params in try params.initBox().setValue(Capnp.Text.Reader(text)) }
                    gate.answered.add(1, ordering: .sequentiallyConsistent)
                }
            }
            try await withHangGuard("the first calls to arrive") {
                while gate.arrived.load(ordering: .sequentiallyConsistent) < 4 { try await Task.sleep(for: .milliseconds(5)) }
            }
            // Room for more to go out if nothing held them back.
            try await Task.sleep(for: .milliseconds(300))
            let held = gate.arrived.load(ordering: .sequentiallyConsistent)
            #expect(held <= 5, "\(held) calls of 256 KiB went out past a 1 MiB window")
            gate.open.store(true, ordering: .sequentiallyConsistent)
            try await withHangGuard("every call to be answered") {
                while gate.answered.load(ordering: .sequentiallyConsistent) < 16 { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await group.waitForAll()
        }
        #expect(gate.arrived.load(ordering: .sequentiallyConsistent) == 16)
    }
}
