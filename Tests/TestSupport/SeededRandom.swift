// A deterministic generator (SplitMix64), so every randomized test can be reproduced from its seed.

import Foundation

public struct SeededRandom: RandomNumberGenerator, CustomStringConvertible, Sendable {
    /// The environment variable that fixes the seed of `SeededRandom.forTest` (decimal or 0x-hex).
    public static let seedVariable = "TEST_SEED"

    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// The generator for a randomized test: seeded from `TEST_SEED` when set, else afresh. The seed
    /// is printed now and is in `description`, which the test puts in its failure messages, so a
    /// failing run can be repeated exactly.
    public static func forTest(_ name: String = #function) -> SeededRandom {
        let environment = ProcessInfo.processInfo.environment[seedVariable]
        let seed = environment.flatMap(parse) ?? UInt64.random(in: .min ... .max)
        let random = SeededRandom(seed: seed)
        print("\(name): \(random)")
        return random
    }

    /// "seed 0x… (TEST_SEED=0x… repeats this run)": for failure messages.
    public var description: String {
        let hex = "0x" + String(seed, radix: 16)
        return "seed \(hex) (\(Self.seedVariable)=\(hex) repeats this run)"
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func parse(_ text: String) -> UInt64? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }
}
