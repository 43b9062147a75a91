// What a template holds: mempool transactions by feerate within the weight the client leaves,
// their fees and sigops, and Mining's mempool look-ups by txid and wtxid; and hostile JSON-RPC text.

import Capnp
import CapnpRPC
import Consensus
import Foundation
import Multiprocess
import NodeInterfaces
import NodeKit
import Testing
import TestSupport

@Suite("Template contents and hostile executeRpc input", .serialized)
struct TemplateContentTests {
    static let key = try! PrivateKey([UInt8](repeating: 7, count: 32))
    static var script: [UInt8] { Script.p2wpkh(keyHash: key.publicKey.hash160) }

    @Test("higher feerate first, the budget respected, fees and sigops per transaction, look-ups by txid and wtxid")
    func templatesByFeerate() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await SwiftMiningClientTests.connect(noded)
        defer { connected.connection.close() }
        let rpc = try await connected.initClient.makeRpc()
        let mining = try await connected.initClient.makeMining()
        func call(_ method: String, _ params: String) async throws -> Any? {
            let reply = try await rpc.executeRpc(request: #"{"id":1,"method":"\#(method)","params":\#(params)}"#, uri: "", user: "")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
            #expect(object["error"] is NSNull, "\(method): \(reply)")
            return object["result"]
        }
        let address = SegwitAddress(hrp: "bcrt", p2wpkhKeyHash: Self.key.publicKey.hash160).description
        _ = try await call("generatetoaddress", #"[102, "\#(address)"]"#)
        // Two spends of mature coinbases, the same size, fees 2000 and 30000.
        var spends: [Transaction] = []
        for (height, fee) in [(1, Int64(2000)), (2, Int64(30000))] {
            let blockHash = try #require(try await call("getblockhash", "[\(height)]") as? String)
            let block = try #require(try await call("getblock", #"["\#(blockHash)", 0]"#) as? String)
            let coinbase = try Block(bytes: try #require(Hex.decode(block))).transactions[0]
            var spend = Transaction(inputs: [TxIn(previousOutput: OutPoint(txid: coinbase.txid, index: 0))],
                                    outputs: [TxOut(value: coinbase.outputs[0].value - fee, scriptPubKey: Self.script)])
            Signer.signP2WPKH(&spend, inputIndex: 0, key: Self.key, spent: coinbase.outputs[0])
            #expect(try await call("sendrawtransaction", #"["\#(Hex.encode(spend.serialized()))"]"#) as? String == spend.txid.hex)
            spends.append(spend)
        }

        let full = try await mining.createNewBlock { _ in }
        #expect(Array(try await full.getTxFees()) == [30000, 2000], "higher feerate first")
        #expect(Array(try await full.getTxSigops()) == [1, 1])
        let coinbase = try await full.getCoinbaseTx()
        #expect(coinbase.blockRewardRemaining == ChainParams.regtest.subsidy(height: 103) + 32000)

        // Room for one of them only: the higher feerate one (mutation: ignoring the reserve puts both in).
        let room = ChainState.maxBlockWeight - spends[1].weight - spends[1].weight / 2
        let tight = try await mining.createNewBlock { params in params.initOptions().blockReservedWeight = UInt64(room) }
        #expect(Array(try await tight.getTxFees()) == [30000])
        let empty = try await mining.createNewBlock { params in params.initOptions().useMempool = false }
        #expect(Array(try await empty.getTxFees()) == [])

        let unknown = [UInt8](repeating: 0xee, count: 32)
        let byTxid = try await mining.getTransactionsByTxID { params in
            let list = params.initTxids(count: 2)
            list.slot(0).setData(spends[0].txid.bytes)
            list.slot(1).setData(unknown)
        }
        #expect(byTxid.count == 2)
        #expect(Array(try byTxid[0].get()) == spends[0].serialized())
        #expect(Array(try byTxid[1].get()).isEmpty)
        let byWtxid = try await mining.getTransactionsByWitnessID { params in
            params.initWtxids(count: 1).slot(0).setData(spends[1].wtxid.bytes)
        }
        #expect(Array(try byWtxid[0].get()) == spends[1].serialized())
        for template in [full, tight, empty] { try await template.destroy() }
    }

    @Test("hostile JSON-RPC text gets a parse error and the connection keeps answering")
    func hostileRequests() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await SwiftMiningClientTests.connect(noded)
        defer { connected.connection.close() }
        let rpc = try await connected.initClient.makeRpc()
        for request in [String(repeating: "[", count: 100_000), "{\"method\":\"getblockcount\"", "\"\u{01}\"", "nul", "1e999999",
                        "{\"method\":\"getblockcount\"} trailing", String(repeating: "[", count: 60) + String(repeating: "]", count: 60)] {
            let reply = try await rpc.executeRpc(request: request, uri: "", user: "")
            let parsed = try JSONSerialization.jsonObject(with: Data(reply.utf8))
            // A batch (the nested arrays) answers with an array of replies.
            let object = (parsed as? [Any])?.first ?? parsed
            let error = (object as? [String: Any])?["error"] as? [String: Any]
            let code = error?["code"] as? Int
            // Deep but legal nesting parses (-32600: not a request object); the rest do not parse.
            #expect(code == -32700 || code == -32600, "\(request.prefix(40)): \(reply)")
        }
        let count = try await rpc.executeRpc(request: #"{"method":"getblockcount","id":1}"#, uri: "", user: "")
        #expect(count.contains(#""result":0"#))
    }
}
