// IPC call tracing: enabled, it logs each call sent, served and answered.

import CapnpRPC
import Logging
import RPCTestKit
import Testing

@Suite("RPC tracing")
struct TracingTests {
    @Test("tracing logs calls sent, served and answered, and stops when disabled")
    func tracesCalls() async throws {
        let lines = Collected()
        let logger = Logger(label: "ipc") { _ in CollectingHandler(lines: lines) }
        let ends = try Endpoints(.inProcess)
        defer { ends.finish() }
        RPCTracing.enable(logger)
        _ = try await ends.tester.add(a: 1, b: 2)
        _ = await rpcError { try await ends.tester.fail(kind: .overloaded, reason: "busy") }
        RPCTracing.disable()
        let add = "0x\(String(Calculator.typeId, radix: 16)).0"
        let fail = "0x\(String(Calculator.typeId, radix: 16)).1"
        let traced = lines.all
        // add(a:b:)'s params: a root pointer and one data word, 16 bytes; its results as many.
        #expect(traced.contains("call \(add) sent, params 16 bytes"), "\(traced)")
        #expect(traced.contains("serving \(add), params 16 bytes"))
        #expect(traced.contains { $0.hasPrefix("served \(add) in ") && $0.hasSuffix(" µs, results 16 bytes") })
        #expect(traced.contains { $0.hasPrefix("call \(add) answered in ") && $0.hasSuffix(" µs, results 16 bytes") })
        #expect(traced.contains { $0.hasPrefix("served \(fail) with an error in ") && $0.hasSuffix(" µs: overloaded: busy") })
        #expect(traced.contains { $0.hasPrefix("call \(fail) failed in ") && $0.contains(" µs: remote overloaded") })
        // Other tests run meanwhile, so look for this call's own reason only.
        _ = await rpcError { try await ends.tester.fail(kind: .failed, reason: "after disable") }
        #expect(!lines.all.contains { $0.contains("after disable") }, "nothing is logged once disabled")
    }
}

final class Collected: Sendable {
    private let lines = Locked<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

struct CollectingHandler: LogHandler {
    let lines: Collected
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { lines.append("\(event.message)") }
}
