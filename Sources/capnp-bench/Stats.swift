// Timing helpers shared by the figures: medians, durations, output format, and a sink the
// optimiser cannot remove.

#if canImport(Glibc)
import Glibc
#endif

enum Stats {
    /// The median; `BENCH_VERBOSE=1` also prints every batch value to stderr (as the C++ side).
    static func median(_ values: [Double]) -> Double {
        if getenv("BENCH_VERBOSE") != nil {
            printError("batches: " + values.map { String(fixed: $0, decimals: 2) }.joined(separator: " "))
        }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func microseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e6 + Double(attoseconds) / 1e12
    }

    @inline(never) static func sink(_ value: UInt64) {
        if value == 0x5EED { print("", terminator: "") }
    }

    /// `BENCH_DIVIDE=N` divides the RPC figures' warm-up and per-batch call counts by N (at
    /// least 1 each; batch counts stay), to profile under valgrind. Figures measured so are
    /// not comparable with the C++ ones.
    static let divisor: Int = {
        guard let raw = getenv("BENCH_DIVIDE") else { return 1 }
        guard let value = Int(String(cString: raw)), value >= 1 else {
            printError("BENCH_DIVIDE must be a positive integer")
            exit(2)
        }
        return value
    }()

    static func scaled(_ count: Int) -> Int { max(1, count / divisor) }
}

func printError(_ message: String) {
    let bytes = Array("capnp-bench: \(message)\n".utf8)
    _ = write(2, bytes, bytes.count)
}

extension String {
    /// `value` with exactly `decimals` decimals (like printf "%.Nf" for the values we print),
    /// without Foundation.
    init(fixed value: Double, decimals: Int) {
        guard value.isFinite, abs(value) < 1e15 else { self = "\(value)"; return }
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((abs(value) * Double(scale)).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { self = "\(sign)\(scaled)"; return }
        let fraction = String(scaled % scale)
        self = "\(sign)\(scaled / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// Two decimals.
    init(format2 value: Double) { self.init(fixed: value, decimals: 2) }
}
