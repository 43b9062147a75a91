// Runs the `capnp` tool, the oracle every wire-format test compares against.

import Foundation
import Testing
import TestSupport

typealias ToolError = TestSupport.ToolError

enum CapnpTool {
    /// The tool's output for `arguments` with `input` on stdin. Throws when it exits non-zero.
    static func run(_ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        try ToolRunner.capnp(arguments, input: input)
    }

    /// Runs the tool and reports its exit status and stderr instead of throwing.
    static func runAllowingFailure(_ arguments: [String], input: [UInt8] = []) throws
        -> (status: Int32, stdout: [UInt8], stderr: String)
    {
        let result = try ToolRunner.run(try ToolRunner.onPath("capnp"), arguments, input: input)
        return (result.status, result.stdout, result.stderr)
    }

    // MARK: conversions used by the tests

    /// `capnp convert text:binary` (or `text:packed`) of a struct literal, optionally with small segments.
    static func encode(_ literal: String, as type: String, segmentSize: Int? = nil, packed: Bool = false) throws -> [UInt8] {
        let schema = try WireSchema.shared()
        var arguments = ["convert"]
        if let segmentSize { arguments.append("--segment-size=\(segmentSize)") }
        arguments += [packed ? "text:packed" : "text:binary", schema.path, type]
        return try run(arguments, input: Array(literal.utf8))
    }

    /// `capnp convert binary:text --short`: how the tool reads `bytes`.
    static func decodeToText(_ bytes: [UInt8], as type: String) throws -> String {
        let schema = try WireSchema.shared()
        let out = try run(["convert", "--quiet", "--short", "binary:text", schema.path, type], input: bytes)
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The tool's canonical text for a literal: encode it, then decode it.
    static func normalizedText(_ literal: String, as type: String) throws -> String {
        try decodeToText(try encode(literal, as: type), as: type)
    }

    /// `capnp convert binary:packed` of a framed message.
    static func pack(_ bytes: [UInt8], segmentSize: Int? = nil) throws -> [UInt8] {
        var arguments = ["convert", "--quiet"]
        if let segmentSize { arguments.append("--segment-size=\(segmentSize)") }
        arguments.append("binary:packed")
        return try run(arguments, input: bytes)
    }
}
