// An interface's `Server` protocol (one requirement per method) and its dispatch, which routes
// a call by interface ID (its own, or an ancestor's) and method ordinal.

import Capnp

extension SwiftEmitter {
    /// The protocol's name at file scope. Swift cannot nest a protocol in a generic type, so an
    /// interface in a generic context declares it at file scope (its type parameters read as
    /// AnyPointer) and names it `Server` with a typealias.
    private func serverProtocol(_ id: UInt64) throws -> String? {
        try inGenericContext(id) ? "_" + index.chain(id).map { index.names[$0]! }.joined(separator: "_") + "_Server" : nil
    }

    /// The Server protocol of `id` as code at file scope names it.
    private mutating func serverName(_ id: UInt64) throws -> String {
        try serverProtocol(id) ?? "\(try types.swiftTypeName(id, in: file)).Server"
    }

    mutating func emitServer(_ interface: Node.Reader) throws {
        let name = index.names[interface.id]!
        let superclasses = try interface.interface.superclasses.map { $0.id }
        var refined = try superclasses.map { try serverName($0) }
        if refined.isEmpty { refined = ["CapnpRPC.CapabilityServer"] }
        let docs = index.memberDocs[interface.id] ?? []
        let fileScope = try serverProtocol(interface.id)
        // Nested declarations name types from inside the interface; file-scope ones from the file.
        let scope = fileScope == nil ? interface.id : file
        var declaration = CodeWriter()
        declaration.line()
        declaration.line("/// Implement this to serve `\(name)`. A method that throws fails the call; an `RPCError` keeps its kind.")
        declaration.line("public protocol \(fileScope ?? "Server"): \(refined.joined(separator: ", ")) {")
        declaration.indent()
        for method in try rpcMethods(of: interface.id, in: scope) where method.interfaceId == interface.id && !method.isGeneric {
            let position = Int(method.ordinal)
            declaration.doc(position < docs.count ? docs[position] : nil)
            // At file scope the interface's type parameters are unbound: name the structs bare.
            let params = fileScope == nil ? method.params : try types.swiftTypeName(method.paramNode.id, in: file)
            let results = fileScope == nil ? method.results : try types.swiftTypeName(method.resultNode.id, in: file)
            declaration.line("func \(serverMethodName(method.name))(_ call: CapnpRPC.ServerCall<\(params), \(results)>) async throws")
        }
        declaration.dedent()
        declaration.line("}")
        if let fileScope {
            out.line()
            out.line("public typealias Server = \(fileScope)")
            extensions.lines(declaration.text)
        } else {
            out.lines(declaration.text)
        }
        try emitDispatch(interface, superclasses: superclasses)
    }

    private func serverMethodName(_ name: String) -> String {
        ["dispatch", "fileDescriptor"].contains(name) ? name + "_" : SwiftNames.member(name)
    }

    static func dispatchName(_ id: UInt64) -> String { "_dispatch_\(String(id, radix: 16))" }

    private mutating func emitDispatch(_ interface: Node.Reader, superclasses: [UInt64]) throws {
        let qualified = try types.swiftTypeName(interface.id, in: file)
        extensions.line()
        extensions.line("extension \(try serverName(interface.id)) {")
        extensions.indent()
        extensions.line("public func dispatch(_ call: CapnpRPC.IncomingCall) async throws {")
        extensions.line("    try await \(Self.dispatchName(interface.id))(call)")
        extensions.line("}")
        extensions.line()
        extensions.line("/// Serves a call to `\(qualified)` or an interface it extends.")
        extensions.line("public func \(Self.dispatchName(interface.id))(_ call: CapnpRPC.IncomingCall) async throws {")
        extensions.indent()
        extensions.line("switch call.interfaceId {")
        extensions.line("case \(SwiftNames.hex(interface.id)):")
        extensions.indent()
        extensions.line("switch call.methodId {")
        for method in try rpcMethods(of: interface.id, in: file) where method.interfaceId == interface.id && !method.isGeneric {
            let serve = "try await \(serverMethodName(method.name))(CapnpRPC.ServerCall(call))"
            if let slot = try contextSlots(method).first {
                // The caller's connection's interceptor sees it (libmultiprocess's callback thread).
                extensions.line("case \(method.ordinal): try await call.intercept(contextSlot: \(slot)) { \(serve) }")
            } else {
                extensions.line("case \(method.ordinal): \(serve)")
            }
        }
        extensions.line("default: throw CapnpRPC.RPCError.unimplemented(call)")
        extensions.line("}")
        extensions.dedent()
        var claimed: Set<UInt64> = [interface.id]
        for superclass in superclasses {
            let ids = try boundLineage(superclass, in: file).map(\.id).filter { claimed.insert($0).inserted }
            guard !ids.isEmpty else { continue }
            let cases = ids.map { "\(SwiftNames.hex($0))" }.joined(separator: ", ")
            extensions.line("case \(cases):")
            extensions.line("    try await \(Self.dispatchName(superclass))(call)")
        }
        extensions.line("default:")
        extensions.line("    throw CapnpRPC.RPCError.unimplemented(call)")
        extensions.line("}")
        extensions.dedent()
        extensions.line("}")
        extensions.dedent()
        extensions.line("}")
    }
}
