// The wallets of one wallet process (what Bitcoin Core's WalletLoader and ChainClient manage): the
// wallet directory, loading and unloading, and handing the chain's events to every loaded wallet in order.

import Consensus
#if canImport(Glibc)
import Glibc
#endif

public actor WalletManager {
    public let walletDir: String
    public let chain: any WalletChain
    public let hrp: String
    private var loaded: [(name: String, wallet: WalletState)] = []
    private var loadHandlers: [Int: @Sendable (WalletState) -> Void] = [:]
    private var nextHandler = 0

    /// `datadir`'s wallets live in `<datadir>/wallets`.
    public init(datadir: String, chain: any WalletChain, hrp: String = "bcrt") {
        walletDir = datadir + "/wallets"
        self.chain = chain
        self.hrp = hrp
        mkdir(datadir, 0o700)
        mkdir(walletDir, 0o700)
    }

    /// A new wallet born at the chain's tip (nothing before it can pay its fresh keys), loaded.
    public func createWallet(name: String, seed: [UInt8]? = nil) async throws(WalletError) -> WalletState {
        guard wallet(named: name) == nil else { throw .exists("wallet \"\(name)\" is already loaded") }
        let tip = try await chain.tip()
        let wallet = try WalletState.create(name: name, walletDir: walletDir, seed: seed, hrp: hrp, chain: chain)
        try await wallet.setBirth(hash: tip.hash, height: tip.height)
        try await wallet.rescan()  // catches up blocks mined since `tip`
        didLoad(name, wallet)
        saveLoadedNames()
        return wallet
    }

    /// Opens a wallet and rescans it from its last block; unloading it meanwhile cancels the rescan.
    public func loadWallet(name: String) async throws(WalletError) -> WalletState {
        guard wallet(named: name) == nil else { throw .exists("wallet \"\(name)\" is already loaded") }
        let wallet = try WalletState.load(name: name, walletDir: walletDir, chain: chain)
        loaded.append((name, wallet))  // listed at once, so events reach it and unloadWallet can cancel it
        do { try await wallet.rescan() } catch {
            loaded.removeAll { $0.wallet === wallet }
            throw error
        }
        for handler in loadHandlers.values { handler(wallet) }
        saveLoadedNames()
        return wallet
    }

    private func didLoad(_ name: String, _ wallet: WalletState) {
        loaded.append((name, wallet))
        for handler in loadHandlers.values { handler(wallet) }
    }

    public func unloadWallet(name: String) async throws(WalletError) {
        guard let wallet = wallet(named: name) else { throw .notFound("wallet \"\(name)\" is not loaded (listwallets shows those that are)") }
        await wallet.cancel()
        loaded.removeAll { $0.name == name }
        saveLoadedNames()
    }

    // The names of the loaded wallets, kept in <walletDir>/loaded (Bitcoin Core's load_on_startup
    // setting): a wallet process that died, or a restarted node, loads them again with `reloadPrevious`.
    private var loadedListPath: String { walletDir + "/loaded" }

    private func saveLoadedNames() {
        let text = loaded.map { $0.name + "\n" }.joined()
        let temporary = loadedListPath + ".new"
        guard let file = fopen(temporary, "w") else { return }
        fputs(text, file)
        fflush(file)
        fsync(fileno(file))
        fclose(file)
        rename(temporary, loadedListPath)
    }

    /// Loads every wallet that was loaded when this wallet directory was last used; returns the
    /// names that failed with why (they stay listed, so a later start tries again).
    @discardableResult
    public func reloadPrevious() async -> [(String, WalletError)] {
        guard let file = fopen(loadedListPath, "r") else { return [] }
        var names: [String] = []
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let name = String(cString: line).trimmingNewline
            if !name.isEmpty { names.append(name) }
        }
        fclose(file)
        var failures: [(String, WalletError)] = []
        for name in names where wallet(named: name) == nil {
            do { _ = try await loadWallet(name: name) } catch { failures.append((name, error)) }
        }
        return failures
    }

    /// Unloads every wallet for shutdown; `loaded` keeps listing them for the next start.
    public func unloadAll() async {
        for entry in loaded { await entry.wallet.cancel() }
        loaded = []
    }

    public func wallet(named name: String) -> WalletState? { loaded.first { $0.name == name }?.wallet }
    public var wallets: [WalletState] { loaded.map(\.wallet) }
    public var walletNames: [String] { loaded.map(\.name) }

    /// The wallets on disk: each subdirectory of the wallet directory holding a wallet.sqlite.
    public func listWalletDir() -> [String] {
        guard let dir = opendir(walletDir) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != "..", access("\(walletDir)/\(name)/wallet.sqlite", F_OK) == 0 { names.append(name) }
        }
        return names.sorted()
    }

    public func addLoadHandler(_ handler: @escaping @Sendable (WalletState) -> Void) -> Int {
        nextHandler += 1
        loadHandlers[nextHandler] = handler
        return nextHandler
    }

    public func removeLoadHandler(_ id: Int) { loadHandlers[id] = nil }

    // MARK: - Chain events, in the order the chain sends them

    public func blockConnected(_ block: Block, height: Int) async {
        for entry in loaded { try? await entry.wallet.blockConnected(block, height: height) }
    }

    public func blockDisconnected(_ block: Block, height: Int) async {
        for entry in loaded { try? await entry.wallet.blockDisconnected(block, height: height) }
    }

    public func transactionAddedToMempool(_ tx: Transaction) async {
        for entry in loaded { try? await entry.wallet.transactionAddedToMempool(tx) }
    }

    /// `reason` as Bitcoin Core's MemPoolRemovalReason (3: included in a block; others: conflict, reorg, …).
    public func transactionRemovedFromMempool(_ tx: Transaction, reason: Int) async {
        for entry in loaded { try? await entry.wallet.transactionRemovedFromMempool(tx, conflicted: reason != 3) }
    }
}

private extension String {
    var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}
