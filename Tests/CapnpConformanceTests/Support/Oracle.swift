// Runs the `capnp` tool over the conformance schemas: the oracle every test here compares against.

import Capnp
import Foundation
import Testing
import TestSupport

typealias OracleError = TestSupport.ToolError

enum Schema: String {
    case test = "test.capnp"
    case imported = "imported.capnp"

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemas")

    var path: String { Self.directory.appendingPathComponent(rawValue).path }
}

enum Oracle {
    /// The tool's stdout for `arguments` with `input` on stdin; throws when it exits non-zero.
    static func run(_ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        try ToolRunner.capnp(arguments, input: input)
    }

    /// `capnp convert text:binary` (or `text:packed`), optionally with segments of `segmentSize` words.
    static func encode(_ literal: String, as type: String, in schema: Schema = .test, segmentSize: Int? = nil,
                       packed: Bool = false) throws -> [UInt8] {
        var arguments = ["convert"]
        if let segmentSize { arguments.append("--segment-size=\(segmentSize)") }
        arguments += [packed ? "text:packed" : "text:binary", schema.path, type]
        return try run(arguments, input: Array(literal.utf8))
    }

    /// `capnp convert binary:text --short`: how the tool reads `bytes`.
    static func decode(_ bytes: [UInt8], as type: String, in schema: Schema = .test, packed: Bool = false) throws -> String {
        let out = try run(["convert", "--short", packed ? "packed:text" : "binary:text", schema.path, type], input: bytes)
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The tool's canonical text for a literal: encode it, then decode it.
    static func normalized(_ literal: String, as type: String, in schema: Schema = .test) throws -> String {
        try decode(try encode(literal, as: type, in: schema), as: type, in: schema)
    }

    /// `capnp eval` of a constant or a field's default, as text (`-obinary` works only for structs).
    static func eval(_ name: String, in schema: Schema = .test) throws -> String {
        let out = try run(["eval", "--short", schema.path, name])
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `capnp eval -obinary` of a struct constant or struct default: a framed message.
    static func evalBinary(_ name: String, in schema: Schema = .test) throws -> [UInt8] {
        try run(["eval", "-obinary", schema.path, name])
    }

    /// `capnp convert binary:packed`. The tool copies the message first, so the result is the
    /// single-segment layout: compare only single-segment messages with it.
    static func pack(_ bytes: [UInt8]) throws -> [UInt8] {
        try run(["convert", "binary:packed"], input: bytes)
    }
}

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

extension Capnp.DataReader {
    var array: [UInt8] { Array(self) }
}
