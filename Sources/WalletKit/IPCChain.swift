// The WalletChain over IPC: each call goes to the node's Chain through the generated Chain.Client.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces

public struct IPCChain: WalletChain {
    public let client: Chain.Client

    public init(client: Chain.Client) { self.client = client }

    private func call<T>(_ what: String, _ body: () async throws -> T) async throws(WalletError) -> T {
        do { return try await body() } catch { throw .chain("\(what): \(error)") }
    }

    public func tip() async throws(WalletError) -> (hash: Hash256, height: Int) {
        try await call("getTip") {
            let tip = try await client.getTip()
            guard let hash = Hash256(Array(try tip.hash)) else { throw WalletError.chain("getTip gave a hash that is not 32 bytes") }
            return (hash, Int(tip.height))
        }
    }

    public func blockHash(height: Int) async throws(WalletError) -> Hash256? {
        // One round trip per block during a rescan: a height past the tip answers `failed`.
        guard height >= 0 else { return nil }
        do { return Hash256(Array(try await client.getBlockHash(height: Int32(height)))) } catch {
            if error.kind == .failed { return nil }
            throw .chain("getBlockHash: \(error)")
        }
    }

    public func block(_ hash: Hash256) async throws(WalletError) -> ChainBlock? {
        try await call("findBlock") {
            let found = try await client.findBlock(hash: hash.bytes, wantData: true)
            guard found.found else { return nil }
            let block = try Block(bytes: Array(try found.data))
            return ChainBlock(block: block, height: Int(found.height), inActiveChain: found.inActiveChain)
        }
    }

    public func broadcast(_ tx: Transaction, maxFee: Int64) async throws(WalletError) -> String? {
        try await call("broadcastTransaction") {
            let result = try await client.broadcastTransaction(tx: tx.serialized(), maxTxFee: maxFee)
            return result.result ? nil : (try result.error)
        }
    }

    public func isInMempool(_ txid: Hash256) async throws(WalletError) -> Bool {
        try await call("isInMempool") { try await client.isInMempool(txid: txid.bytes) }
    }

    public func estimateSmartFee(blocks: Int) async throws(WalletError) -> Int64 {
        try await call("estimateSmartFee") { try await client.estimateSmartFee(numBlocks: Int32(blocks)) }
    }

    public func relayMinFee() async throws(WalletError) -> Int64 {
        try await call("relayMinFee") { try await client.relayMinFee() }
    }

    public func initMessage(_ message: String) async { try? await client.initMessage(message: message) }

    public func showProgress(title: String, progress: Int, resumePossible: Bool) async {
        try? await client.showProgress(title: title, progress: Int32(progress), resumePossible: resumePossible)
    }
}
