// The node's JSON-RPC commands for Rpc.executeRpc, with Bitcoin Core's names, argument order,
// result shapes and error codes where this node has the same command.

import Consensus

extension RpcCommandTable {
    /// A table holding the node's commands.
    public static func node() -> RpcCommandTable {
        let table = RpcCommandTable()
        table.registerNodeCommands()
        table.registerWalletCommands()
        return table
    }

    public func registerNodeCommands() {
        register("getblockcount") { _, node in .int(Int64(await node.chain.height)) }
        register("getbestblockhash") { _, node in .string(await node.chain.tip.hash.hex) }
        register("getblockhash", parameters: ["height"]) { args, node throws(RpcFailure) in
            let height = try args.required(try args.int(0), 0)
            guard height >= 0, let hash = await node.chain.blockHash(height: Int(height)) else {
                throw RpcFailure(.invalidParameter, "Block height out of range")
            }
            return .string(hash.hex)
        }
        register("getblock", parameters: ["blockhash", "verbosity"]) { args, node throws(RpcFailure) in
            let hash = try Self.hash(args, 0, "blockhash")
            let verbosity = try args.int(1) ?? 1
            let found: (Block, BlockInfo)?
            do {
                if let block = try await node.chain.block(hash), let info = try await node.chain.blockInfo(hash) { found = (block, info) } else { found = nil }
            } catch { throw Self.failure(error, .internalError) }
            guard let (block, info) = found else { throw RpcFailure(.invalidAddressOrKey, "Block not found") }
            if verbosity == 0 { return .string(Hex.encode(block.serialized())) }
            let tipHeight = await node.chain.height
            var members: [(String, JSONValue)] = [
                ("hash", .string(hash.hex)),
                ("confirmations", .int(info.inActiveChain ? Int64(tipHeight - info.height + 1) : -1)),
                ("size", .int(Int64(block.size))), ("weight", .int(Int64(block.weight))), ("height", .int(Int64(info.height))),
                ("version", .int(Int64(block.header.version))), ("merkleroot", .string(block.header.merkleRoot.hex)),
                ("tx", .array(block.transactions.map { .string($0.txid.hex) })),
                ("time", .int(Int64(block.header.time))), ("mediantime", .int(Int64(info.medianTimePast))),
                ("nonce", .int(Int64(block.header.nonce))), ("bits", .string(hex8(block.header.bits))),
                ("nTx", .int(Int64(block.transactions.count))),
            ]
            if info.height > 0 { members.append(("previousblockhash", .string(block.header.previousBlockHash.hex))) }
            return .object(members)
        }
        register("getblockchaininfo") { _, node in
            let tip = await node.chain.tip
            return .object([("chain", .string(node.chain.params.name)), ("blocks", .int(Int64(tip.height))),
                            ("headers", .int(Int64(tip.height))), ("bestblockhash", .string(tip.hash.hex)),
                            ("initialblockdownload", .bool(false))])
        }
        register("getmempoolinfo") { _, node in
            let info = await node.chain.mempoolInfo
            return .object([("loaded", .bool(true)), ("size", .int(Int64(info.count))), ("bytes", .int(Int64(info.vsize))),
                            ("total_fee", .double(Double(info.totalFee) / Double(Amount.coin)))])
        }
        register("getrawmempool") { _, node in .array(await node.chain.mempoolEntries.map { .string($0.txid.hex) }) }
        register("getrawtransaction", parameters: ["txid", "verbose", "blockhash"]) { args, node throws(RpcFailure) in
            let txid = try Self.hash(args, 0, "txid")
            let found: (Transaction, block: Hash256?)?
            do { found = try await node.chain.transaction(txid) } catch { throw Self.failure(error, .internalError) }
            guard let (tx, _) = found else {
                throw RpcFailure(.invalidAddressOrKey, "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.")
            }
            return .string(Hex.encode(tx.serialized()))
        }
        register("sendrawtransaction", parameters: ["hexstring", "maxfeerate"]) { args, node throws(RpcFailure) in
            let text = try args.required(try args.string(0), 0)
            guard let bytes = Hex.decode(text), let tx = try? Transaction(bytes: bytes) else {
                throw RpcFailure(.deserializationError, "TX decode failed. Make sure the tx has at least one input.")
            }
            do { _ = try await node.chain.acceptToMempool(tx) } catch {
                throw Self.failure(error, .verifyRejected)
            }
            return .string(tx.txid.hex)
        }
        register("generatetoaddress", parameters: ["nblocks", "address", "maxtries"]) { args, node throws(RpcFailure) in
            let count = try args.required(try args.int(0), 0)
            let address = try args.required(try args.string(1), 1)
            guard (0...Int64(NodeServer.maxBlocksPerCall)).contains(count) else {
                throw RpcFailure(.invalidParameter, "nblocks must be between 0 and \(NodeServer.maxBlocksPerCall)")
            }
            do {
                return .array(try await node.chain.generate(count: Int(count), toAddress: address).map { .string($0.hex) })
            } catch {
                throw Self.failure(error, .miscError)
            }
        }
        register("invalidateblock", parameters: ["blockhash"]) { args, node throws(RpcFailure) in
            let hash = try Self.hash(args, 0, "blockhash")
            do { try await node.chain.invalidateBlock(hash) } catch {
                throw Self.failure(error, .miscError)
            }
            return .null
        }
        register("reconsiderblock", parameters: ["blockhash"]) { args, node throws(RpcFailure) in
            let hash = try Self.hash(args, 0, "blockhash")
            do { try await node.chain.reconsiderBlock(hash) } catch {
                throw Self.failure(error, .miscError)
            }
            return .null
        }
        register("uptime") { _, node in .int(node.uptimeSeconds) }
        register("stop") { _, node in
            // After the reply is sent, as Node.stop does.
            Task { try? await Task.sleep(for: .milliseconds(50)); node.requestStop() }
            return .string("noded stopping")
        }
        register("help") { [weak self] _, _ in .string((self?.names ?? []).joined(separator: "\n")) }
    }

    /// A chain state error as Bitcoin Core reports the same condition; `code` for the rest.
    static func failure(_ error: any Error, _ code: RpcErrorCode) -> RpcFailure {
        guard let error = error as? NodeError else { return RpcFailure(code, "\(error)") }
        switch error {
        case .badAddress: return RpcFailure(.invalidAddressOrKey, "Error: Invalid address")
        case .unknownBlock: return RpcFailure(.invalidAddressOrKey, "Block not found")
        case .rejected(let validation) where code == .verifyRejected: return RpcFailure(code, validation.rule.rawValue)
        default: return RpcFailure(code, error.description)
        }
    }

    /// Argument `index` as a block or transaction hash in display hex (Bitcoin Core's checks and wording).
    static func hash(_ args: RpcArguments, _ index: Int, _ name: String) throws(RpcFailure) -> Hash256 {
        let text = try args.required(try args.string(index), index)
        guard text.count == 64 else { throw RpcFailure(.invalidParameter, "\(name) must be of length 64 (not \(text.count), for '\(text)')") }
        guard let hash = Hash256(displayHex: text) else { throw RpcFailure(.invalidParameter, "\(name) must be hexadecimal string (not '\(text)')") }
        return hash
    }
}

/// `value` as 8 lower-case hex digits (Bitcoin Core's "bits" field).
func hex8(_ value: UInt32) -> String {
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
}
