// Calls through generated stubs: own and inherited methods, generic params, each error kind.

import Capnp
import CapnpRPC
import RPCTestKit
import Testing

@Suite("RPC calls")
struct CallTests {
    @Test("a call returns its result; inherited methods work through the derived client", arguments: Setup.allCases)
    func calls(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        #expect(try await ends.tester.add(a: 2, b: 40) == 42)
        #expect(try await ends.tester.add(a: .max, b: 1) == .min)
        // The same capability seen as the base interface.
        let calculator = ends.tester.cast(to: Calculator.Client.self)
        #expect(try await calculator.add { params in params.a = -5; params.b = 3 } == -2)
    }

    @Test("generic structs travel in params and results", arguments: Setup.allCases)
    func generics(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let box = try await ends.tester.measure { params in
            let box = params.initBox()
            box.label = "size"
            try box.setValue(Capnp.Text.Reader("héllo"))
        }
        #expect(try box.label == "size!")
        #expect(try Array(box.value) == Array("héllo".utf8))
    }

    @Test("a server error reaches the caller with its kind and reason", arguments: Setup.allCases)
    func errorKinds(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let kinds: [(ErrorKind, RPCError.Kind)] = [
            (.failed, .failed), (.overloaded, .overloaded),
            (.disconnected, .disconnected), (.unimplemented, .unimplemented),
        ]
        for (wire, expected) in kinds {
            let error = await rpcError { try await ends.tester.fail(kind: wire, reason: "because \(expected)") }
            #expect(error?.kind == expected)
            #expect(error?.reason.contains("because \(expected)") == true, "reason: \(error?.reason ?? "none")")
            #expect(error?.isRemote == true)
        }
        // The connection is still fine after errors.
        #expect(try await ends.tester.add(a: 1, b: 1) == 2)
    }

    @Test("an unknown method or interface is UNIMPLEMENTED", arguments: Setup.allCases)
    func unimplemented(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let unknownMethod = await rpcError {
            try await ends.tester.capability.call(interfaceId: Tester.typeId, methodId: 99, params: nil)
        }
        #expect(unknownMethod?.kind == .unimplemented)
        let unknownInterface = await rpcError {
            try await ends.tester.capability.call(interfaceId: 0x1234_5678, methodId: 0, params: nil)
        }
        #expect(unknownInterface?.kind == .unimplemented)
        #expect(unknownInterface?.reason.contains("12345678") == true, "reason: \(unknownInterface?.reason ?? "none")")
    }
}
