// Delivery of chain events to one IPC subscriber (Chain.handleNotifications): events are queued
// as the chain state emits them and sent one call at a time, in order, until the subscriber's
// Handler goes, it disconnects, or its connection fails.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
import Synchronization

final class NotificationRelay: Sendable {
    private struct State {
        var subscription: Int?
        var queued = 0
        var delivered = 0
        var ended = false
    }
    private let state = Mutex(State())
    private let continuation: AsyncStream<ChainEvent>.Continuation
    private let chain: ChainState

    init(chain: ChainState, notifications: ChainNotifications.Client) {
        self.chain = chain
        let (stream, continuation) = AsyncStream<ChainEvent>.makeStream()
        self.continuation = continuation
        self.stream = stream
        self.notifications = notifications
    }

    private let stream: AsyncStream<ChainEvent>
    private let notifications: ChainNotifications.Client

    /// Sends queued events one call at a time until the stream ends (end()) or a call fails.
    private func deliverAll() async {
        for await event in stream {
            do throws(RPCError) {
                try await Self.deliver(event, to: notifications)
            } catch where error.kind == .unimplemented {
                // A subscriber that leaves a method out does not want that event; the others go on.
            } catch {
                // A subscriber that fails or went away gets nothing more.
                end()
                break
            }
            state.withLock { $0.delivered += 1 }
        }
    }

    /// Subscribes to the chain state; events from now on are delivered.
    func start() async {
        Task { await self.deliverAll() }
        let id = await chain.subscribe { [weak self] event in self?.enqueue(event) }
        let endedMeanwhile = state.withLock { state -> Bool in
            state.subscription = id
            return state.ended
        }
        if endedMeanwhile { await chain.unsubscribe(id) }
    }

    private func enqueue(_ event: ChainEvent) {
        let accepted = state.withLock { state -> Bool in
            guard !state.ended else { return false }
            state.queued += 1
            return true
        }
        if accepted { continuation.yield(event) }
    }

    /// Stops delivery: nothing is sent after the call in flight.
    func end() {
        let id = state.withLock { state -> Int? in
            state.ended = true
            defer { state.subscription = nil }
            return state.subscription
        }
        continuation.finish()
        if let id { Task { [chain] in await chain.unsubscribe(id) } }
    }

    /// Events queued so far, and whether every one of them was delivered (or delivery ended).
    var progress: (queued: Int, delivered: Int, ended: Bool) {
        state.withLock { ($0.queued, $0.delivered, $0.ended) }
    }

    private static func deliver(_ event: ChainEvent, to client: ChainNotifications.Client) async throws(RPCError) {
        switch event {
        case .transactionAddedToMempool(let tx):
            try await client.transactionAddedToMempool { $0.setTx(tx.serialized()) }
        case .transactionRemovedFromMempool(let tx, let reason):
            try await client.transactionRemovedFromMempool { params in
                params.setTx(tx.serialized())
                params.reason = reason.bitcoinCoreCode
            }
        case .blockConnected(let block, let height):
            try await client.blockConnected { fill($0.initBlock(), block, height) }
        case .blockDisconnected(let block, let height):
            try await client.blockDisconnected { fill($0.initBlock(), block, height) }
        case .updatedBlockTip:
            try await client.updatedBlockTip()
        case .chainStateFlushed(let locator):
            try await client.chainStateFlushed { params in
                let list = params.initLocator(count: locator.count)
                for (index, hash) in locator.enumerated() { list.slot(index).setData(hash.bytes) }
            }
        }
    }

    private static func fill(_ info: NodeInterfaces.BlockInfo.Builder, _ block: Block, _ height: Int) {
        info.setHash(block.hash.bytes)
        info.setPrevHash(block.header.previousBlockHash.bytes)
        info.height = Int32(height)
        info.time = block.header.time
        info.setData(block.serialized())
    }
}

extension MempoolRemovalReason {
    /// Bitcoin Core's MemPoolRemovalReason value (EXPIRY 0, SIZELIMIT 1, REORG 2, BLOCK 3, CONFLICT 4).
    var bitcoinCoreCode: Int32 {
        switch self {
        case .reorg: 2
        case .block: 3
        case .conflict: 4
        }
    }
}

/// Every live relay of a node, for waitForNotificationsIfTipChanged and shutdown.
final class Relays: Sendable {
    private let all = Mutex<[ObjectIdentifier: NotificationRelay]>([:])

    func add(_ relay: NotificationRelay) { all.withLock { $0[ObjectIdentifier(relay)] = relay } }

    func remove(_ relay: NotificationRelay) {
        _ = all.withLock { $0.removeValue(forKey: ObjectIdentifier(relay)) }
        relay.end()
    }

    func stopAll() {
        for relay in all.withLock({ all in defer { all = [:] }; return Array(all.values) }) { relay.end() }
    }

    /// Waits until every relay delivered what it had queued when called, or ended, or `stopping` says so.
    func waitDelivered(stopping: @Sendable () -> Bool) async {
        let targets = all.withLock { $0.values.map { ($0, $0.progress.queued) } }
        for (relay, target) in targets {
            while !stopping() && !Task.isCancelled {
                let now = relay.progress
                if now.ended || now.delivered >= target { break }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
    }
}
