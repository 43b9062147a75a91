// shim-latency: sequential calls straight through the C shim (CCapnpRPC), both ends in this
// process on the one loop, by the two call paths the shim documents: a caller off the loop
// (one hop in, one wake-up back) and a caller on the loop (no hop). It watches the shim's hop
// count; there is no C++ baseline for it, so it prints plain figures.

import CCapnpRPC
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

enum ShimLatency {
    static let warmup = Stats.scaled(200)
    static let batches = 11
    static let batchCalls = Stats.scaled(1000)

    /// Microseconds per call, median over batches, for a caller off the loop and one on it.
    static func run() throws -> (offLoop: Double, onLoop: Double) {
        guard ccapnp_loop_start() == 0 else { throw BenchError("the capnp event loop could not start") }
        let pair = try ConnectionPair()
        defer { pair.close() }
        let target = pair.bootstrap
        for _ in 0..<warmup { try callAndWait(target) }
        let clock = ContinuousClock()
        var offLoop: [Double] = []
        for _ in 0..<batches {
            let start = clock.now
            for _ in 0..<batchCalls { try callAndWait(target) }
            offLoop.append(Stats.microseconds(clock.now - start) / Double(batchCalls))
        }
        var onLoop: [Double] = []
        for _ in 0..<batches {
            let start = clock.now
            try chainOnLoop(target, calls: batchCalls)
            onLoop.append(Stats.microseconds(clock.now - start) / Double(batchCalls))
        }
        return (Stats.median(offLoop), Stats.median(onLoop))
    }

    private static let interfaceID: UInt64 = 0xB3C4_D5E6_F708_1929

    /// One call from this thread, waited for on a semaphore.
    private static func callAndWait(_ target: OpaquePointer) throws {
        let done = DispatchSemaphore(value: 0)
        let box = Unmanaged.passRetained(Completion { ok in
            if !ok { printError("shim-latency: a call failed") }
            done.signal()
        }).toOpaque()
        guard let call = ccapnp_call_send(target, interfaceID, 0, nil, Completion.callback, box) else {
            throw BenchError("ccapnp_call_send failed")
        }
        done.wait()
        ccapnp_call_release(call)
    }

    /// `calls` calls one after another from the loop thread: each completion sends the next.
    private static func chainOnLoop(_ target: OpaquePointer, calls: Int) throws {
        let chain = Chain(target: target, remaining: calls)
        ccapnp_post({ context in
            Unmanaged<Chain>.fromOpaque(context!).takeRetainedValue().next()
        }, Unmanaged.passRetained(chain).toOpaque())
        chain.done.wait()
        if chain.failed { throw BenchError("a call on the loop failed") }
    }

    /// State of a chain of calls; touched only on the loop thread, then read after `done`.
    private final class Chain: @unchecked Sendable {
        let target: OpaquePointer
        var remaining: Int
        var failed = false
        var previous: OpaquePointer?
        let done = DispatchSemaphore(value: 0)

        init(target: OpaquePointer, remaining: Int) {
            self.target = target
            self.remaining = remaining
        }

        func next() {
            // The previous call has completed (we are in or after its completion): release it.
            if let previous { ccapnp_call_release(previous) }
            previous = nil
            guard remaining > 0, !failed else {
                done.signal()
                return
            }
            remaining -= 1
            let box = Unmanaged.passRetained(Completion { [self] ok in
                if !ok { failed = true }
                next()
            }).toOpaque()
            previous = ccapnp_call_send(target, ShimLatency.interfaceID, 0, nil, Completion.callback, box)
        }
    }

    /// A call's completion as a closure (true on success).
    private final class Completion {
        let handler: (Bool) -> Void
        init(_ handler: @escaping (Bool) -> Void) { self.handler = handler }

        static let callback: ccapnp_call_done_fn = { context, results, _ in
            let completion = Unmanaged<Completion>.fromOpaque(context!).takeRetainedValue()
            if let results { ccapnp_message_release(results) }
            completion.handler(results != nil)
        }
    }

    /// Two connections over a socketpair; B exports a server that answers every call at once
    /// with empty results, inside its dispatch callback (no hop).
    private final class ConnectionPair {
        let a: OpaquePointer
        let b: OpaquePointer
        let bootstrap: OpaquePointer

        init() throws {
            var fds: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                throw BenchError("socketpair failed: errno \(errno)")
            }
            var vtable = ccapnp_server_vtable(
                dispatch: { _, _, _, call in ccapnp_server_call_return(call, nil) },
                cancelled: nil, get_fd: nil, destroy: nil)
            guard let server = ccapnp_server_new(&vtable, nil) else { throw BenchError("ccapnp_server_new failed") }
            defer { ccapnp_cap_release(server) }
            var optionsA = ccapnp_connection_options_default()
            optionsA.is_server = 0
            var optionsB = ccapnp_connection_options_default()
            optionsB.is_server = 1
            guard let a = ccapnp_connection_new(fds[0], &optionsA, nil, nil, nil) else {
                Glibc.close(fds[1])
                throw BenchError("ccapnp_connection_new failed")
            }
            guard let b = ccapnp_connection_new(fds[1], &optionsB, server, nil, nil) else {
                ccapnp_connection_release(a)
                throw BenchError("ccapnp_connection_new failed")
            }
            guard let bootstrap = ccapnp_connection_bootstrap(a) else {
                ccapnp_connection_release(a)
                ccapnp_connection_release(b)
                throw BenchError("ccapnp_connection_bootstrap failed")
            }
            (self.a, self.b, self.bootstrap) = (a, b, bootstrap)
        }

        func close() {
            ccapnp_cap_release(bootstrap)
            ccapnp_connection_release(a)
            ccapnp_connection_release(b)
        }
    }
}
