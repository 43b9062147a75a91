// The interceptor hook's call-scoped capability-table entries (what Multiprocess lends a call
// as its thread): sent as their capability, held for the call, told how it ended.

@_spi(Generated) import Capnp
import CapnpRPC
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Records how the call that held it ended.
private final class Lent: CallScopedCapability {
    let capability = Counter.Client(serving: LentCounter()).capability
    let ended = Locked<[Bool]>([])
    func callEnded(answered: Bool) { ended.withLock { $0.append(answered) } }
}

private final class LentCounter: Counter.Server {
    func next(_ call: ServerCall<Counter.NextParams, Counter.NextResults>) async throws {}
}

/// Add's params (`a`, `b`) with `lent` in a pointer the server does not read.
private func params(_ lent: Lent, a: Int32 = 0, b: Int32 = 0) -> MessageBuilder {
    let message = MessageBuilder(firstSegmentWords: 16)
    let root = message.root.initStruct(dataWords: 1, pointerCount: 1)
    root._write(0, a)
    root._write(1, b)
    root._pointer(0).setCapability(entry: lent)
    return message
}

@Suite("Call-scoped capabilities")
struct CallScopedTests {
    @Test("an answered call (results or an error) ends its lent entry as answered; a cancelled one does not")
    func endedOnce() async throws {
        let ends = try Endpoints(.inProcess)
        let answered = Lent()
        let sum = try await ends.tester.capability.call(interfaceId: Calculator.typeId, methodId: Calculator.Method.add.rawValue,
                                                        params: params(answered, a: 2, b: 3))
        #expect(try sum.root(as: Calculator.AddResults.self).sum == 5, "the server read the params around it")
        #expect(answered.ended.withLock { $0 } == [true])

        let failed = Lent()
        let failing = MessageBuilder(firstSegmentWords: 16)
        let root = failing.root.initStruct(dataWords: 1, pointerCount: 2)
        root._pointer(0).setText("lent")
        root._pointer(1).setCapability(entry: failed)
        _ = try? await ends.tester.capability.call(interfaceId: Calculator.typeId, methodId: Calculator.Method.fail.rawValue,
                                                   params: failing)
        #expect(failed.ended.withLock { $0 } == [true], "a remote error is an answer")

        // Mutation: ending a cancelled call as answered would put back a thread the callee may
        // still be running on.
        let cancelled = Lent()
        let hanging = MessageBuilder(firstSegmentWords: 16)
        hanging.root.initStruct(dataWords: 0, pointerCount: 1)._pointer(0).setCapability(entry: cancelled)
        let call = ends.tester.capability.send(interfaceId: Tester.typeId, methodId: Tester.Method.hang.rawValue, params: hanging)
        try await eventually("the call to reach the server") { try await ends.tester.stats().hanging == 1 }
        call.cancel()
        _ = try? await call.response()
        #expect(cancelled.ended.withLock { $0 } == [false])
        ends.finish()
    }
}
