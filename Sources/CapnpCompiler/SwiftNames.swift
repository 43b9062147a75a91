// Swift spellings of schema names: case conventions and keyword escaping.

enum SwiftNames {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do",
        "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "_",
    ]

    /// Type names Swift reserves or that would shadow what generated namespaces declare.
    static let reservedTypeNames: Set<String> = ["Type", "Protocol", "Self", "Any", "Reader", "Builder"]

    /// A member (field, case, method, argument) name; a keyword gets a trailing `_` (`self_`), not
    /// backticks: `reader.`self`` would still be the reader itself.
    static func member(_ name: String) -> String {
        keywords.contains(name) ? name + "_" : name
    }

    /// A `Which` case for a union member; `unknown` is taken by the case for discriminants this schema lacks.
    static func unionCase(_ name: String) -> String {
        name == "unknown" ? "unknown_" : member(name)
    }

    /// A type name: UpperCamel, suffixed with `_` when Swift or the generated code reserves it.
    static func type(_ name: String) -> String {
        let upper = upperFirst(name)
        return reservedTypeNames.contains(upper) || keywords.contains(upper) ? upper + "_" : upper
    }

    static func upperFirst(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.uppercased() + name.dropFirst()
    }

    /// `hasFoo`, `initFoo`, `setFoo` for a field named `foo`.
    static func prefixed(_ prefix: String, _ name: String) -> String { prefix + upperFirst(name) }

    /// A Swift string literal for `text`.
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
