// Against a peer that keeps libmultiprocess's thread rules strictly (Tests/Interop/strict_mp_peer.py,
// pycapnp): concurrent calls each on a thread of their own, callbacks on the thread the caller
// named, nested both ways, and the peer's refusals of calls that break the rules.

@_spi(Generated) import Capnp
import CapnpRPC
@testable import Multiprocess
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

private let python = Pycapnp.python ?? "/nonexistent/python"
private let peerScript = Pycapnp.script("strict_mp_peer.py")

/// Our side of the test interfaces: a tester that calls the callback it is given, and callbacks
/// that answer with their label.
final class SwiftMpInit: MpInit.Server {
    func construct(_ call: ServerCall<MpInit.ConstructParams, MpInit.ConstructResults>) async throws {
        call.results.setThreadMap(Protocol.threadMap())
    }

    func makeTester(_ call: ServerCall<MpInit.MakeTesterParams, MpInit.MakeTesterResults>) async throws {
        call.results.setResult(MpTester.Client(serving: SwiftMpTester()))
    }
}

final class SwiftMpTester: MpTester.Server {
    let kept = Locked<MpCallback.Client?>(nil)

    func keep(_ call: ServerCall<MpTester.KeepParams, MpTester.KeepResults>) async throws {
        let callback = call.params.callback
        kept.withLock { $0 = callback }
    }

    func callKept(_ call: ServerCall<MpTester.CallKeptParams, MpTester.CallKeptResults>) async throws {
        let depth = call.params.depth
        guard let callback = kept.withLock({ $0 }) else { throw RPCError(.failed, "nothing kept") }
        // From a task the handler starts (unstructured tasks inherit task-locals too).
        let inner = try await Task { try await callback.notify(depth: depth) }.value
        call.results.trail = "swift\(depth)<\(inner)"
    }

    func callBack(_ call: ServerCall<MpTester.CallBackParams, MpTester.CallBackResults>) async throws {
        let depth = call.params.depth
        // After a suspension, from a child task: the callback thread the caller named holds there.
        await Task.yield()
        let inner = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await call.params.callback.notify(depth: depth) }
            return try await group.next()!
        }
        call.results.trail = "swift\(depth)<\(inner)"
    }

    func makeCallback(_ call: ServerCall<MpTester.MakeCallbackParams, MpTester.MakeCallbackResults>) async throws {
        call.results.setResult(MpCallback.Client(serving: SwiftMpCallback(label: try call.params.label)))
    }
}

final class SwiftMpCallback: MpCallback.Server {
    let label: String
    init(label: String) { self.label = label }

    func notify(_ call: ServerCall<MpCallback.NotifyParams, MpCallback.NotifyResults>) async throws {
        call.results.trail = "\(label)\(call.params.depth)"
    }
}

/// Fills `thread` with a thread of this process's own: a strict peer must refuse it.
private final class ForeignThread: CallInterceptor {
    let thread = Proxy.Thread.Client(serving: ThreadServer(name: "not yours"))
    func fillContext(_ pointer: PointerBuilder, for capability: Capability) {
        pointer.initStruct(dataWords: 0, pointerCount: 2)._pointer(0).setClient(thread)
    }
    func serve(_ call: IncomingCall, context: PointerReader, _ handler: () async throws -> Void) async throws {
        try await handler()
    }
}

/// A strict peer serving MpInit in a child process, and our connection to it.
struct StrictPeer {
    let pid: pid_t
    let connected: Protocol.Connected<MpInit.Client>

    init(_ ipcProtocol: Protocol = Protocol()) throws {
        let (pid, fd) = try Process.spawn(executableName: python, arguments: [peerScript, "serve", String(Process.childSocketFd)])
        self.pid = pid
        connected = try ipcProtocol.connect(fd: fd, as: MpInit.Client.self)
    }

    var context: ProxyContext? { connected.initClient.capability.interceptor as? ProxyContext }

    func close() async throws {
        connected.connection.close()
        #expect(try await exitStatus(pid) == .exited(0))
    }
}

/// The child's exit status; kills it if it does not exit within 30 s.
func exitStatus(_ pid: pid_t) async throws -> Multiprocess.ExitStatus? {
    for _ in 0..<6000 {
        if let status = try Process.reap(pid) { return status }
        try await Task.sleep(for: .milliseconds(5))
    }
    kill(pid, SIGKILL)
    _ = try? Process.waitSpawned(pid)
    return nil
}

/// 64 calls at once, each answered only after the peer has called our callback back.
private func concurrentCallBacks(_ tester: MpTester.Client) async -> [Result<String, RPCError>] {
    await withTaskGroup(of: Result<String, RPCError>.self) { group in
        for index in 0..<64 {
            group.addTask {
                do throws(RPCError) {
                    return .success(try await tester.callBack(callback: MpCallback.Client(serving: SwiftMpCallback(label: "s\(index)-")), depth: 0))
                } catch {
                    return .failure(error)
                }
            }
        }
        return await group.reduce(into: []) { $0.append($1) }
    }
}

@Suite("libmultiprocess thread rules against a strict peer", .serialized,
       .enabled(if: Pycapnp.python != nil, "no .venv with pycapnp: run scripts/setup"))
struct StrictPeerTests {
    @Test("64 concurrent calls with callbacks each get a thread of their own; a second round reuses them")
    func concurrentCalls() async throws {
        let peer = try StrictPeer()
        let tester = try await peer.connected.initClient.makeTester()
        let first = await concurrentCallBacks(tester)
        let failures = first.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(Set(first.compactMap { try? $0.get() }).count == 64)
        #expect(first.allSatisfy { (try? $0.get())?.hasPrefix("peer0<s") == true })
        let made = try #require(peer.context?.threadsMade)
        #expect(made > 1 && made <= 65, "one thread per call in flight (and makeTester's): \(made)")
        let second = await concurrentCallBacks(tester)
        #expect(second.allSatisfy { (try? $0.get()) != nil })
        // Mutation: a pool that never takes threads back makes 64 more here (one that does makes
        // only as many as the second round overlaps more than the first did).
        let after = try #require(peer.context?.threadsMade)
        #expect(after < made + 64, "the second round reuses the idle threads: \(made), then \(after)")
        try await peer.close()
    }

    @Test("mutation check: with one thread per connection, the strict peer fails concurrent calls as busy")
    func oneThreadPerConnectionFails() async throws {
        var single = Protocol()
        single.threadPerCall = false
        let peer = try StrictPeer(single)
        let tester = try await peer.connected.initClient.makeTester()
        let results = await concurrentCallBacks(tester)
        let busy = results.filter { if case .failure(let error) = $0 { error.reason.contains("thread busy") } else { false } }
        #expect(!busy.isEmpty, "calls sharing one thread overlap at the peer")
        #expect(peer.context?.threadsMade == 1)
        try await peer.close()
    }

    @Test("the peer refuses a call with no context, and one naming a thread it did not make")
    func refusals() async throws {
        let peer = try StrictPeer()
        let tester = try await peer.connected.initClient.makeTester()
        let bare = MpTester.Client(tester.capability.with(interceptor: nil))
        let missing = await rpcFailure { try await bare.makeCallback(label: "x") }
        #expect(missing?.reason.contains("missing thread to execute request") == true, "\(String(describing: missing))")
        let foreign = MpTester.Client(tester.capability.with(interceptor: ForeignThread()))
        let invalid = await rpcFailure { try await foreign.makeCallback(label: "x") }
        #expect(invalid?.reason.contains("invalid thread handle") == true, "\(String(describing: invalid))")
        try await peer.close()
    }

    @Test("a capability from one strict peer passed to another: each hop names its own connection's threads")
    func forwardingBetweenPeers() async throws {
        let a = try StrictPeer(), b = try StrictPeer()
        let testerA = try await a.connected.initClient.makeTester()
        let testerB = try await b.connected.initClient.makeTester()
        let fromA = try await testerA.makeCallback(label: "a")
        // B calls it back with a thread of ours on B's connection; A takes only threads it made.
        // Mutation: passed on unwrapped (capnp's own proxying), A refuses: invalid thread handle.
        #expect(try await testerB.callBack(callback: fromA, depth: 0) == "peer0<a0")
        let concurrent = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await testerB.callBack(callback: fromA, depth: 0) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(concurrent == Array(repeating: "peer0<a0", count: 8))
        try await a.close()
        try await b.close()
    }

    @Test("the peer calls our server, which calls back on the thread it named, nested 3 deep; also on a callback it kept")
    func nestedCallbacks() async throws {
        let (pid, fd) = try Process.spawn(executableName: python, arguments: [peerScript, "call", String(Process.childSocketFd)])
        let serving = Task { try await Protocol().serve(fd: fd, init: SwiftMpInit()) }
        #expect(try await exitStatus(pid) == .exited(0), "strict_mp_peer.py: its output above names the failed check")
        #expect(try await serving.value.cause == .peer)
    }
}

func rpcFailure<T>(_ body: () async throws -> T) async -> RPCError? {
    do {
        _ = try await body()
        return nil
    } catch let error as RPCError {
        return error
    } catch {
        return RPCError(.failed, "not an RPCError: \(error)")
    }
}
