// Wallet served over IPC: each method answers from one WalletState. Private keys stay in this
// process: only addresses, amounts and signed transactions go out.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

final class WalletServer: Wallet.Server {
    let wallet: WalletState

    init(wallet: WalletState) { self.wallet = wallet }

    private func run<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as RPCError { throw error } catch { throw RPCError(.failed, "\(error)") }
    }

    func destroy(_ call: ServerCall<Wallet.DestroyParams, Wallet.DestroyResults>) async throws {}

    func getWalletName(_ call: ServerCall<Wallet.GetWalletNameParams, Wallet.GetWalletNameResults>) async throws {
        call.results.result = wallet.name
    }

    func getNewDestination(_ call: ServerCall<Wallet.GetNewDestinationParams, Wallet.GetNewDestinationResults>) async throws {
        let label = try call.params.label
        call.results.result = try await run { try await wallet.newAddress(label: label) }
    }

    func getAddresses(_ call: ServerCall<Wallet.GetAddressesParams, Wallet.GetAddressesResults>) async throws {
        let addresses = try await run { try await wallet.addresses() }
        let list = call.results.initResult(count: addresses.count)
        for (i, entry) in addresses.enumerated() {
            list[i].address = entry.address
            list[i].label = entry.label
            list[i].isChange = entry.change
        }
    }

    func getBalances(_ call: ServerCall<Wallet.GetBalancesParams, Wallet.GetBalancesResults>) async throws {
        let balances = try await run { try await wallet.balances() }
        let result = call.results.initResult()
        result.balance = balances.trusted
        result.unconfirmedBalance = balances.untrustedPending
        result.immatureBalance = balances.immature
    }

    func listTransactions(_ call: ServerCall<Wallet.ListTransactionsParams, Wallet.ListTransactionsResults>) async throws {
        let txs = try await run { try await wallet.transactions() }
        let list = call.results.initResult(count: txs.count)
        for (i, tx) in txs.enumerated() { Self.fill(list[i], tx) }
    }

    func getTransaction(_ call: ServerCall<Wallet.GetTransactionParams, Wallet.GetTransactionResults>) async throws {
        guard let txid = Hash256(Array(try call.params.txid)) else { throw RPCError(.failed, "txid must be 32 bytes") }
        guard let tx = try await run({ try await wallet.transaction(txid) }) else {
            throw RPCError(.failed, "\(WalletError.unknownTransaction(txid.hex))")
        }
        Self.fill(call.results.initResult(), tx)
    }

    static func fill(_ out: WalletTx.Builder, _ tx: WalletTransaction) {
        out.setTxid(tx.txid.bytes)
        out.setTx(tx.transaction.serialized())
        out.amount = tx.amount
        out.fee = tx.fee
        if let hash = tx.blockHash { out.setBlockHash(hash.bytes) }
        out.blockHeight = Int32(tx.blockHeight)
        out.confirmations = Int32(tx.confirmations)
        out.isCoinbase = tx.isCoinbase
        out.abandoned = tx.abandoned
        out.time = tx.time
    }

    func createTransaction(_ call: ServerCall<Wallet.CreateTransactionParams, Wallet.CreateTransactionResults>) async throws {
        var recipients: [(address: String, amount: Int64)] = []
        for recipient in try call.params.recipients { recipients.append((try recipient.address, recipient.amount)) }
        let feeRate = call.params.feeRate, subtract = call.params.subtractFeeFromOutputs
        let created = try await run {
            try await wallet.createTransaction(recipients: recipients, feeRate: feeRate, subtractFeeFromOutputs: subtract)
        }
        call.results.setTx(created.transaction.serialized())
        call.results.fee = created.fee
        call.results.changePosition = Int32(created.changePosition)
    }

    func commitTransaction(_ call: ServerCall<Wallet.CommitTransactionParams, Wallet.CommitTransactionResults>) async throws {
        let tx: Transaction
        do { tx = try Transaction(bytes: Array(try call.params.tx)) } catch { throw RPCError(.failed, "the transaction does not parse: \(error)") }
        try await run { try await wallet.commitTransaction(tx) }
    }

    func abandonTransaction(_ call: ServerCall<Wallet.AbandonTransactionParams, Wallet.AbandonTransactionResults>) async throws {
        guard let txid = Hash256(Array(try call.params.txid)) else { throw RPCError(.failed, "txid must be 32 bytes") }
        call.results.result = try await run { try await wallet.abandonTransaction(txid) }
    }

    func backupWallet(_ call: ServerCall<Wallet.BackupWalletParams, Wallet.BackupWalletResults>) async throws {
        guard call.params.hasDestination, let fd = await call.params.destination.capability.fileDescriptor() else {
            throw RPCError(.failed, "backupWallet needs an open file passed as a FileDescriptor capability (an fd)")
        }
        defer { close(fd) }
        try await run { try await wallet.backup(to: fd) }
    }

    func handleTransactionChanged(_ call: ServerCall<Wallet.HandleTransactionChangedParams, Wallet.HandleTransactionChangedResults>) async throws {
        let callback = call.params.callback
        let id = await wallet.addTransactionHandler { txid, status in
            Task { try? await callback.notify(txid: txid.bytes, status: Int32(status)) }
        }
        call.results.setResult(WalletHandler.make { [wallet] in Task { await wallet.removeTransactionHandler(id) } })
    }

    func handleShowProgress(_ call: ServerCall<Wallet.HandleShowProgressParams, Wallet.HandleShowProgressResults>) async throws {
        let callback = call.params.callback
        let id = await wallet.addProgressHandler { title, progress in
            Task { try? await callback.notify(title: title, progress: Int32(progress)) }
        }
        call.results.setResult(WalletHandler.make { [wallet] in Task { await wallet.removeProgressHandler(id) } })
    }
}
