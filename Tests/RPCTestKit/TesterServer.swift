// The server the RPC tests call, in process and in the peer process alike.

import Capnp
import CapnpRPC
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Serves `Tester` (and so `Calculator`): every feature the tests exercise, one method each.
public final class TesterServer: Tester.Server {
    private struct State {
        var cancelled: UInt32 = 0
        var hanging: UInt32 = 0
        var held: [Callback.Client] = []
    }
    private let state = Locked(State())
    /// Counters this server made that are still referenced (by a client or a pending call).
    let liveCounters = Atomic<UInt32>(0)

    public init() {}

    public func add(_ call: ServerCall<Calculator.AddParams, Calculator.AddResults>) async throws {
        call.results.sum = call.params.a &+ call.params.b
    }

    public func fail(_ call: ServerCall<Calculator.FailParams, Calculator.FailResults>) async throws {
        let kind: RPCError.Kind = switch call.params.kind {
        case .failed: .failed
        case .overloaded: .overloaded
        case .disconnected: .disconnected
        case .unimplemented: .unimplemented
        default: .failed
        }
        throw RPCError(kind, try call.params.reason)
    }

    public func callBack(_ call: ServerCall<Tester.CallBackParams, Tester.CallBackResults>) async throws {
        let depth = call.params.depth
        let trail = try await call.params.callback.notify(depth: depth)
        call.results.trail = "server\(depth)<\(trail)"
    }

    public func makeCounter(_ call: ServerCall<Tester.MakeCounterParams, Tester.MakeCounterResults>) async throws {
        let counter = CounterServer(liveCounters: self)
        call.results.setCounter(Counter.Client(serving: counter))
        call.setPipeline()
        // Answer only once a call pipelined on the counter has arrived: a client that waited
        // for this answer before calling the counter would never get it.
        await counter.firstCall()
    }

    public func writeTo(_ call: ServerCall<Tester.WriteToParams, Tester.WriteToResults>) async throws {
        guard let fd = await call.params.sink.capability.fileDescriptor() else {
            throw RPCError(.failed, "the sink carries no file descriptor")
        }
        defer { close(fd) }
        let bytes = Array(try call.params.text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw RPCError(.failed, "write to the sink failed (errno \(errno))") }
    }

    public func hang(_ call: ServerCall<Tester.HangParams, Tester.HangResults>) async throws {
        state.withLock { $0.hanging += 1 }
        defer { state.withLock { $0.hanging -= 1 } }
        do {
            while true { try await Task.sleep(for: .seconds(3600)) }
        } catch {
            state.withLock { $0.cancelled += 1 }
            throw error
        }
    }

    public func stats(_ call: ServerCall<Tester.StatsParams, Tester.StatsResults>) async throws {
        let (cancelled, held, hanging) = state.withLock { ($0.cancelled, UInt32($0.held.count), $0.hanging) }
        call.results.cancelled = cancelled
        call.results.hanging = hanging
        call.results.heldCallbacks = held
        call.results.liveCounters = liveCounters.load(ordering: .relaxed)
    }

    public func hold(_ call: ServerCall<Tester.HoldParams, Tester.HoldResults>) async throws {
        let callback = call.params.callback
        state.withLock { $0.held.append(callback) }
    }

    public func release(_ call: ServerCall<Tester.ReleaseParams, Tester.ReleaseResults>) async throws {
        let held = state.withLock { state in defer { state.held = [] }; return state.held }
        _ = held  // dropped here, outside the lock
    }

    public func measure(_ call: ServerCall<Tester.MeasureParams, Tester.MeasureResults>) async throws {
        let box = try call.params.box
        let text = try box.value
        let out = call.results.initBox()
        out.label = try box.label + "!"
        // A type-parameter member has no typed init; a List(UInt8) is a byte list on the wire,
        // as Data is, so it is made as one and filled in one copy (this runs on the loop thread).
        let utf8 = Array(text.utf8)
        let bytes = out.structBuilder._pointer(0).initData(count: utf8.count)
        utf8.withUnsafeBytes { if !$0.isEmpty { bytes.copyMemory(from: $0) } }
    }

    public func exit(_ call: ServerCall<Tester.ExitParams, Tester.ExitResults>) async throws {
        _exit(call.params.code)
    }
}

/// A counter that reports its first call and counts itself live until released.
final class CounterServer: Counter.Server {
    private struct State {
        var value: UInt32 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Locked(State())
    private let owner: TesterServer

    init(liveCounters owner: TesterServer) {
        self.owner = owner
        owner.liveCounters.add(1, ordering: .relaxed)
    }

    deinit { owner.liveCounters.subtract(1, ordering: .relaxed) }

    func next(_ call: ServerCall<Counter.NextParams, Counter.NextResults>) async throws {
        let (value, waiters) = state.withLock { state in
            state.value += 1
            defer { state.waiters = [] }
            return (state.value, state.waiters)
        }
        for waiter in waiters { waiter.resume() }
        call.results.value = value
    }

    /// Returns once `next` has been called at least once.
    func firstCall() async {
        await withCheckedContinuation { continuation in
            let called = state.withLock { state in
                if state.value == 0 { state.waiters.append(continuation) }
                return state.value > 0
            }
            if called { continuation.resume() }
        }
    }
}
