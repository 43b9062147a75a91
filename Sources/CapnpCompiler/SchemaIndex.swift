// Every node of a CodeGeneratorRequest by ID, with the Swift name and enclosing scope of each.

import Capnp

/// An error in the schema as the generator sees it, with the node it concerns.
public struct GeneratorError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "capnpc-swift: \(message)" }
    init(_ message: String) { self.message = message }
}

/// Looks up nodes and names. Built once per request.
struct SchemaIndex {
    private(set) var nodes: [UInt64: Node.Reader] = [:]
    /// The Swift type name of every named node (structs, groups, enums, interfaces, param structs).
    private(set) var names: [UInt64: String] = [:]
    /// The enclosing node of every named node; file-level nodes map to their file.
    private(set) var parents: [UInt64: UInt64] = [:]
    /// Nodes each scope declares, in declaration order: nested nodes, groups, param structs.
    private(set) var children: [UInt64: [UInt64]] = [:]
    private(set) var docs: [UInt64: String] = [:]
    /// `$Swift.namespace` of each file that has one: its types nest in an enum of that name.
    private(set) var namespaces: [UInt64: String] = [:]
    private(set) var memberDocs: [UInt64: [String]] = [:]

    init(request: CodeGeneratorRequest.Reader) throws {
        for node in try request.nodes {
            nodes[node.id] = node
            if node.which == .file, let namespace = try Self.fileAnnotation(node, CodeGenerator.namespaceAnnotation) {
                guard Self.isIdentifier(namespace) else {
                    throw GeneratorError("$Swift.namespace(\(SwiftNames.stringLiteral(namespace))) of \(try node.displayName) is not a Swift type name")
                }
                namespaces[node.id] = namespace
            }
        }
        for info in try request.sourceInfo {
            let doc = try info.docComment
            if !doc.isEmpty { docs[info.id] = doc }
            let members = try info.members
            if members.count > 0 { memberDocs[info.id] = try members.map { try $0.docComment } }
        }
        for node in nodes.values.sorted(by: { $0.id < $1.id }) {
            for nested in try node.nestedNodes {
                guard let child = nodes[nested.id] else { continue }
                if case .annotation = child.which { continue }
                names[nested.id] = try nestedName(try nested.name, child)
                parents[nested.id] = node.id
                children[node.id, default: []].append(nested.id)
            }
            guard case .struct_ = node.which else {
                if case .interface = node.which { try indexMethods(of: node) }
                continue
            }
            for field in try node.struct_.fields where field.which == .group {
                let groupId = field.group.typeId
                names[groupId] = SwiftNames.type(try field.name)
                parents[groupId] = node.id
                children[node.id, default: []].append(groupId)
            }
        }
    }

    private func nestedName(_ name: String, _ node: Node.Reader) throws -> String {
        if case .const = node.which { return SwiftNames.member(name) }
        return SwiftNames.type(name)
    }

    /// Param and result structs that capnp made for a method (scope 0) become `<Method>Params`/`Results`.
    private mutating func indexMethods(of interface: Node.Reader) throws {
        for method in try interface.interface.methods {
            let base = SwiftNames.upperFirst(try method.name)
            for (id, suffix) in [(method.paramStructType, "Params"), (method.resultStructType, "Results")] {
                guard let node = nodes[id], node.scopeId == 0, names[id] == nil else { continue }
                names[id] = base + suffix
                parents[id] = interface.id
                children[interface.id, default: []].append(id)
            }
        }
    }

    /// The Text value of annotation `id` on `node`, if it has one.
    static func fileAnnotation(_ node: Node.Reader, _ id: UInt64) throws -> String? {
        for annotation in try node.annotations where annotation.id == id { return try annotation.value.text }
        return nil
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }

    /// `Proxy.` for a top-level node of a file with `$Swift.namespace("Proxy")`, else "".
    func namespacePrefix(_ id: UInt64) -> String {
        guard let parent = parents[id], let namespace = namespaces[parent] else { return "" }
        return namespace + "."
    }

    func node(_ id: UInt64) throws -> Node.Reader {
        guard let node = nodes[id] else { throw GeneratorError("the request has no node \(SwiftNames.hex(id))") }
        return node
    }

    func isFile(_ id: UInt64) -> Bool {
        guard let node = nodes[id] else { return false }
        if case .file = node.which { return true }
        return false
    }

    /// The named scopes from the outermost (file-level) one down to `id` itself.
    func chain(_ id: UInt64) -> [UInt64] {
        var result: [UInt64] = []
        var current: UInt64? = id
        while let node = current, names[node] != nil {
            result.insert(node, at: 0)
            current = parents[node]
        }
        return result
    }

    /// The generic parameter names a node declares itself.
    func parameters(of id: UInt64) throws -> [String] {
        guard let node = nodes[id], node.isGeneric else { return [] }
        return try node.parameters.map { SwiftNames.type(try $0.name) }
    }

    /// The type names a scope declares (what can shadow an outer name inside it).
    func declaredTypeNames(in scope: UInt64) throws -> Set<String> {
        var result: Set<String> = ["Reader", "Builder"]
        if let node = nodes[scope] {
            switch node.which {
            case .struct_ where node.struct_.discriminantCount > 0: result.insert("Which")
            case .interface: result.formUnion(["Method", "Client", "Server"])
            default: break
            }
        }
        for child in children[scope] ?? [] {
            if let name = names[child], let node = nodes[child] {
                if case .const = node.which { continue }
                result.insert(name)
            }
        }
        result.formUnion(try parameters(of: scope))
        return result
    }

    /// Whether `scope` or anything in it is an interface or has an interface-typed field.
    func usesInterfaces(_ scope: UInt64) throws -> Bool {
        if let node = nodes[scope] {
            switch node.which {
            case .interface: return true
            case .struct_:
                for field in try node.struct_.fields where field.which == .slot {
                    if try Self.mentionsInterface(try field.slot.type) { return true }
                }
            default: break
            }
        }
        for child in children[scope] ?? [] where try usesInterfaces(child) { return true }
        return false
    }

    private static func mentionsInterface(_ type: Type_.Reader) throws -> Bool {
        switch type.which {
        case .interface: true
        case .list: try mentionsInterface(try type.list.elementType)
        default: false
        }
    }
}
