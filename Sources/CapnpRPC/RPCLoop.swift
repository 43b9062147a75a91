// The capnp event loop thread as a Swift executor: code that runs on it calls into the shim
// with no thread hop, and call completions resume it without one.

import CCapnpRPC

/// The process's one RPC event loop thread (owned by the shim), usable as an executor.
///
/// Run callers on it to make RPC calls without thread hops:
/// `await withTaskExecutorPreference(RPCLoop.shared) { try await echo.echo("hi") }`, or isolate an
/// actor to it by returning `RPCLoop.shared.asUnownedSerialExecutor()` as its `unownedExecutor`.
/// Code running here must not block: every connection in the process waits while it runs.
public final class RPCLoop: SerialExecutor, TaskExecutor, @unchecked Sendable {
    public static let shared = RPCLoop()

    private init() {
        // A job is one pointer; it travels through the shim's `void *` unboxed.
        precondition(MemoryLayout<UnownedJob>.size == MemoryLayout<UnsafeMutableRawPointer>.size)
        precondition(ccapnp_loop_start() == 0, "the capnp event loop thread could not start")
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let pointer = unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self)
        ccapnp_post({ context in
            let job = unsafeBitCast(context!, to: UnownedJob.self)
            let loop = RPCLoop.shared
            job.runSynchronously(isolatedTo: loop.asUnownedSerialExecutor(), taskExecutor: loop.asUnownedTaskExecutor())
        }, pointer)
    }

    public func checkIsolated() {
        precondition(isCurrent, "expected to run on the capnp event loop thread")
    }

    /// Whether the calling thread is the loop thread.
    public var isCurrent: Bool { ccapnp_on_loop_thread() != 0 }
}
