// ConnectionOptions and ReaderOptions name the same limits alike, with the same defaults.

import Capnp
import CapnpRPC
import Testing

@Suite("Connection options")
struct ConnectionOptionsTests {
    @Test("the traversal and nesting limits have ReaderOptions' names, types and defaults")
    func limitsMatchReaderOptions() {
        let connection = ConnectionOptions()
        let reader = ReaderOptions()
        // Both are Int and named alike: this line stops compiling if either drifts.
        let pairs: [(Int, Int)] = [(connection.traversalLimitInWords, reader.traversalLimitInWords),
                                   (connection.nestingLimit, reader.nestingLimit)]
        for (ours, theirs) in pairs { #expect(ours == theirs) }
    }
}
