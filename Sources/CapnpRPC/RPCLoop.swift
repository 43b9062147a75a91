// The capnp event loop thread as a Swift executor: code that runs on it calls into the shim
// with no thread hop, and call completions resume it without one.

internal import CCapnpRPC

/// The process's one RPC event loop thread (owned by the shim), as a task executor.
///
/// Run callers on it to make RPC calls without thread hops:
/// `await withTaskExecutorPreference(RPCLoop.shared) { try await echo.echo("hi") }`. To isolate
/// an actor to the loop thread, return `RPCLoop.serial.asUnownedSerialExecutor()` as its
/// `unownedExecutor`. Code running here must not block: every connection in the process waits.
///
/// It is a task executor only, deliberately: jobs run as nonisolated code, so the isolation
/// changes on a call's path (cancellation handlers, awaiting the answer) switch inline instead
/// of re-enqueueing the task (callgrind: 8 loop posts per call as a serial executor, 1 now).
public final class RPCLoop: TaskExecutor, Sendable {
    public static let shared = RPCLoop()
    /// The loop thread as a serial executor, for actors that must live on it.
    public static let serial = RPCLoopSerialExecutor()

    fileprivate init() {
        // A job is one pointer; it travels through the shim's `void *` unboxed.
        precondition(MemoryLayout<UnownedJob>.size == MemoryLayout<UnsafeMutableRawPointer>.size)
        precondition(ccapnp_loop_start() == 0, "the capnp event loop thread could not start")
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let pointer = unsafeBitCast(unowned, to: UnsafeMutableRawPointer.self)
        let posted = ccapnp_post({ context in
            let job = unsafeBitCast(context!, to: UnownedJob.self)
            job.runSynchronously(on: RPCLoop.shared.asUnownedTaskExecutor())
        }, pointer)
        // The loop thread died (the shim logged why): a preference is only a preference, so the
        // job runs on the global executor rather than being lost. Its RPC calls then fail.
        if posted != 0 { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Whether the calling thread is the loop thread.
    public var isCurrent: Bool { ccapnp_on_loop_thread() != 0 }
}

/// The RPC loop thread as the serial executor of actors isolated to it.
public final class RPCLoopSerialExecutor: SerialExecutor, Sendable {
    fileprivate init() { _ = RPCLoop.shared }  // starts the loop thread

    public func enqueue(_ job: consuming ExecutorJob) {
        let pointer = unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self)
        let posted = ccapnp_post({ context in
            let job = unsafeBitCast(context!, to: UnownedJob.self)
            job.runSynchronously(isolatedTo: RPCLoop.serial.asUnownedSerialExecutor(),
                                 taskExecutor: RPCLoop.shared.asUnownedTaskExecutor())
        }, pointer)
        // An actor isolated to a dead loop thread can run nowhere else without breaking its isolation.
        precondition(posted == 0, "the capnp event loop thread is gone; an actor isolated to it cannot run")
    }

    public func checkIsolated() {
        precondition(ccapnp_on_loop_thread() != 0, "expected to run on the capnp event loop thread")
    }
}
