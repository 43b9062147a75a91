// The command table executeRpc answers from, in process: a wallet's command is one `register`
// call, sees the request's URI, and its failures keep their code.

import Consensus
import NodeKit
import Testing
import TestSupport

@Suite("RpcCommandTable")
struct RpcCommandTableTests {
    @Test("one register call adds a command beside the node's; it gets named arguments and the URI")
    func registration() async throws {
        let directory = try TemporaryDirectory("rpctable")
        let node = NodeRuntime(chain: try ChainState(datadir: directory.path), stop: {})
        let table = RpcCommandTable.node()
        table.register("getwalletname", parameters: ["suffix"]) { args, _ throws(RpcFailure) in
            guard args.uri.hasPrefix("/wallet/") else { throw RpcFailure(.walletNotFound, "Requested wallet does not exist or is not loaded") }
            return .string(String(args.uri.dropFirst("/wallet/".count)) + (try args.string(0) ?? ""))
        }
        #expect(table.names.contains("getwalletname") && table.names.contains("getblockcount"))
        let named = await table.execute(#"{"id":1,"method":"getwalletname","params":{"suffix":"!"}}"#, uri: "/wallet/alice", node: node)
        #expect(named["result"] == .string("alice!"))
        let missing = await table.execute(#"{"id":2,"method":"getwalletname"}"#, node: node)
        #expect(missing["error"]?["code"] == .int(-18))
        let count = await table.execute(#"{"id":3,"method":"getblockcount"}"#, node: node)
        #expect(count["result"] == .int(0))
    }

    @Test("JSONValue encodes what it parses, escapes included")
    func jsonRoundTrip() throws {
        let text = #"{"a":[1,-2,3.5,true,false,null],"b":"q\"\\\n\u0001é","c":{}}"#
        let value = try JSONValue.parse(text)
        #expect(try JSONValue.parse(value.encoded) == value)
        #expect(value["b"] == .string("q\"\\\n\u{01}é"))
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#"{"a":1,}"#) }
    }
}
