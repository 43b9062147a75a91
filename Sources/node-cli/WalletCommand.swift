// node-cli's wallet commands: each asks noded for the wallet child's WalletLoader (Node.walletLoader)
// and calls it or one of its wallets; the calls go node-cli → noded → node-wallet.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

enum WalletCommand: String, CaseIterable {
    case createwallet, loadwallet, unloadwallet, listwallets, getnewaddress, getbalances, sendtoaddress
    case listtransactions, gettransaction, abandontransaction, backupwallet
    /// `-generate [n]` (Bitcoin Core's bitcoin-cli shorthand): mines n blocks (default 1) to a new address of the wallet.
    case generate = "-generate"

    /// Required arguments, then how many optional ones may follow.
    var argumentNames: (required: [String], optional: [String]) {
        switch self {
        case .createwallet, .loadwallet, .unloadwallet: (["<name>"], [])
        case .getnewaddress: ([], ["[label]"])
        case .sendtoaddress: (["<address>", "<amount>"], [])
        case .gettransaction, .abandontransaction: (["<txid>"], [])
        case .backupwallet: (["<path>"], [])
        case .generate: ([], ["[n]"])
        default: ([], [])
        }
    }

    static var usageSummary: String {
        "Wallet commands (-rpcwallet=<name> picks the wallet when several are loaded):\n" + allCases.map {
            "  " + ([$0.rawValue] + $0.argumentNames.required + $0.argumentNames.optional).joined(separator: " ")
        }.joined(separator: "\n")
    }

    func checkArguments(_ arguments: [String]) throws(CliError) {
        let names = argumentNames
        guard arguments.count >= names.required.count, arguments.count <= names.required.count + names.optional.count else {
            throw CliError("\(rawValue) takes \((names.required + names.optional).joined(separator: " ")), got \(arguments.count) arguments")
        }
        switch self {
        case .sendtoaddress: _ = try Self.amount(arguments[1])
        case .gettransaction, .abandontransaction: _ = try Command.hash(arguments[0], "<txid>")
        case .generate:
            if let n = arguments.first { guard let count = Int32(n), count >= 0 else { throw CliError("[n] must be a non-negative integer, not '\(n)'") } }
        default: break
        }
    }

    /// Coins as a decimal ("10", "0.5", at most 8 decimals) in units.
    static func amount(_ text: String) throws(CliError) -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0, whole <= 21_000_000 else {
            throw CliError("<amount> must be coins like 10 or 0.5, not '\(text)'")
        }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 8, let value = Int64(digits) else {
                throw CliError("<amount> has at most 8 decimals: '\(text)'")
            }
            fraction = value * Int64(pow10(8 - digits.count))
        }
        return whole * Amount.coin + fraction
    }

    private static func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    static func coins(_ units: Int64) -> String {
        let sign = units < 0 ? "-" : ""
        let magnitude = units.magnitude
        let fraction = String(magnitude % UInt64(Amount.coin))
        return "\(sign)\(magnitude / UInt64(Amount.coin)).\(String(repeating: "0", count: 8 - fraction.count))\(fraction)"
    }

    func run(_ arguments: [String], rpcwallet: String?, on connection: NodeConnection) async throws -> Output {
        do {
            let loader = try await connection.node.walletLoader()
            switch self {
            case .createwallet:
                let wallet = try await loader.createWallet { $0.name = arguments[0] }
                return .fields([("name", .string(try await wallet.getWalletName()))])
            case .loadwallet:
                let wallet = try await loader.loadWallet(name: arguments[0])
                return .fields([("name", .string(try await wallet.getWalletName()))])
            case .unloadwallet:
                try await loader.unloadWallet(name: arguments[0])
                return Output(human: "", json: .null)
            case .listwallets:
                let names = try await loader.getWalletNames().map { JSON.string(try $0.get()) }
                return Output(human: names.compactMap(\.stringValue).joined(separator: "\n"), json: .array(names))
            default:
                return try await runOnWallet(try await Self.pick(loader, rpcwallet), arguments, node: connection.node)
            }
        } catch let error as RPCError {
            throw CliError(error.kind == .disconnected
                ? "the wallet process went away (\(error.reason)); the next wallet command starts it again" : error.reason)
        }
    }

    /// The wallet -rpcwallet names, or the only loaded one.
    static func pick(_ loader: WalletLoader.Client, _ name: String?) async throws -> Wallet.Client {
        let names = try await loader.getWalletNames().map { try $0.get() }
        let wallets = try await loader.getWallets()
        if let name {
            guard let index = names.firstIndex(of: name), index < wallets.count else {
                throw CliError("wallet \"\(name)\" is not loaded (loaded: \(names.joined(separator: ", ")); loadwallet loads one)")
            }
            return Wallet.Client(try wallets[index].get().capability)
        }
        guard names.count == 1, wallets.count == 1 else {
            throw CliError(names.isEmpty ? "no wallet is loaded (createwallet or loadwallet first)"
                                         : "several wallets are loaded (\(names.joined(separator: ", "))): pick one with -rpcwallet=<name>")
        }
        return Wallet.Client(try wallets[0].get().capability)
    }

    private func runOnWallet(_ wallet: Wallet.Client, _ arguments: [String], node: Node.Client) async throws -> Output {
        switch self {
        case .generate:
            let address = try await wallet.getNewDestination(label: "")
            let hashes = try await node.generateToAddress(count: Int32(arguments.first ?? "1")!, address: address)
            let list = try hashes.map { JSON.string(try Command.display(try $0.get())) }
            return .fields([("address", .string(address)), ("blocks", .array(list))])
        case .getnewaddress:
            return .scalar(.string(try await wallet.getNewDestination(label: arguments.first ?? "")))
        case .getbalances:
            let b = try await wallet.getBalances()
            return .fields([("trusted", .string(Self.coins(b.balance))), ("untrusted_pending", .string(Self.coins(b.unconfirmedBalance))),
                            ("immature", .string(Self.coins(b.immatureBalance)))])
        case .sendtoaddress:
            let address = arguments[0], amount = try Self.amount(arguments[1])
            let created = try await wallet.createTransaction { params in
                let recipients = params.initRecipients(count: 1)
                recipients[0].address = address
                recipients[0].amount = amount
            }
            let tx = Array(try created.tx)
            try await wallet.commitTransaction(tx: tx)
            let txid = try Transaction(bytes: tx).txid
            return .scalar(.string(txid.hex))
        case .listtransactions:
            var rows: [JSON] = []
            for tx in try await wallet.listTransactions() { rows.append(try Self.json(tx)) }
            let human = rows.map { row -> String in
                guard case .object(let fields) = row else { return "" }
                return fields.map { "\($0.0)=\($0.1.stringValue ?? $0.1.text)" }.joined(separator: " ")
            }.joined(separator: "\n")
            return Output(human: human, json: .array(rows))
        case .gettransaction:
            let tx = try await wallet.getTransaction(txid: try Command.hash(arguments[0], "<txid>").bytes)
            guard case .object(let fields) = try Self.json(tx) else { return Output(human: "", json: .null) }
            return .fields(fields)
        case .abandontransaction:
            let done = try await wallet.abandonTransaction(txid: try Command.hash(arguments[0], "<txid>").bytes)
            guard done else { throw CliError("the transaction is confirmed, in the mempool or already abandoned: it cannot be abandoned") }
            return Output(human: "", json: .null)
        case .backupwallet:
            // The file is opened here and its fd passed through noded: the wallet needs no access to the path.
            let fd = open(arguments[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw CliError("cannot open \(arguments[0]) for writing: errno \(errno)") }
            try await wallet.backupWallet(destination: FileDescriptor.Client(Capability(fileDescriptor: fd)))
            return Output(human: "", json: .null)
        default:
            throw CliError("\(rawValue) is not a wallet command")
        }
    }

    static func json(_ tx: WalletTx.Reader) throws -> JSON {
        let txid = try Command.display(try tx.txid)
        var fields: [(String, JSON)] = [("txid", .string(txid)), ("amount", .string(coins(tx.amount))), ("fee", .string(coins(tx.fee))),
                                        ("confirmations", .int(Int64(tx.confirmations)))]
        if tx.blockHeight >= 0 { fields.append(("blockhash", .string(try Command.display(try tx.blockHash)))) }
        fields.append(("generated", .bool(tx.isCoinbase)))
        fields.append(("abandoned", .bool(tx.abandoned)))
        return .object(fields)
    }
}
