// EXPERIMENT (BENCH_CALLER=task): the RPC loop thread as a TaskExecutor only.
//
// `RPCLoop.shared` is both a SerialExecutor and a TaskExecutor, and runs every job it gets
// `isolatedTo:` itself as a serial executor. A nonisolated async function running there then
// is not "on the generic executor", so each isolation change on the call path (entering
// `withTaskCancellationHandler`, `OutgoingCall.response`, `PendingCall.response`, returning
// from them) re-enqueues the task on the loop: callgrind counts 8 `ccapnp_post` per P1 call,
// 7 of them from `swift_task_switch`. Running the jobs as a plain task executor
// (`runSynchronously(on:)`) lets those switches happen inline: 1 enqueue per call (the
// answer's continuation). This file shows the effect without changing CapnpRPC; the fix
// belongs in RPCLoop (a TaskExecutor separate from the SerialExecutor used by actors).

import CCapnpRPC
import CapnpRPC

final class LoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = LoopTaskExecutor()

    private init() { _ = RPCLoop.shared }  // starts the loop thread

    func enqueue(_ job: consuming ExecutorJob) {
        let pointer = unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self)
        ccapnp_post({ context in
            let job = unsafeBitCast(context!, to: UnownedJob.self)
            job.runSynchronously(on: LoopTaskExecutor.shared.asUnownedTaskExecutor())
        }, pointer)
    }
}
