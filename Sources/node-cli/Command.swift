// node-cli's commands: their arguments, how they are checked, and the calls each makes.

import Capnp
import CapnpRPC
import Consensus
import NodeInterfaces

enum Command: String, CaseIterable {
    case getblockcount, getbestblockhash, getblockhash, getblock, getrawtransaction, getmempoolinfo, getnodeinfo
    case generatetoaddress, invalidateblock, reconsiderblock, stop

    var argumentNames: [String] {
        switch self {
        case .getblockhash: ["<height>"]
        case .getblock, .invalidateblock, .reconsiderblock: ["<blockhash>"]
        case .getrawtransaction: ["<txid>"]
        case .generatetoaddress: ["<nblocks>", "<address>"]
        default: []
        }
    }

    static var usageSummary: String {
        "Commands:\n" + allCases.map { "  \(([$0.rawValue] + $0.argumentNames).joined(separator: " "))" }.joined(separator: "\n")
    }

    /// Bad usage (exit 2): what can be told without asking noded.
    func checkArguments(_ arguments: [String]) throws(CliError) {
        switch self {
        case .getblockhash:
            guard let height = Int32(arguments[0]), height >= 0 else { throw CliError("<height> must be a non-negative integer, not '\(arguments[0])'") }
        case .getblock, .invalidateblock, .reconsiderblock, .getrawtransaction:
            _ = try Self.hash(arguments[0], argumentNames[0])
        case .generatetoaddress:
            guard let count = Int32(arguments[0]), count >= 0 else { throw CliError("<nblocks> must be a non-negative integer, not '\(arguments[0])'") }
        default:
            break
        }
    }

    static func hash(_ text: String, _ name: String) throws(CliError) -> Hash256 {
        guard let hash = Hash256(displayHex: text) else { throw CliError("\(name) must be 64 hex digits, not '\(text)'") }
        return hash
    }

    func run(_ arguments: [String], on connection: NodeConnection) async throws -> Output {
        let node = connection.node, chain = connection.chain
        do {
            switch self {
            case .getblockcount:
                return .scalar(.int(Int64(try await chain.getHeight())))
            case .getbestblockhash:
                return .scalar(.string(Hash256(Array(try await chain.getTip().hash))!.hex))
            case .getblockhash:
                let hash = try await chain.getBlockHash(height: Int32(arguments[0])!)
                return .scalar(.string(try Self.display(hash)))
            case .getblock:
                let block = try await node.getBlock(hash: try Self.hash(arguments[0], "<blockhash>").bytes)
                let txids = try block.txids.map { JSON.string(try Self.display(try $0.get())) }
                return .fields([
                    ("hash", .string(try Self.display(try block.hash))),
                    ("confirmations", .int(Int64(block.confirmations))),
                    ("height", .int(Int64(block.height))),
                    ("version", .int(Int64(block.version))),
                    ("merkleroot", .string(try Self.display(try block.merkleRoot))),
                    ("time", .int(Int64(block.time))),
                    ("nonce", .int(Int64(block.nonce))),
                    ("bits", .string(Self.hex32(block.bits))),
                    ("previousblockhash", .string(try Self.display(try block.previousBlockHash))),
                    ("size", .int(Int64(block.size))),
                    ("weight", .int(Int64(block.weight))),
                    ("nTx", .int(Int64(txids.count))),
                    ("tx", .array(txids)),
                ])
            case .getrawtransaction:
                let answer = try await node.getRawTransaction(txid: try Self.hash(arguments[0], "<txid>").bytes)
                return .scalar(.string(Hex.encode(try answer.result)))
            case .getmempoolinfo:
                let info = try await node.getMempoolInfo()
                return .fields([("size", .int(Int64(info.size))), ("bytes", .int(info.bytes)), ("vsize", .int(info.vsize)),
                                ("total_fee", .int(info.totalFee))])
            case .getnodeinfo:
                let info = try await node.getNodeInfo()
                return .fields([
                    ("blocks", .int(Int64(info.height))),
                    ("bestblockhash", .string(try Self.display(try info.tipHash))),
                    ("mempool_size", .int(Int64(info.mempoolCount))),
                    ("mempool_bytes", .int(info.mempoolBytes)),
                    ("uptime", .int(info.uptimeSeconds)),
                    ("pid", .int(Int64(info.pid))),
                    ("wallet_pid", .int(Int64(info.walletPid))),
                    ("wallet_state", .string(try info.walletState)),
                ])
            case .generatetoaddress:
                let hashes = try await node.generateToAddress(count: Int32(arguments[0])!, address: arguments[1])
                let list = try hashes.map { JSON.string(try Self.display(try $0.get())) }
                return Output(human: list.compactMap { $0.stringValue }.joined(separator: "\n"), json: .array(list))
            case .invalidateblock:
                try await node.invalidateBlock(hash: try Self.hash(arguments[0], "<blockhash>").bytes)
                return Output(human: "", json: .null)
            case .reconsiderblock:
                try await node.reconsiderBlock(hash: try Self.hash(arguments[0], "<blockhash>").bytes)
                return Output(human: "", json: .null)
            case .stop:
                try await node.stop()
                return .scalar(.string("noded stopping"))
            }
        } catch let error as RPCError {
            throw CliError(error.kind == .disconnected ? "the connection to noded ended: \(error.reason)" : error.reason)
        }
    }

    /// A hash from noded in Bitcoin's display order.
    static func display(_ data: DataReader) throws(CliError) -> String {
        guard let hash = Hash256(Array(data)) else { throw CliError("noded sent a hash of \(data.count) bytes, not 32") }
        return hash.hex
    }

    static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
