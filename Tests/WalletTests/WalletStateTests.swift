// A wallet over an in-process chain: mined coins mature, a payment moves between two wallets with
// the right balances, a refused broadcast leaves nothing behind, a restart rescans to the same
// balances, a reorg puts a payment back in the mempool, and a backup loads with the same balances.

import Consensus
import NodeKit
import TestSupport
import Testing
import WalletKit
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WalletStateTests {
    let directory: TemporaryDirectory
    let chain: ChainState
    let local: LocalChain
    var walletDir: String { directory.path + "/wallets" }

    init() throws {
        directory = try TemporaryDirectory("wallet")
        chain = try ChainState(datadir: directory.path)
        local = LocalChain(chain: chain)
    }

    func synced(_ wallets: WalletState...) async throws {
        let height = await chain.height
        for wallet in wallets { try await eventually("\(wallet.name) at height \(height)") { try await wallet.lastBlockHeight() == height } }
    }

    // Catches immature coinbase counted as trusted (or the reverse), a payment not reaching the
    // payee, change or fee miscounted, and unconfirmed payments from others counted as trusted.
    @Test func minedCoinsMatureAndAPaymentMovesBetweenWallets() async throws {
        let alice = try WalletState.create(name: "alice", walletDir: walletDir, seed: nil, hrp: "bcrt", chain: local)
        let bob = try WalletState.create(name: "bob", walletDir: walletDir, seed: nil, hrp: "bcrt", chain: local)
        let feed = await EventFeed(chain: chain, wallets: [alice, bob])
        _ = try await chain.generate(count: 101, toAddress: try await alice.newAddress())
        try await synced(alice, bob)
        #expect(try await alice.balances() == Balances(trusted: 50 * Amount.coin, immature: 100 * 50 * Amount.coin))

        let created = try await alice.createTransaction(recipients: [(try await bob.newAddress(label: "from alice"), 10 * Amount.coin)])
        #expect(created.changePosition == 1)
        #expect(created.fee > 0 && created.fee < Amount.coin / 1000)
        try await alice.commitTransaction(created.transaction)
        try await eventually("bob sees the payment") { try await bob.balances().untrustedPending == 10 * Amount.coin }
        #expect(try await alice.balances().trusted == 40 * Amount.coin - created.fee)
        #expect(try await bob.balances() == Balances(untrustedPending: 10 * Amount.coin))

        _ = try await chain.generate(count: 1, toAddress: try await alice.newAddress())
        try await synced(alice, bob)
        #expect(try await bob.balances() == Balances(trusted: 10 * Amount.coin))
        #expect(try await alice.balances().trusted == 2 * 50 * Amount.coin - 10 * Amount.coin - created.fee)
        let sent = try #require(try await alice.transaction(created.transaction.txid))
        #expect(sent.amount == -10 * Amount.coin - created.fee && sent.confirmations == 1 && sent.fee == created.fee)
        #expect(try await bob.transactions().map(\.txid) == [created.transaction.txid])
        _ = feed
    }

    // Catches a commit that keeps a refused transaction (its inputs stay spent, it stays listed).
    @Test func aRefusedBroadcastIsRolledBackWithTheNodesReason() async throws {
        let alice = try WalletState.create(name: "alice", walletDir: walletDir, seed: nil, hrp: "bcrt", chain: local)
        let feed = await EventFeed(chain: chain, wallets: [alice])
        _ = try await chain.generate(count: 101, toAddress: try await alice.newAddress())
        try await synced(alice)
        let before = try await alice.balances()
        var tx = try await alice.createTransaction(recipients: [(try await alice.newAddress(), Amount.coin)]).transaction
        tx.inputs[0].witness[0][10] ^= 1  // a bad signature
        await #expect(throws: WalletError.self) { try await alice.commitTransaction(tx) }
        #expect(try await alice.balances() == before)
        #expect(try await alice.transaction(tx.txid) == nil)
        _ = feed
    }

    // Catches a rescan that misses blocks, counts one twice, or a load that forgets keys.
    @Test func aReloadedWalletRescansToTheSameBalancesAndABackupLoadsToo() async throws {
        var alice: WalletState? = try WalletState.create(name: "alice", walletDir: walletDir, seed: nil, hrp: "bcrt", chain: local)
        let address = try await alice!.newAddress()
        _ = try await chain.generate(count: 20, toAddress: address)
        try await alice!.rescan()
        let backupPath = directory.path + "/backup.sqlite"
        let fd = open(backupPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try await alice!.backup(to: fd)
        close(fd)
        alice = nil
        _ = try await chain.generate(count: 90, toAddress: address)  // while the wallet is away

        let reloaded = try WalletState.load(name: "alice", walletDir: walletDir, chain: local)
        try await reloaded.rescan()
        #expect(try await reloaded.lastBlockHeight() == 110)
        #expect(try await reloaded.balances() == Balances(trusted: 10 * 50 * Amount.coin, immature: 100 * 50 * Amount.coin))
        #expect(try await reloaded.transactions().count == 110)

        let backup = try WalletState.load(name: "alice-backup", walletDir: walletDir, chain: local, path: backupPath)
        try await backup.rescan()
        #expect(try await backup.balances() == reloaded.balances())
    }

    // Catches a disconnected block leaving its payment confirmed, or the payment lost from the wallet.
    @Test func aReorgPutsAPaymentBackInTheMempoolAndTheBalanceFollows() async throws {
        let alice = try WalletState.create(name: "alice", walletDir: walletDir, seed: nil, hrp: "bcrt", chain: local)
        let bob = try WalletState.create(name: "bob", walletDir: walletDir, seed: nil, hrp: "bcrt", chain: local)
        let feed = await EventFeed(chain: chain, wallets: [alice, bob])
        _ = try await chain.generate(count: 101, toAddress: try await alice.newAddress())
        try await synced(alice, bob)
        let created = try await alice.createTransaction(recipients: [(try await bob.newAddress(), 10 * Amount.coin)])
        try await alice.commitTransaction(created.transaction)
        let block = try #require(try await chain.generate(count: 1, toAddress: try await bob.newAddress()).first)
        try await synced(alice, bob)
        #expect(try await bob.balances().trusted == 10 * Amount.coin)

        try await chain.invalidateBlock(block)
        try await synced(alice, bob)
        #expect(await chain.isInMempool(created.transaction.txid))
        #expect(try await bob.balances() == Balances(untrustedPending: 10 * Amount.coin))
        let tx = try #require(try await bob.transaction(created.transaction.txid))
        #expect(tx.blockHeight == -1 && !tx.abandoned)
        _ = feed
    }
}
