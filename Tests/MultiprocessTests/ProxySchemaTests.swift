// proxy.capnp as libmultiprocess has it: a schema written for libmultiprocess (every annotation
// form, imported as /mp/proxy.capnp) compiles with capnpc-swift, and its calls carry a context.

import Capnp
import CapnpRPC
@testable import Multiprocess
import RPCTestKit
import TestSupport
import Testing

private let root = Pycapnp.packageRoot

/// Ledger (Tests/RPCTestKit/Schemas/mpannotated.capnp) over a dictionary; credit reports whether
/// the call came with a context naming a callback thread.
final class LedgerServer: Ledger.Server {
    let balances = Locked<[String: Int64]>([:])

    func destroy(_ call: ServerCall<Ledger.DestroyParams, Ledger.DestroyResults>) async throws {}

    func credit(_ call: ServerCall<Ledger.CreditParams, Ledger.CreditResults>) async throws {
        let account = try call.params.account, amount = call.params.amount
        guard try call.params.context.hasCallbackThread else { throw RPCError(.failed, "no callback thread in the context") }
        call.results.result = balances.withLock { $0[account, default: 0] += amount; return $0[account]! }
    }

    func countNonZero(_ call: ServerCall<Ledger.CountNonZeroParams, Ledger.CountNonZeroResults>) async throws {
        let entries = try call.params.entries
        call.results.result = UInt32((0..<entries.count).filter { entries[$0].amount != 0 }.count)
    }

    func check(_ call: ServerCall<Ledger.CheckParams, Ledger.CheckResults>) async throws {
        call.results.result = balances.withLock { $0[try! call.params.account] != nil }
    }
}

@Suite("proxy.capnp")
struct ProxySchemaTests {
    @Test("the capnp tool compiles a libmultiprocess-style schema that imports /mp/proxy.capnp with -I schema")
    func capnpAcceptsTheImport() throws {
        _ = try CapnpTool.run(["compile", "-o-", "-I/usr/include", "-I\(root)/schema",
                                  "\(root)/Tests/RPCTestKit/Schemas/mpannotated.capnp"])
    }

    @Test("its generated client hides the context param, and its calls carry one")
    func generatedCodeWorks() async throws {
        let (a, b) = try socketPair()
        let server = try Connection(fd: a, serving: LedgerServer(), options: ConnectionOptions(isServer: true))
        let client = try Connection(fd: b)
        let ledger = Ledger.Client(client.bootstrap().with(interceptor: ProxyContext(threadMap: nil, threadName: "ledger")))
        #expect(try await ledger.credit(account: "alice", amount: 5) == 5)
        #expect(try await ledger.credit(account: "alice", amount: 7) == 12)
        // Mutation: a client that fills no context fails the server's check.
        let bare = Ledger.Client(ledger.capability.with(interceptor: nil))
        #expect(await rpcFailure { try await bare.credit(account: "bob", amount: 1) }?.reason.contains("no callback thread") == true)
        let count = try await ledger.countNonZero { params in
            let entries = params.initEntries(count: 3)
            entries[0].amount = 1
            entries[2].amount = -4
        }
        #expect(count == 2)
        client.close()
        server.close()
    }
}
