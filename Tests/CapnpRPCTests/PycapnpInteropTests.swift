// Interop with pycapnp, an RPC implementation that is not ours: each side as client and server.

import CapnpRPC
import Foundation
import Multiprocess
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The pycapnp peer script and the venv python scripts/setup made, or nil when there is none.
private let pycapnp: (python: String, script: String)? = Pycapnp.python.map { ($0, Pycapnp.script("pycapnp_peer.py")) }

@Suite("RPC interop with pycapnp", .enabled(if: pycapnp != nil, "no .venv with pycapnp: run scripts/setup"))
struct PycapnpInteropTests {
    @Test("a pycapnp client calls our server: results, error kinds, pipelining, nested callbacks, generics")
    func pycapnpCallsUs() async throws {
        let (python, script) = pycapnp!
        let peer = try PeerProcess.spawn(python) { fd in [script, "call", String(fd)] }
        let serving = try Connection(fd: peer.fd, serving: TesterServer(), options: ConnectionOptions(isServer: true))
        defer { serving.close() }
        let status = try await withHangGuard("the pycapnp client") { try await peer.exitStatus() }
        #expect(status == .exited(0), "pycapnp_peer.py call: \(status); its output above says which check failed")
    }

    @Test("we call a pycapnp server: results, its errors, UNIMPLEMENTED, pipelining, nested callbacks, generics")
    func weCallPycapnp() async throws {
        let (python, script) = pycapnp!
        let peer = try PeerProcess.spawn(python) { fd in [script, "serve", String(fd)] }
        let client = try Connection(fd: peer.fd)
        let tester = client.bootstrap(as: Tester.Client.self)

        #expect(try await tester.add(a: 2, b: 40) == 42)
        let failure = await rpcError { try await tester.fail(kind: .overloaded, reason: "busy") }
        #expect(failure?.kind == .failed && failure?.isRemote == true)
        #expect(failure?.reason.contains("python fails: busy") == true, "\(String(describing: failure))")
        // An interface the pycapnp server does not have is UNIMPLEMENTED, as the protocol says.
        let missing = await rpcError { try await tester.capability.call(interfaceId: 0x1234_5678, methodId: 0, params: nil) }
        #expect(missing?.kind == .unimplemented, "\(String(describing: missing))")

        let counter = try await withHangGuard("a pipelined call") {
            let pending = tester.sendMakeCounter()
            return try await pending.counter.next()
        }
        #expect(counter == 1)

        let trail = try await withHangGuard("nested callbacks") {
            try await tester.callBack(callback: TrailCallback(calling: tester).client, depth: 2)
        }
        #expect(trail == "python2<callback2<python1<callback1<python0<callback0")

        let box = try await tester.measure { params in
            let box = params.initBox()
            box.label = "size"
            try box.setValue(.init("héllo"))
        }
        #expect(try box.label == "size!" && Array(box.value) == Array("héllo".utf8))

        // Many calls in flight, some large: pycapnp reads our batched writes.
        let sums = try await withHangGuard("100 calls in flight") {
            try await withThrowingTaskGroup(of: (Int32, Int32).self) { group in
                for call in 0..<100 as Range<Int32> {
                    group.addTask {
                        if call % 10 == 0 {
                            let size = Int(call) * 997
                            let box = try await tester.measure { params in
                                try params.initBox().setValue(.init(String(repeating: "z", count: size)))
                            }
                            return (call, Int32(try box.value.count) - Int32(size) + call + 1000)
                        }
                        return (call, try await tester.add(a: call, b: 1000))
                    }
                }
                return try await group.reduce(into: [Int32: Int32]()) { $0[$1.0] = $1.1 }
            }
        }
        #expect(sums.count == 100 && sums.allSatisfy { $0.value == $0.key + 1000 }, "\(sums.filter { $0.value != $0.key + 1000 })")

        client.close()
        let status = try await withHangGuard("pycapnp to exit") { try await peer.exitStatus() }
        #expect(status == .exited(0))
    }
}
