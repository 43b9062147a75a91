// An interface's `Server` protocol (one requirement per method) and its dispatch, which routes
// a call by interface ID (its own, or an ancestor's) and method ordinal.

import Capnp

extension SwiftEmitter {
    /// The protocol's name at file scope. Swift cannot nest a protocol in a generic type, so an
    /// interface in a generic context declares it at file scope, with the type parameters as
    /// primary associated types, and names it `Server` with a typealias: `Registry<Animal>.Server`
    /// is `_Registry_Server<Animal>`, whose methods take `Registry<Animal>`'s params.
    private func serverProtocol(_ id: UInt64) throws -> String? {
        try inGenericContext(id) ? "_" + extensionName(id).split(separator: ".").joined(separator: "_") + "_Server" : nil
    }

    /// The Server protocol of `id` as code at file scope names it.
    private mutating func serverName(_ id: UInt64) throws -> String {
        try serverProtocol(id) ?? "\(try types.swiftTypeName(id, in: file)).Server"
    }

    mutating func emitServer(_ interface: Node.Reader) throws {
        let name = index.names[interface.id]!
        let superclasses = try interface.interface.superclasses.map { $0.id }
        let docs = index.memberDocs[interface.id] ?? []
        let fileScope = try serverProtocol(interface.id)
        // The unimplemented defaults sit on a protocol the Server refines, so a default written by
        // hand in an extension of the Server (more specific) wins over them without a clash.
        let defaults = fileScope.map { $0 + "Defaults" } ?? "_ServerDefaults"
        let parameters = try index.chain(interface.id).flatMap { try index.parameters(of: $0) }
        let primary = parameters.isEmpty ? "" : "<" + parameters.joined(separator: ", ") + ">"
        var refined = [defaults]
        for superclass in try interface.interface.superclasses {
            // A generic superclass's Server bound to the arguments this `extends` gives it.
            var name = try serverName(superclass.id)
            if try serverProtocol(superclass.id) != nil {
                let arguments = try types.genericArguments(of: superclass.id, brand: try superclass.brand, in: interface.id)
                if !arguments.isEmpty { name += "<" + arguments.joined(separator: ", ") + ">" }
            }
            refined.append(name)
        }
        let depth = try inheritanceDepth(interface.id)
        if (1...Self.maximumDepth).contains(depth) { refined.append("CapnpRPC._ServerDepth\(depth)") }
        var declaration = CodeWriter()
        declaration.line()
        declaration.line("/// Implement this to serve `\(name)`: a method not implemented fails with `unimplemented`; one that")
        declaration.line("/// throws fails the call (an `RPCError` keeps its kind).")
        declaration.line("public protocol \(fileScope.map { $0 + primary } ?? "Server"): \(refined.joined(separator: ", ")) {")
        declaration.indent()
        let associatedTypes = parameters.map { "associatedtype \($0): Capnp.PointerType" }
        if fileScope != nil { for line in associatedTypes { declaration.line(line) } }
        // Named from inside the interface: at file scope its type parameters are the associated types.
        for method in try rpcMethods(of: interface.id, in: interface.id) where method.interfaceId == interface.id && !method.isGeneric {
            let position = Int(method.ordinal)
            declaration.doc(position < docs.count ? docs[position] : nil)
            declaration.line("func \(serverMethodName(method.name))(_ call: CapnpRPC.ServerCall<\(method.params), \(method.results)>) async throws")
        }
        declaration.dedent()
        declaration.line("}")
        declaration.line("/// Where `Server`'s methods get their `unimplemented` defaults.")
        if fileScope != nil, !associatedTypes.isEmpty {
            declaration.line("public protocol \(defaults)\(primary): CapnpRPC.CapabilityServer {")
            for line in associatedTypes { declaration.line("    " + line) }
            declaration.line("}")
        } else {
            declaration.line("public protocol \(defaults): CapnpRPC.CapabilityServer {}")
        }
        if let fileScope {
            out.line()
            out.line("public typealias Server = \(fileScope)\(primary)")
            fileScopeAPI.lines(declaration.text)
        } else {
            out.lines(declaration.text)
        }
        try emitDispatch(interface, superclasses: superclasses)
    }

    private func serverMethodName(_ name: String) -> String { InterfaceMemberNames.server(name) }

    /// The deepest `_ServerDepthN` protocol the runtime declares.
    static let maximumDepth = 16

    /// 0 for an interface that extends none, else one more than its deepest superclass.
    func inheritanceDepth(_ id: UInt64) throws -> Int {
        let superclasses = try index.node(id).interface.superclasses
        return try superclasses.map { try inheritanceDepth($0.id) + 1 }.max() ?? 0
    }

    static func dispatchName(_ id: UInt64) -> String { "_dispatch_\(String(id, radix: 16))" }

    private mutating func emitDispatch(_ interface: Node.Reader, superclasses: [UInt64]) throws {
        let qualified = try types.swiftTypeName(interface.id, in: file)
        extensions.line()
        // Every method defaults to failing with `unimplemented`, as capnp C++ servers do, so a
        // server writes only what it serves.
        let fileScope = try serverProtocol(interface.id)
        extensions.line("extension \(fileScope.map { $0 + "Defaults" } ?? qualified + "._ServerDefaults") {")
        extensions.indent()
        for method in try rpcMethods(of: interface.id, in: interface.id) where method.interfaceId == interface.id && !method.isGeneric {
            extensions.line("public func \(serverMethodName(method.name))(_ call: CapnpRPC.ServerCall<\(method.params), \(method.results)>) async throws {")
            extensions.line("    throw CapnpRPC.RPCError.unimplemented(call.call)")
            extensions.line("}")
        }
        extensions.dedent()
        extensions.line("}")
        extensions.line()
        extensions.line("extension \(try serverName(interface.id)) {")
        extensions.indent()
        // A subclass may adopt an interface that extends this one (ServerInheritance.swift).
        let depth = try inheritanceDepth(interface.id)
        var body = CodeWriter()
        if depth < Self.maximumDepth {
            body.line("if let derived = self as? any CapnpRPC._ServerDepth\(depth + 1) {")
            body.line("    return try await derived._dispatchDepth\(depth + 1)(call)")
            body.line("}")
        }
        body.line("try await \(Self.dispatchName(interface.id))(call)")
        extensions.line("public func dispatch(_ call: CapnpRPC.IncomingCall) async throws {")
        extensions.indent()
        extensions.lines(body.text)
        extensions.dedent()
        extensions.line("}")
        if (1...Self.maximumDepth).contains(depth) {
            extensions.line("public func _dispatchDepth\(depth)(_ call: CapnpRPC.IncomingCall) async throws {")
            extensions.indent()
            extensions.lines(body.text)
            extensions.dedent()
            extensions.line("}")
        }
        extensions.line()
        extensions.line("/// Serves a call to `\(qualified)` or an interface it extends.")
        extensions.line("public func \(Self.dispatchName(interface.id))(_ call: CapnpRPC.IncomingCall) async throws {")
        extensions.indent()
        extensions.line("switch call.interfaceId {")
        extensions.line("case \(SwiftNames.hex(interface.id)):")
        extensions.indent()
        extensions.line("switch call.methodId {")
        for method in try rpcMethods(of: interface.id, in: file) where method.interfaceId == interface.id && !method.isGeneric {
            let serve = "try await self.\(serverMethodName(method.name))(CapnpRPC.ServerCall(call))"
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
