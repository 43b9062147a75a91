// Enums: a Swift enum with one case per enumerant and a case for values this schema does not know.

import Capnp

extension SwiftEmitter {
    mutating func emitEnum(_ node: Node.Reader) throws {
        let name = index.names[node.id]!
        let docs = index.memberDocs[node.id] ?? []
        var cases: [(name: String, value: Int)] = []
        for (value, enumerant) in try node.enum_.enumerants.enumerated() {
            let raw = try enumerant.name
            cases.append((raw == "unknown" ? "unknown_" : SwiftNames.member(raw), value))
        }
        out.doc(index.docs[node.id])
        out.line("public enum \(name): Capnp.CapnpEnum {")
        out.indent()
        for (name, value) in cases {
            out.doc(value < docs.count ? docs[value] : nil)
            out.line("case \(name)")
        }
        out.line("/// A value this schema does not know, kept so it survives a round trip.")
        out.line("case unknown(UInt16)")
        out.line()
        out.line("@inlinable public init(rawValue: UInt16) {")
        out.line("    switch rawValue {")
        for (name, value) in cases { out.line("    case \(value): self = .\(name)") }
        out.line("    default: self = .unknown(rawValue)")
        out.line("    }")
        out.line("}")
        out.line()
        out.line("@inlinable public var rawValue: UInt16 {")
        out.line("    switch self {")
        for (name, value) in cases { out.line("    case .\(name): \(value)") }
        out.line("    case .unknown(let value): value")
        out.line("    }")
        out.line("}")
        out.dedent()
        out.line("}")
    }
}
