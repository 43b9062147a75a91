// Runs an external tool (the capnp oracle, our own executables) for tests, through files.

import Foundation

/// What a tool run produced.
public struct ToolResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: String
}

/// A tool failed or could not be found; the description says which and why.
public struct ToolError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ToolRunner {
    /// Runs `executable` with `arguments` and `input` on stdin and reports what happened.
    /// Files, not pipes: a tool's output can exceed a pipe buffer and nothing here drains it concurrently.
    public static func run(_ executable: String, _ arguments: [String], input: [UInt8] = []) throws -> ToolResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tool-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in"), outURL = dir.appendingPathComponent("out")
        let errURL = dir.appendingPathComponent("err")
        try Foundation.Data(input).write(to: inURL)
        try Foundation.Data().write(to: outURL)
        try Foundation.Data().write(to: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = try FileHandle(forReadingFrom: inURL), stdout = try FileHandle(forWritingTo: outURL)
        let stderr = try FileHandle(forWritingTo: errURL)
        defer { try? stdin.close(); try? stdout.close(); try? stderr.close() }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus,
                          stdout: [UInt8](try Foundation.Data(contentsOf: outURL)),
                          stderr: String(decoding: try Foundation.Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Runs `capnp` from PATH; throws `ToolError` when it exits non-zero.
    public static func capnp(_ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        let result = try run(try onPath("capnp"), arguments, input: input)
        guard result.status == 0 else {
            throw ToolError("capnp \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// The full path of `name` on PATH.
    public static func onPath(_ name: String) throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw ToolError("\(name) is not on PATH")
    }
}
