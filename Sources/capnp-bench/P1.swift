// P1 sequential-call-us: one ping at a time over the child's bootstrap `Bench`.

import CapnpRPC

enum P1 {
    static let warmup = Stats.scaled(500)
    static let batches = 11
    static let batchCalls = Stats.scaled(1000)

    /// Microseconds per call: the median over batches of (batch time / calls).
    static func run(_ bench: Bench.Client) async throws -> Double {
        for _ in 0..<warmup { try await bench.ping() }
        var perCall: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<batches {
            let start = clock.now
            for _ in 0..<batchCalls { try await bench.ping() }
            perCall.append(Stats.microseconds(clock.now - start) / Double(batchCalls))
        }
        return Stats.median(perCall)
    }
}
