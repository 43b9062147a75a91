// P2 inflight-calls-per-s: 100 lanes, each making sequential pings, so 100 calls are in flight.

import CapnpRPC

enum P2 {
    static let lanes = 100
    static let warmupCallsPerLane = Stats.scaled(50)
    static let batches = 11
    static let batchCallsPerLane = Stats.scaled(50)

    /// One round: a task group of `lanes` child tasks, each sending its next ping as soon as
    /// its previous reply arrives. Child tasks inherit the caller's executor preference.
    static func round(_ bench: Bench.Client, callsPerLane: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<lanes {
                group.addTask {
                    for _ in 0..<callsPerLane { try await bench.ping() }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Calls per second: the median over batches of (calls / batch seconds).
    static func run(_ bench: Bench.Client) async throws -> Double {
        try await round(bench, callsPerLane: warmupCallsPerLane)
        var callsPerSecond: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<batches {
            let start = clock.now
            try await round(bench, callsPerLane: batchCallsPerLane)
            let seconds = Stats.microseconds(clock.now - start) / 1e6
            callsPerSecond.append(Double(lanes * batchCallsPerLane) / seconds)
        }
        return Stats.median(callsPerSecond)
    }
}
