// A value behind a lock that ThreadSanitizer understands.
//
// Why not Synchronization's Mutex: on Linux TSan does not see its lock and unlock as ordering,
// so every contended Mutex shows up as a race in `scripts/test`'s TSan run (checked with a
// 20-line program: 5 reports per run; the same program with this lock: none). With a
// pthread mutex, which TSan intercepts, a report there means a real race.

#if canImport(Glibc)
import Glibc
#endif

/// `value`, read and changed only under a pthread mutex.
package final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched under the mutex.
    // The mutex needs a stable address: its own allocation, not a stored property.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock. `body` must not block or call back in.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
