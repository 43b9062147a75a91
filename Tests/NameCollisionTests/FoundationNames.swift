// Foundation's names stay usable unqualified beside our modules: this file imports Foundation,
// Capnp, CapnpRPC and Multiprocess and says `Data`; it stops compiling if one of ours exports a
// `Data` or a `Thread` again (Multiprocess nests proxy.capnp's `Thread` under `Proxy`).

import Capnp
import CapnpRPC
import Foundation
import Multiprocess
import Testing

@Suite("Foundation names beside ours")
struct FoundationNamesTests {
    @Test("Foundation's Data, unqualified, carries a framed message that Capnp reads")
    func foundationData() throws {
        let message = MessageBuilder()
        message.root.setText("in Foundation's Data")
        let data: Data = Data(message.serialize())
        let reader = try MessageReader(contiguousBytes: data)
        #expect(try reader.root().readText() == "in Foundation's Data")
    }

    @Test("Foundation's Thread, unqualified, runs beside Multiprocess")
    func foundationThread() {
        let thread: Thread = Thread {}
        #expect(!thread.isExecuting)
    }
}
