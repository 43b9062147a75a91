// The Swift names of a struct's members, chosen so that none collides with another, with a
// schema name, or with what the generated views declare themselves.
//
// The rules (the README's "Generating code" lists them too):
// 1. A schema name that Swift reserves gets a trailing `_` (`self` → `self_`, `Type` → `Type_`).
// 2. A schema field named like a member every view declares (`structReader`, `structBuilder`,
//    `asReader`, and `which` beside a union) gets a trailing `_`.
// 3. Schema names come first. A derived accessor (`has<Field>`, `init<Field>`, `set<Field>`,
//    `<field>Bytes`) that a schema name or an earlier accessor already takes gets a trailing `_`
//    until it is free: Bitcoin Core's `result` + `hasResult :Bool` gives `hasResult` (the Bool)
//    and `hasResult_` (whether `result` is set).

import Capnp

/// The names one struct's Reader and Builder give each field, by the field's index in the schema.
struct MemberNames {
    /// The property for the field itself.
    private(set) var field: [Int: String] = [:]
    private(set) var has: [Int: String] = [:]
    private(set) var initializer: [Int: String] = [:]
    private(set) var setter: [Int: String] = [:]
    /// `<field>Bytes`, the in-place bytes of a Text field.
    private(set) var bytes: [Int: String] = [:]

    /// Members a struct's views declare whatever the schema says.
    static let fixed: Set<String> = ["structReader", "structBuilder", "asReader", "init"]

    init(_ node: Node.Reader) throws {
        let fields = try node.struct_.fields
        var taken = Self.fixed
        if node.struct_.discriminantCount > 0 { taken.insert("which") }
        let raws = try fields.map { try $0.name }
        for (position, raw) in raws.enumerated() {
            var name = SwiftNames.member(raw)
            while taken.contains(name) { name += "_" }
            field[position] = name
            taken.insert(name)
        }
        // Derived names, in code order so that the first field in the schema keeps the plain form.
        func claim(_ base: String) -> String {
            var name = base
            while taken.contains(name) || SwiftNames.keywords.contains(name) { name += "_" }
            taken.insert(name)
            return name
        }
        let ordered = fields.enumerated().sorted { $0.element.codeOrder < $1.element.codeOrder }
        for (position, item) in ordered {
            let raw = raws[position]
            has[position] = claim(SwiftNames.prefixed("has", raw))
            initializer[position] = claim(SwiftNames.prefixed("init", raw))
            setter[position] = claim(SwiftNames.prefixed("set", raw))
            if item.which == .slot, try item.slot.type.which == .text { bytes[position] = claim(raw + "Bytes") }
        }
    }
}

/// Names of interface members: client methods, their `send…` forms, server requirements.
enum InterfaceMemberNames {
    /// What `CapabilityClient`, `CapabilityServer` and `PendingCall` declare.
    static let clientFixed: Set<String> = ["capability", "cast", "interfaceId", "init"]
    static let serverFixed: Set<String> = ["dispatch", "fileDescriptor", "init"]
    static let pipelineFixed: Set<String> = ["call", "response", "init"]

    /// The client method for each schema method name (in `methods` order), and its `send…` form.
    static func client(_ methods: [String]) -> (method: [String: String], send: [String: String]) {
        var taken = clientFixed
        var method: [String: String] = [:]
        for raw in methods {
            var name = SwiftNames.member(raw)
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            method[raw] = name
        }
        var send: [String: String] = [:]
        for raw in methods {
            var name = SwiftNames.prefixed("send", raw)
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            send[raw] = name
        }
        return (method, send)
    }

    static func server(_ raw: String) -> String {
        var name = SwiftNames.member(raw)
        while serverFixed.contains(name) { name += "_" }
        return name
    }

    static func pipeline(_ raw: String) -> String {
        var name = SwiftNames.member(raw)
        while pipelineFixed.contains(name) { name += "_" }
        return name
    }
}
