// The `capnp` tool, the oracle the wire-format, conformance and RPC tests compare against: the
// one place that knows its command lines.

import Foundation

/// The `capnp` tool over one schema file (`capnp convert`, `eval`), plus schema-free commands.
public struct CapnpTool: Sendable {
    /// The schema file the conversions and evaluations read.
    public let schema: String

    public init(schema: String) { self.schema = schema }

    /// `capnp` from PATH with `arguments` and `input` on stdin; its stdout. Throws `ToolError`
    /// when it exits non-zero.
    public static func run(_ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        let result = try runAllowingFailure(arguments, input: input)
        guard result.status == 0 else {
            throw ToolError("capnp \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// As `run`, but reports the exit status and stderr instead of throwing on failure.
    public static func runAllowingFailure(_ arguments: [String], input: [UInt8] = []) throws -> ToolResult {
        try ToolRunner.run(try ToolRunner.onPath("capnp"), arguments, input: input)
    }

    /// `capnp convert binary:packed` of a framed message. The tool copies the message first, so
    /// the result has its own segment layout (one segment unless `segmentSize` says otherwise).
    public static func pack(_ bytes: [UInt8], segmentSize: Int? = nil) throws -> [UInt8] {
        var arguments = ["convert", "--quiet"]
        if let segmentSize { arguments.append("--segment-size=\(segmentSize)") }
        arguments.append("binary:packed")
        return try run(arguments, input: bytes)
    }

    /// `capnp convert text:binary` (or `text:packed`) of a struct literal, optionally with
    /// segments of `segmentSize` words.
    public func encode(_ literal: String, as type: String, segmentSize: Int? = nil, packed: Bool = false) throws -> [UInt8] {
        var arguments = ["convert"]
        if let segmentSize { arguments.append("--segment-size=\(segmentSize)") }
        arguments += [packed ? "text:packed" : "text:binary", schema, type]
        return try Self.run(arguments, input: Array(literal.utf8))
    }

    /// `capnp convert binary:text --short` (or `packed:text`): how the tool reads `bytes`.
    public func decode(_ bytes: [UInt8], as type: String, packed: Bool = false) throws -> String {
        let out = try Self.run(["convert", "--quiet", "--short", packed ? "packed:text" : "binary:text", schema, type],
                               input: bytes)
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The tool's canonical text for a literal: encode it, then decode it.
    public func normalized(_ literal: String, as type: String) throws -> String {
        try decode(try encode(literal, as: type), as: type)
    }

    /// `capnp eval --short` of a constant or a field's default, as text (`-obinary` works only
    /// for structs).
    public func eval(_ name: String) throws -> String {
        let out = try Self.run(["eval", "--short", schema, name])
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `capnp eval -obinary` of a struct constant or struct default: a framed message.
    public func evalBinary(_ name: String) throws -> [UInt8] {
        try Self.run(["eval", "-obinary", schema, name])
    }
}
