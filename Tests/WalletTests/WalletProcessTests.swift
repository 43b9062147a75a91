// node-wallet as a real child process: the test is the node (a ChainState served through NodeKit's
// Init), spawns `node-wallet -ipcfd N`, hands it Chain through makeWalletLoader and drives wallets
// over IPC: mining, a payment, a backup passed as an fd, kill -9 and a respawn with the same balances.

import Capnp
import CapnpRPC
import Consensus
import Multiprocess
import NodeInterfaces
import NodeKit
import SQLiteSupport
import TestSupport
import Testing
import WalletKit
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct WalletProcessTests {
    let directory: TemporaryDirectory
    let chain: ChainState
    let chainClient: Chain.Client

    init() async throws {
        directory = try TemporaryDirectory("walletproc")
        chain = try ChainState(datadir: directory.path)
        let node = NodeRuntime(chain: chain, stop: {})
        chainClient = try await Init.Client(serving: NodeInit(node: node)).makeChain()
    }

    func spawnWallet() async throws -> (SpawnedProcess<Init.Client>, WalletLoader.Client) {
        var ipc = Ipc()
        ipc.childEnvironment["NODE_WALLET_DATADIR"] = directory.path
        let child = try await ipc.spawnProcess("node-wallet", as: Init.Client.self)
        return (child, try await child.initClient.makeWalletLoader(chain: chainClient))
    }

    struct Seen: Equatable { let trusted, pending, immature: Int64 }

    func balances(_ wallet: Wallet.Client) async throws -> Seen {
        let b = try await wallet.getBalances()
        return Seen(trusted: b.balance, pending: b.unconfirmedBalance, immature: b.immatureBalance)
    }

    func waitFor(_ wallet: Wallet.Client, _ expected: Seen) async throws {
        try await eventually("balances \(expected)") { try await balances(wallet) == expected }
        #expect(try await balances(wallet) == expected)
    }

    // Catches notifications not reaching the child, a payment or backup wrong over IPC, and a
    // respawned child that forgets or double-counts what it had.
    @Test func theScenarioTwoWalletsMinePayBackUpKillAndRespawn() async throws {
        var (child, loader) = try await spawnWallet()
        let alice = try await loader.createWallet { $0.name = "alice" }
        let bob = try await loader.createWallet { $0.name = "bob" }
        _ = try await chain.generate(count: 101, toAddress: try await alice.getNewDestination(label: ""))
        try await waitFor(alice, Seen(trusted: 50 * Amount.coin, pending: 0, immature: 100 * 50 * Amount.coin))

        let bobAddress = try await bob.getNewDestination(label: "from alice")
        let created = try await alice.createTransaction { params in
            let recipients = params.initRecipients(count: 1)
            recipients[0].address = bobAddress
            recipients[0].amount = 10 * Amount.coin
        }
        let fee = created.fee
        try await alice.commitTransaction(tx: Array(try created.tx))
        try await waitFor(bob, Seen(trusted: 0, pending: 10 * Amount.coin, immature: 0))
        _ = try await chain.generate(count: 1, toAddress: try await alice.getNewDestination(label: ""))
        try await waitFor(bob, Seen(trusted: 10 * Amount.coin, pending: 0, immature: 0))
        // Block 102's coinbase (alice's, immature) collects the fee alice paid.
        let aliceSeen = Seen(trusted: 2 * 50 * Amount.coin - 10 * Amount.coin - fee, pending: 0, immature: 100 * 50 * Amount.coin + fee)
        try await waitFor(alice, aliceSeen)

        // The backup: the file is opened here and passed as an fd; it loads with the same balances.
        let backupPath = directory.path + "/alice-backup.sqlite"
        let fd = open(backupPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        try await alice.backupWallet(destination: FileDescriptor.Client(Capability(fileDescriptor: fd)))
        let restored = try WalletState.load(name: "restored", walletDir: directory.path + "/wallets", chain: LocalChain(chain: chain),
                                            path: backupPath)
        try await restored.rescan()
        let b = try await restored.balances()
        #expect(Seen(trusted: b.trusted, pending: b.untrustedPending, immature: b.immature) == aliceSeen)

        // kill -9 the child: its calls fail; a new child loads alice with the same balance.
        kill(child.pid, SIGKILL)
        await #expect(throws: RPCError.self) { _ = try await alice.getBalances() }
        #expect(await child.close() == .signaled(SIGKILL))
        (child, loader) = try await spawnWallet()
        let again = try await loader.loadWallet(name: "alice")
        try await waitFor(again, aliceSeen)
        #expect(try await loader.listWalletDir().map { try $0.get() } == ["alice", "bob"])

        try await loader.stop()
        #expect(await child.close() == .exited(0))
    }

    // Catches a commit that can be lost (recorded nowhere) or recorded twice when the child dies
    // at any point of sendtoaddress: after each kill the respawned child resends what it recorded,
    // a block confirms it, and the wallet's coins equal the chain's UTXOs paying its scripts.
    @Test func killMinus9MidSendLosesOrDuplicatesNothing() async throws {
        var (child, loader) = try await spawnWallet()
        var alice = try await loader.createWallet { $0.name = "alice" }
        let mine = try await alice.getNewDestination(label: "")
        _ = try await chain.generate(count: 110, toAddress: mine)
        try await eventually("alice's coins mature") { try await alice.getBalances().balance == 10 * 50 * Amount.coin }
        var random = SeededRandom.forTest()
        for round in 0..<6 {
            let send = Task { [alice] in
                for _ in 0..<3 {
                    let created = try await alice.createTransaction { params in
                        let recipients = params.initRecipients(count: 1)
                        recipients[0].address = mine
                        recipients[0].amount = Amount.coin
                    }
                    try await alice.commitTransaction(tx: Array(try created.tx))
                }
            }
            try await Task.sleep(nanoseconds: UInt64.random(in: 0...30_000_000, using: &random))
            kill(child.pid, SIGKILL)
            _ = await send.result
            _ = await child.close()
            (child, loader) = try await spawnWallet()
            try await loader.start()  // reloads alice and resends what she recorded
            alice = Wallet.Client(try await loader.getWallets()[0].get().capability)
            _ = try await chain.generate(count: 1, toAddress: mine)
            let height = await chain.height
            try await eventually("round \(round): synced") {
                let txs = try await alice.listTransactions()
                return txs.contains { $0.blockHeight == Int32(height) }
            }
            // Every transaction the wallet knows is confirmed or abandoned: nothing stuck or lost.
            let txs = try await alice.listTransactions()
            let txids = txs.map { Array((try? $0.txid).map(Array.init) ?? []) }
            #expect(Set(txids).count == txids.count, "round \(round): a transaction listed twice")
            for tx in txs { #expect(tx.confirmations > 0 || tx.abandoned, "round \(round): an unconfirmed transaction") }
            // The wallet's coins are exactly the chain's UTXOs paying the wallet's scripts.
            var scripts = Set<[UInt8]>()
            for entry in try await alice.getAddresses() { scripts.insert(try SegwitAddress(try entry.address).scriptPubKey) }
            let onChain = try await chain.utxoSet().values.filter { scripts.contains($0.output.scriptPubKey) }
                .reduce(Int64(0)) { $0 + $1.output.value }
            let b = try await alice.getBalances()
            #expect(b.balance + b.immatureBalance + b.unconfirmedBalance == onChain, "round \(round): the wallet disagrees with the chain")
        }
        try await loader.stop()
        _ = await child.close()
    }
}
