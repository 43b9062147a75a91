// A class that adopts a derived interface's Server by subclassing a server of the base interface
// dispatches the derived methods too (before, `add` failed with unimplemented: the inherited
// conformance kept the base's dispatch).

import Capnp
import CapnpRPC
import Testing
import TestSupport

class BaseServer: Base.Server, @unchecked Sendable {
    func echo(_ call: ServerCall<Base.EchoParams, Base.EchoResults>) async throws {
        call.results.value = "base:" + (try call.params.value)
    }
}

class DerivedServer: BaseServer, Derived.Server, @unchecked Sendable {
    func add(_ call: ServerCall<Derived.AddParams, Derived.AddResults>) async throws {
        call.results.sum = call.params.a + call.params.b
    }
    override func echo(_ call: ServerCall<Base.EchoParams, Base.EchoResults>) async throws {
        call.results.value = "derived:" + (try call.params.value)
    }
}

final class MostDerivedServer: DerivedServer, MostDerived.Server, @unchecked Sendable {
    func triple(_ call: ServerCall<MostDerived.TripleParams, MostDerived.TripleResults>) async throws {
        call.results.y = call.params.x * 3
    }
}

@Suite struct ServerInheritanceTests {
    @Test("a subclass adopting Derived.Server serves Derived's methods and its overrides of Base's")
    func subclassServesDerivedMethods() async throws {
        let derived = Derived.Client(serving: DerivedServer())
        #expect(try await derived.add(a: 2, b: 3) == 5)
        #expect(try await derived.echo(value: "x") == "derived:x")
        await #expect(throws: RPCError.self) { try await derived.ping() }  // served by nobody: unimplemented
    }

    @Test("two levels of subclassing reach the most derived interface, and every level below it")
    func twoLevels() async throws {
        let most = MostDerived.Client(serving: MostDerivedServer())
        #expect(try await most.triple(x: 7) == 21)
        #expect(try await most.add(a: 1, b: 1) == 2)
        #expect(try await most.echo(value: "y") == "derived:y")
        // The base class alone still serves only Base.
        let base = Derived.Client(serving: BaseServer())
        #expect(try await base.echo(value: "z") == "base:z")
        do {
            _ = try await base.add(a: 1, b: 1)
            Issue.record("a Base server answered add")
        } catch {
            #expect(error.kind == .unimplemented)
        }
    }
}
