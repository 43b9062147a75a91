// The compile test for names: this file imports Foundation, Capnp, CapnpRPC, Multiprocess and a
// generated module whose interfaces are named Listener, Thread, Context, Data, Node, Value and
// Method, and uses the names unqualified. It fails to build if one of our modules exports a
// name that collides (as `Capnp.Data` did with Foundation's `Data`, and `Multiprocess.Listener`
// with a schema's `Listener`).
//
// Not used unqualified here: `Data` and `Thread` are ambiguous in any file that imports Foundation
// and another module declaring them (Swift picks neither), so a user writes them qualified, or
// uses them in the generated code's own module (LocalNames.swift shows that); FoundationNames.swift
// checks that our modules leave Foundation's `Data` and `Thread` alone. `Context` is the schema's:
// Multiprocess nests proxy.capnp's `Context` and `Thread` under `Proxy`.

import Capnp
import CapnpRPC
import Foundation
import Multiprocess
import NameCollisionSchemas
import TestSupport
import Testing

/// A `Value` holding a number and a text.
private final class StoredValue: Value.Server {
    let number: Int64
    let text: String
    init(number: Int64, text: String) {
        self.number = number
        self.text = text
    }

    func get(_ call: ServerCall<Value.GetParams, Value.GetResults>) async throws {
        call.results.number = number
        call.results.text = text
    }
}

/// A `Node` whose children are nodes holding the length of their name as a value.
private final class NamedNode: Node.Server {
    let name: String
    init(name: String) { self.name = name }

    func child(_ call: ServerCall<Node.ChildParams, Node.ChildResults>) async throws {
        call.results.node.setClient(Node.Client(serving: NamedNode(name: try call.params.name)))
    }

    func value(_ call: ServerCall<Node.ValueParams, Node.ValueResults>) async throws {
        call.results.value.setClient(Value.Client(serving: StoredValue(number: Int64(name.utf8.count), text: name)))
    }
}

/// A `Listener` that keeps the numbers it is told about.
private final class Recorder: Listener.Server {
    let numbers = Locked<[Int64]>([])
    func notify(_ call: ServerCall<Listener.NotifyParams, Listener.NotifyResults>) async throws {
        let value = try call.params.value.capability
        let number = try await Value.Client(value).get().number
        numbers.withLock { $0.append(number) }
    }
}

/// A `Method` that reports a value to the listener it is called with.
private final class Report: Method.Server {
    func call(_ call: ServerCall<Method.CallParams, Method.CallResults>) async throws {
        let listener = Listener.Client(try call.params.listener.capability)
        try await listener.notify(value: Value.Client(serving: StoredValue(number: 7, text: "seven")))
    }

    func join(_ call: ServerCall<Method.JoinParams, Method.JoinResults>) async throws {
        let params = call.params
        call.results.response = try [params.params, params.response, params.call, params.message, params.build]
            .joined(separator: " ")
    }
}

@Suite("Names that do not collide")
struct NameCollisionTests {
    @Test("schema interfaces named Listener, Node, Value and Method work unqualified beside Foundation and our modules")
    func unqualifiedNames() async throws {
        let (near, far) = try socketPair()
        let server = try Connection(fd: far, bootstrap: Capability(serving: NamedNode(name: "root")))
        defer { server.close() }
        try await withConnection(fd: near) { connection in
            let root: Node.Client = connection.bootstrap(as: Node.Client.self)
            let child = try await root.child(name: "leaf")
            let value: Value.Client = try await child.value()
            let got = try await value.get()
            #expect(got.number == 4)
            #expect(try got.text == "leaf")

            let recorder = Recorder()
            let method: Method.Client = Method.Client(serving: Report())
            try await method.call(listener: Listener.Client(serving: recorder))
            #expect(recorder.numbers.withLock { $0 } == [7])
        }
        #expect(Listener.typeId != Node.typeId)
        let context: Context.Client? = nil
        #expect(context == nil && Context.typeId != Proxy.Context.typeId)
    }

    // Catches the dispatch calling its own `call` parameter instead of the method `call` (that
    // did not compile), and a client argument named `params` or `response` being stored from the
    // generated local of that name instead of the caller's value.
    @Test("a method named call and arguments named as generated locals are served and called across a connection")
    func methodAndArgumentsNamedAsGeneratedLocals() async throws {
        let (near, far) = try socketPair()
        let server = try Connection(fd: far, bootstrap: Capability(serving: Report()))
        defer { server.close() }
        try await withConnection(fd: near) { connection in
            let method = connection.bootstrap(as: Method.Client.self)
            let recorder = Recorder()
            try await method.call(listener: Listener.Client(serving: recorder))
            #expect(recorder.numbers.withLock { $0 } == [7])
            let joined = try await method.join(params: "p", response: "r", call: "c", message: "m", build: "b")
            #expect(joined == "p r c m b")
        }
    }
}
