// Runs an external program (the capnp oracle, our own executables) for tests, through files.

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
        let directory = try TemporaryDirectory("tool-run")
        let inPath = try directory.write("in", bytes: input)
        let outPath = try directory.write("out", bytes: [])
        let errPath = try directory.write("err", bytes: [])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        guard let stdin = FileHandle(forReadingAtPath: inPath), let stdout = FileHandle(forWritingAtPath: outPath),
              let stderr = FileHandle(forWritingAtPath: errPath)
        else { throw ToolError("cannot open the files of a run of \(executable) in \(directory.path)") }
        defer { try? stdin.close(); try? stdout.close(); try? stderr.close() }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus, stdout: try directory.readBytes("out"),
                          stderr: try directory.read("err"))
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
