// The loaded wallets' JSON-RPC commands for Rpc.executeRpc: each calls the node-wallet child over IPC
// (through the node's WalletProvider), picking the wallet from the URI `/wallet/<name>` as Bitcoin Core does.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
import Synchronization

extension RpcCommandTable {
    public func registerWalletCommands() {
        register("createwallet", parameters: ["wallet_name"]) { args, node throws(RpcFailure) in
            let name = try args.required(try args.string(0), 0)
            return try await Self.walletCall(node) { loader in
                let wallet = try await loader.createWallet { $0.name = name }
                return .object([("name", .string(try await wallet.getWalletName())), ("warning", .string(""))])
            }
        }
        register("loadwallet", parameters: ["filename"]) { args, node throws(RpcFailure) in
            let name = try args.required(try args.string(0), 0)
            return try await Self.walletCall(node) { loader in
                let wallet = try await loader.loadWallet(name: name)
                return .object([("name", .string(try await wallet.getWalletName())), ("warning", .string(""))])
            }
        }
        register("unloadwallet", parameters: ["wallet_name"]) { args, node throws(RpcFailure) in
            let given = try args.string(0)
            return try await Self.walletCall(node) { loader in
                let names = try await loader.getWalletNames().map { try $0.get() }
                let name = try given ?? Self.pickName(names, uri: args.uri)
                guard names.contains(name) else { throw Self.notLoaded }
                try await loader.unloadWallet(name: name)
                return .object([("warning", .string(""))])
            }
        }
        register("listwallets") { _, node throws(RpcFailure) in
            try await Self.walletCall(node) { loader in .array(try await loader.getWalletNames().map { .string(try $0.get()) }) }
        }
        register("getnewaddress", parameters: ["label", "address_type"]) { args, node throws(RpcFailure) in
            let label = try args.string(0) ?? ""
            return try await Self.onWallet(node, args) { wallet in .string(try await wallet.getNewDestination(label: label)) }
        }
        register("getbalances") { args, node throws(RpcFailure) in
            try await Self.onWallet(node, args) { wallet in
                let b = try await wallet.getBalances()
                return .object([("mine", .object([("trusted", .amount(b.balance)), ("untrusted_pending", .amount(b.unconfirmedBalance)),
                                                  ("immature", .amount(b.immatureBalance))]))])
            }
        }
        register("sendtoaddress", parameters: ["address", "amount"]) { args, node throws(RpcFailure) in
            let address = try args.required(try args.string(0), 0)
            let amount = try Self.amount(try args.required(args.value(1), 1))
            return try await Self.onWallet(node, args) { wallet in
                let created = try await wallet.createTransaction { params in
                    let recipients = params.initRecipients(count: 1)
                    recipients[0].address = address
                    recipients[0].amount = amount
                }
                let tx = Array(try created.tx)
                try await wallet.commitTransaction(tx: tx)
                return .string(try Transaction(bytes: tx).txid.hex)
            }
        }
        register("listtransactions") { args, node throws(RpcFailure) in
            try await Self.onWallet(node, args) { wallet in
                var rows: [JSONValue] = []
                for tx in try await wallet.listTransactions() { rows.append(try Self.walletTx(tx)) }
                return .array(rows)
            }
        }
        register("gettransaction", parameters: ["txid"]) { args, node throws(RpcFailure) in
            let txid = try Self.hash(args, 0, "txid")
            return try await Self.onWallet(node, args) { wallet in
                let tx: WalletTx.Reader
                do { tx = try await wallet.getTransaction(txid: txid.bytes) } catch let error as RPCError where error.kind == .failed {
                    throw RpcFailure(.invalidAddressOrKey, "Invalid or non-wallet transaction id")
                }
                return try Self.walletTx(tx)
            }
        }
        register("abandontransaction", parameters: ["txid"]) { args, node throws(RpcFailure) in
            let txid = try Self.hash(args, 0, "txid")
            return try await Self.onWallet(node, args) { wallet in
                guard try await wallet.abandonTransaction(txid: txid.bytes) else {
                    throw RpcFailure(.invalidAddressOrKey, "Transaction not eligible for abandonment")
                }
                return .null
            }
        }
    }

    static let notLoaded = RpcFailure(.walletNotFound, "Requested wallet does not exist or is not loaded")

    /// The wallet the URI names, or the only loaded one (Bitcoin Core's GetWalletForJSONRPCRequest).
    static func pickName(_ names: [String], uri: String) throws(RpcFailure) -> String {
        let prefix = "/wallet/"
        if uri.hasPrefix(prefix) {
            let name = String(uri.dropFirst(prefix.count))
            guard names.contains(name) else { throw notLoaded }
            return name
        }
        if names.count == 1 { return names[0] }
        if names.isEmpty {
            throw RpcFailure(.walletNotFound, "No wallet is loaded. Load a wallet using loadwallet or create a new one with createwallet.")
        }
        throw RpcFailure(.walletNotSpecified, "Wallet file not specified (must request wallet RPC through /wallet/<filename> uri-path).")
    }

    /// Runs `body` with the wallet child's loader; IPC and wallet failures become RPC_WALLET_ERROR with their reason.
    static func walletCall(_ node: NodeRuntime, _ body: (WalletLoader.Client) async throws -> JSONValue) async throws(RpcFailure) -> JSONValue {
        guard let provider = node.wallet.withLock({ $0 }) else {
            throw RpcFailure(.methodNotFound, "Method not found (this noded runs no wallet process: it was started with -nowallet)")
        }
        do { return try await body(try await provider.walletLoader()) } catch let failure as RpcFailure { throw failure } catch let error as RPCError {
            throw RpcFailure(.walletError, error.reason)
        } catch { throw RpcFailure(.walletError, "\(error)") }
    }

    /// Runs `body` on the wallet the request picks.
    static func onWallet(_ node: NodeRuntime, _ args: RpcArguments, _ body: @escaping (Wallet.Client) async throws -> JSONValue) async throws(RpcFailure) -> JSONValue {
        try await walletCall(node) { loader in
            let names = try await loader.getWalletNames().map { try $0.get() }
            let index = names.firstIndex(of: try pickName(names, uri: args.uri))!
            let wallets = try await loader.getWallets()
            guard index < wallets.count else { throw notLoaded }
            return try await body(Wallet.Client(try wallets[index].get().capability))
        }
    }

    /// An amount argument in BTC (a JSON number or a string, at most 8 decimals) in satoshis, as Bitcoin Core's AmountFromValue.
    static func amount(_ value: JSONValue) throws(RpcFailure) -> Int64 {
        let units: Double
        switch value {
        case .int(let coins): units = Double(coins) * Double(Amount.coin)
        case .double(let coins): units = coins * Double(Amount.coin)
        case .string(let text):
            guard let coins = Double(text) else { throw RpcFailure(.typeError, "Invalid amount") }
            units = coins * Double(Amount.coin)
        default: throw RpcArguments.typeError(value, "number")
        }
        let rounded = units.rounded()
        guard abs(units - rounded) < 1e-3 else { throw RpcFailure(.typeError, "Invalid amount") }
        guard rounded > 0, rounded <= Double(21_000_000 * Amount.coin) else { throw RpcFailure(.typeError, "Amount out of range") }
        return Int64(rounded)
    }

    static func walletTx(_ tx: WalletTx.Reader) throws -> JSONValue {
        guard let txid = Hash256(Array(try tx.txid)) else { throw RpcFailure(.walletError, "the wallet sent a txid that is not 32 bytes") }
        var fields: [(String, JSONValue)] = [("txid", .string(txid.hex)), ("amount", .amount(tx.amount)), ("fee", .amount(tx.fee)),
                                             ("confirmations", .int(Int64(tx.confirmations)))]
        if tx.blockHeight >= 0, let block = Hash256(Array(try tx.blockHash)) {
            fields.append(("blockhash", .string(block.hex)))
            fields.append(("blockheight", .int(Int64(tx.blockHeight))))
        }
        fields.append(("generated", .bool(tx.isCoinbase)))
        fields.append(("abandoned", .bool(tx.abandoned)))
        return .object(fields)
    }
}
