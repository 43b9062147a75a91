// Runs the real noded and node-cli for tests: start on a datadir, wait until it answers, call
// node-cli, stop or kill it; and a Swift client of its node.sock.

import CapnpRPC
import Consensus
import Foundation
import Multiprocess
import NodeInterfaces
import TestSupport
import Testing

func productsDirectory() throws -> String {
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    return (executable as NSString).deletingLastPathComponent
}

/// Keys and addresses the tests mine to.
enum TestKeys {
    static func key(_ seed: UInt8) -> PrivateKey { try! PrivateKey([UInt8](repeating: seed, count: 32)) }
    static func address(_ key: PrivateKey) -> String {
        SegwitAddress(hrp: ChainParams.regtest.bech32HRP, p2wpkhKeyHash: key.publicKey.hash160).description
    }
    static func script(_ key: PrivateKey) -> [UInt8] { Script.p2wpkh(keyHash: key.publicKey.hash160) }
    static let miner = address(key(1))
}

/// One noded process on `datadir`.
final class NodedProcess: @unchecked Sendable {
    let datadir: String
    let process = Foundation.Process()
    /// How node-cli reaches it.
    let connectArguments: [String]

    /// Starts noded and waits until node-cli gets an answer from it (through `connect`, default the datadir).
    init(datadir: String, arguments: [String] = [], connect: [String]? = nil) async throws {
        self.datadir = datadir
        connectArguments = connect ?? ["-datadir=\(datadir)"]
        process.executableURL = URL(fileURLWithPath: try productsDirectory() + "/noded")
        process.arguments = ["-datadir=\(datadir)"] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await eventually("noded on \(datadir) answers") {
            guard process.isRunning else { throw ToolError("noded exited with \(process.terminationStatus) before answering") }
            return try cli("getblockcount").status == 0
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// node-cli on this datadir.
    func cli(_ arguments: String...) throws -> ToolResult { try NodeCli.run(connectArguments + arguments) }

    /// node-cli's stdout, trimmed; records an issue when it failed.
    func output(_ arguments: String...) throws -> String {
        let result = try NodeCli.run(connectArguments + arguments)
        #expect(result.status == 0, "node-cli \(arguments) failed: \(result.stderr)")
        return result.text
    }

    /// Waits for noded to exit (it was told to stop); its exit status.
    func waitForExit() async throws -> Int32 {
        try await withHangGuard("noded on \(datadir) exits") { [process] in
            while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
            return process.terminationStatus
        }
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

enum NodeCli {
    static func run(_ arguments: [String]) throws -> ToolResult {
        try ToolRunner.run(try productsDirectory() + "/node-cli", arguments)
    }
}

extension ToolResult {
    var text: String { String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(stdout), options: [.fragmentsAllowed]) }
}

/// A Swift client of node.sock: Init, Chain and Node.
struct NodeClient {
    let connected: Protocol.Connected<Init.Client>
    let chain: Chain.Client
    let node: Node.Client

    init(datadir: String) async throws {
        guard let connected = try await Ipc().connectAddress("unix", dataDirectory: datadir, name: "node", as: Init.Client.self) else {
            throw ToolError("nothing listens in \(datadir)")
        }
        self.connected = connected
        chain = try await connected.initClient.makeChain()
        node = try await connected.initClient.makeNode()
    }

    func close() { connected.connection.close() }
}
