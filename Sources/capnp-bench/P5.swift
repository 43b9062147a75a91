// P5 build-read-us: the workload of scripts/bench-cxx/README.md, operation for operation,
// through code CapnpPlugin generates from bench.capnp.

import Capnp

enum P5 {
    static let k1: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let k2: UInt64 = 0xBF58_476D_1CE4_E5B9
    static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x1_0000_0001B3
    static let rootName = "swift-multiprocess benchmark"
    static let rootSummary = "A rich struct with three fields of every primitive kind, three texts, a nested struct and a list of one thousand items."
    static let itemNames = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    static let itemCount = 1000

    @inline(__always) static func mix(_ s: UInt64, _ k: UInt64) -> UInt64 { s &* k1 &+ k &* k2 }
    @inline(__always) static func mixBool(_ s: UInt64, _ k: UInt64) -> Bool { mix(s, k) >> 63 == 1 }
    @inline(__always) static func mixF64(_ s: UInt64, _ k: UInt64) -> Double { Double(mix(s, k) >> 11) * 0x1p-53 }
    @inline(__always) static func mixF32(_ s: UInt64, _ k: UInt64) -> Float {
        Float(UInt32(truncatingIfNeeded: mix(s, k) >> 40)) * 0x1p-24
    }

    @inline(__always) static func fold(_ h: UInt64, _ x: UInt64) -> UInt64 { (h ^ x) &* fnvPrime }
    @inline(__always) static func fold<T: FixedWidthInteger & SignedInteger>(_ h: UInt64, _ x: T) -> UInt64 {
        fold(h, UInt64(bitPattern: Int64(x)))
    }
    @inline(__always) static func fold(_ h: UInt64, _ x: Bool) -> UInt64 { fold(h, x ? 1 : 0) }
    @inline(__always) static func fold(_ h: UInt64, _ x: Float) -> UInt64 { fold(h, UInt64(x.bitPattern)) }
    @inline(__always) static func fold(_ h: UInt64, _ x: Double) -> UInt64 { fold(h, x.bitPattern) }
    @inline(__always) static func fold(_ h: UInt64, text: Capnp.DataReader) -> UInt64 {
        var sum: UInt64 = 0
        for byte in text.bytes { sum &+= UInt64(byte) }
        return fold(fold(h, UInt64(text.count)), sum)
    }

    static func build(_ r: Root.Builder, _ s: UInt64) {
        r.bool0 = mixBool(s, 0)
        r.bool1 = mixBool(s, 1)
        r.bool2 = mixBool(s, 2)
        r.i8v0 = Int8(truncatingIfNeeded: mix(s, 3))
        r.i8v1 = Int8(truncatingIfNeeded: mix(s, 4))
        r.i8v2 = Int8(truncatingIfNeeded: mix(s, 5))
        r.i16v0 = Int16(truncatingIfNeeded: mix(s, 6))
        r.i16v1 = Int16(truncatingIfNeeded: mix(s, 7))
        r.i16v2 = Int16(truncatingIfNeeded: mix(s, 8))
        r.i32v0 = Int32(truncatingIfNeeded: mix(s, 9))
        r.i32v1 = Int32(truncatingIfNeeded: mix(s, 10))
        r.i32v2 = Int32(truncatingIfNeeded: mix(s, 11))
        r.i64v0 = Int64(bitPattern: mix(s, 12))
        r.i64v1 = Int64(bitPattern: mix(s, 13))
        r.i64v2 = Int64(bitPattern: mix(s, 14))
        r.u8v0 = UInt8(truncatingIfNeeded: mix(s, 15))
        r.u8v1 = UInt8(truncatingIfNeeded: mix(s, 16))
        r.u8v2 = UInt8(truncatingIfNeeded: mix(s, 17))
        r.u16v0 = UInt16(truncatingIfNeeded: mix(s, 18))
        r.u16v1 = UInt16(truncatingIfNeeded: mix(s, 19))
        r.u16v2 = UInt16(truncatingIfNeeded: mix(s, 20))
        r.u32v0 = UInt32(truncatingIfNeeded: mix(s, 21))
        r.u32v1 = UInt32(truncatingIfNeeded: mix(s, 22))
        r.u32v2 = UInt32(truncatingIfNeeded: mix(s, 23))
        r.u64v0 = mix(s, 24)
        r.u64v1 = mix(s, 25)
        r.u64v2 = mix(s, 26)
        r.f32v0 = mixF32(s, 27)
        r.f32v1 = mixF32(s, 28)
        r.f32v2 = mixF32(s, 29)
        r.f64v0 = mixF64(s, 30)
        r.f64v1 = mixF64(s, 31)
        r.f64v2 = mixF64(s, 32)
        r.name = rootName
        r.summary = rootSummary
        r.tag = "p5"
        let inner = r.initInner()
        inner.a = UInt32(truncatingIfNeeded: mix(s, 33))
        inner.b = Int64(bitPattern: mix(s, 34))
        inner.c = mixF64(s, 35)
        inner.d = mixBool(s, 36)
        inner.label = "inner"
        let items = r.initItems(count: itemCount)
        for i in 0..<itemCount {
            let item = items[i]
            item.id = UInt32(i)
            item.value = Int64(bitPattern: mix(s, 1000 + UInt64(i)))
            item.ratio = Double(i) * 0.5
            item.flag = i % 3 == 0
            item.kind = UInt16(i % 7)
            item.score = Float(i) * 0.25
            item.name = itemNames[i % 8]
        }
    }

    static func read(_ r: Root.Reader) throws -> UInt64 {
        var h = fnvOffset
        h = fold(h, r.bool0); h = fold(h, r.bool1); h = fold(h, r.bool2)
        h = fold(h, r.i8v0); h = fold(h, r.i8v1); h = fold(h, r.i8v2)
        h = fold(h, r.i16v0); h = fold(h, r.i16v1); h = fold(h, r.i16v2)
        h = fold(h, r.i32v0); h = fold(h, r.i32v1); h = fold(h, r.i32v2)
        h = fold(h, r.i64v0); h = fold(h, r.i64v1); h = fold(h, r.i64v2)
        h = fold(h, UInt64(r.u8v0)); h = fold(h, UInt64(r.u8v1)); h = fold(h, UInt64(r.u8v2))
        h = fold(h, UInt64(r.u16v0)); h = fold(h, UInt64(r.u16v1)); h = fold(h, UInt64(r.u16v2))
        h = fold(h, UInt64(r.u32v0)); h = fold(h, UInt64(r.u32v1)); h = fold(h, UInt64(r.u32v2))
        h = fold(h, r.u64v0); h = fold(h, r.u64v1); h = fold(h, r.u64v2)
        h = fold(h, r.f32v0); h = fold(h, r.f32v1); h = fold(h, r.f32v2)
        h = fold(h, r.f64v0); h = fold(h, r.f64v1); h = fold(h, r.f64v2)
        h = fold(h, text: try r.nameBytes)
        h = fold(h, text: try r.summaryBytes)
        h = fold(h, text: try r.tagBytes)
        let inner = try r.inner
        h = fold(h, UInt64(inner.a))
        h = fold(h, inner.b)
        h = fold(h, inner.c)
        h = fold(h, inner.d)
        h = fold(h, text: try inner.labelBytes)
        let items = try r.items
        h = fold(h, UInt64(items.count))
        for item in items {
            h = fold(h, UInt64(item.id))
            h = fold(h, item.value)
            h = fold(h, item.ratio)
            h = fold(h, item.flag)
            h = fold(h, UInt64(item.kind))
            h = fold(h, item.score)
            h = fold(h, text: try item.nameBytes)
        }
        return h
    }

    /// One iteration: a new builder with default options, build all, read all through its reader.
    static func iteration(_ s: UInt64) throws -> UInt64 {
        let message = MessageBuilder()
        let root = message.initRoot(Root.self)
        build(root, s)
        return try read(root.asReader)
    }

    static let warmup = 500
    static let batches = 11
    static let batchIterations = 500

    /// Microseconds per iteration: the median over batches.
    static func run() throws -> Double {
        var s: UInt64 = 0
        var accumulator: UInt64 = 0
        for _ in 0..<warmup {
            accumulator ^= try iteration(s)
            s += 1
        }
        var perIteration: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<batches {
            let start = clock.now
            for _ in 0..<batchIterations {
                accumulator ^= try iteration(s)
                s += 1
            }
            perIteration.append(Stats.microseconds(clock.now - start) / Double(batchIterations))
        }
        Stats.sink(accumulator)
        return Stats.median(perIteration)
    }
}
