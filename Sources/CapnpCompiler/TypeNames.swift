// Swift type expressions for schema types, as seen from one scope: brands applied, shadowing avoided.

import Capnp

/// How a field's type is stored and which accessors it gets.
enum FieldKind {
    case void
    case bool
    /// An integer or float: its Swift type name.
    case number(String)
    case `enum`(String)
    case text
    case data
    /// A struct, list, interface, AnyPointer, AnyStruct or type parameter: its Swift `PointerType`.
    case pointer(String, PointerKind)
}

enum PointerKind { case `struct`, list, interface, anyPointer, anyStruct, parameter }

/// Resolves type references. `aliases` collects top-level types that had to be reached through
/// a file-level typealias because a nested declaration shadows their name.
struct TypeNames {
    let index: SchemaIndex
    /// The file being generated; aliases it needs are declared in it.
    let file: UInt64
    private(set) var aliases: [UInt64: String] = [:]

    init(index: SchemaIndex, file: UInt64) {
        self.index = index
        self.file = file
    }

    static func numberType(_ which: Type_.Which) -> String? {
        switch which {
        case .int8: "Int8"
        case .int16: "Int16"
        case .int32: "Int32"
        case .int64: "Int64"
        case .uint8: "UInt8"
        case .uint16: "UInt16"
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .float32: "Float"
        case .float64: "Double"
        default: nil
        }
    }

    /// The kind and Swift type of a field of type `type`, seen from inside `scope`.
    mutating func kind(of type: Type_.Reader, in scope: UInt64) throws -> FieldKind {
        let which = type.which
        if let number = Self.numberType(which) { return .number(number) }
        switch which {
        case .void: return .void
        case .bool: return .bool
        case .text: return .text
        case .data: return .data
        case .enum_: return .enum(try name(of: type.enum_.typeId, brand: nil, in: scope))
        case .list: return .pointer(try swiftType(type, in: scope), .list)
        case .struct_: return .pointer(try swiftType(type, in: scope), .struct)
        case .interface: return .pointer(try swiftType(type, in: scope), .interface)
        case .anyPointer:
            let any = type.anyPointer
            switch any.which {
            case .parameter: return .pointer(try swiftType(type, in: scope), .parameter)
            case .unconstrained where any.unconstrained.which == .struct_: return .pointer("Capnp.AnyStruct", .anyStruct)
            default: return .pointer("Capnp.AnyPointer", .anyPointer)
            }
        default:
            throw GeneratorError("unsupported type \(which)")
        }
    }

    /// The Swift type standing for `type` as a generic argument or list element.
    mutating func swiftType(_ type: Type_.Reader, in scope: UInt64) throws -> String {
        let which = type.which
        if let number = Self.numberType(which) { return number }
        switch which {
        case .void: return "Capnp.VoidValue"
        case .bool: return "Bool"
        case .text: return "Capnp.Text"
        case .data: return "Capnp.Bytes"
        case .list: return "Capnp.List<\(try swiftType(try type.list.elementType, in: scope))>"
        case .enum_: return try name(of: type.enum_.typeId, brand: nil, in: scope)
        case .struct_: return try name(of: type.struct_.typeId, brand: try type.struct_.brand, in: scope)
        case .interface: return try name(of: type.interface.typeId, brand: try type.interface.brand, in: scope)
        case .anyPointer:
            let any = type.anyPointer
            switch any.which {
            case .parameter:
                let parameters = try index.parameters(of: any.parameter.scopeId)
                let position = Int(any.parameter.parameterIndex)
                guard position < parameters.count else {
                    throw GeneratorError("type parameter \(position) of \(SwiftNames.hex(any.parameter.scopeId)) does not exist")
                }
                return parameters[position]
            case .unconstrained where any.unconstrained.which == .struct_: return "Capnp.AnyStruct"
            default: return "Capnp.AnyPointer"
            }
        default:
            throw GeneratorError("unsupported type \(which)")
        }
    }

    /// The name of declaration `id` itself (generic arguments as seen from `scope`).
    mutating func swiftTypeName(_ id: UInt64, in scope: UInt64) throws -> String {
        try name(of: id, brand: nil, in: scope)
    }

    /// The qualified name of node `id`, with generic arguments from `brand`, valid inside `scope`.
    mutating func name(of id: UInt64, brand: Brand.Reader?, in scope: UInt64) throws -> String {
        let chain = index.chain(id)
        guard let top = chain.first, let topName = index.names[top] else {
            throw GeneratorError("type \(SwiftNames.hex(id)) has no name")
        }
        let useSite = index.chain(scope)
        var bindings: [UInt64: [String]] = [:]
        var inherited: Set<UInt64> = []
        if let brand {
            for brandScope in try brand.scopes {
                switch brandScope.which {
                case .bind:
                    var arguments: [String] = []
                    for binding in try brandScope.bind {
                        if binding.which == .type {
                            arguments.append(try swiftType(try binding.type, in: scope))
                        } else {
                            arguments.append("Capnp.AnyPointer")
                        }
                    }
                    bindings[brandScope.scopeId] = arguments
                case .inherit:
                    inherited.insert(brandScope.scopeId)
                case .unknown:
                    break
                }
            }
        }
        var parts: [String] = []
        for (position, component) in chain.enumerated() {
            let namespace = position == 0 ? index.namespacePrefix(top) : ""
            var part = position > 0 ? index.names[component]!
                : namespace.isEmpty ? try reachable(top, topName, from: useSite) : namespace + topName
            let parameters = try index.parameters(of: component)
            if !parameters.isEmpty {
                let arguments: [String]
                if let bound = bindings[component] {
                    arguments = bound
                } else if inherited.contains(component) || useSite.contains(component) {
                    arguments = parameters
                } else {
                    arguments = Array(repeating: "Capnp.AnyPointer", count: parameters.count)
                }
                part += "<" + arguments.joined(separator: ", ") + ">"
            }
            parts.append(part)
        }
        return parts.joined(separator: ".")
    }

    /// `topName`, unless a scope around the use site declares that name too; then a typealias.
    private mutating func reachable(_ top: UInt64, _ topName: String, from useSite: [UInt64]) throws -> String {
        for scope in useSite where try index.declaredTypeNames(in: scope).contains(topName) {
            // Named after the using file too, so two files aliasing one type do not collide.
            var alias = "_\(topName)_\(String(top, radix: 16))"
            if index.parents[top] != file { alias += "_\(String(file, radix: 16))" }
            aliases[top] = alias
            return alias
        }
        return topName
    }
}
