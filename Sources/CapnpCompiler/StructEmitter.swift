// Structs and groups: a namespace with Reader and Builder views, unions as a `Which` enum.

import Capnp

extension SwiftEmitter {
    mutating func emitStruct(_ node: Node.Reader) throws {
        let name = index.names[node.id]!
        out.doc(index.docs[node.id])
        out.line("public enum \(name)\(try genericClause(node.id)) {")
        out.indent()
        extensions.line()
        extensions.line("extension \(extensionName(node.id)): Capnp.StructType {")
        extensions.line("    public static var typeId: UInt64 { \(SwiftNames.hex(node.id)) }")
        extensions.line("    public static var _dataWordCount: Int { \(node.struct_.dataWordCount) }")
        extensions.line("    public static var _pointerCount: Int { \(node.struct_.pointerCount) }")
        extensions.line("}")
        try emitViews(node, readerConformance: "Capnp.StructReaderView", builderConformance: "Capnp.StructBuilderView")
        try emitChildren(of: node.id)
        out.dedent()
        out.line("}")
    }

    mutating func emitGroup(_ node: Node.Reader) throws {
        let name = index.names[node.id]!
        out.doc(index.docs[node.id])
        out.line("public enum \(name) {")
        out.indent()
        try emitViews(node, readerConformance: "Capnp.StructReaderView", builderConformance: "Capnp.StructBuilderView")
        try emitChildren(of: node.id)
        out.dedent()
        out.line("}")
    }

    /// The `Which` enum (if there is a union), then `Reader` and `Builder`.
    private mutating func emitViews(_ node: Node.Reader, readerConformance: String, builderConformance: String) throws {
        let fields = try node.struct_.fields.enumerated().sorted { $0.element.codeOrder < $1.element.codeOrder }
        let docs = index.memberDocs[node.id] ?? []
        let unionMembers = fields.filter { $0.element.discriminantValue != 0xFFFF }
            .sorted { $0.element.discriminantValue < $1.element.discriminantValue }
        let discriminant = Int(node.struct_.discriminantOffset)
        let names = try MemberNames(node)
        if !unionMembers.isEmpty {
            out.line("public enum Which: Hashable, Sendable {")
            out.indent()
            for member in unionMembers { out.line("case \(SwiftNames.unionCase(try member.element.name))") }
            out.line("case unknown(UInt16)")
            out.dedent()
            out.line("}")
        }

        out.line("public struct Reader: \(readerConformance) {")
        out.indent()
        for (position, field) in fields {
            try emitReaderField(field, position: position, names: names, doc: position < docs.count ? docs[position] : nil,
                                scope: node.id, discriminant: discriminant)
        }
        if !unionMembers.isEmpty { try emitWhich(unionMembers.map(\.element), discriminant: discriminant, view: "structReader") }
        out.line("public let structReader: Capnp.StructReader")
        out.line("@inlinable public init(_ reader: Capnp.StructReader) { structReader = reader }")
        out.dedent()
        out.line("}")

        out.line("public struct Builder: \(builderConformance) {")
        out.indent()
        for (position, field) in fields {
            try emitBuilderField(field, position: position, names: names, doc: position < docs.count ? docs[position] : nil,
                                 scope: node.id, discriminant: discriminant)
        }
        if !unionMembers.isEmpty { try emitWhich(unionMembers.map(\.element), discriminant: discriminant, view: "structBuilder") }
        out.line("public var asReader: Reader { Reader(structBuilder.asReader) }")
        out.line("public let structBuilder: Capnp.StructBuilder")
        out.line("@inlinable public init(_ builder: Capnp.StructBuilder) { structBuilder = builder }")
        out.dedent()
        out.line("}")
    }

    private mutating func emitWhich(_ members: [Field.Reader], discriminant: Int, view: String) throws {
        out.line("public var which: Which {")
        out.indent()
        out.line("switch \(view)._read(\(discriminant)) as UInt16 {")
        for member in members {
            out.line("case \(member.discriminantValue): .\(SwiftNames.unionCase(try member.name))")
        }
        out.line("case let value: .unknown(value)")
        out.line("}")
        out.dedent()
        out.line("}")
    }
}
