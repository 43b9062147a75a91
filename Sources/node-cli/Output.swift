// What a command prints: a human form, and JSON for -json.

/// A JSON value, written by hand (the outputs are numbers, strings, bools, lists and objects).
indirect enum JSON {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): "\(value)"
        case .string(let value): Self.quote(value)
        case .array(let values): "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.map { "\(Self.quote($0.0)): \($0.1.text)" }.joined(separator: ", ") + "}"
        }
    }

    static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

struct Output {
    let human: String
    let jsonValue: JSON

    var json: String { jsonValue.text }

    init(human: String, json: JSON) {
        self.human = human
        self.jsonValue = json
    }

    /// A value printed the same way in both forms (a count, a hash).
    static func scalar(_ value: JSON) -> Output {
        switch value {
        case .string(let text): Output(human: text, json: value)
        default: Output(human: value.text, json: value)
        }
    }

    /// Fields as "name: value" lines, and as a JSON object.
    static func fields(_ fields: [(String, JSON)]) -> Output {
        let lines = fields.map { name, value -> String in
            switch value {
            case .string(let text): "\(name): \(text)"
            case .array(let values): "\(name):" + values.map { "\n  " + (($0.stringValue) ?? $0.text) }.joined()
            default: "\(name): \(value.text)"
            }
        }
        return Output(human: lines.joined(separator: "\n"), json: .object(fields))
    }
}

extension JSON {
    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
}
