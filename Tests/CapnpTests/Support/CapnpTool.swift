// Runs the `capnp` tool, the oracle every wire-format test compares against.

import Foundation
import Testing

/// A failure of the tool itself (exit status and stderr), so a test can say why it could not compare.
struct ToolError: Error, CustomStringConvertible {
    var description: String
}

enum CapnpTool {
    /// The tool's output for `arguments` with `input` on stdin. Throws when it exits non-zero.
    static func run(_ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        let result = try runAllowingFailure(arguments, input: input)
        guard result.status == 0 else {
            throw ToolError(description: "capnp \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs the tool and reports its exit status and stderr instead of throwing.
    static func runAllowingFailure(_ arguments: [String], input: [UInt8] = []) throws
        -> (status: Int32, stdout: [UInt8], stderr: String)
    {
        // Files, not pipes: the tool's output can be larger than a pipe buffer and nothing here drains it concurrently.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capnp-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out")
        let errURL = dir.appendingPathComponent("err")
        try Foundation.Data(input).write(to: inURL)
        try Foundation.Data().write(to: outURL)
        try Foundation.Data().write(to: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable())
        process.arguments = arguments
        let stdin = try FileHandle(forReadingFrom: inURL), stdout = try FileHandle(forWritingTo: outURL)
        let stderr = try FileHandle(forWritingTo: errURL)
        defer { try? stdin.close(); try? stdout.close(); try? stderr.close() }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        let out = [UInt8](try Foundation.Data(contentsOf: outURL))
        let err = String(decoding: try Foundation.Data(contentsOf: errURL), as: UTF8.self)
        return (process.terminationStatus, out, err)
    }

    static func executable() throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/capnp"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ToolError(description: "the capnp tool is not on PATH")
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
