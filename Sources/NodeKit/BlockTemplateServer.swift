// BlockTemplate served over IPC: one template from Mining.createNewBlock, with what a client needs
// to build its own coinbase, submit a solution, or wait for a better template.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
import Synchronization

final class BlockTemplateServer: BlockTemplate.Server {
    private let node: NodeRuntime
    private let useMempool: Bool
    private let reservedWeight: Int
    /// nil once destroyed.
    private let state: Mutex<(block: Block, entries: [MempoolEntry])?>
    /// Set by `interruptWait`, cleared by the waitNext it ends (an interrupt before the wait ends the next one).
    private let interrupted = Atomic<Bool>(false)
    /// The placeholder coinbase's output script: the client replaces the coinbase, but the template
    /// as it is must pass checkBlock (without proof of work), so a standard script (P2WPKH of zeros).
    static let placeholderScript: [UInt8] = Script.p2wpkh(keyHash: [UInt8](repeating: 0, count: 20))

    private init(node: NodeRuntime, useMempool: Bool, reservedWeight: Int, block: Block, entries: [MempoolEntry]) {
        self.node = node
        self.useMempool = useMempool
        self.reservedWeight = reservedWeight
        state = Mutex((block, entries))
    }

    /// A template on the current tip; `reservedWeight` is kept free for the client's coinbase.
    static func make(node: NodeRuntime, useMempool: Bool, reservedWeight: UInt64) async throws(RPCError) -> BlockTemplateServer {
        guard reservedWeight <= UInt64(ChainState.maxBlockWeight) else {
            throw RPCError(.failed, "blockReservedWeight \(reservedWeight) is above the block weight limit \(ChainState.maxBlockWeight)")
        }
        let made = await node.chain.makeBlockTemplate(paying: placeholderScript, reservedWeight: Int(reservedWeight), useMempool: useMempool)
        return BlockTemplateServer(node: node, useMempool: useMempool, reservedWeight: Int(reservedWeight), block: made.block, entries: made.entries)
    }

    private func current() throws(RPCError) -> (block: Block, entries: [MempoolEntry]) {
        guard let template = state.withLock({ $0 }) else {
            throw RPCError(.failed, "this block template was destroyed; ask Mining.createNewBlock for a new one")
        }
        return template
    }

    private var fees: Int64 { (state.withLock { $0 }?.entries ?? []).reduce(0) { $0 + $1.fee } }

    func destroy(_ call: ServerCall<BlockTemplate.DestroyParams, BlockTemplate.DestroyResults>) async throws {
        state.withLock { $0 = nil }
    }

    func getBlockHeader(_ call: ServerCall<BlockTemplate.GetBlockHeaderParams, BlockTemplate.GetBlockHeaderResults>) async throws {
        call.results.setResult(try current().block.header.serialized)
    }

    func getBlock(_ call: ServerCall<BlockTemplate.GetBlockParams, BlockTemplate.GetBlockResults>) async throws {
        call.results.setResult(try current().block.serialized())
    }

    func getTxFees(_ call: ServerCall<BlockTemplate.GetTxFeesParams, BlockTemplate.GetTxFeesResults>) async throws {
        let entries = try current().entries
        let list = call.results.initResult(count: entries.count)
        for (i, entry) in entries.enumerated() { list[i] = entry.fee }
    }

    func getTxSigops(_ call: ServerCall<BlockTemplate.GetTxSigopsParams, BlockTemplate.GetTxSigopsResults>) async throws {
        let entries = try current().entries
        let list = call.results.initResult(count: entries.count)
        // The mempool takes P2WPKH spends only: a sigop cost of 1 per input, none in the outputs.
        for (i, entry) in entries.enumerated() { list[i] = Int64(entry.transaction.inputs.count) }
    }

    func getCoinbaseTx(_ call: ServerCall<BlockTemplate.GetCoinbaseTxParams, BlockTemplate.GetCoinbaseTxResults>) async throws {
        let (block, _) = try current()
        let placeholder = block.transactions[0]
        let height = try await templateHeight(block)
        let coinbase = call.results.initResult()
        coinbase.version = UInt32(bitPattern: placeholder.version)
        coinbase.sequence = placeholder.inputs[0].sequence
        // The BIP34 height push; the client appends its extra nonce (the whole scriptSig 2 to 100 bytes).
        coinbase.setScriptSigPrefix(Script.heightPush(height))
        coinbase.setWitness(placeholder.inputs[0].witness.first ?? [])
        coinbase.blockRewardRemaining = placeholder.outputs[0].value
        // Every output but the placeholder payout: the witness commitment.
        let required = placeholder.outputs.dropFirst().map(Self.serialize)
        let list = coinbase.initRequiredOutputs(count: required.count)
        for (i, output) in required.enumerated() { list.slot(i).setData(output) }
        coinbase.lockTime = placeholder.lockTime
    }

    func getCoinbaseMerklePath(_ call: ServerCall<BlockTemplate.GetCoinbaseMerklePathParams, BlockTemplate.GetCoinbaseMerklePathResults>) async throws {
        let path = Merkle.pathOfFirst(try current().block.transactions.map(\.txid))
        let list = call.results.initResult(count: path.count)
        for (i, hash) in path.enumerated() { list.slot(i).setData(hash.bytes) }
    }

    func submitSolutionOld7(_ call: ServerCall<BlockTemplate.SubmitSolutionOld7Params, BlockTemplate.SubmitSolutionOld7Results>) async throws {
        let params = call.params
        let verdict = try await submit(version: params.version, timestamp: params.timestamp, nonce: params.nonce, coinbase: Array(try params.coinbase))
        call.results.result = verdict.accepted
    }

    func submitSolution(_ call: ServerCall<BlockTemplate.SubmitSolutionParams, BlockTemplate.SubmitSolutionResults>) async throws {
        let params = call.params
        let verdict = try await submit(version: params.version, timestamp: params.timestamp, nonce: params.nonce, coinbase: Array(try params.coinbase))
        call.results.result = verdict.accepted
        call.results.reason = verdict.reason
        call.results.debug = verdict.debug
    }

    func waitNext(_ call: ServerCall<BlockTemplate.WaitNextParams, BlockTemplate.WaitNextResults>) async throws {
        let options = try call.params.options
        let feeThreshold = options.feeThreshold
        let deadline = MiningWait.deadline(seconds: options.timeout)
        let previous = try current().block.header.previousBlockHash
        let oldFees = fees
        // nil: the first look compares the mempool's fees with the template's, so a transaction that
        // arrived between createNewBlock and waitNext counts.
        var seenMempool: MempoolInfo?
        while ContinuousClock.now < deadline && !node.isStopping && !interrupted.exchange(false, ordering: .acquiringAndReleasing) {
            if await node.chain.tip.hash != previous {
                call.results.setResult(BlockTemplate.Client(serving: try await Self.make(node: node, useMempool: useMempool, reservedWeight: UInt64(reservedWeight))))
                return
            }
            // Same tip: a new template only when the mempool changed and its fees rose by feeThreshold.
            let mempool = await node.chain.mempoolInfo
            if feeThreshold < maxMoney && mempool != seenMempool {
                seenMempool = mempool
                let candidate = try await Self.make(node: node, useMempool: useMempool, reservedWeight: UInt64(reservedWeight))
                if candidate.fees - oldFees >= feeThreshold {
                    call.results.setResult(BlockTemplate.Client(serving: candidate))
                    return
                }
            }
            try await MiningWait.pause(until: deadline)
        }
        // Timeout, interruptWait or shutdown: Bitcoin Core's empty result.
    }

    func interruptWait(_ call: ServerCall<BlockTemplate.InterruptWaitParams, BlockTemplate.InterruptWaitResults>) async throws {
        interrupted.store(true, ordering: .releasing)
    }

    /// The template with the client's coinbase, version, time and nonce: checked fully and connected.
    private func submit(version: UInt32, timestamp: UInt32, nonce: UInt32, coinbase bytes: [UInt8]) async throws(RPCError) -> MiningVerdict {
        var block = try current().block
        let coinbase: Transaction
        do { coinbase = try Transaction(bytes: bytes) } catch { throw RPCError(.failed, "coinbase does not decode: \(error)") }
        block.transactions[0] = coinbase
        block.header.version = Int32(bitPattern: version)
        block.header.time = timestamp
        block.header.nonce = nonce
        block.header.merkleRoot = block.computedMerkleRoot
        return await MiningVerdict.submit(block, to: node.chain)
    }

    private func templateHeight(_ block: Block) async throws(RPCError) -> Int {
        do {
            guard let parent = try await node.chain.blockInfo(block.header.previousBlockHash) else {
                throw RPCError(.failed, "the template's parent block is no longer known")
            }
            return parent.height + 1
        } catch let error as RPCError { throw error } catch { throw RPCError(.failed, "\(error)") }
    }

    /// A transaction output as Bitcoin serializes it (value, then the script with its length).
    static func serialize(_ output: TxOut) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeInt64(output.value)
        writer.writeVarBytes(output.scriptPubKey)
        return writer.bytes
    }
}
