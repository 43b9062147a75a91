// An interface's `Client`: per method an awaiting call, a `send…` that returns the pending call
// (for pipelining), and pipeline accessors for capabilities in the results.

import Capnp

extension SwiftEmitter {
    /// Member names the Client itself declares, which a method must not take.
    private static let clientMembers: Set<String> = ["capability", "cast", "interfaceId"]

    mutating func emitClient(_ interface: Node.Reader) throws {
        let name = index.names[interface.id]!
        out.line()
        out.line("/// A client of `\(name)`: one method per schema method, inherited ones included.")
        out.line("public struct Client: CapnpRPC.CapabilityClient {")
        out.indent()
        out.line("public static var interfaceId: UInt64 { \(SwiftNames.hex(interface.id)) }")
        out.line("public let capability: CapnpRPC.Capability")
        out.line("public init(_ capability: CapnpRPC.Capability) { self.capability = capability }")
        for method in try rpcMethods(of: interface.id, in: interface.id) {
            let docs = index.memberDocs[method.interfaceId] ?? []
            try emitClientMethod(method, doc: Int(method.ordinal) < docs.count ? docs[Int(method.ordinal)] : nil,
                                 scope: interface.id)
        }
        out.dedent()
        out.line("}")
        if try !inGenericContext(interface.id) {
            for method in try rpcMethods(of: interface.id, in: file) where method.interfaceId == interface.id {
                try emitPipeline(method)
            }
        }
    }

    private mutating func emitClientMethod(_ method: RPCMethod, doc: String?, scope: UInt64) throws {
        var base = SwiftNames.member(method.name)
        if Self.clientMembers.contains(method.name) { base += "_" }
        let send = SwiftNames.prefixed("send", method.name)
        out.line()
        if method.isGeneric {
            out.line("// `\(method.name)` has generic parameters of its own; call it with `capability.send`.")
            return
        }
        let interface = method.interfaceName
        let pending = "CapnpRPC.PendingCall<\(method.results)>"
        let arguments = try rpcArguments(method, in: scope)
        let returns = try rpcReturn(method, in: scope)
        let returnClause = returns.map { " -> \($0.type)" } ?? ""
        let hasParams = try method.paramNode.struct.fields.count > 0

        // Awaiting forms.
        func emitAwait(_ signature: String, _ sendCall: String) {
            out.doc(doc)
            out.line("public func \(base)(\(signature)) async throws(CapnpRPC.RPCError)\(returnClause) {")
            out.indent()
            if let returns {
                out.line("let response = try await \(sendCall).response()")
                if returns.throwing {
                    out.line("return try CapnpRPC.RPCError.decoding { () throws(Capnp.CapnpError) in try \(returns.expression) }")
                } else {
                    out.line("return \(returns.expression)")
                }
            } else {
                out.line("_ = try await \(sendCall).response()")
            }
            out.dedent()
            out.line("}")
        }
        // Untyped: Swift does not infer typed throws for closures, so callers would have to spell it.
        let closure = "(\(method.params).Builder) throws -> Void"
        if let arguments {
            let signature = arguments.map { "\($0.label): \($0.type)" }.joined(separator: ", ")
            let forward = arguments.map { "\($0.label): \($0.label)" }.joined(separator: ", ")
            emitAwait(signature, "\(send)(\(forward))")
        }
        if hasParams {
            emitAwait("_ build: \(closure)", "\(send)(build)")
        }

        // Sending forms.
        out.doc("Sends `\(method.name)` without waiting: await `response()`, or call capabilities of the results at once.")
        if hasParams {
            if let arguments {
                let signature = arguments.map { "\($0.label): \($0.type)" }.joined(separator: ", ")
                out.line("public func \(send)(\(signature)) throws(CapnpRPC.RPCError) -> \(pending) {")
                out.indent()
                out.line("try \(send) { \(arguments.isEmpty ? "_" : "params") in")
                out.indent()
                for argument in arguments { out.line(argument.store) }
                out.dedent()
                out.line("}")
                out.dedent()
                out.line("}")
            }
            out.line("public func \(send)(_ build: \(closure)) throws(CapnpRPC.RPCError) -> \(pending) {")
            out.indent()
            out.line("let message = Capnp.MessageBuilder(firstSegmentWords: 128)")
            let contexts = try contextSlots(method)
            if contexts.isEmpty {
                out.line("try CapnpRPC.RPCError.building { try build(message.initRoot(\(method.params).self)) }")
            } else {
                // The context goes in first, so that `build` may still replace it.
                out.line("let params = message.initRoot(\(method.params).self)")
                for slot in contexts {
                    out.line("capability.fillContext(params.structBuilder.pointer(\(slot)))")
                }
                out.line("try CapnpRPC.RPCError.building { try build(params) }")
            }
            out.line("return CapnpRPC.PendingCall(capability.send(interfaceId: \(interface).typeId, methodId: \(method.ordinal), params: message))")
            out.dedent()
            out.line("}")
        } else {
            out.line("public func \(send)() -> \(pending) {")
            out.line("    CapnpRPC.PendingCall(capability.send(interfaceId: \(interface).typeId, methodId: \(method.ordinal), params: nil))")
            out.line("}")
        }
    }

    /// Accessors on a pending call for the capabilities its results hold directly.
    private mutating func emitPipeline(_ method: RPCMethod) throws {
        guard !method.isGeneric, !pipelined.contains(method.resultNode.id) else { return }
        pipelined.insert(method.resultNode.id)
        var accessors: [(String, String, UInt32)] = []
        for field in try method.resultNode.struct.fields where field.which == .slot && field.discriminantValue == 0xFFFF {
            guard try field.slot.type.which == .interface else { continue }
            var name = SwiftNames.member(try field.name)
            if ["call", "response"].contains(name) { name += "_" }
            accessors.append((name, try types.swiftType(try field.slot.type, in: file), field.slot.offset))
        }
        guard !accessors.isEmpty else { return }
        extensions.line()
        extensions.line("extension CapnpRPC.PendingCall where Results == \(method.results) {")
        extensions.indent()
        for (name, type, offset) in accessors {
            extensions.line("/// `\(name)` of the results, usable before they arrive (promise pipelining).")
            extensions.line("public var \(name): \(type).Client { \(type).Client(call.pipeline([\(offset)])) }")
        }
        extensions.dedent()
        extensions.line("}")
    }
}
