// A real noded process in a fresh datadir for the Mining tests, and node-cli calls against it.

import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

final class NodedProcess: @unchecked Sendable {
    let datadir: TemporaryDirectory
    let process: Foundation.Process
    static let binDirectory: String = {
        // The test bundle sits beside the products it depends on (noded, node-cli).
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }()
    static var nodeCli: String { binDirectory + "/node-cli" }
    /// A regtest P2WPKH address (key hash 0x11…) for blocks mined "elsewhere".
    static let address = "bcrt1qzyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3lgth6c"

    init() throws {
        datadir = try TemporaryDirectory("mining")
        process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: Self.binDirectory + "/noded")
        process.arguments = ["-datadir=\(datadir.path)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Up when node.sock accepts; bounded, so a noded that never starts fails the test instead of hanging it.
        for _ in 0..<500 {
            if (try? cli(["getblockcount"]))?.status == 0 { return }
            usleep(20_000)
        }
        stop()
        throw ToolError("noded did not start listening on \(datadir.path)/node.sock")
    }

    var socketPath: String { datadir.path + "/node.sock" }

    func cli(_ arguments: [String]) throws -> ToolResult {
        try ToolRunner.run(Self.nodeCli, ["-datadir=\(datadir.path)"] + arguments)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
