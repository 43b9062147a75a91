// Messages the tests encode with both the tool and the builders: a struct literal and the same values.

import Testing

/// One message: `literal` for `capnp convert text:binary`, `fields` for `ValueBuilder`. They say the same thing.
struct Sample: Sendable, CustomTestStringConvertible {
    let name: String
    let type: String
    let literal: String
    let fields: [String: Value]

    var testDescription: String { name }
    var value: Value { .structure(fields) }
}

// Literals for generated lists, in the tool's syntax.
private func literal(_ values: [some BinaryInteger]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
private func literal(_ values: [Bool]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }

enum Samples {
    static let primsZero = Sample(name: "all primitives unset", type: "Prims", literal: "()", fields: [:])

    static let primsMax = Sample(
        name: "every primitive width at its maximum", type: "Prims",
        literal: """
            (b0 = true, i8 = 127, i16 = 32767, i32 = 2147483647, i64 = 9223372036854775807, u8 = 255, \
            u16 = 65535, u32 = 4294967295, u64 = 18446744073709551615, f32 = 1.5, f64 = 2.75, b1 = true, b2 = true)
            """,
        fields: ["b0": .bool(true), "i8": .int(127), "i16": .int(32767), "i32": .int(2_147_483_647),
                 "i64": .int(.max), "u8": .uint(255), "u16": .uint(65535), "u32": .uint(4_294_967_295),
                 "u64": .uint(.max), "f32": .f32(1.5), "f64": .f64(2.75), "b1": .bool(true), "b2": .bool(true)])

    static let primsNegative = Sample(
        name: "negative numbers at their minimum", type: "Prims",
        literal: """
            (i8 = -128, i16 = -32768, i32 = -2147483648, i64 = -9223372036854775808, f32 = -0.5, f64 = -1e300)
            """,
        fields: ["i8": .int(-128), "i16": .int(-32768), "i32": .int(-2_147_483_648), "i64": .int(.min),
                 "f32": .f32(-0.5), "f64": .f64(-1e300)])

    static let primsMixed = Sample(
        name: "mixed primitives and bools", type: "Prims",
        literal: """
            (b0 = false, i8 = -1, i16 = 258, i32 = -65536, i64 = 1099511627776, u8 = 1, u16 = 4660, \
            u32 = 305419896, u64 = 1311768467463790320, f32 = 3.14159, f64 = 2.718281828459045, b1 = true, b2 = false)
            """,
        fields: ["b0": .bool(false), "i8": .int(-1), "i16": .int(258), "i32": .int(-65536), "i64": .int(1 << 40),
                 "u8": .uint(1), "u16": .uint(0x1234), "u32": .uint(0x1234_5678), "u64": .uint(0x1234_5678_9ABC_DEF0),
                 // The tool parses a double and narrows it, so the expected Float is narrowed the same way.
                 "f32": .f32(Float(3.14159 as Double)), "f64": .f64(2.718281828459045), "b1": .bool(true), "b2": .bool(false)])

    static let floatsInfinite = Sample(
        name: "infinite floats", type: "Prims", literal: "(f32 = inf, f64 = -inf)",
        fields: ["f32": .f32(.infinity), "f64": .f64(-.infinity)])

    static let floatsNaN = Sample(
        name: "NaN and negative zero", type: "Prims", literal: "(f32 = nan, f64 = -0.0)",
        fields: ["f32": .f32(.nan), "f64": .f64(-0.0)])

    static let defaultsAtDefault = Sample(
        name: "fields set to their non-zero defaults", type: "Defaults",
        literal: """
            (b = true, i8 = -7, i16 = 1234, i32 = -123456, i64 = 81985529216486895, u8 = 200, u16 = 65535, \
            u32 = 3000000000, u64 = 18364758544493064720, f32 = 1.5, f64 = -2.25)
            """,
        fields: ["b": .bool(true), "i8": .int(-7), "i16": .int(1234), "i32": .int(-123_456), "i64": .int(0x0123_4567_89AB_CDEF),
                 "u8": .uint(200), "u16": .uint(65535), "u32": .uint(3_000_000_000), "u64": .uint(0xFEDC_BA98_7654_3210),
                 "f32": .f32(1.5), "f64": .f64(-2.25)])

    static let defaultsOther = Sample(
        name: "defaulted fields set to other values", type: "Defaults",
        literal: """
            (b = false, i8 = 7, i16 = 0, i32 = 123456, i64 = -1, u8 = 0, u16 = 1, u32 = 1, u64 = 0, f32 = 0, \
            f64 = 2.25, plain = 99)
            """,
        fields: ["b": .bool(false), "i8": .int(7), "i16": .int(0), "i32": .int(123_456), "i64": .int(-1), "u8": .uint(0),
                 "u16": .uint(1), "u32": .uint(1), "u64": .uint(0), "f32": .f32(0), "f64": .f64(2.25), "plain": .uint(99)])

    static let emptyBlobs = Sample(
        name: "empty text and data beside null ones", type: "Blobs", literal: #"(t0 = "", d0 = "")"#,
        fields: ["t0": .text(""), "d0": .data([])])

    static let blobs = Sample(
        name: "text and data contents", type: "Blobs",
        literal: #"(t0 = "héllo wörld ✓ 🚀", t1 = "with \"quotes\", \\ and\na newline", d0 = 0x"00ff10", d1 = "abcdefghijk")"#,
        fields: ["t0": .text("héllo wörld ✓ 🚀"), "t1": .text("with \"quotes\", \\ and\na newline"),
                 "d0": .data([0, 0xFF, 0x10]), "d1": .data(Array("abcdefghijk".utf8))])

    static let lists = Sample(
        name: "every list element size", type: "Lists",
        literal: """
            (voids = [void, void, void], bools = [true, false, true, true, false, false, false, false, true, true], \
            u8s = [0, 1, 255], i16s = [-1, 0, 32767], u32s = [1, 4294967295], f32s = [1.5, -0.25], \
            i64s = [-9223372036854775808, 9223372036854775807, 0], f64s = [1e-300, -2.5], texts = ["a", "", "xyz"], \
            datas = [0x"01", "", 0x"ffee"], \
            items = [(id = 1, flag = true, name = "one"), (id = 2), (name = "three", child = (id = 33))], \
            empties = [(), ()], nested = [[1, 2], [], [-3]], deep = [[["x"], []], [], [["y", "z"]]])
            """,
        fields: [
            "voids": .list([.void, .void, .void]),
            "bools": .list([true, false, true, true, false, false, false, false, true, true].map { .bool($0) }),
            "u8s": .list([.uint(0), .uint(1), .uint(255)]),
            "i16s": .list([.int(-1), .int(0), .int(32767)]),
            "u32s": .list([.uint(1), .uint(4_294_967_295)]),
            "f32s": .list([.f32(1.5), .f32(-0.25)]),
            "i64s": .list([.int(.min), .int(.max), .int(0)]),
            "f64s": .list([.f64(1e-300), .f64(-2.5)]),
            "texts": .list([.text("a"), .text(""), .text("xyz")]),
            "datas": .list([.data([1]), .data([]), .data([0xFF, 0xEE])]),
            "items": .list([.structure(["id": .uint(1), "flag": .bool(true), "name": .text("one")]),
                            .structure(["id": .uint(2)]),
                            .structure(["name": .text("three"), "child": .structure(["id": .uint(33)])])]),
            "empties": .list([.structure([:]), .structure([:])]),
            "nested": .list([.list([.int(1), .int(2)]), .list([]), .list([.int(-3)])]),
            "deep": .list([.list([.list([.text("x")]), .list([])]), .list([]), .list([.list([.text("y"), .text("z")])])]),
        ])

    static let emptyLists = Sample(
        name: "empty lists of every element size", type: "Lists",
        literal: """
            (voids = [], bools = [], u8s = [], i16s = [], u32s = [], f32s = [], i64s = [], f64s = [], texts = [], \
            datas = [], items = [], empties = [], nested = [], deep = [])
            """,
        fields: ["voids", "bools", "u8s", "i16s", "u32s", "f32s", "i64s", "f64s", "texts", "datas", "items", "empties",
                 "nested", "deep"].reduce(into: [:]) { $0[$1] = .list([]) })

    static let tree = Sample(
        name: "nested structs and zero-sized structs", type: "Tree",
        literal: """
            (value = -5, label = "root", left = (value = 1, left = (value = 2, label = "ll", leaf = ())), \
            right = (label = "r", right = (value = 3, right = (value = 4))), leaf = ())
            """,
        fields: ["value": .int(-5), "label": .text("root"),
                 "left": .structure(["value": .int(1),
                                     "left": .structure(["value": .int(2), "label": .text("ll"), "leaf": .structure([:])])]),
                 "right": .structure(["label": .text("r"),
                                      "right": .structure(["value": .int(3), "right": .structure(["value": .int(4)])])]),
                 "leaf": .structure([:])])

    static let longBoolList: Sample = {
        let bools = (0..<203).map { $0 % 3 == 0 || $0 % 7 == 0 }
        return Sample(name: "a bit list spanning several words", type: "Lists",
                      literal: "(bools = \(literal(bools)))", fields: ["bools": .list(bools.map { .bool($0) })])
    }()

    /// Shapes the packing has special cases for: long zero runs, incompressible runs, and words with
    /// 0, 1, 2 and more zero bytes following a word without zeros.
    static let packingRuns: Sample = {
        var bytes: [UInt8] = []
        let full: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        for zeros in [0, 1, 2, 3, 7, 8, 1, 0, 2] {
            bytes += full
            var word = full
            for index in 0..<zeros { word[(index * 3) % 8] = 0 }
            bytes += word
        }
        bytes += (0..<(300 * 8)).map { UInt8($0 % 255 + 1) }  // 300 words without zeros: a 0xFF run is capped at 255
        bytes += full + [0, 0, 0, 0, 0, 0, 0, 0] + full
        var longs: [Int64] = Array(repeating: 0, count: 300)  // a zero run longer than 255 words
        longs += [1]
        longs += Array(repeating: 0, count: 600)
        longs += [-1, 0, 0x0101_0101_0101_0101]
        return Sample(name: "packing edge cases", type: "Lists",
                      literal: "(u8s = \(literal(bytes)), i64s = \(literal(longs)))",
                      fields: ["u8s": .list(bytes.map { .uint(UInt64($0)) }), "i64s": .list(longs.map { .int($0) })])
    }()

    static let all: [Sample] = [primsZero, primsMax, primsNegative, primsMixed, floatsInfinite, floatsNaN,
                                defaultsAtDefault, defaultsOther, emptyBlobs, blobs, lists, emptyLists, tree,
                                longBoolList, packingRuns]

    /// Samples with enough pointers to span several segments when segments are small.
    static let withPointers: [Sample] = [blobs, lists, emptyLists, tree, packingRuns]
}
