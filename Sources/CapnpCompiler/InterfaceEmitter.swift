// Interfaces: the type ID, superclasses, method ordinals, and the param/result structs.
// Clients, servers and dispatch (ClientEmitter, ServerEmitter) build on these.

import Capnp

extension SwiftEmitter {
    mutating func emitInterface(_ node: Node.Reader) throws {
        let name = index.names[node.id]!
        let interface = node.interface
        let docs = index.memberDocs[node.id] ?? []
        out.doc(index.docs[node.id])
        out.line("public enum \(name)\(try genericClause(node.id)): Capnp.InterfaceType {")
        out.indent()
        out.line("public static var typeId: UInt64 { \(SwiftNames.hex(node.id)) }")
        let superclasses = try interface.superclasses.map { SwiftNames.hex($0.id) }
        if !superclasses.isEmpty {
            out.line("/// The interfaces this one extends, by type ID.")
            out.line("public static var superclassIds: [UInt64] { [\(superclasses.joined(separator: ", "))] }")
        }
        let methods = try interface.methods
        out.line("/// Method ordinals, as they go on the wire.")
        out.line("public enum Method: UInt16, Sendable, CaseIterable {")
        out.indent()
        for (ordinal, method) in methods.enumerated() {
            out.doc(ordinal < docs.count ? docs[ordinal] : nil)
            out.line("case \(SwiftNames.member(try method.name)) = \(ordinal)")
        }
        out.dedent()
        out.line("}")
        try emitClient(node)
        try emitServer(node)
        try emitChildren(of: node.id)
        out.dedent()
        out.line("}")
    }
}
