// `$Swift.namespace` and `$Swift.visibility` (scoped.capnp): the file's types nest in `Scoped`
// and are internal, so `Thread` and `Context` do not clash with Foundation's or anyone's.

import Capnp
import CapnpRPC
import Foundation
import Testing
import TestSupport

final class ScopedContextServer: Scoped.Context.Server {
    func get(_ call: ServerCall<Scoped.Context.GetParams, Scoped.Context.GetResults>) async throws {
        call.results.initThread().name = "served:" + (try call.params.name)
    }
}

@Suite struct NamespaceTests {
    @Test("a namespaced file's structs, interfaces and constants live in its enum, beside Foundation's Thread")
    func namespacedTypes() async throws {
        let message = MessageBuilder()
        let thread = message.initRoot(Scoped.Thread.self)
        thread.name = "t"
        let back = try MessageReader(bytes: message.serialize()).root(as: Scoped.Thread.self)
        #expect(try back.name == "t")
        #expect(Scoped.limit == 7)
        #expect(try Scoped.origin.name == "main")
        let context = Scoped.Context.Client(serving: ScopedContextServer())
        #expect(try await context.get(name: "x").name == "served:x")
        // Foundation's Thread is still reachable unqualified.
        #expect(Thread.isMainThread || !Thread.isMainThread)
    }
}
