// Node served over IPC: what node-cli (or a GUI) asks of the running node.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

final class NodeServer: Node.Server {
    private let node: NodeRuntime
    /// generateToAddress mines at most this many blocks a call (Bitcoin Core has no limit; this
    /// keeps one call from holding the chain state for long).
    static let maxBlocksPerCall: Int32 = 1000

    init(node: NodeRuntime) { self.node = node }

    private var chain: ChainState { node.chain }

    func destroy(_ call: ServerCall<Node.DestroyParams, Node.DestroyResults>) async throws {}

    func getNodeInfo(_ call: ServerCall<Node.GetNodeInfoParams, Node.GetNodeInfoResults>) async throws {
        let tip = await chain.tip
        let mempool = await chain.mempoolInfo
        let info = call.results.initResult()
        info.height = Int32(tip.height)
        info.setTipHash(tip.hash.bytes)
        info.mempoolCount = Int32(mempool.count)
        info.mempoolBytes = Int64(mempool.bytes)
        info.uptimeSeconds = node.uptimeSeconds
        info.pid = getpid()
        let wallet = node.wallet.withLock { $0 }
        let status = await wallet?.status() ?? (pid: 0, state: "none")
        info.walletPid = status.pid
        info.walletState = status.state
    }

    func walletLoader(_ call: ServerCall<Node.WalletLoaderParams, Node.WalletLoaderResults>) async throws {
        guard let wallet = node.wallet.withLock({ $0 }) else {
            throw RPCError(.failed, "this noded runs no wallet process (it was started with -nowallet)")
        }
        do { call.results.setResult(try await wallet.walletLoader()) } catch let error as RPCError { throw error } catch {
            throw RPCError(.failed, "\(error)")
        }
    }

    /// node-wallet -ipcconnect: its loader serves wallet commands until its process goes.
    func attachWalletLoader(_ call: ServerCall<Node.AttachWalletLoaderParams, Node.AttachWalletLoaderResults>) async throws {
        guard call.params.hasLoader else { throw RPCError(.failed, "attachWalletLoader needs the wallet's WalletLoader") }
        let loader = call.params.loader
        let node = node
        let previous = node.wallet.withLock { current in
            let previous = current
            let fallback = (current as? AttachedWallet)?.fallback ?? current
            current = AttachedWallet(loader: loader, fallback: fallback, node: node)
            return previous
        }
        await previous?.standDown()  // one wallet process at a time on the datadir's wallet files
        node.walletLog.withLock { $0 }("a wallet process attached (node-wallet -ipcconnect); wallet commands go to it")
    }

    func getBlock(_ call: ServerCall<Node.GetBlockParams, Node.GetBlockResults>) async throws {
        let hash = try parseHash(try call.params.hash, "hash")
        guard let info = try await chain.blockInfo(hash), let block = try await chain.block(hash) else {
            throw RPCError(.failed, "block \(hash.hex) is not known")
        }
        let tipHeight = await chain.height
        let summary = call.results.initResult()
        summary.setHash(hash.bytes)
        summary.height = Int32(info.height)
        summary.version = block.header.version
        summary.setPreviousBlockHash(block.header.previousBlockHash.bytes)
        summary.setMerkleRoot(block.header.merkleRoot.bytes)
        summary.time = block.header.time
        summary.bits = block.header.bits
        summary.nonce = block.header.nonce
        let txids = summary.initTxids(count: block.transactions.count)
        for (i, tx) in block.transactions.enumerated() { txids.slot(i).setData(tx.txid.bytes) }
        let stripped = block.serialized(includingWitness: false).count
        let full = block.serialized().count
        summary.size = Int32(full)
        summary.weight = Int32(stripped * 3 + full)
        summary.inActiveChain = info.inActiveChain
        // Bitcoin Core: -1 for a block off the active chain.
        summary.confirmations = info.inActiveChain ? Int32(tipHeight - info.height + 1) : -1
    }

    func getRawTransaction(_ call: ServerCall<Node.GetRawTransactionParams, Node.GetRawTransactionResults>) async throws {
        let txid = try parseHash(try call.params.txid, "txid")
        guard let (tx, block) = try await chain.transaction(txid) else {
            throw RPCError(.failed, "no transaction \(txid.hex) in the mempool or the active chain")
        }
        call.results.setResult(tx.serialized())
        if let block { call.results.setBlockHash(block.bytes) }
    }

    func getMempoolInfo(_ call: ServerCall<Node.GetMempoolInfoParams, Node.GetMempoolInfoResults>) async throws {
        let mempool = await chain.mempoolInfo
        let info = call.results.initResult()
        info.size = Int32(mempool.count)
        info.bytes = Int64(mempool.bytes)
        info.vsize = Int64(mempool.vsize)
        info.totalFee = mempool.totalFee
    }

    func generateToAddress(_ call: ServerCall<Node.GenerateToAddressParams, Node.GenerateToAddressResults>) async throws {
        let count = call.params.count
        guard (0...Self.maxBlocksPerCall).contains(count) else {
            throw RPCError(.failed, "count must be between 0 and \(Self.maxBlocksPerCall), not \(count)")
        }
        let address = try call.params.address
        var hashes: [Hash256] = []
        // One block at a time, so a stop between blocks is honoured and each block is stored on its own.
        for _ in 0..<count where !node.isStopping {
            do { hashes += try await chain.generate(count: 1, toAddress: address) } catch {
                throw RPCError(.failed, error.description)
            }
        }
        let list = call.results.initResult(count: hashes.count)
        for (i, hash) in hashes.enumerated() { list.slot(i).setData(hash.bytes) }
    }

    func invalidateBlock(_ call: ServerCall<Node.InvalidateBlockParams, Node.InvalidateBlockResults>) async throws {
        let hash = try parseHash(try call.params.hash, "hash")
        do { try await chain.invalidateBlock(hash) } catch { throw RPCError(.failed, error.description) }
    }

    func reconsiderBlock(_ call: ServerCall<Node.ReconsiderBlockParams, Node.ReconsiderBlockResults>) async throws {
        let hash = try parseHash(try call.params.hash, "hash")
        do { try await chain.reconsiderBlock(hash) } catch { throw RPCError(.failed, error.description) }
    }

    func handleInitMessage(_ call: ServerCall<Node.HandleInitMessageParams, Node.HandleInitMessageResults>) async throws {
        guard call.params.hasCallback else { throw RPCError(.failed, "handleInitMessage needs a callback") }
        let callback = call.params.callback
        let subscribers = node.initMessageSubscribers
        let id = subscribers.add { message in Task { try? await callback.notify(message: message) } }
        call.results.setResult(HandlerServer.make { subscribers.remove(id) })
    }

    func handleShowProgress(_ call: ServerCall<Node.HandleShowProgressParams, Node.HandleShowProgressResults>) async throws {
        guard call.params.hasCallback else { throw RPCError(.failed, "handleShowProgress needs a callback") }
        let callback = call.params.callback
        let subscribers = node.progressSubscribers
        let id = subscribers.add { report in
            Task { try? await callback.notify(title: report.title, progress: report.progress, resumePossible: report.resumePossible) }
        }
        call.results.setResult(HandlerServer.make { subscribers.remove(id) })
    }

    func stop(_ call: ServerCall<Node.StopParams, Node.StopResults>) async throws {
        // After this answer is on its way: stopping closes every connection, this one too.
        Task { [node] in
            try? await Task.sleep(for: .milliseconds(50))
            node.requestStop()
        }
    }
}
