// A nil capability goes out as a null pointer, never as a broken capability (which capnp would
// export like a real one): checked by decoding what we write with the capnp tool.

@_spi(Generated) import Capnp
import CapnpRPC
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Null capabilities")
struct NullCapabilityTests {
    @Test("a nil capability in params is a null pointer: the Call's capTable holds only the real one")
    func nilCapabilityIsANullPointer() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        let client = try Connection(fd: ours)
        let target = client.bootstrap()
        let params = MessageBuilder(firstSegmentWords: 16)
        let root = params.root.initStruct(dataWords: 0, pointerCount: 2)
        root._pointer(0).setClient(nil as Counter.Client?)
        root._pointer(1).setClient(Counter.Client(serving: NullTestCounter()))
        #expect(root._pointer(0).isNull, "nil writes a null pointer")
        let call = target.send(interfaceId: Counter.typeId, methodId: 0, params: params)
        let bytes = try await readRPCFrames(raw, count: 2, "a bootstrap and a call")
        client.close()
        _ = try? await call.response()
        let text = String(decoding: try CapnpTool.run(["decode", "--short", "/usr/include/capnp/rpc.capnp", "Message"],
                                                         input: bytes), as: UTF8.self)
        let callMessage = try #require(text.split(separator: "\n").first { $0.hasPrefix("(call = ") })
        // The broken-cap mutation (the shim's old newBrokenCap for a nil entry) adds a senderPromise.
        #expect(!callMessage.contains("senderPromise"), "\(callMessage)")
        #expect(callMessage.contains("capTable = [(senderHosted = "), "\(callMessage)")
        #expect(callMessage.split(separator: "senderHosted", omittingEmptySubsequences: false).count == 2, "one entry: \(callMessage)")
    }

    @Test("a capability pointer to an empty table entry fails the call with an error; nothing is sent")
    func pointerToAnEmptyEntryFails() async throws {
        let (ours, theirs) = try socketPair()
        let server = try Connection(fd: theirs, serving: TesterServer(), options: ConnectionOptions(isServer: true))
        let client = try Connection(fd: ours)
        let failure = await rpcError {
            let params = MessageBuilder(firstSegmentWords: 16)
            let root = params.root.initStruct(dataWords: 0, pointerCount: 2)
            root._pointer(0).setCapability(params.addCapability(nil))
            _ = try await client.bootstrap().call(interfaceId: Tester.typeId, methodId: 0, params: params)
        }
        #expect(failure?.kind == .failed, "\(String(describing: failure))")
        #expect(failure?.reason.contains("capability") == true, "\(String(describing: failure))")
        client.close()
        server.close()
    }
}

private final class NullTestCounter: Counter.Server {
    func next(_ call: ServerCall<Counter.NextParams, Counter.NextResults>) async throws {}
}

/// The first `count` whole frames written to `fd`.
func readRPCFrames(_ fd: Int32, count: Int, _ what: String) async throws -> [UInt8] {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    return try await withHangGuard(what, seconds: 30) {
        var bytes: [UInt8] = []
        while true {
            if let end = framesEnd(bytes, count) { return Array(bytes.prefix(end)) }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let got = read(fd, &chunk, chunk.count)
            if got > 0 { bytes += chunk.prefix(got) } else { try await Task.sleep(for: .milliseconds(2)) }
        }
    }
}

private func framesEnd(_ bytes: [UInt8], _ count: Int) -> Int? {
    func word32(_ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
    var at = 0
    for _ in 0..<count {
        guard bytes.count - at >= 8 else { return nil }
        let segments = word32(at) + 1
        let tableBytes = (segments + 2) / 2 * 8
        guard bytes.count - at >= tableBytes else { return nil }
        let words = (0..<segments).reduce(0) { $0 + word32(at + 4 + 4 * $1) }
        guard bytes.count - at >= tableBytes + words * 8 else { return nil }
        at += tableBytes + words * 8
    }
    return at
}
