// The wallet process's ChainNotifications: the node calls it for every chain event; each is queued
// as it arrives and handed to the WalletManager by one task, so the wallets see them in order.

import CapnpRPC
import Consensus
import NodeInterfaces

final class ChainNotificationsServer: ChainNotifications.Server {
    enum Event: Sendable {
        case connected(Block, Int), disconnected(Block, Int), added(Transaction), removed(Transaction, Int)
    }

    private let events: AsyncStream<Event>.Continuation
    private let task: Task<Void, Never>

    init(manager: WalletManager) {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        events = continuation
        task = Task {
            for await event in stream {
                switch event {
                case .connected(let block, let height): await manager.blockConnected(block, height: height)
                case .disconnected(let block, let height): await manager.blockDisconnected(block, height: height)
                case .added(let tx): await manager.transactionAddedToMempool(tx)
                case .removed(let tx, let reason): await manager.transactionRemovedFromMempool(tx, reason: reason)
                }
            }
        }
    }

    deinit {
        events.finish()
    }

    func destroy(_ call: ServerCall<ChainNotifications.DestroyParams, ChainNotifications.DestroyResults>) async throws {}

    func transactionAddedToMempool(_ call: ServerCall<ChainNotifications.TransactionAddedToMempoolParams,
                                                      ChainNotifications.TransactionAddedToMempoolResults>) async throws {
        events.yield(.added(try parse(Array(try call.params.tx))))
    }

    func transactionRemovedFromMempool(_ call: ServerCall<ChainNotifications.TransactionRemovedFromMempoolParams,
                                                          ChainNotifications.TransactionRemovedFromMempoolResults>) async throws {
        events.yield(.removed(try parse(Array(try call.params.tx)), Int(call.params.reason)))
    }

    func blockConnected(_ call: ServerCall<ChainNotifications.BlockConnectedParams, ChainNotifications.BlockConnectedResults>) async throws {
        let info = try call.params.block
        events.yield(.connected(try parseBlock(Array(try info.data)), Int(info.height)))
    }

    func blockDisconnected(_ call: ServerCall<ChainNotifications.BlockDisconnectedParams, ChainNotifications.BlockDisconnectedResults>) async throws {
        let info = try call.params.block
        events.yield(.disconnected(try parseBlock(Array(try info.data)), Int(info.height)))
    }

    func updatedBlockTip(_ call: ServerCall<ChainNotifications.UpdatedBlockTipParams, ChainNotifications.UpdatedBlockTipResults>) async throws {}

    func chainStateFlushed(_ call: ServerCall<ChainNotifications.ChainStateFlushedParams, ChainNotifications.ChainStateFlushedResults>) async throws {}

    private func parse(_ bytes: [UInt8]) throws(RPCError) -> Transaction {
        do { return try Transaction(bytes: bytes) } catch { throw RPCError(.failed, "a notified transaction does not parse: \(error)") }
    }

    private func parseBlock(_ bytes: [UInt8]) throws(RPCError) -> Block {
        do { return try Block(bytes: bytes) } catch { throw RPCError(.failed, "a notified block does not parse: \(error)") }
    }
}
