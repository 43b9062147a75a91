// Timing helpers shared by the figures: medians, durations, and a sink the optimiser cannot remove.

enum Stats {
    static func median(_ values: [Double]) -> Double {
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
}
