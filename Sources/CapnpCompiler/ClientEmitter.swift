// An interface's `Client`: per method an awaiting call, a `send…` that returns the pending call
// (for pipelining), and pipeline accessors for capabilities in the results.

import Capnp

extension SwiftEmitter {
    mutating func emitClient(_ interface: Node.Reader) throws {
        let name = index.names[interface.id]!
        out.line()
        out.line("/// A client of `\(name)`: one method per schema method, inherited ones included.")
        out.line("public struct Client {")
        out.indent()
        // The awaiting forms here; the sending forms, which build the params, in the support extension.
        var sending = CodeWriter()
        sending.indent()
        let methods = try rpcMethods(of: interface.id, in: interface.id)
        let names = InterfaceMemberNames.client(methods.map(\.name))
        for method in methods {
            let docs = index.memberDocs[method.interfaceId] ?? []
            try emitClientMethod(method, base: names.method[method.name]!, send: names.send[method.name]!,
                                 doc: Int(method.ordinal) < docs.count ? docs[Int(method.ordinal)] : nil, scope: interface.id,
                                 sending: &sending)
        }
        out.line()
        out.line("public let capability: CapnpRPC.Capability")
        out.line("public init(_ capability: CapnpRPC.Capability) { self.capability = capability }")
        out.dedent()
        out.line("}")
        extensions.line()
        extensions.line("extension \(extensionName(interface.id)).Client: CapnpRPC.CapabilityClient {")
        extensions.line("    public static var interfaceId: UInt64 { \(SwiftNames.hex(interface.id)) }")
        extensions.lines(sending.text)
        extensions.line("}")
        if try !inGenericContext(interface.id) {
            for method in try rpcMethods(of: interface.id, in: file) where method.interfaceId == interface.id {
                try emitPipeline(method)
            }
        }
    }

    private mutating func emitClientMethod(_ method: RPCMethod, base: String, send: String, doc: String?, scope: UInt64,
                                           sending sending: inout CodeWriter) throws {
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
        let hasParams = try method.paramNode.struct_.fields.count > 0

        // Awaiting forms.
        func emitAwait(_ signature: String, _ sendCall: String) {
            out.doc(doc)
            out.line("public func \(base)(\(signature)) async throws(CapnpRPC.RPCError)\(returnClause) {")
            out.indent()
            out.line("await capability.roomToSend()")
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
        // `sending`: the closure may keep the params builder, so it goes with the message to the shim.
        let closure = "sending (\(method.params).Builder) throws -> Void"
        if let arguments {
            let signature = arguments.map(\.parameter).joined(separator: ", ")
            let forward = arguments.map { "\($0.label): \($0.value)" }.joined(separator: ", ")
            emitAwait(signature, "\(send)(\(forward))")
        }
        if hasParams {
            emitAwait("_ build: \(closure)", "\(send)(build)")
        }

        // Sending forms.
        sending.line()
        sending.doc("Sends `\(method.name)` without waiting: await `response()`, or call capabilities of the results at once.")
        if hasParams {
            if let arguments {
                let signature = arguments.map(\.parameter).joined(separator: ", ")
                sending.line("public func \(send)(\(signature)) throws(CapnpRPC.RPCError) -> \(pending) {")
                sending.indent()
                sending.line("try \(send) { \(arguments.isEmpty ? "_" : "params") in")
                sending.indent()
                for argument in arguments { sending.line(argument.store) }
                sending.dedent()
                sending.line("}")
                sending.dedent()
                sending.line("}")
            }
            sending.line("public func \(send)(_ build: \(closure)) throws(CapnpRPC.RPCError) -> \(pending) {")
            sending.indent()
            sending.line("let message = Capnp.MessageBuilder(firstSegmentWords: 128)")
            let contexts = try contextSlots(method)
            if contexts.isEmpty {
                sending.line("try CapnpRPC.RPCError.building { try build(message.initRoot(\(method.params).self)) }")
            } else {
                // The context goes in first, so that `build` may still replace it.
                sending.line("let params = message.initRoot(\(method.params).self)")
                for slot in contexts {
                    sending.line("capability.fillContext(params.structBuilder._pointer(\(slot)))")
                }
                sending.line("try CapnpRPC.RPCError.building { try build(params) }")
            }
            sending.line("return CapnpRPC.PendingCall(capability.send(interfaceId: \(interface).typeId, methodId: \(method.ordinal), params: message))")
            sending.dedent()
            sending.line("}")
        } else {
            sending.line("public func \(send)() -> \(pending) {")
            sending.line("    CapnpRPC.PendingCall(capability.send(interfaceId: \(interface).typeId, methodId: \(method.ordinal), params: nil))")
            sending.line("}")
        }
    }

    /// Accessors on a pending call for the capabilities its results hold directly.
    private mutating func emitPipeline(_ method: RPCMethod) throws {
        guard !method.isGeneric, !pipelined.contains(method.resultNode.id) else { return }
        pipelined.insert(method.resultNode.id)
        var accessors: [(String, String, UInt32)] = []
        for field in try method.resultNode.struct_.fields where field.which == .slot && field.discriminantValue == 0xFFFF {
            guard try field.slot.type.which == .interface else { continue }
            let name = InterfaceMemberNames.pipeline(try field.name)
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
