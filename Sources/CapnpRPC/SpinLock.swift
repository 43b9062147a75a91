// SpinLock: a lock with no allocation of its own, for OutgoingCall's per-call state.

import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A lock that lives inline in its owner (no allocation): an atomic flag, which TSan sees as
/// ordering since its operations are inlined into instrumented code. Only for critical sections
/// of a few instructions that never block or call out; a waiter spins, yielding the CPU.
struct SpinLock: ~Copyable {
    private let held = Atomic<Bool>(false)

    init() {}

    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        while !held.weakCompareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
            while held.load(ordering: .relaxed) { sched_yield() }
        }
        defer { held.store(false, ordering: .releasing) }
        return try body()
    }
}
