// The methods an interface's Client and Server carry (its own and inherited ones), with the
// shape of their params and results as generated Swift sees them.

import Capnp

/// One method as the RPC stubs see it.
struct RPCMethod {
    /// The interface that declares it (and its Swift name as bound here), and its ordinal there.
    let interfaceId: UInt64
    let interfaceName: String
    let ordinal: UInt16
    let name: String
    let params: String
    let results: String
    let paramNode: Node.Reader
    let resultNode: Node.Reader
    /// Method-level generic parameters, which the stubs do not support.
    let isGeneric: Bool
    /// The declaring interface's type arguments as the interface being generated binds them
    /// (`Note extends(Persistent(Text, Text))`: Persistent's two are `Capnp.Text`), or nil.
    var boundArguments: [String]? = nil
}

/// A plain Swift argument for one params field.
struct RPCArgument {
    let label: String
    /// The parameter's name inside the generated methods: the label, unless a local those
    /// methods bind (`params`, `response`) takes it.
    let value: String
    let type: String
    /// The statement that stores it into `params`.
    let store: String

    /// Names the generated client methods bind around their arguments.
    static let boundNames: Set<String> = ["params", "response"]

    /// `label: type`, or `label value: type` when the two differ.
    var parameter: String { label == value ? "\(label): \(type)" : "\(label) \(value): \(type)" }
}

extension SwiftEmitter {
    /// Whether `id` sits inside a generic declaration (nested protocols are then impossible).
    func inGenericContext(_ id: UInt64) throws -> Bool {
        try index.chain(id).contains { try !index.parameters(of: $0).isEmpty }
    }

    /// `interface` and its ancestors, each once, with the Swift name each has as seen from
    /// `scope` (a superclass with the generic arguments its `extends` clause gives it).
    mutating func boundLineage(_ interface: UInt64, in scope: UInt64) throws -> [(id: UInt64, name: String, arguments: [String]?)] {
        var result: [(id: UInt64, name: String, arguments: [String]?)] = []
        var queue: [(id: UInt64, name: String, depth: Int, arguments: [String]?)] =
            [(interface, try types.swiftTypeName(interface, in: scope), 0, nil)]
        while !queue.isEmpty {
            let (id, name, depth, arguments) = queue.removeFirst()
            if result.contains(where: { $0.id == id }) { continue }
            result.append((id, name, arguments))
            for superclass in try index.node(id).interface.superclasses {
                // A brand names the parameters of the interface that extends; those are in scope
                // only one level up. Further up, generic arguments read as AnyPointer.
                let bound = try depth == 0 || index.parameters(of: id).isEmpty
                let superName = bound
                    ? try types.name(of: superclass.id, brand: try superclass.brand, in: scope)
                    : try types.swiftTypeName(superclass.id, in: file)
                // The arguments, when the superclass alone is generic (its parameters are then the list).
                var arguments: [String]? = nil
                if bound, try index.chain(superclass.id).dropLast().allSatisfy({ try index.parameters(of: $0).isEmpty }) {
                    let list = try types.genericArguments(of: superclass.id, brand: try superclass.brand, in: scope)
                    if try !list.isEmpty && list.count == index.parameters(of: superclass.id).count { arguments = list }
                }
                queue.append((superclass.id, superName, depth + 1, arguments))
            }
        }
        return result
    }

    /// The methods of `interface` and its ancestors, named as seen from `scope`; a name an
    /// earlier interface already uses is skipped.
    mutating func rpcMethods(of interface: UInt64, in scope: UInt64) throws -> [RPCMethod] {
        var methods: [RPCMethod] = []
        var names: Set<String> = []
        for (declaring, declaringName, bound) in try boundLineage(interface, in: scope) {
            for (ordinal, method) in try index.node(declaring).interface.methods.enumerated() {
                let name = try method.name
                guard names.insert(name).inserted else { continue }
                // Param and result structs nested in the declaring interface take its bound name.
                func structName(_ id: UInt64, _ brand: Brand.Reader) throws -> String {
                    if declaring != interface, index.parents[id] == declaring, let own = index.names[id] {
                        return "\(declaringName).\(own)"
                    }
                    return try types.name(of: id, brand: brand, in: scope)
                }
                methods.append(RPCMethod(
                    interfaceId: declaring, interfaceName: declaringName, ordinal: UInt16(ordinal), name: name,
                    params: try structName(method.paramStructType, try method.paramBrand),
                    results: try structName(method.resultStructType, try method.resultBrand),
                    paramNode: try index.node(method.paramStructType),
                    resultNode: try index.node(method.resultStructType),
                    isGeneric: try method.implicitParameters.count > 0, boundArguments: bound))
            }
        }
        return methods
    }

    /// The params as labelled arguments, or nil when some field has no plain Swift form
    /// (unions, groups, AnyPointer, type parameters): those methods take a builder closure only.
    mutating func rpcArguments(_ method: RPCMethod, in scope: UInt64) throws -> [RPCArgument]? {
        let node = method.paramNode.struct_
        if node.discriminantCount > 0 { return nil }
        var arguments: [RPCArgument] = []
        let names = try MemberNames(method.paramNode)
        let labels = Set(names.field.values)
        for (position, field) in try node.fields.enumerated() {
            if field.which == .group { return nil }
            if try Self.isProxyContext(field) { continue }  // the runtime fills it
            let name = names.field[position]!
            var value = name
            if RPCArgument.boundNames.contains(value) { repeat { value += "_" } while labels.contains(value) }
            let offset = field.slot.offset
            switch try types.kind(of: try field.slot.type, in: method.paramNode.id) {
            case .void: continue
            case .bool: arguments.append(RPCArgument(label: name, value: value, type: "Bool", store: "params.\(name) = \(value)"))
            case .number(let type), .enum(let type):
                // Named from the params struct's scope by `kind`; the client sits elsewhere.
                let swiftType = try field.slot.type.which == .enum_
                    ? types.name(of: try field.slot.type.enum_.typeId, brand: nil, in: scope) : type
                arguments.append(RPCArgument(label: name, value: value, type: swiftType, store: "params.\(name) = \(value)"))
            case .text: arguments.append(RPCArgument(label: name, value: value, type: "String", store: "params.\(name) = \(value)"))
            case .data: arguments.append(RPCArgument(label: name, value: value, type: "[UInt8]", store: "params.\(names.setter[position]!)(\(value))"))
            case .pointer(_, .interface):
                let type = try types.swiftType(try field.slot.type, in: scope)
                arguments.append(RPCArgument(label: name, value: value, type: "\(type).Client?",
                                             store: "params.structBuilder._pointer(\(offset)).setClient(\(value))"))
            case .pointer(_, .struct), .pointer(_, .list):
                let type = try types.swiftType(try field.slot.type, in: scope)
                arguments.append(RPCArgument(label: name, value: value, type: "\(type).Reader",
                                             store: "try params.\(names.setter[position]!)(\(value))"))
            case .pointer(_, .parameter):
                guard let type = try parameterType(try field.slot.type, method, scope) else { return nil }
                arguments.append(RPCArgument(label: name, value: value, type: "\(type).Reader",
                                             store: "try \(type)._set(params.structBuilder._pointer(\(offset)), to: \(value))"))
            case .pointer:
                return nil
            }
        }
        return arguments
    }

    /// The Swift type a type-parameter type stands for in `scope`: the parameter itself when
    /// `scope` or a scope around it declares it, the bound argument when an inherited method's
    /// interface was extended with one, else nil (the method then takes a builder closure).
    func parameterType(_ type: Type_.Reader, _ method: RPCMethod, _ scope: UInt64) throws -> String? {
        guard type.which == .anyPointer, type.anyPointer.which == .parameter else { return nil }
        let parameter = type.anyPointer.parameter
        if index.chain(scope).contains(parameter.scopeId) {
            return try index.parameters(of: parameter.scopeId)[Int(parameter.parameterIndex)]
        }
        if parameter.scopeId == method.interfaceId, let bound = method.boundArguments, Int(parameter.parameterIndex) < bound.count {
            return bound[Int(parameter.parameterIndex)]
        }
        return nil
    }

    /// `Proxy.Context`'s type ID (libmultiprocess's proxy.capnp, file 0xcc316e3f71a040fb).
    static let proxyContextId: UInt64 = 0x9c44_e664_5d0b_22c6

    /// Whether `field` is a `Proxy.Context`, which clients fill from their capability's context.
    static func isProxyContext(_ field: Field.Reader) throws -> Bool {
        guard field.which == .slot else { return false }
        let type = try field.slot.type
        return type.which == .struct_ && type.struct_.typeId == proxyContextId
    }

    /// The pointer slots of `method`'s params that hold a `Proxy.Context`.
    func contextSlots(_ method: RPCMethod) throws -> [UInt32] {
        guard method.paramNode.struct_.discriminantCount == 0 else { return [] }
        return try method.paramNode.struct_.fields.filter { try Self.isProxyContext($0) }.map { $0.slot.offset }
    }

    /// What a call returns: nothing for empty results, the value of a single field, else the
    /// results Reader. `expression` reads it from `response` (a results Reader).
    mutating func rpcReturn(_ method: RPCMethod, in scope: UInt64) throws -> (type: String, expression: String, throwing: Bool)? {
        let node = method.resultNode.struct_
        var fields: [(position: Int, field: Field.Reader)] = []
        for (position, field) in try node.fields.enumerated() {
            if field.which == .group { fields.append((position, field)); continue }
            if try types.kind(of: try field.slot.type, in: method.resultNode.id).isNotVoid { fields.append((position, field)) }
        }
        if fields.isEmpty && node.discriminantCount == 0 { return nil }
        guard fields.count == 1, node.discriminantCount == 0, let (position, field) = fields.first, field.which != .group else {
            return ("\(method.results).Reader", "response", false)
        }
        let name = try MemberNames(method.resultNode).field[position]!
        let type = try field.slot.type
        switch try types.kind(of: type, in: method.resultNode.id) {
        case .bool: return ("Bool", "response.\(name)", false)
        case .number(let swiftType): return (swiftType, "response.\(name)", false)
        case .enum: return (try types.name(of: type.enum_.typeId, brand: nil, in: scope), "response.\(name)", false)
        case .text: return ("String", "response.\(name)", true)
        case .data: return ("Capnp.DataReader", "response.\(name)", true)
        case .pointer(_, .interface):
            return ("\(try types.swiftType(type, in: scope)).Client", "response.\(name)", false)
        case .pointer(_, .anyPointer): return ("Capnp.PointerReader", "response.\(name)", false)
        case .pointer(_, .struct), .pointer(_, .list):
            return ("\(try types.swiftType(type, in: scope)).Reader", "response.\(name)", true)
        case .pointer(_, .parameter):
            guard let parameter = try parameterType(type, method, scope) else { return ("\(method.results).Reader", "response", false) }
            return ("\(parameter).Reader", "response.\(name)", true)
        case .pointer, .void: return ("\(method.results).Reader", "response", false)
        }
    }
}

extension FieldKind {
    var isNotVoid: Bool {
        if case .void = self { return false }
        return true
    }
}
