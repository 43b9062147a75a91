// In process, with no connection to close: the node's stop alone ends Mining's long polls.

import CapnpRPC
import Consensus
import NodeInterfaces
import NodeKit
import Testing
import TestSupport

@Suite("The node's stop ends Mining waits")
struct StopEndsWaitsTests {
    @Test("requestStop ends a waitTipChanged and a waitNext with empty results")
    func stopEndsWaits() async throws {
        let directory = try TemporaryDirectory("stopwaits")
        let node = NodeRuntime(chain: try ChainState(datadir: directory.path), stop: {})
        let initClient = Init.Client(serving: NodeInit(node: node))
        let mining = try await initClient.makeMining()
        let tip = Array(try await mining.getTip().result.hash)
        let template = try await mining.createNewBlock { _ in }
        // 30 s: a waitTipChanged that times out answers with the tip, so a stop that did not end it fails
        // the test (in 30 s) instead of hanging it.
        async let tipWait = mining.waitTipChanged(currentTip: tip, timeout: 30)
        async let nextWait = template.waitNext { params in params.initOptions().timeout = 30 }
        try await Task.sleep(for: .milliseconds(100))
        node.requestStop()
        // Mutation: without MiningServer's isStopping check the wait times out and returns the tip.
        #expect(try await tipWait.hash.count == 0)
        let next = try await nextWait
        await #expect(throws: RPCError.self) { _ = try await next.getBlockHeader() }
    }
}
