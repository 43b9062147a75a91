// kill -9 during a burst of mining: the reopened store keeps every block the miner acknowledged,
// and its tip and UTXO set agree with a re-validation of its active chain from genesis.

import Consensus
import Foundation
import NodeKit
import TestSupport
import Testing

@Suite struct CrashTests {
    @Test func aMinerKilledWithSIGKILLLeavesAConsistentStoreThatResumes() async throws {
        let directory = try TemporaryDirectory("nodekit-crash")
        // Three kills on the same datadir: past maturity first (so blocks carry spends), then short bursts.
        for newBlocks in [130, 11, 17] {
            let acknowledged = try mineThenKill(datadir: directory.path, after: newBlocks)
            try #require(acknowledged.count >= newBlocks, "the miner stopped early")
            let chain = try ChainState(datadir: directory.path)
            let (lastHeight, lastHash) = acknowledged.last!
            #expect(await chain.height >= lastHeight)
            #expect(await chain.blockHash(height: lastHeight)?.hex == lastHash)
        }
        let chain = try ChainState(datadir: directory.path)
        let height = await chain.height
        #expect(height >= 158)
        let hash120 = try #require(await chain.blockHash(height: 120))
        let block = try #require(try await chain.block(hash120))
        #expect(block.transactions.count == 2)  // the coinbase and the miner's spend
        try await checkAgainstReplay(chain)
        _ = try await chain.generate(count: 1, to: Script.nullData([1]))
        #expect(await chain.height == height + 1)
    }

    /// Runs nodekit-test-miner on `datadir` until it has acknowledged `count` blocks, then SIGKILLs it.
    /// The acknowledged (height, hash) pairs.
    private func mineThenKill(datadir: String, after count: Int) throws -> [(Int, String)] {
        let miner = Process()
        miner.executableURL = URL(fileURLWithPath: try productsDirectory() + "/nodekit-test-miner")
        miner.arguments = [datadir]
        let output = Pipe()
        miner.standardOutput = output
        try miner.run()
        var acknowledged: [(Int, String)] = []
        var buffer = ""
        let reader = output.fileHandleForReading
        while acknowledged.count < count {
            let data = reader.availableData
            guard !data.isEmpty else { break }
            buffer += String(decoding: data, as: UTF8.self)
            while let newline = buffer.firstIndex(of: "\n") {
                let parts = buffer[..<newline].split(separator: " ")
                acknowledged.append((Int(parts[0])!, String(parts[1])))
                buffer = String(buffer[buffer.index(after: newline)...])
            }
        }
        kill(miner.processIdentifier, SIGKILL)
        miner.waitUntilExit()
        #expect(miner.terminationReason == .uncaughtSignal)
        return acknowledged
    }
}

/// The directory of the built executables (the test bundle's own).
func productsDirectory() throws -> String {
    let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    return (executable as NSString).deletingLastPathComponent
}
