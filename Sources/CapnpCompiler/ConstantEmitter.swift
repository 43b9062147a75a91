// Constants: literals for data and text, compiled-in messages for everything behind a pointer.

import Capnp

extension SwiftEmitter {
    mutating func emitConstant(_ node: Node.Reader) throws {
        let name = index.names[node.id]!
        let parent = index.parents[node.id] ?? 0
        let atFileScope = index.isFile(parent) && index.namespaces[parent] == nil
        let declaration = atFileScope ? "public var" : "public static var"
        let value = try node.const.value
        out.doc(index.docs[node.id])
        switch try types.kind(of: try node.const.type, in: parent) {
        case .void:
            out.line("\(declaration) \(name): Void { () }")
        case .bool:
            out.line("\(declaration) \(name): Bool { \(Values.literal(value)) }")
        case .number(let type):
            out.line("\(declaration) \(name): \(type) { \(Values.literal(value)) }")
        case .enum(let type):
            out.line("\(declaration) \(name): \(type) { \(type)(rawValue: \(Values.literal(value))) }")
        case .text:
            out.line("\(declaration) \(name): String { \(SwiftNames.stringLiteral(try value.text)) }")
        case .data:
            let bytes = try value.data.map { String($0) }.joined(separator: ", ")
            out.line("\(declaration) \(name): [UInt8] { [\(bytes)] }")
        case .pointer(let type, let kind):
            guard let pointer = Values.pointer(value), !pointer.isNull, kind != .interface else {
                throw GeneratorError("constant \(try node.displayName) has no value this generator can embed")
            }
            let words = pointerDefault(try Values.words(of: pointer), node: node.id, name: name)
            let reader = kind == .anyPointer ? "Capnp.PointerReader" : "\(type).Reader"
            let read = kind == .anyPointer ? "\(words).root" : "try! \(type)._read(\(words).root, default: nil)"
            if try inGenericContext(parent) {
                // A generic type cannot have a stored static: read on each access.
                out.line("/// Compiled-in and checked by capnp, so reading it cannot fail.")
                out.line("\(declaration) \(name): \(reader) { \(read) }")
            } else {
                // Read once, on first use (a `static let`/global is lazy and thread-safe).
                out.line("/// Compiled-in and checked by capnp: read once, and the read cannot fail.")
                out.line("\(atFileScope ? "public let" : "public static let") \(name): \(reader) = \(read)")
            }
        }
    }
}
