// Mining served over IPC: Bitcoin Core's interfaces::Mining (tip, long poll on it, templates,
// block checks and submission) on the node's chain state.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
import Synchronization

final class MiningServer: Mining.Server {
    private let node: NodeRuntime
    /// Set by `interrupt`, cleared by the waitTipChanged it ends (as Bitcoin Core: an interrupt
    /// before the wait ends the next wait).
    private let interrupted = Atomic<Bool>(false)

    init(node: NodeRuntime) { self.node = node }

    private var chain: ChainState { node.chain }

    func isTestChain(_ call: ServerCall<Mining.IsTestChainParams, Mining.IsTestChainResults>) async throws {
        call.results.result = chain.params.name != "main"
    }

    func isInitialBlockDownload(_ call: ServerCall<Mining.IsInitialBlockDownloadParams, Mining.IsInitialBlockDownloadResults>) async throws {
        // The node has no peers to catch up with: it is never downloading.
        call.results.result = false
    }

    func getTip(_ call: ServerCall<Mining.GetTipParams, Mining.GetTipResults>) async throws {
        let tip = await chain.tip
        let ref = call.results.initResult()
        ref.setHash(tip.hash.bytes)
        ref.height = Int32(tip.height)
        call.results.hasResult = true
    }

    func waitTipChanged(_ call: ServerCall<Mining.WaitTipChangedParams, Mining.WaitTipChangedResults>) async throws {
        let current = Array(try call.params.currentTip)
        let deadline = MiningWait.deadline(seconds: call.params.timeout)
        while true {
            let tip = await chain.tip
            // Bitcoin Core: the new tip; the unchanged tip on timeout; no result on interrupt or shutdown.
            if tip.hash.bytes != current || ContinuousClock.now >= deadline {
                let ref = call.results.initResult()
                ref.setHash(tip.hash.bytes)
                ref.height = Int32(tip.height)
                return
            }
            if node.isStopping || interrupted.exchange(false, ordering: .acquiringAndReleasing) { return }
            try await MiningWait.pause(until: deadline)
        }
    }

    func createNewBlock(_ call: ServerCall<Mining.CreateNewBlockParams, Mining.CreateNewBlockResults>) async throws {
        // `cooldown` waits out initial block download in Bitcoin Core; this node never downloads.
        let options = try call.params.options
        let template = try await BlockTemplateServer.make(node: node, useMempool: options.useMempool,
                                                          reservedWeight: options.blockReservedWeight)
        call.results.setResult(BlockTemplate.Client(serving: template))
    }

    func checkBlock(_ call: ServerCall<Mining.CheckBlockParams, Mining.CheckBlockResults>) async throws {
        let block = try MiningWait.parseBlock(Array(try call.params.block))
        let options = try call.params.options
        let verdict = await MiningVerdict.check(block, on: chain, checkMerkleRoot: options.checkMerkleRoot, checkPow: options.checkPow)
        verdict.write(to: call.results)
    }

    func interrupt(_ call: ServerCall<Mining.InterruptParams, Mining.InterruptResults>) async throws {
        interrupted.store(true, ordering: .releasing)
    }

    func submitBlock(_ call: ServerCall<Mining.SubmitBlockParams, Mining.SubmitBlockResults>) async throws {
        let block = try MiningWait.parseBlock(Array(try call.params.block))
        let verdict = await MiningVerdict.submit(block, to: chain)
        call.results.result = verdict.accepted
        call.results.reason = verdict.reason
        call.results.debug = verdict.debug
    }

    func getTransactionsByTxID(_ call: ServerCall<Mining.GetTransactionsByTxIDParams, Mining.GetTransactionsByTxIDResults>) async throws {
        var txids: [Hash256] = []
        for data in try call.params.txids { txids.append(try parseHash(try data.get(), "txid")) }
        let found = await chain.mempoolEntries(txids: txids)
        let list = call.results.initResult(count: found.count)
        for (i, entry) in found.enumerated() { list.slot(i).setData(entry?.transaction.serialized() ?? []) }
    }

    func getTransactionsByWitnessID(_ call: ServerCall<Mining.GetTransactionsByWitnessIDParams, Mining.GetTransactionsByWitnessIDResults>) async throws {
        var wtxids: [Hash256] = []
        for data in try call.params.wtxids { wtxids.append(try parseHash(try data.get(), "wtxid")) }
        var byWitnessID: [Hash256: Transaction] = [:]
        for entry in await chain.mempoolEntries { byWitnessID[entry.transaction.wtxid] = entry.transaction }
        let list = call.results.initResult(count: wtxids.count)
        for (i, wtxid) in wtxids.enumerated() { list.slot(i).setData(byWitnessID[wtxid]?.serialized() ?? []) }
    }
}

/// Deadlines and pauses of the long polls, and block decoding for the Mining calls.
enum MiningWait {
    /// How often a long poll looks at the tip, the mempool, its interrupt and the node's stop.
    static let interval = Duration.milliseconds(20)

    /// `seconds` from now; Bitcoin Core's maxDouble default (or anything past a century) never ends.
    static func deadline(seconds: Double) -> ContinuousClock.Instant {
        guard seconds.isFinite, seconds < 3_153_600_000 else { return .now + .seconds(3_153_600_000) }
        return .now + .milliseconds(Int64(max(0, seconds) * 1000))
    }

    static func pause(until deadline: ContinuousClock.Instant) async throws {
        let remaining = deadline - .now
        try await Task.sleep(for: remaining < interval ? max(remaining, .zero) : interval)
    }

    static func parseBlock(_ bytes: [UInt8]) throws(RPCError) -> Block {
        do { return try Block(bytes: bytes) } catch { throw RPCError(.failed, "block does not decode: \(error)") }
    }
}

/// What checkBlock, submitBlock and submitSolution answer: accepted, or Bitcoin Core's reject
/// reason with a sentence saying why.
struct MiningVerdict: Sendable {
    var accepted: Bool
    var reason = ""
    var debug = ""

    static let ok = MiningVerdict(accepted: true)

    /// Bitcoin Core's version rule (BIP34/66/65 are active from block 1 on regtest): version 4 or above.
    static func versionRule(_ block: Block) -> MiningVerdict? {
        guard block.header.version < 4 else { return nil }
        let padded = hex8(UInt32(bitPattern: block.header.version))
        return MiningVerdict(accepted: false, reason: "bad-version(0x\(padded))", debug: "rejected nVersion=0x\(padded) block")
    }

    static func rejected(_ error: NodeError) -> MiningVerdict {
        if let validation = error.validationError {
            return MiningVerdict(accepted: false, reason: validation.rule.rawValue, debug: validation.detail)
        }
        return MiningVerdict(accepted: false, reason: "error", debug: error.description)
    }

    static func check(_ block: Block, on chain: ChainState, checkMerkleRoot: Bool, checkPow: Bool) async -> MiningVerdict {
        if let refused = versionRule(block) { return refused }
        do {
            guard try await chain.checkNextBlock(block, checkMerkleRoot: checkMerkleRoot, checkPow: checkPow) else {
                return MiningVerdict(accepted: false, reason: "inconclusive-not-best-prevblk",
                                     debug: "block \(block.hash.hex) does not build on the tip")
            }
            return .ok
        } catch { return rejected(error) }
    }

    static func submit(_ block: Block, to chain: ChainState) async -> MiningVerdict {
        if let refused = versionRule(block) { return refused }
        do { try await chain.submitBlock(block) } catch { return rejected(error) }
        return .ok
    }

    func write(to results: Mining.CheckBlockResults.Builder) {
        results.result = accepted
        results.reason = reason
        results.debug = debug
    }
}
