// Chain served over IPC: each method answers from the node's ChainState.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces

final class ChainServer: Chain.Server {
    private let node: NodeRuntime
    /// Regtest relays anything paying at least 1 unit per virtual byte (Bitcoin Core's default relay fee).
    static let relayMinFee: Int64 = 1000

    init(node: NodeRuntime) { self.node = node }

    private var chain: ChainState { node.chain }

    func destroy(_ call: ServerCall<Chain.DestroyParams, Chain.DestroyResults>) async throws {}

    func getHeight(_ call: ServerCall<Chain.GetHeightParams, Chain.GetHeightResults>) async throws {
        call.results.result = Int32(await chain.height)
    }

    func getBlockHash(_ call: ServerCall<Chain.GetBlockHashParams, Chain.GetBlockHashResults>) async throws {
        let height = call.params.height
        guard let hash = await chain.blockHash(height: Int(height)) else {
            throw RPCError(.failed, "no block at height \(height): the active chain's height is \(await chain.height)")
        }
        call.results.setResult(hash.bytes)
    }

    func findBlock(_ call: ServerCall<Chain.FindBlockParams, Chain.FindBlockResults>) async throws {
        let hash = try parseHash(try call.params.hash, "hash")
        try await fill(call.results.initResult(), hash, wantData: call.params.wantData)
    }

    func findAncestorByHeight(_ call: ServerCall<Chain.FindAncestorByHeightParams, Chain.FindAncestorByHeightResults>) async throws {
        let hash = try parseHash(try call.params.blockHash, "blockHash")
        let ancestor = await chain.ancestor(of: hash, height: Int(call.params.ancestorHeight))
        try await fill(call.results.initResult(), ancestor, wantData: false)
    }

    func findCommonAncestor(_ call: ServerCall<Chain.FindCommonAncestorParams, Chain.FindCommonAncestorResults>) async throws {
        let a = try parseHash(try call.params.blockHash1, "blockHash1")
        let b = try parseHash(try call.params.blockHash2, "blockHash2")
        try await fill(call.results.initResult(), await chain.commonAncestor(a, b), wantData: false)
    }

    private func fill(_ result: FoundBlock.Builder, _ hash: Hash256?, wantData: Bool) async throws {
        guard let hash, let info = try await chain.blockInfo(hash) else { return }
        result.found = true
        result.setHash(hash.bytes)
        result.height = Int32(info.height)
        result.time = info.header.time
        result.medianTimePast = info.medianTimePast
        result.inActiveChain = info.inActiveChain
        if wantData, let block = try await chain.block(hash) { result.setData(block.serialized()) }
    }

    func getTip(_ call: ServerCall<Chain.GetTipParams, Chain.GetTipResults>) async throws {
        let tip = await chain.tip
        call.results.setHash(tip.hash.bytes)
        call.results.height = Int32(tip.height)
    }

    func findCoins(_ call: ServerCall<Chain.FindCoinsParams, Chain.FindCoinsResults>) async throws {
        let outpoints = try call.params.outpoints
        var coins: [Coin?] = []
        for outpoint in outpoints {
            let txid = try parseHash(try outpoint.txid, "outpoint txid")
            coins.append(try await chain.coin(Consensus.OutPoint(txid: txid, index: outpoint.index)))
        }
        let results = call.results.initResult(count: coins.count)
        for (i, coin) in coins.enumerated() {
            guard let coin else { continue }
            let entry = results[i]
            entry.found = true
            entry.value = coin.output.value
            entry.setScriptPubKey(coin.output.scriptPubKey)
            entry.height = Int32(coin.height)
            entry.isCoinbase = coin.isCoinbase
        }
    }

    func isInMempool(_ call: ServerCall<Chain.IsInMempoolParams, Chain.IsInMempoolResults>) async throws {
        call.results.result = await chain.isInMempool(try parseHash(try call.params.txid, "txid"))
    }

    func broadcastTransaction(_ call: ServerCall<Chain.BroadcastTransactionParams, Chain.BroadcastTransactionResults>) async throws {
        let tx: Transaction
        do { tx = try Transaction(bytes: Array(try call.params.tx)) } catch {
            call.results.error = "the transaction does not parse: \(error)"
            return
        }
        let maxFee = call.params.maxTxFee
        do {
            if maxFee > 0, let fee = try await fee(of: tx), fee > maxFee {
                call.results.error = "max-fee-exceeded: the fee \(fee) is over maxTxFee \(maxFee)"
                return
            }
            try await chain.acceptToMempool(tx)
            call.results.result = true
        } catch {
            call.results.error = error.description
        }
    }

    /// Inputs minus outputs, when every input is known (in the UTXO set or the mempool); else nil
    /// and acceptToMempool gives the reason.
    private func fee(of tx: Transaction) async throws(NodeError) -> Int64? {
        var total: Int64 = 0
        for input in tx.inputs {
            if let coin = try await chain.coin(input.previousOutput) {
                total += coin.output.value
            } else if let (parent, block) = try await chain.transaction(input.previousOutput.txid), block == nil,
                      parent.outputs.indices.contains(Int(input.previousOutput.index)) {
                total += parent.outputs[Int(input.previousOutput.index)].value
            } else {
                return nil
            }
        }
        return total - tx.outputs.reduce(0) { $0 + $1.value }
    }

    func estimateSmartFee(_ call: ServerCall<Chain.EstimateSmartFeeParams, Chain.EstimateSmartFeeResults>) async throws {
        // Regtest has no fee history: the relay minimum confirms in the next block.
        call.results.result = Self.relayMinFee
    }

    func relayMinFee(_ call: ServerCall<Chain.RelayMinFeeParams, Chain.RelayMinFeeResults>) async throws {
        call.results.result = Self.relayMinFee
    }

    func isInitialBlockDownload(_ call: ServerCall<Chain.IsInitialBlockDownloadParams, Chain.IsInitialBlockDownloadResults>) async throws {
        call.results.result = false
    }

    func shutdownRequested(_ call: ServerCall<Chain.ShutdownRequestedParams, Chain.ShutdownRequestedResults>) async throws {
        call.results.result = node.isStopping
    }

    func initMessage(_ call: ServerCall<Chain.InitMessageParams, Chain.InitMessageResults>) async throws {
        node.initMessageSubscribers.send(try call.params.message)
    }

    func showProgress(_ call: ServerCall<Chain.ShowProgressParams, Chain.ShowProgressResults>) async throws {
        node.progressSubscribers.send((try call.params.title, call.params.progress, call.params.resumePossible))
    }

    func handleNotifications(_ call: ServerCall<Chain.HandleNotificationsParams, Chain.HandleNotificationsResults>) async throws {
        guard call.params.hasNotifications else { throw RPCError(.failed, "handleNotifications needs a ChainNotifications") }
        let relay = NotificationRelay(chain: chain, notifications: call.params.notifications)
        node.relays.add(relay)
        await relay.start()
        call.results.setResult(HandlerServer.make { [relays = node.relays] in relays.remove(relay) })
    }

    func requestMempoolTransactions(_ call: ServerCall<Chain.RequestMempoolTransactionsParams, Chain.RequestMempoolTransactionsResults>) async throws {
        guard call.params.hasNotifications else { throw RPCError(.failed, "requestMempoolTransactions needs a ChainNotifications") }
        let notifications = call.params.notifications
        for entry in await chain.mempoolEntries {
            try await notifications.transactionAddedToMempool { $0.setTx(entry.transaction.serialized()) }
        }
    }

    func waitForNotificationsIfTipChanged(_ call: ServerCall<Chain.WaitForNotificationsIfTipChangedParams,
                                                              Chain.WaitForNotificationsIfTipChangedResults>) async throws {
        let oldTip = Array(try call.params.oldTip)
        guard await chain.tip.hash.bytes != oldTip else { return }
        await node.relays.waitDelivered { [node] in node.isStopping }
    }
}

/// A 32-byte hash from a Data field, or an error naming the field.
func parseHash(_ data: DataReader, _ field: String) throws(RPCError) -> Hash256 {
    guard let hash = Hash256(Array(data)) else { throw RPCError(.failed, "\(field) must be 32 bytes (a hash in internal byte order), not \(data.count)") }
    return hash
}
