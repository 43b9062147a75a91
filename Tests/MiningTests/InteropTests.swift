// Outside clients against a real noded: the pycapnp Mining flow (Bitcoin Core's functional-test
// steps) and the schema-compatibility check, both with our schema files.

import Testing
import TestSupport

@Suite("noded's Mining with pycapnp and the schema facts", .serialized)
struct MiningInteropTests {
    @Test("pycapnp follows Bitcoin Core's mining IPC flow against noded")
    func pycapnpMiningFlow() throws {
        let python = try #require(Pycapnp.python, "scripts/setup makes .venv with pycapnp and embit")
        let noded = try NodedProcess()
        defer { noded.stop() }
        let result = try ToolRunner.run(python, [Pycapnp.script("pycapnp_mining_client.py"), noded.socketPath,
                                                 NodedProcess.nodeCli, noded.datadir.path])
        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(output)\n\(result.stderr)")
        for step in ["waitTipChanged-new-tip", "waitNext-fee-increase", "interruptWait", "checkBlock-bad-version",
                     "submitSolution", "height-rises", "same-block-refused", "destroy"] {
            #expect(output.contains("ok \(step)\n"), "step \(step): \(output)")
        }
    }

    @Test("capnp compile of our init, echo, mining, rpc and common gives Bitcoin Core's IDs, ordinals, slots and defaults")
    func schemaCompatibility() throws {
        let python = try #require(Pycapnp.python, "scripts/setup makes .venv with pycapnp")
        let result = try ToolRunner.run(python, [Pycapnp.script("schema_compat.py")])
        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "\(output)\n\(result.stderr)")
        #expect(output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count >= 100, "\(output)")
    }
}
