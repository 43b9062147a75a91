// OutgoingWindow: a bound on the params bytes of calls sent on one connection and not answered yet.

import Synchronization

/// Counts the params bytes of calls sent on one connection whose answer has not come back.
/// The async `Capability.call` (and the generated clients' async methods) wait while the count is
/// past the limit, so streaming large calls to a peer that reads slowly waits instead of queueing
/// without end. Under the limit a call costs two atomic adds and a load: no lock, no hop.
final class OutgoingWindow: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)
    /// How many tasks wait for room (changed under `waiters`' lock), so that an answer looks at
    /// the lock only when someone waits.
    private let waiting = Atomic<Int>(0)
    private let waiters = Locked<[UnsafeContinuation<Void, Never>]>([])

    init(limit: Int) { self.limit = max(limit, 1) }

    var isFull: Bool { inFlight.load(ordering: .relaxed) > limit }

    func sent(_ bytes: Int) {
        inFlight.wrappingAdd(bytes, ordering: .relaxed)
    }

    func answered(_ bytes: Int) {
        // Sequentially consistent with `waitForRoom`'s register-then-recheck: one of the two sees the other.
        let now = inFlight.wrappingSubtract(bytes, ordering: .sequentiallyConsistent).newValue
        if now <= limit, waiting.load(ordering: .sequentiallyConsistent) > 0 { wakeAll() }
    }

    /// Returns once the count is at or under the limit. Not cancellable: the wait ends when
    /// answers arrive or the connection ends (which fails, and so answers, every call).
    func waitForRoom() async {
        while inFlight.load(ordering: .sequentiallyConsistent) > limit {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                waiters.withLock { list in
                    list.append(continuation)
                    waiting.wrappingAdd(1, ordering: .sequentiallyConsistent)
                }
                // An answer that came between the check above and registering would not wake us.
                if inFlight.load(ordering: .sequentiallyConsistent) <= limit { wakeAll() }
            }
        }
    }

    private func wakeAll() {
        let woken = waiters.withLock { list in
            defer { list = [] }
            waiting.wrappingSubtract(list.count, ordering: .sequentiallyConsistent)
            return list
        }
        for continuation in woken { continuation.resume() }
    }
}
