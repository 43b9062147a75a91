// Rpc.executeRpc's wallet commands against a real noded and its node-wallet child: the wallet picked
// from the URI, amounts printed in BTC with 8 decimals, and Bitcoin Core's -18/-19 errors.

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import Testing
import TestSupport

@Suite("executeRpc wallet commands against noded", .serialized)
struct WalletRpcTests {
    @Test("createwallet, getnewaddress, generatetoaddress, getbalances, a mixed batch, sendtoaddress, -18 and -19")
    func walletCommands() async throws {
        let noded = try NodedProcess()
        defer { noded.stop() }
        let connected = try await SwiftMiningClientTests.connect(noded)
        defer { connected.connection.close() }
        let rpc = try await connected.initClient.makeRpc()
        func raw(_ request: String, uri: String = "") async throws -> String {
            try await rpc.executeRpc(request: request, uri: uri, user: "")
        }
        func call(_ method: String, _ params: String = "[]", uri: String = "") async throws -> [String: Any] {
            let reply = try await raw(#"{"jsonrpc":"1.0","id":1,"method":"\#(method)","params":\#(params)}"#, uri: uri)
            return try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any], "\(reply)")
        }
        func errorCode(_ reply: [String: Any]) -> Int? { (reply["error"] as? [String: Any])?["code"] as? Int }

        #expect(try await call("listwallets")["result"] as? [String] == [])
        // No wallet loaded: Bitcoin Core says -18 too.
        #expect(errorCode(try await call("getnewaddress")) == -18)
        let created = try #require(try await call("createwallet", #"["w1"]"#)["result"] as? [String: Any])
        #expect(created["name"] as? String == "w1")

        let address = try #require(try await call("getnewaddress")["result"] as? String)
        #expect(address.hasPrefix("bcrt1"))
        let hashes = try #require(try await call("generatetoaddress", #"[101,"\#(address)"]"#)["result"] as? [String])
        #expect(hashes.count == 101)

        // The wallet learns of the blocks through its chain notifications: wait for them (bounded).
        var balances = ""
        for _ in 0..<400 {
            balances = try await raw(#"{"id":2,"method":"getbalances"}"#)
            if !balances.contains(#""trusted":0.00000000"#) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        // Catches amounts sent as satoshis or as a Double ("50.0"): Bitcoin Core prints 50.00000000.
        #expect(balances.contains(#""mine":{"trusted":50.00000000,"untrusted_pending":0.00000000,"immature":5000.00000000}"#), "\(balances)")

        // A batch mixing node and wallet commands, the wallet named by the URI.
        let batchText = try await raw(#"[{"id":"a","method":"getblockcount"},{"id":"b","method":"listwallets"},{"id":"c","method":"getbalances"},{"id":"d","method":"getbestblockhash"}]"#, uri: "/wallet/w1")
        let batch = try #require(try JSONSerialization.jsonObject(with: Data(batchText.utf8)) as? [[String: Any]])
        #expect(batch.count == 4)
        #expect(batch[0]["result"] as? Int == 101)
        #expect(batch[1]["result"] as? [String] == ["w1"])
        #expect(((batch[2]["result"] as? [String: Any])?["mine"] as? [String: Any])?["trusted"] as? Double == 50)
        #expect(batch[3]["result"] as? String == hashes.last)

        _ = try await call("createwallet", #"["w2"]"#)
        // Two loaded, none named: -19; a named one not loaded: -18.
        let unnamed = try await call("getbalances")
        #expect(errorCode(unnamed) == -19)
        #expect(((unnamed["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("Wallet file not specified") == true)
        #expect(errorCode(try await call("getbalances", uri: "/wallet/nope")) == -18)
        #expect(errorCode(try await call("unloadwallet", #"["nope"]"#)) == -18)
        let w2Address = try #require(try await call("getnewaddress", uri: "/wallet/w2")["result"] as? String)

        let txid = try #require(try await call("sendtoaddress", #"["\#(w2Address)",1.5]"#, uri: "/wallet/w1")["result"] as? String)
        #expect(txid.count == 64)
        #expect(try await call("getrawmempool")["result"] as? [String] == [txid])
        let tx = try #require(try await call("gettransaction", #"["\#(txid)"]"#, uri: "/wallet/w1")["result"] as? [String: Any])
        #expect(tx["txid"] as? String == txid)
        #expect(tx["confirmations"] as? Int == 0)
        #expect(errorCode(try await call("gettransaction", #"["\#(String(repeating: "ab", count: 32))"]"#, uri: "/wallet/w1")) == -5)

        let listed = try #require(try await call("listtransactions", uri: "/wallet/w1")["result"] as? [[String: Any]])
        #expect(listed.contains { $0["txid"] as? String == txid })
        // In the mempool: Bitcoin Core refuses to abandon it (-5).
        #expect(errorCode(try await call("abandontransaction", #"["\#(txid)"]"#, uri: "/wallet/w1")) == -5)

        #expect(try await call("unloadwallet", uri: "/wallet/w2")["error"] is NSNull)
        #expect(try await call("listwallets")["result"] as? [String] == ["w1"])
    }
}
