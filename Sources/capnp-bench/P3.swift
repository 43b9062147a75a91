// P3 echo-1MiB-us: echo 1 MiB of Data and read the reply in place.

import Capnp
import CapnpRPC

enum P3 {
    static let size = 1 << 20
    static let warmup = Stats.scaled(20)
    static let batches = 9
    static let batchCalls = Stats.scaled(40)

    /// `payload[i] = UInt8(truncatingIfNeeded: i * 31 + 7)`, filled once.
    static let payload: [UInt8] = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    /// One round trip: a fresh request whose `data` is a copy of the payload, then the reply's
    /// `data` read in place: its size checked, its first and last bytes added to the result.
    static func call(_ bench: Bench.Client) async throws -> UInt64 {
        let response = try await bench.sendEcho { params in
            let out = params.initData(count: size)
            payload.withUnsafeBytes { out.copyMemory(from: $0) }
        }.response()
        let data = try response.data
        guard data.count == size else {
            throw BenchError("echo returned \(data.count) bytes, expected \(size)")
        }
        return UInt64(data[0]) + UInt64(data[size - 1])
    }

    /// Microseconds per round trip: the median over batches of (batch time / calls).
    static func run(_ bench: Bench.Client) async throws -> Double {
        _ = payload
        var accumulator: UInt64 = 0
        for _ in 0..<warmup { accumulator &+= try await call(bench) }
        var perCall: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<batches {
            let start = clock.now
            for _ in 0..<batchCalls { accumulator &+= try await call(bench) }
            perCall.append(Stats.microseconds(clock.now - start) / Double(batchCalls))
        }
        Stats.sink(accumulator)
        return Stats.median(perCall)
    }
}
