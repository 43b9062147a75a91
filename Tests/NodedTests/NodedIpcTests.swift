// Chain and Node through node.sock: from a Swift client (refused transactions with their reasons,
// notifications of a reorg in order, stopping with a client waiting) and from a pycapnp client.

import Capnp
import CapnpRPC
import Consensus
import Foundation
import NodeInterfaces
import TestSupport
import Testing

@Suite struct NodedIpcTests {
    @Test func refusedTransactionsComeBackWithTheirReasons() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let owner = TestKeys.key(1)
        _ = try noded.output("generatetoaddress", "101", TestKeys.address(owner))
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        let firstBlock = try await client.chain.getBlockHash(height: 1)
        let block = try Block(bytes: Array(try await client.chain.findBlock(hash: Array(firstBlock), wantData: true).data))
        let coinbase = block.transactions[0]
        let value = coinbase.outputs[0].value
        let payee = TestKeys.script(TestKeys.key(3))

        func spend(key: PrivateKey = owner, _ outputs: [TxOut]) -> Transaction {
            var tx = Transaction(inputs: [TxIn(previousOutput: Consensus.OutPoint(txid: coinbase.txid, index: 0))], outputs: outputs)
            Signer.signP2WPKH(&tx, inputIndex: 0, key: key, spent: coinbase.outputs[0])
            return tx
        }
        func broadcast(_ tx: Transaction, maxFee: Int64 = 0) async throws -> String {
            let answer = try await client.chain.broadcastTransaction(tx: tx.serialized(), maxTxFee: maxFee)
            let error = try answer.error
            #expect(answer.result == error.isEmpty)
            return error
        }

        #expect(try await broadcast(spend(key: TestKeys.key(7), [TxOut(value: value - 1000, scriptPubKey: payee)]))
            .contains("mandatory-script-verify-flag-failed"))
        #expect(try await broadcast(spend([TxOut(value: value + 1, scriptPubKey: payee)])).contains("bad-txns-in-belowout"))
        #expect(try await broadcast(spend([TxOut(value: value - 1000, scriptPubKey: [0x51])])).contains("non-standard output script"))
        #expect(try await broadcast(spend([TxOut(value: value - 5000, scriptPubKey: payee)]), maxFee: 4999).contains("max-fee-exceeded"))
        let good = spend([TxOut(value: value - 1000, scriptPubKey: payee)])
        #expect(try await broadcast(good) == "")
        #expect(try await client.chain.isInMempool(txid: good.txid.bytes))
        #expect(try await broadcast(spend([TxOut(value: value - 2000, scriptPubKey: payee)])).contains("double spend"))
        let unparsable = try await client.chain.broadcastTransaction(tx: [1, 2, 3], maxTxFee: 0)
        #expect(try !unparsable.result && unparsable.error.contains("does not parse"))

        // The accepted one is what getrawtransaction and getmempoolinfo show.
        #expect(try noded.output("getrawtransaction", good.txid.hex) == Hex.encode(good.serialized()))
        let mempool = try #require(try noded.cli("-json", "getmempoolinfo").json() as? [String: Any])
        #expect(mempool["size"] as? Int == 1 && mempool["total_fee"] as? Int == 1000)
        let coins = try await client.chain.findCoins { params in
            let list = params.initOutpoints(count: 2)
            list[0].setTxid(coinbase.txid.bytes)
            list[1].setTxid(good.txid.bytes)
        }
        #expect(coins.count == 2 && coins[0].found && coins[0].value == value && coins[0].isCoinbase && !coins[1].found)
    }

    @Test func aReorgsNotificationsArriveInOrderAtASwiftSubscriber() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let old = try noded.output("generatetoaddress", "3", TestKeys.miner).split(separator: "\n").map(String.init)
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        let recorder = RecordingNotifications()
        let handler = try await client.chain.handleNotifications(notifications: ChainNotifications.Client(serving: recorder))

        var tip = Array(try await client.chain.getTip().hash)
        _ = try noded.output("invalidateblock", old[1])
        _ = try noded.output("generatetoaddress", "3", TestKeys.address(TestKeys.key(2)))
        try await client.chain.waitForNotificationsIfTipChanged(oldTip: tip)
        #expect(recorder.take() == ["disconnected 3", "disconnected 2", "tip", "connected 2", "tip", "connected 3", "tip", "connected 4", "tip"])

        tip = Array(try await client.chain.getTip().hash)
        try await handler.disconnect()
        _ = try noded.output("generatetoaddress", "1", TestKeys.miner)
        try await client.chain.waitForNotificationsIfTipChanged(oldTip: tip)
        #expect(recorder.take() == [], "a disconnected Handler's subscriber still got events")
    }

    @Test func aSubscriberImplementingOnlyBlockConnectedGetsEveryBlock() async throws {
        // Mutation caught: a relay that ends at the first unimplemented method (updatedBlockTip) delivers one block.
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        let counter = BlockCounter()
        let handler = try await client.chain.handleNotifications(notifications: ChainNotifications.Client(serving: counter))
        let tip = Array(try await client.chain.getTip().hash)
        _ = try noded.output("generatetoaddress", "4", TestKeys.miner)
        try await client.chain.waitForNotificationsIfTipChanged(oldTip: tip)
        #expect(counter.count == 4)
        try await handler.disconnect()
    }

    @Test func noded_stopsWithAClientWaitingForNotifications() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        // A subscriber that never answers blockConnected: waitForNotificationsIfTipChanged waits for it.
        let stuck = RecordingNotifications(blockForever: true)
        let handler = try await client.chain.handleNotifications(notifications: ChainNotifications.Client(serving: stuck))
        let tip = Array(try await client.chain.getTip().hash)
        _ = try noded.output("generatetoaddress", "1", TestKeys.miner)
        let chain = client.chain
        let waiter = Task { () -> RPCError? in
            do throws(RPCError) { try await chain.waitForNotificationsIfTipChanged(oldTip: tip); return nil } catch { return error }
        }
        try await eventually("the first notification reaches the stuck subscriber") { stuck.started }
        noded.signal(SIGTERM)
        #expect(try await noded.waitForExit() == 0)
        let failure = await waiter.value
        #expect(failure?.kind == .disconnected, "the waiter got \(String(describing: failure))")
        withExtendedLifetime(handler) {}
    }

    @Test func aPycapnpClientReadsTheChainAndGetsABlockConnectedPerMinedBlock() async throws {
        let python = try #require(Pycapnp.python, "pycapnp is not in .venv: run scripts/setup")
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let result = try ToolRunner.run(python, [Pycapnp.script("pycapnp_node_client.py"), directory.path + "/node.sock", TestKeys.miner])
        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(output)\(result.stderr)")
        for name in ["getHeight", "genesis", "blockConnected-per-block", "heights", "disconnect-stops", "drop-stops", "node-info"] {
            #expect(output.contains("ok \(name)\n"), "\(output)")
        }
        #expect(try noded.output("getblockcount") == "5")
    }
}

/// A ChainNotifications that records block events ("connected 3", "disconnected 2", "tip").
final class RecordingNotifications: ChainNotifications.Server, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []
    private var didStart = false
    private let blockForever: Bool

    init(blockForever: Bool = false) { self.blockForever = blockForever }

    var started: Bool { lock.withLock { didStart } }

    func take() -> [String] { lock.withLock { defer { events = [] }; return events } }

    private func record(_ event: String) { lock.withLock { events.append(event); didStart = true } }

    func blockConnected(_ call: ServerCall<ChainNotifications.BlockConnectedParams, ChainNotifications.BlockConnectedResults>) async throws {
        record("connected \(try call.params.block.height)")
        if blockForever { while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) } }
    }

    func blockDisconnected(_ call: ServerCall<ChainNotifications.BlockDisconnectedParams, ChainNotifications.BlockDisconnectedResults>) async throws {
        record("disconnected \(try call.params.block.height)")
    }

    func updatedBlockTip(_ call: ServerCall<ChainNotifications.UpdatedBlockTipParams, ChainNotifications.UpdatedBlockTipResults>) async throws {
        record("tip")
    }

    func transactionAddedToMempool(_ call: ServerCall<ChainNotifications.TransactionAddedToMempoolParams,
                                                      ChainNotifications.TransactionAddedToMempoolResults>) async throws {}
    func transactionRemovedFromMempool(_ call: ServerCall<ChainNotifications.TransactionRemovedFromMempoolParams,
                                                          ChainNotifications.TransactionRemovedFromMempoolResults>) async throws {}
}

/// Implements blockConnected only: the other notifications answer unimplemented.
final class BlockCounter: ChainNotifications.Server, @unchecked Sendable {
    private let lock = NSLock()
    private var seen = 0
    var count: Int { lock.withLock { seen } }

    func blockConnected(_ call: ServerCall<ChainNotifications.BlockConnectedParams, ChainNotifications.BlockConnectedResults>) async throws {
        lock.withLock { seen += 1 }
    }
}
