// What Swift callers see when the shim cannot hand work to its loop (reached with the shim's
// fault injection, armed on the calling thread): a typed error or nil, never a wait forever.

import CapnpRPC
import CCapnpRPC
import Glibc
import TestSupport
import Testing

@Suite("Calls and connections the shim cannot hand to its loop")
struct LoopUnavailableTests {
    /// Arms `fault` for the next step on this thread while `body` runs.
    private func withFault<R>(_ fault: Int32, _ body: () throws -> R) rethrows -> R {
        ccapnp_debug_inject_fault(fault, 1)
        defer { ccapnp_debug_inject_fault(fault, 0) }
        return try body()
    }

    // Mutation caught: Connection.init releasing the context the shim's disconnect callback
    // already took (a crash), or losing the reason.
    @Test("a connection the loop cannot take throws why and closes the fd")
    func connectionFails() throws {
        let (mine, theirs) = try socketPair()
        defer { close(theirs) }
        do {
            _ = try withFault(CCAPNP_FAULT_SUBMIT) { try Connection(fd: mine) }
            Issue.record("the connection was made")
        } catch let error as RPCError {
            #expect(error.kind == .failed)
            #expect(error.reason.hasPrefix("could not start RPC: "), "\(error.reason)")
        }
        #expect(try SocketIO.readSome(theirs, upTo: 1, seconds: 5) == [])
    }

    // Mutation caught: OutgoingCall completing twice (its own failure plus the shim's), or never.
    @Test("a call the loop cannot take fails with the shim's reason")
    func callFails() async throws {
        let cap = Capability.broken(.overloaded, "never reached")
        let call = withFault(CCAPNP_FAULT_LOOP_START) {
            cap.send(interfaceId: 1, methodId: 0, params: nil)
        }
        do {
            _ = try await withHangGuard("the failed call") { try await call.response() }
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.kind == .failed)
            #expect(error.reason.contains("could not start"), "\(error.reason)")
        }
    }
}
