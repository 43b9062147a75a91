// noded and node-cli as a person runs them: mining checked by the embit oracle, restart, kill -9
// during a burst of mining, a reorg, and bad input.

import Consensus
import Foundation
import NodeInterfaces
import NodeKit
import TestSupport
import Testing

@Suite struct NodedCliTests {
    @Test func blocksMinedByNodeCliParseAndVerifyInTheOracle() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        #expect(try noded.output("getblockhash", "0") == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
        let hashes = try #require(try noded.cli("-json", "generatetoaddress", "3", TestKeys.miner).json() as? [String])
        #expect(hashes.count == 3)
        #expect(try noded.output("getblockcount") == "3")
        #expect(try noded.output("getbestblockhash") == hashes[2])

        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        for (i, hash) in hashes.enumerated() {
            let block = try #require(try noded.cli("-json", "getblock", hash).json() as? [String: Any])
            #expect(block["height"] as? Int == i + 1)
            let txids = try #require(block["tx"] as? [String])
            // The raw block from Chain.findBlock, and the coinbase from getrawtransaction, as embit reads them.
            let found = try await client.chain.findBlock(hash: Hash256(displayHex: hash)!.bytes, wantData: true)
            #expect(found.found && found.inActiveChain && found.height == Int32(i + 1))
            let raw = Hex.encode(Array(try found.data))
            let coinbaseHex = try noded.output("getrawtransaction", txids[0])
            let answer = try BitcoinOracle.ask(["blocks": [raw], "transactions": [["hex": coinbaseHex]]])
            let described = try #require((answer["blocks"] as? [[String: Any]])?.first)
            #expect(described["hash"] as? String == hash)
            #expect(described["merkle_root"] as? String == described["header_merkle_root"] as? String)
            #expect(described["witness_commitment_ok"] as? Bool == true)
            #expect(described["txids"] as? [String] == txids)
            let coinbase = try #require((answer["transactions"] as? [[String: Any]])?.first)
            #expect(coinbase["txid"] as? String == txids[0])
        }
    }

    @Test func aRestartResumesTheTipAndStopRemovesTheSocket() async throws {
        let directory = try TemporaryDirectory("noded")
        let first = try await NodedProcess(datadir: directory.path)
        _ = try first.output("generatetoaddress", "5", TestKeys.miner)
        let tip = try first.output("getbestblockhash")
        #expect(try first.output("stop") == "noded stopping")
        #expect(try await first.waitForExit() == 0)
        #expect(access(directory.path + "/node.sock", F_OK) != 0, "noded left its socket file behind")

        let second = try await NodedProcess(datadir: directory.path)
        #expect(try second.output("getblockcount") == "5")
        #expect(try second.output("getbestblockhash") == tip)
        second.signal(SIGINT)
        #expect(try await second.waitForExit() == 0)
    }

    @Test func ipcbindAndIpcconnectPathsSocketModeAndDebugIpcInTheLog() async throws {
        let directory = try TemporaryDirectory("noded")
        let socket = directory.path + "/elsewhere.sock"
        let noded = try await NodedProcess(datadir: directory.path + "/data", arguments: ["-ipcbind=unix:\(socket)", "-debug=ipc"],
                                         connect: ["-ipcconnect=unix:\(socket)"])
        #expect(access(directory.path + "/data/node.sock", F_OK) != 0)
        var info = stat()
        #expect(stat(socket, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let viaPath = try NodeCli.run(["-ipcconnect=unix:\(socket)", "getblockcount"])
        #expect(viaPath.status == 0 && viaPath.text == "0")
        noded.signal(SIGTERM)
        #expect(try await noded.waitForExit() == 0)
        let log = try String(contentsOfFile: directory.path + "/data/debug.log", encoding: .utf8)
        #expect(log.contains("listening on \(socket)"))
        // -debug=ipc traces each call served: Init.makeChain is 0x8838c700ba5cba65.5.
        #expect(log.contains("serving 0x8838c700ba5cba65.5, params "))
        // ... with its sizes and how long serving it took.
        let served = log.split(separator: "\n").first { $0.contains("served 0x8838c700ba5cba65.5 in ") }
        #expect(served?.contains(" µs, results ") == true && served?.hasSuffix(" bytes") == true, "\(served ?? "no served line")")

        let quiet = try await NodedProcess(datadir: directory.path + "/quiet")
        _ = try quiet.output("getblockcount")
        quiet.signal(SIGTERM)
        #expect(try await quiet.waitForExit() == 0)
        let quietLog = try String(contentsOfFile: directory.path + "/quiet/debug.log", encoding: .utf8)
        #expect(quietLog.contains("ready") && !quietLog.contains("serving 0x"))
    }

    @Test func aSecondNodedOnTheSameDatadirRefuses() async throws {
        let directory = try TemporaryDirectory("noded")
        let first = try await NodedProcess(datadir: directory.path)
        let second = try ToolRunner.run(try productsDirectory() + "/noded", ["-datadir=\(directory.path)"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot lock the data directory \(directory.path): another noded is probably using it"))
        #expect(try first.output("getblockcount") == "0", "the first noded still serves")
    }

    @Test func sigkillDuringABurstOfMiningLeavesAConsistentChain() async throws {
        let directory = try TemporaryDirectory("noded")
        var observed = 0
        do {
            let noded = try await NodedProcess(datadir: directory.path)
            let burst = Foundation.Process()
            // Mining without pause until noded dies, so the kill always lands during the burst.
            burst.executableURL = URL(fileURLWithPath: "/bin/sh")
            burst.arguments = ["-c", "while \"$0\" -datadir=\"$1\" generatetoaddress 50 \"$2\"; do :; done",
                               try productsDirectory() + "/node-cli", directory.path, TestKeys.miner]
            burst.standardOutput = FileHandle.nullDevice
            burst.standardError = FileHandle.nullDevice
            try burst.run()
            try await eventually("the burst passes height 30") {
                observed = Int(try noded.output("getblockcount")) ?? 0
                return observed >= 30
            }
            noded.signal(SIGKILL)
            _ = try await noded.waitForExit()
            burst.waitUntilExit()
        }
        let restarted = try await NodedProcess(datadir: directory.path)
        let height = try #require(Int(try restarted.output("getblockcount")))
        #expect(height >= observed)
        _ = try restarted.output("generatetoaddress", "1", TestKeys.miner)
        restarted.signal(SIGTERM)
        #expect(try await restarted.waitForExit() == 0)

        // Tip and UTXO set agree with a re-validation of the active chain from genesis.
        let chain = try ChainState(datadir: directory.path)
        #expect(await chain.height == height + 1)
        let replayDirectory = try TemporaryDirectory("noded-replay")
        let replay = try ChainState(datadir: replayDirectory.path)
        for h in 1...(height + 1) {
            let hash = try #require(await chain.blockHash(height: h))
            try await replay.submitBlock(try #require(try await chain.block(hash)))
        }
        #expect(await replay.tip.hash == chain.tip.hash)
        #expect(try await replay.utxoSet() == chain.utxoSet())
    }

    @Test func aReorgThroughNodeCli() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let old = try noded.output("generatetoaddress", "3", TestKeys.miner).split(separator: "\n").map(String.init)
        #expect(old.count == 3)

        #expect(try noded.output("invalidateblock", old[1]).isEmpty)
        #expect(try noded.output("getblockcount") == "1")
        let fork = try noded.output("generatetoaddress", "3", TestKeys.address(TestKeys.key(2))).split(separator: "\n").map(String.init)
        #expect(try noded.output("getblockcount") == "4")
        // Reconsidering the shorter old branch leaves the longer fork active.
        #expect(try noded.output("reconsiderblock", old[1]).isEmpty)
        #expect(try noded.output("getbestblockhash") == fork[2])
        let stale = try #require(try noded.cli("-json", "getblock", old[2]).json() as? [String: Any])
        #expect(stale["confirmations"] as? Int == -1)
        // Invalidating the fork's first block makes the old branch (3 blocks) the best again.
        _ = try noded.output("invalidateblock", fork[0])
        #expect(try noded.output("getbestblockhash") == old[2])
        #expect(try noded.output("getblockhash", "2") == old[1])
    }

    @Test func badInputGivesUsageOrErrorStatusesWithMessages() async throws {
        let directory = try TemporaryDirectory("noded")
        // Nothing listening: status 1, the message, at once.
        let missing = try NodeCli.run(["-datadir=\(directory.path)", "getblockcount"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: could not connect to noded at \(directory.path)/node.sock: is noded running?\n")

        for arguments in [["frobnicate"], ["getblockhash"], ["getblockhash", "-1x"], ["getblockcount", "extra"],
                          ["getblock", "abcd"], ["generatetoaddress", "x", TestKeys.miner], ["-ipcconnect=tcp:1", "getblockcount"],
                          ["-nosuchoption", "getblockcount"], []] {
            let result = try NodeCli.run(["-datadir=\(directory.path)"] + arguments)
            #expect(result.status == 2, "node-cli \(arguments): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
        let help = try NodeCli.run(["-help"])
        #expect(help.status == 0 && help.text.contains("generatetoaddress <nblocks> <address>"))

        let noded = try await NodedProcess(datadir: directory.path)
        let noBlock = try noded.cli("getblockhash", "999")
        #expect(noBlock.status == 1 && noBlock.stderr.contains("no block at height 999"))
        let badAddress = try noded.cli("generatetoaddress", "1", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
        #expect(badAddress.status == 1 && badAddress.stderr.contains("bad address"))
        let unknown = try noded.cli("getblock", String(repeating: "ab", count: 32))
        #expect(unknown.status == 1 && unknown.stderr.contains("is not known"))
        let noTx = try noded.cli("getrawtransaction", String(repeating: "cd", count: 32))
        #expect(noTx.status == 1 && noTx.stderr.contains("no transaction"))
    }
}
