// Writes the Swift for one schema file: dispatches each node to the emitter for its kind.

import Capnp

/// Emits one file's declarations. Each kind of node has its own extension.
struct SwiftEmitter {
    let index: SchemaIndex
    var types: TypeNames
    var out = CodeWriter()
    /// File-scope declarations (pointer defaults) that the type declarations refer to.
    var fileScope: [String] = []
    /// Declarations a reader of the API needs at file scope (Server protocols of generic interfaces).
    var fileScopeAPI = CodeWriter()
    /// What only the runtime needs, below the file's `// MARK: -` line: type IDs, sizes, method
    /// ordinals, sending, dispatch, defaults and pipeline accessors.
    var extensions = CodeWriter()
    /// Results structs whose pipeline accessors are already emitted.
    var pipelined: Set<UInt64> = []
    let file: UInt64
    /// Whether the file declares or uses interfaces, so gets RPC stubs (and imports CapnpRPC).
    let usesRPC: Bool

    init(index: SchemaIndex, file: UInt64) throws {
        self.index = index
        self.file = file
        self.types = TypeNames(index: index, file: file)
        self.usesRPC = try index.usesInterfaces(file)
    }

    /// Emits `id` and everything nested in it.
    mutating func emit(_ id: UInt64) throws {
        let node = try index.node(id)
        switch node.which {
        case .struct_:
            if node.struct_.isGroup { try emitGroup(node) } else { try emitStruct(node) }
        case .enum_: try emitEnum(node)
        case .interface: try emitInterface(node)
        case .const: try emitConstant(node)
        default: break
        }
    }

    mutating func emitChildren(of id: UInt64) throws {
        for child in index.children[id] ?? [] {
            out.line()
            try emit(child)
        }
    }

    /// `<K: Capnp.PointerType, …>` for a generic node, else empty.
    func genericClause(_ id: UInt64) throws -> String {
        let parameters = try index.parameters(of: id)
        if parameters.isEmpty { return "" }
        return "<" + parameters.map { "\($0): Capnp.PointerType" }.joined(separator: ", ") + ">"
    }

    /// The name of `id` at file scope for an `extension`: its path, generic arguments left out.
    func extensionName(_ id: UInt64) -> String {
        let chain = index.chain(id)
        return index.namespacePrefix(chain[0]) + chain.map { index.names[$0]! }.joined(separator: ".")
    }

    /// Declarations at file scope (pointer defaults) are named after the node and field.
    mutating func pointerDefault(_ words: [UInt64], node: UInt64, name: String) -> String {
        let identifier = "_\(name)Default_\(String(node, radix: 16))"
        var literal = "private let \(identifier) = Capnp.PointerDefault(words: ["
        literal += words.map { SwiftNames.hex($0) }.joined(separator: ", ")
        literal += "])"
        // Reader and Builder both ask for a field's default; declare it once.
        if !fileScope.contains(literal) { fileScope.append(literal) }
        return identifier
    }
}
