// Waiting in tests without asserting times: a hang guard and a poll, both with limits far above
// any normal run, so a failure means "never", not "slow".

/// `what` did not happen within a hang guard's limit.
public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TimedOut` if it has not finished after `seconds`.
public func withHangGuard<T: Sendable>(_ what: String, seconds: Int = 30,
                                       _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// Polls `condition` every 10 ms until it holds; throws `TimedOut` after 30 s.
public func eventually(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<3000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what: what)
}
