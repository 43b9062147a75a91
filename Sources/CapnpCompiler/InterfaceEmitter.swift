// Interfaces: the type ID, superclasses, method ordinals, and the param/result structs.
// Clients, servers and dispatch (ClientEmitter, ServerEmitter) build on these.

import Capnp

extension SwiftEmitter {
    mutating func emitInterface(_ node: Node.Reader) throws {
        let name = index.names[node.id]!
        let interface = node.interface
        out.doc(index.docs[node.id])
        out.line("public enum \(name)\(try genericClause(node.id)) {")
        out.indent()
        try emitServer(node)
        try emitClient(node)
        try emitChildren(of: node.id)
        extensions.line()
        extensions.line("extension \(extensionName(node.id)): Capnp.InterfaceType {")
        extensions.indent()
        extensions.line("public static var typeId: UInt64 { \(SwiftNames.hex(node.id)) }")
        let superclasses = try interface.superclasses.map { SwiftNames.hex($0.id) }
        if !superclasses.isEmpty {
            extensions.line("/// The interfaces this one extends, by type ID.")
            extensions.line("public static var superclassIds: [UInt64] { [\(superclasses.joined(separator: ", "))] }")
        }
        extensions.line("/// Method ordinals, as they go on the wire.")
        extensions.line("public enum Method: UInt16, Sendable, CaseIterable {")
        extensions.indent()
        for (ordinal, method) in try interface.methods.enumerated() {
            extensions.line("case \(SwiftNames.member(try method.name)) = \(ordinal)")
        }
        extensions.dedent()
        extensions.line("}")
        extensions.dedent()
        extensions.line("}")
        out.dedent()
        out.line("}")
    }
}
