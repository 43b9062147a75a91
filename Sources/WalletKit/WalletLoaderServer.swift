// WalletLoader served over IPC from a WalletManager: create, load, unload and list wallets, and the
// ChainClient duties (start subscribes to the node's chain events, stop unloads everything).

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
import Synchronization

public final class WalletLoaderServer: WalletLoader.Server {
    public let manager: WalletManager
    private let chainClient: Chain.Client?
    private let subscription = Mutex<Handler.Client?>(nil)
    private let onStop: @Sendable () -> Void

    /// `chainClient`, when given, is where `start` subscribes for notifications; `onStop` runs after `stop`.
    public init(manager: WalletManager, chainClient: Chain.Client?, onStop: @escaping @Sendable () -> Void = {}) {
        self.manager = manager
        self.chainClient = chainClient
        self.onStop = onStop
    }

    /// Subscribes the wallets to the node's chain events (idempotent).
    public func subscribe() async throws {
        guard let chainClient, subscription.withLock({ $0 == nil }) else { return }
        let handler = try await chainClient.handleNotifications(notifications: ChainNotifications.Client(serving: ChainNotificationsServer(manager: manager)))
        subscription.withLock { $0 = handler }
    }

    static func fail(_ error: any Error) -> RPCError { RPCError(.failed, "\(error)") }

    public func destroy(_ call: ServerCall<WalletLoader.DestroyParams, WalletLoader.DestroyResults>) async throws {}

    public func createWallet(_ call: ServerCall<WalletLoader.CreateWalletParams, WalletLoader.CreateWalletResults>) async throws {
        let name = try call.params.name
        let seed = call.params.hasOptions ? Array(try call.params.options.seed) : []
        try await subscribe()
        do {
            let wallet = try await manager.createWallet(name: name, seed: seed.isEmpty ? nil : seed)
            call.results.setResult(Wallet.Client(serving: WalletServer(wallet: wallet)))
        } catch { throw Self.fail(error) }
    }

    public func loadWallet(_ call: ServerCall<WalletLoader.LoadWalletParams, WalletLoader.LoadWalletResults>) async throws {
        let name = try call.params.name
        try await subscribe()
        do {
            let wallet = try await manager.loadWallet(name: name)
            call.results.setResult(Wallet.Client(serving: WalletServer(wallet: wallet)))
        } catch { throw Self.fail(error) }
    }

    public func unloadWallet(_ call: ServerCall<WalletLoader.UnloadWalletParams, WalletLoader.UnloadWalletResults>) async throws {
        do { try await manager.unloadWallet(name: try call.params.name) } catch { throw Self.fail(error) }
    }

    public func getWalletDir(_ call: ServerCall<WalletLoader.GetWalletDirParams, WalletLoader.GetWalletDirResults>) async throws {
        call.results.result = manager.walletDir
    }

    public func listWalletDir(_ call: ServerCall<WalletLoader.ListWalletDirParams, WalletLoader.ListWalletDirResults>) async throws {
        let names = await manager.listWalletDir()
        let list = call.results.initResult(count: names.count)
        for (i, name) in names.enumerated() { list.set(i, name) }
    }

    public func getWallets(_ call: ServerCall<WalletLoader.GetWalletsParams, WalletLoader.GetWalletsResults>) async throws {
        let wallets = await manager.wallets
        let list = call.results.initResult(count: wallets.count)
        for (i, wallet) in wallets.enumerated() { list.slot(i).setClient(Wallet.Client(serving: WalletServer(wallet: wallet))) }
    }

    public func getWalletNames(_ call: ServerCall<WalletLoader.GetWalletNamesParams, WalletLoader.GetWalletNamesResults>) async throws {
        let names = await manager.walletNames
        let list = call.results.initResult(count: names.count)
        for (i, name) in names.enumerated() { list.set(i, name) }
    }

    public func handleLoadWallet(_ call: ServerCall<WalletLoader.HandleLoadWalletParams, WalletLoader.HandleLoadWalletResults>) async throws {
        let callback = call.params.callback
        let id = await manager.addLoadHandler { wallet in
            Task { try? await callback.notify(wallet: Wallet.Client(serving: WalletServer(wallet: wallet))) }
        }
        call.results.setResult(WalletHandler.make { [manager] in Task { await manager.removeLoadHandler(id) } })
    }

    /// Subscribes to the chain and loads the wallets that were loaded last time (after a crash of
    /// this process, the ones it had).
    public func start(_ call: ServerCall<WalletLoader.StartParams, WalletLoader.StartResults>) async throws {
        try await subscribe()
        let failures = await manager.reloadPrevious()
        if !failures.isEmpty {
            throw RPCError(.failed, failures.map { "cannot reload wallet \($0.0): \($0.1)" }.joined(separator: "; "))
        }
    }

    public func flush(_ call: ServerCall<WalletLoader.FlushParams, WalletLoader.FlushResults>) async throws {
        // Every change is committed in its own SQLite transaction with synchronous=FULL: nothing is pending.
    }

    public func stop(_ call: ServerCall<WalletLoader.StopParams, WalletLoader.StopResults>) async throws {
        let handler = subscription.withLock { current in defer { current = nil }; return current }
        try? await handler?.disconnect()
        await manager.unloadAll()
        onStop()
    }
}
