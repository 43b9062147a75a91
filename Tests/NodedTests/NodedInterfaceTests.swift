// The rest of Init, Chain and Node through node.sock from a Swift client: the reserved Init
// ordinals, the block-tree queries, fees, mempool replay, and init messages and progress passed
// from Chain to Node's subscribers.

import Capnp
import CapnpRPC
import Consensus
import Foundation
import Multiprocess
import NodeInterfaces
import TestSupport
import Testing

@Suite struct NodedInterfaceTests {
    @Test func makeMiningOld2FailsNamingItsSuccessorAndInitKeepsServing() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        let initClient = client.connected.initClient
        do { try await initClient.makeMiningOld2(); Issue.record("makeMiningOld2 answered") } catch {
            #expect(error.reason.contains("Init.makeMining @3"))
        }
        #expect(try await initClient.makeEcho().echo(echo: "still serving") == "still serving")
        _ = noded
    }

    @Test func blockTreeQueriesFeesAndState() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let old = try noded.output("generatetoaddress", "3", TestKeys.miner).split(separator: "\n").map { Hash256(displayHex: String($0))! }
        _ = try noded.output("invalidateblock", old[1].hex)
        let fork = try noded.output("generatetoaddress", "3", TestKeys.address(TestKeys.key(2))).split(separator: "\n")
            .map { Hash256(displayHex: String($0))! }
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        let chain = client.chain

        let ancestor = try await chain.findAncestorByHeight(blockHash: fork[2].bytes, ancestorHeight: 1)
        #expect(try ancestor.found && Array(ancestor.hash) == old[0].bytes && ancestor.height == 1)
        let common = try await chain.findCommonAncestor(blockHash1: old[2].bytes, blockHash2: fork[2].bytes)
        #expect(try common.found && Array(common.hash) == old[0].bytes)
        let stale = try await chain.findBlock(hash: old[2].bytes, wantData: false)
        #expect(stale.found && !stale.inActiveChain && stale.height == 3 && !stale.hasData)
        let unknown = try await chain.findBlock(hash: [UInt8](repeating: 9, count: 32), wantData: true)
        #expect(!unknown.found)
        do { _ = try await chain.findBlock(hash: [1, 2], wantData: false); Issue.record("a 2-byte hash was accepted") } catch {
            #expect(error.reason.contains("must be 32 bytes"))
        }
        let tip = try await chain.getTip()
        #expect(try Array(tip.hash) == fork[2].bytes && tip.height == 4)
        #expect(try await chain.relayMinFee() == 1000)
        #expect(try await chain.estimateSmartFee(numBlocks: 6) == 1000)
        #expect(try await chain.isInitialBlockDownload() == false)
        #expect(try await chain.shutdownRequested() == false)
    }

    @Test func initMessagesAndProgressReachNodeSubscribersUntilTheirHandlerGoes() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let watcher = try await NodeClient(datadir: directory.path)
        let reporter = try await NodeClient(datadir: directory.path)  // as the wallet would, on its own connection
        defer { watcher.close(); reporter.close() }
        let messages = MessageLog()
        let messageHandler = try await watcher.node.handleInitMessage(callback: InitMessageCallback.Client(serving: messages))
        let progressHandler = try await watcher.node.handleShowProgress(callback: ShowProgressCallback.Client(serving: ProgressLog(messages)))

        try await reporter.chain.initMessage(message: "Loading wallet…")
        try await reporter.chain.showProgress(title: "Rescanning", progress: 42, resumePossible: true)
        try await eventually("both reach the watcher") { messages.lines.count == 2 }
        #expect(Set(messages.lines) == ["message Loading wallet…", "progress Rescanning 42 true"])

        try await messageHandler.disconnect()
        try await progressHandler.disconnect()
        try await reporter.chain.initMessage(message: "after disconnect")
        // A later subscriber sees the next message; the disconnected one never does.
        let later = MessageLog()
        let laterHandler = try await watcher.node.handleInitMessage(callback: InitMessageCallback.Client(serving: later))
        try await reporter.chain.initMessage(message: "for the later one")
        try await eventually("the later subscriber gets its message") { later.lines == ["message for the later one"] }
        #expect(messages.lines.count == 2)
        try await laterHandler.disconnect()
        _ = noded
    }

    @Test func requestMempoolTransactionsReplaysTheMempool() async throws {
        let directory = try TemporaryDirectory("noded")
        let noded = try await NodedProcess(datadir: directory.path)
        let owner = TestKeys.key(1)
        _ = try noded.output("generatetoaddress", "101", TestKeys.address(owner))
        let client = try await NodeClient(datadir: directory.path)
        defer { client.close() }
        let hash = try await client.chain.getBlockHash(height: 1)
        let coinbase = try Block(bytes: Array(try await client.chain.findBlock(hash: Array(hash), wantData: true).data)).transactions[0]
        var tx = Transaction(inputs: [TxIn(previousOutput: Consensus.OutPoint(txid: coinbase.txid, index: 0))],
                             outputs: [TxOut(value: coinbase.outputs[0].value - 500, scriptPubKey: TestKeys.script(TestKeys.key(4)))])
        Signer.signP2WPKH(&tx, inputIndex: 0, key: owner, spent: coinbase.outputs[0])
        #expect(try await client.chain.broadcastTransaction(tx: tx.serialized(), maxTxFee: 0).result)
        let recorder = MempoolRecorder()
        try await client.chain.requestMempoolTransactions(notifications: ChainNotifications.Client(serving: recorder))
        #expect(recorder.txids == [tx.txid])
    }
}

final class MessageLog: InitMessageCallback.Server, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    var lines: [String] { lock.withLock { recorded } }

    func append(_ line: String) { lock.withLock { recorded.append(line) } }

    func notify(_ call: ServerCall<InitMessageCallback.NotifyParams, InitMessageCallback.NotifyResults>) async throws {
        append("message \(try call.params.message)")
    }
}

/// Progress reports, into a MessageLog.
final class ProgressLog: ShowProgressCallback.Server, Sendable {
    let log: MessageLog
    init(_ log: MessageLog) { self.log = log }

    func notify(_ call: ServerCall<ShowProgressCallback.NotifyParams, ShowProgressCallback.NotifyResults>) async throws {
        log.append("progress \(try call.params.title) \(call.params.progress) \(call.params.resumePossible)")
    }
}

final class MempoolRecorder: ChainNotifications.Server, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Hash256] = []
    var txids: [Hash256] { lock.withLock { seen } }

    func transactionAddedToMempool(_ call: ServerCall<ChainNotifications.TransactionAddedToMempoolParams,
                                                      ChainNotifications.TransactionAddedToMempoolResults>) async throws {
        let tx = try Transaction(bytes: Array(try call.params.tx))
        lock.withLock { seen.append(tx.txid) }
    }
}
