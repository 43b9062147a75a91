// Our generated Swift clients of Mining, BlockTemplate and Rpc in this process, noded in another:
// the mining flow (templates, a coinbase built from getCoinbaseTx, a solved block) and executeRpc.

import Capnp
import CapnpRPC
import Consensus
import Foundation
import Multiprocess
import NodeInterfaces
import Testing
import TestSupport

@Suite("Swift Mining and Rpc clients against noded", .serialized)
struct SwiftMiningClientTests {
    static func connect(_ noded: NodedProcess) async throws -> Protocol.Connected<Init.Client> {
        try #require(try await Ipc().connectAddress("unix", dataDirectory: noded.datadir.path, name: "node", as: Init.Client.self))
    }

    /// The client's coinbase from getCoinbaseTx, paying the reward to `script`.
    static func coinbase(_ cb: CoinbaseTx.Reader, paying script: [UInt8]) throws -> Transaction {
        var outputs = [TxOut(value: cb.blockRewardRemaining, scriptPubKey: script)]
        for item in try cb.requiredOutputs {
            let bytes = Array(try item.get())
            var value: Int64 = 0
            for i in 0..<8 { value |= Int64(bytes[i]) << (8 * i) }
            #expect(Int(bytes[8]) == bytes.count - 9, "a required output's script is shorter than 253 bytes")
            outputs.append(TxOut(value: value, scriptPubKey: Array(bytes[9...])))
        }
        let witness = Array(try cb.witness)
        return Transaction(version: Int32(bitPattern: cb.version),
                           inputs: [TxIn(previousOutput: .null, scriptSig: Array(try cb.scriptSigPrefix) + [0x04, 0x73, 0x77, 0x69, 0x66],
                                         sequence: cb.sequence, witness: witness.isEmpty ? [] : [witness])],
                           outputs: outputs, lockTime: cb.lockTime)
    }

    @Test("createNewBlock, getCoinbaseTx, merkle path, submitSolution; bad version, high hash and duplicate refused")
    func mineThroughATemplate() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await Self.connect(noded)
        defer { connected.connection.close() }
        let mining = try await connected.initClient.makeMining()

        #expect(try await mining.isTestChain())
        #expect(try await !mining.isInitialBlockDownload())
        let tip = try await mining.getTip()
        #expect(tip.hasResult)
        let tipHash = Array(try tip.result.hash)
        let height = try tip.result.height
        let same = try await mining.waitTipChanged(currentTip: tipHash, timeout: 0.2)
        #expect(Array(try same.hash) == tipHash)

        let template = try await mining.createNewBlock { params in
            let options = params.initOptions()
            options.blockReservedWeight = 4000
            options.coinbaseOutputMaxAdditionalSigops = 0
            params.cooldown = false
        }
        let header = Array(try await template.getBlockHeader())
        #expect(header.count == 80)
        var block = try Block(bytes: Array(try await template.getBlock()))
        #expect(block.header.previousBlockHash.bytes == tipHash)

        // A version-0 block: Bitcoin Core's reason and wording.
        var versionZero = block
        versionZero.header.version = 0
        let checked = try await mining.checkBlock { params in
            params.setBlock(versionZero.serialized())
            let options = params.initOptions()
            options.checkPow = false
        }
        #expect(!checked.result)
        #expect(try checked.reason == "bad-version(0x00000000)")

        // The template as it is passes every check but proof of work (Bitcoin Core's test does the same).
        let asIs = try await mining.checkBlock { params in
            params.setBlock(block.serialized())
            params.initOptions().checkPow = false
        }
        let asIsReason = try asIs.reason
        #expect(asIs.result, "\(asIsReason)")
        var badRoot = block
        badRoot.header.merkleRoot = .zero
        let rootChecked = try await mining.checkBlock { params in
            params.setBlock(badRoot.serialized())
            params.initOptions().checkPow = false
        }
        #expect(try rootChecked.reason == "bad-txnmrklroot")
        let rootSkipped = try await mining.checkBlock { params in
            params.setBlock(badRoot.serialized())
            let options = params.initOptions()
            options.checkPow = false
            options.checkMerkleRoot = false
        }
        let skippedReason = try rootSkipped.reason
        #expect(rootSkipped.result, "checkMerkleRoot false skips the merkle root: \(skippedReason)")

        let payout = Script.p2wpkh(keyHash: [UInt8](repeating: 0x22, count: 20))
        let coinbase = try Self.coinbase(try await template.getCoinbaseTx(), paying: payout)
        #expect(coinbase.outputs.dropFirst().contains { WitnessCommitment.prefix.elementsEqual($0.scriptPubKey.prefix(6)) },
                "requiredOutputs carry the witness commitment")
        var root = coinbase.txid
        for sibling in try await template.getCoinbaseMerklePath() { root = .of(root.bytes + Array(try sibling.get())) }
        block.transactions[0] = coinbase
        #expect(root == block.computedMerkleRoot, "the merkle path leads from our coinbase to the root")
        block.header.merkleRoot = root
        let solved = try #require(ProofOfWork.solve(block.header))
        // A nonce that misses the target: high-hash (mutation: dropping the PoW check passes it).
        var missed = solved
        while missed.hasValidProofOfWork { missed.nonce &+= 1 }
        let refused = try await template.submitSolution(version: UInt32(bitPattern: solved.version), timestamp: solved.time,
                                                        nonce: missed.nonce, coinbase: coinbase.serialized())
        #expect(!refused.result)
        #expect(try refused.reason == "high-hash")

        let accepted = try await template.submitSolution(version: UInt32(bitPattern: solved.version), timestamp: solved.time,
                                                         nonce: solved.nonce, coinbase: coinbase.serialized())
        let why = "\(try accepted.reason) \(try accepted.debug)"
        #expect(accepted.result, "\(why)")
        let newTip = try await mining.getTip()
        #expect(try newTip.result.height == height + 1)
        #expect(Array(try newTip.result.hash) == solved.hash.bytes)
        let again = try await template.submitSolution(version: UInt32(bitPattern: solved.version), timestamp: solved.time,
                                                      nonce: solved.nonce, coinbase: coinbase.serialized())
        #expect(!again.result)
        #expect(try again.reason == "duplicate")

        // The same block once more, its parent no longer the tip: checkBlock says so.
        var submitted = block
        submitted.header = solved
        let stale = try await mining.checkBlock { params in
            params.setBlock(submitted.serialized())
            _ = params.initOptions()
        }
        #expect(try stale.reason == "inconclusive-not-best-prevblk")
        try await template.destroy()
        await #expect(throws: RPCError.self) { _ = try await template.getBlock() }
    }

    @Test("waitTipChanged returns the tip mined elsewhere; interrupt and interruptWait end waits; waitNext follows the tip")
    func longPolls() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await Self.connect(noded)
        defer { connected.connection.close() }
        let mining = try await connected.initClient.makeMining()
        let tipHash = Array(try await mining.getTip().result.hash)

        async let changed = mining.waitTipChanged(currentTip: tipHash, timeout: 30)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try noded.cli(["generatetoaddress", "1", NodedProcess.address]).status == 0)
        let newTip = try await changed
        #expect(Array(try newTip.hash) != tipHash)
        #expect(try newTip.height == 1)

        // interrupt ends a wait with no result (Bitcoin Core's nullopt).
        let current = Array(try newTip.hash)
        async let interrupted = mining.waitTipChanged(currentTip: current, timeout: 60)
        try await Task.sleep(for: .milliseconds(200))
        try await mining.interrupt()
        #expect(try await interrupted.hash.count == 0)

        // As in Bitcoin Core, an interrupt with no wait pending ends the next wait (no race with its start).
        try await mining.interrupt()
        #expect(try await mining.waitTipChanged(currentTip: current, timeout: 60).hash.count == 0)

        let template = try await mining.createNewBlock { _ in }
        async let next = template.waitNext { params in params.initOptions().timeout = 30 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try noded.cli(["generatetoaddress", "1", NodedProcess.address]).status == 0)
        let nextTemplate = try await next
        let nextBlock = try Block(bytes: Array(try await nextTemplate.getBlock()))
        #expect(nextBlock.header.previousBlockHash.bytes == Array(try await mining.getTip().result.hash))

        async let waiting = nextTemplate.waitNext { params in params.initOptions().timeout = 60 }
        try await Task.sleep(for: .milliseconds(200))
        try await nextTemplate.interruptWait()
        let none = try await waiting
        await #expect(throws: RPCError.self) { _ = try await none.getBlockHeader() }
    }

    @Test("stopping noded ends a waitTipChanged and a waitNext that would wait ten minutes")
    func shutdownEndsWaits() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await Self.connect(noded)
        defer { connected.connection.close() }
        let mining = try await connected.initClient.makeMining()
        let tipHash = Array(try await mining.getTip().result.hash)
        let template = try await mining.createNewBlock { _ in }
        async let tipWait = mining.waitTipChanged(currentTip: tipHash, timeout: 600)
        async let nextWait = template.waitNext { params in params.initOptions().timeout = 600 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try noded.cli(["stop"]).status == 0)
        // Either answered empty or cut by the closing connection; what matters is that both end.
        let tipEnded = (try? await tipWait.hash.count) ?? 0
        _ = try? await nextWait
        #expect(tipEnded == 0, "no new tip: the wait ended by the stop, not by a block")
        noded.process.waitUntilExit()
        #expect(noded.process.terminationStatus == 0)
    }

    @Test("executeRpc: getblockcount, a batch, an unknown method and bad params, parsed by Foundation's JSON")
    func executeRpc() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await Self.connect(noded)
        defer { connected.connection.close() }
        let rpc = try await connected.initClient.makeRpc()
        func call(_ request: String) async throws -> Any {
            let reply = try await rpc.executeRpc(request: request, uri: "", user: "")
            return try JSONSerialization.jsonObject(with: Data(reply.utf8))
        }

        let count = try #require(try await call(#"{"jsonrpc":"1.0","id":"a","method":"getblockcount","params":[]}"#) as? [String: Any])
        #expect(count["result"] as? Int == 0)
        #expect(count["error"] is NSNull, "JSON-RPC 1.0 replies carry error: null")
        #expect(count["id"] as? String == "a")

        let batch = try #require(try await call(#"[{"jsonrpc":"2.0","id":1,"method":"getbestblockhash"},{"jsonrpc":"2.0","id":2,"method":"getblockhash","params":{"height":0}}]"#) as? [[String: Any]])
        #expect(batch.count == 2)
        #expect(batch[0]["result"] as? String == ChainParams.regtest.genesis.hash.hex)
        #expect(batch[1]["result"] as? String == ChainParams.regtest.genesis.hash.hex)
        #expect(batch[0]["jsonrpc"] as? String == "2.0")
        #expect(batch[0]["error"] == nil, "JSON-RPC 2.0 replies have result or error, not both")

        func errorCode(_ request: String) async throws -> Int? {
            let reply = try #require(try await call(request) as? [String: Any])
            return (reply["error"] as? [String: Any])?["code"] as? Int
        }
        #expect(try await errorCode(#"{"jsonrpc":"2.0","id":3,"method":"getnothing"}"#) == -32601)
        #expect(try await errorCode(#"{"id":4,"method":"getblockhash","params":[99]}"#) == -8)
        #expect(try await errorCode(#"{"id":5,"method":"getblockhash","params":["zero"]}"#) == -3)
        #expect(try await errorCode(#"{"id":6,"method":"getblock","params":["00"]}"#) == -8)
        #expect(try await errorCode(#"{"id":7,"method":"getblock","params":["\#(String(repeating: "ab", count: 32))"]}"#) == -5)
        #expect(try await errorCode(#"{"id":8,"method":"sendrawtransaction","params":["beef"]}"#) == -22)
        #expect(try await errorCode(#"{"id":9,"method":"getblockcount","params":[1,2]}"#) == -1)
        #expect(try await errorCode(#"{"id":10,"method":"getblockhash","params":{"depth":1}}"#) == -8)
        #expect(try await errorCode(#"{"id":11,"method":"#) == -32700)
        // A batch of one invalid request: an array reply holding an Invalid Request error.
        let invalid = try #require(try await call("[1]") as? [[String: Any]])
        #expect((invalid[0]["error"] as? [String: Any])?["code"] as? Int == -32600)

        // node-cli -rpc sends the same request through the same interface.
        let viaCli = try noded.cli(["-rpc", #"{"method":"getblockcount","id":1}"#])
        #expect(viaCli.status == 0)
        #expect(String(decoding: viaCli.stdout, as: UTF8.self).contains(#""result":0"#))
    }
}
