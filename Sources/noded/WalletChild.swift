// noded's wallet child: spawns `node-wallet -ipcfd N`, hands it the node's Chain through
// makeWalletLoader, respawns it (reloading its wallets) when a wallet command comes after it died,
// and shuts it down: WalletLoader.stop, close, wait, TERM, KILL (SpawnedProcess.close), never a zombie.

import CapnpRPC
import Logging
import Multiprocess
import NodeInterfaces
import NodeKit
import Synchronization

actor WalletChild: WalletProvider {
    private let ipc: Ipc
    private let chain: Chain.Client
    private let logger: Logger
    private var child: SpawnedProcess<Init.Client>?
    private var loader: WalletLoader.Client?
    private var lastExit: ExitStatus?
    private var stopping = false

    init(ipc: Ipc, datadir: String, chain: Chain.Client, logger: Logger) {
        var ipc = ipc
        ipc.childEnvironment["NODE_WALLET_DATADIR"] = datadir
        self.ipc = ipc
        self.chain = chain
        self.logger = logger
    }

    /// The running child's loader, spawning the child first when there is none (at start, or after it died).
    func walletLoader() async throws -> WalletLoader.Client {
        if let loader { return loader }
        guard !stopping else { throw RPCError(.failed, "noded is stopping: no wallet commands now") }
        return try await spawn()
    }

    func status() -> (pid: Int32, state: String) {
        if let child { return (child.pid, "running") }
        if let lastExit { return (0, "wallet process exited (status \(lastExit))") }
        return (0, "not started")
    }

    @discardableResult
    private func spawn() async throws -> WalletLoader.Client {
        let child: SpawnedProcess<Init.Client>
        do { child = try await ipc.spawnProcess("node-wallet", as: Init.Client.self) } catch {
            throw RPCError(.failed, "cannot start the wallet process: \(error)")
        }
        let loader = try await child.initClient.makeWalletLoader(chain: chain)
        self.child = child
        self.loader = loader
        logger.info("wallet process node-wallet started: pid \(child.pid)")
        Task { [weak self] in
            let reason = await child.connection.disconnected()
            await self?.lost(child, reason: "\(reason)")
        }
        try await loader.start()  // subscribes it to the chain and reloads the wallets it had
        return loader
    }

    /// Loads the -wallet=<name> wallets (after start has reloaded the previous ones).
    func load(_ names: [String]) async throws {
        let loader = try await walletLoader()
        let loaded = Set(try await loader.getWalletNames().map { try $0.get() })
        for name in names where !loaded.contains(name) { _ = try await loader.loadWallet(name: name) }
    }

    private func lost(_ dead: SpawnedProcess<Init.Client>, reason: String) async {
        guard child === dead, !stopping else { return }
        child = nil
        loader = nil
        let status = await dead.close()
        lastExit = status
        logger.error("wallet process exited (status \(status)); the next wallet command starts it again")
    }

    /// A wallet process attached itself: stop ours (WalletLoader.stop, close, wait); a later
    /// wallet command that comes back here starts it again.
    func standDown() async {
        guard let child else { return }
        let loader = self.loader
        self.child = nil
        self.loader = nil
        try? await loader?.stop()
        let status = await child.close()
        lastExit = status
        logger.info("wallet process (pid \(child.pid)) stopped for the attached wallet: \(status)")
    }

    /// WalletLoader.stop, then close, wait, TERM, KILL.
    func shutdown() async {
        stopping = true
        guard let child else { return }
        try? await loader?.stop()
        let status = await child.close()
        logger.info("wallet process (pid \(child.pid)) exited: \(status)")
        self.child = nil
        loader = nil
    }
}

extension Noded {
    /// Spawns the wallet child with the node's Chain and loads -wallet=<name>; a failure is logged
    /// and the node runs on (wallet commands then say why).
    func startWallet(node: NodeRuntime, ipc: Ipc, datadir: String, logger: Logger) async -> WalletChild? {
        let chain: Chain.Client
        do { chain = try await Init.Client(serving: NodeInit(node: node)).makeChain() } catch {
            logger.error("cannot make the Chain for the wallet: \(error)")
            return nil
        }
        let child = WalletChild(ipc: ipc, datadir: datadir, chain: chain, logger: logger)
        node.wallet.withLock { $0 = child }
        do { try await child.load(wallets) } catch { logger.error("wallet start: \(error)") }
        return child
    }
}
