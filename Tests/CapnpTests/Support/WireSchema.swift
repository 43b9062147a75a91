// The schema the wire tests use, written to a temp dir once, and its layout as `capnp compile -ocapnp` reports it.

import Capnp
import Foundation
import Testing
import TestSupport

/// A field's type, parsed from the schema text the tool prints.
indirect enum FieldType: Equatable, Sendable, CustomStringConvertible {
    case void, bool
    case int(bits: Int), uint(bits: Int)
    case float32, float64
    case text, data
    case list(FieldType)
    case structure(String)

    init(parsing text: Substring) {
        let text = text.trimmingCharacters(in: .whitespaces)
        switch text {
        case "Void": self = .void
        case "Bool": self = .bool
        case "Int8": self = .int(bits: 8)
        case "Int16": self = .int(bits: 16)
        case "Int32": self = .int(bits: 32)
        case "Int64": self = .int(bits: 64)
        case "UInt8": self = .uint(bits: 8)
        case "UInt16": self = .uint(bits: 16)
        case "UInt32": self = .uint(bits: 32)
        case "UInt64": self = .uint(bits: 64)
        case "Float32": self = .float32
        case "Float64": self = .float64
        case "Text": self = .text
        case "Data": self = .data
        default:
            if text.hasPrefix("List("), text.hasSuffix(")") {
                self = .list(FieldType(parsing: text.dropFirst(5).dropLast()))
            } else {
                self = .structure(text)
            }
        }
    }

    /// The element size a list of this type is encoded with.
    var listElementSize: ElementSize {
        switch self {
        case .void: .void
        case .bool: .bit
        case .int(let bits), .uint(let bits): [8: .byte, 16: .twoBytes, 32: .fourBytes, 64: .eightBytes][bits]!
        case .float32: .fourBytes
        case .float64: .eightBytes
        case .text, .data, .list: .pointer
        case .structure: .composite
        }
    }

    var isPointer: Bool {
        switch self {
        case .text, .data, .list, .structure: true
        default: false
        }
    }

    var description: String {
        switch self {
        case .void: "Void"
        case .bool: "Bool"
        case .int(let bits): "Int\(bits)"
        case .uint(let bits): "UInt\(bits)"
        case .float32: "Float32"
        case .float64: "Float64"
        case .text: "Text"
        case .data: "Data"
        case .list(let element): "List(\(element))"
        case .structure(let name): name
        }
    }
}

/// Where a field lives: a bit offset in the data section, or a pointer slot.
struct FieldLayout: Sendable {
    var name: String
    var type: FieldType
    var bitOffset: Int = 0
    var pointerIndex: Int = 0
    /// The schema default's bit pattern for primitives (zero when none is declared).
    var defaultBits: UInt64 = 0
}

struct StructLayout: Sendable {
    var name: String
    var dataWords: Int
    var pointerCount: Int
    var fields: [FieldLayout]

    func field(_ name: String) -> FieldLayout {
        guard let field = fields.first(where: { $0.name == name }) else {
            Issue.record("struct \(self.name) has no field \(name)")
            return FieldLayout(name: name, type: .void)
        }
        return field
    }
}

/// The test schema, on disk for the tool and parsed for the tests.
struct WireSchema: Sendable {
    /// Holds the schema file for the whole run.
    private let directory: TemporaryDirectory
    let path: String
    let structs: [String: StructLayout]

    /// The `capnp` tool over this schema.
    var tool: CapnpTool { CapnpTool(schema: path) }

    subscript(name: String) -> StructLayout {
        guard let layout = structs[name] else {
            Issue.record("schema has no struct \(name)")
            return StructLayout(name: name, dataWords: 0, pointerCount: 0, fields: [])
        }
        return layout
    }

    static let text = """
        @0xe8b2a1c3d4f50617;

        struct Empty {}

        struct Prims {
          b0 @0 :Bool;
          i8 @1 :Int8;
          i16 @2 :Int16;
          i32 @3 :Int32;
          i64 @4 :Int64;
          u8 @5 :UInt8;
          u16 @6 :UInt16;
          u32 @7 :UInt32;
          u64 @8 :UInt64;
          f32 @9 :Float32;
          f64 @10 :Float64;
          b1 @11 :Bool;
          b2 @12 :Bool;
          v @13 :Void;
        }

        struct Defaults {
          b @0 :Bool = true;
          i8 @1 :Int8 = -7;
          i16 @2 :Int16 = 1234;
          i32 @3 :Int32 = -123456;
          i64 @4 :Int64 = 0x0123456789ABCDEF;
          u8 @5 :UInt8 = 200;
          u16 @6 :UInt16 = 65535;
          u32 @7 :UInt32 = 3000000000;
          u64 @8 :UInt64 = 0xFEDCBA9876543210;
          f32 @9 :Float32 = 1.5;
          f64 @10 :Float64 = -2.25;
          plain @11 :UInt32;
        }

        struct Blobs {
          t0 @0 :Text;
          t1 @1 :Text;
          d0 @2 :Data;
          d1 @3 :Data;
        }

        struct Item {
          id @0 :UInt32;
          flag @1 :Bool;
          name @2 :Text;
          child @3 :Item;
        }

        struct Lists {
          voids @0 :List(Void);
          bools @1 :List(Bool);
          u8s @2 :List(UInt8);
          i16s @3 :List(Int16);
          u32s @4 :List(UInt32);
          f32s @5 :List(Float32);
          i64s @6 :List(Int64);
          f64s @7 :List(Float64);
          texts @8 :List(Text);
          datas @9 :List(Data);
          items @10 :List(Item);
          empties @11 :List(Empty);
          nested @12 :List(List(Int32));
          deep @13 :List(List(List(Text)));
        }

        struct Tree {
          value @0 :Int64;
          label @1 :Text;
          left @2 :Tree;
          right @3 :Tree;
          leaf @4 :Empty;
        }

        """

    private static let loaded: Result<WireSchema, any Error> = Result { try load() }

    static func shared() throws -> WireSchema { try loaded.get() }

    private static func load() throws -> WireSchema {
        let directory = try TemporaryDirectory("capnp-wire")
        let path = try directory.write("wire.capnp", text)
        let printed = String(decoding: try CapnpTool.run(["compile", "-ocapnp", path]), as: UTF8.self)
        var structs: [String: StructLayout] = [:]
        var current: StructLayout?
        for line in printed.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("struct ") {
                // struct Name @0x... {  # 8 bytes, 1 ptrs
                let name = String(trimmed.dropFirst(7).prefix { $0 != " " })
                let comment = trimmed.split(separator: "#").last!.split(separator: " ")
                current = StructLayout(name: name, dataWords: Int(comment[0])! / 8, pointerCount: Int(comment[2])!,
                                       fields: [])
            } else if trimmed == "}", let done = current {
                structs[done.name] = done
                current = nil
            } else if current != nil, let at = trimmed.firstIndex(of: "@"), let colon = trimmed.firstIndex(of: ":"),
                      let semicolon = trimmed.firstIndex(of: ";") {
                // name @N :Type = default;  # bits[a, b) | ptr[i]
                let name = String(trimmed[..<at]).trimmingCharacters(in: .whitespaces)
                let declaration = trimmed[trimmed.index(after: colon)..<semicolon]
                let parts = declaration.split(separator: "=", maxSplits: 1)
                var field = FieldLayout(name: name, type: FieldType(parsing: parts[0]))
                let comment = trimmed[trimmed.index(after: semicolon)...]
                if let range = comment.range(of: "bits[") {
                    field.bitOffset = Int(comment[range.upperBound...].prefix { $0.isNumber })!
                } else if let range = comment.range(of: "ptr[") {
                    field.pointerIndex = Int(comment[range.upperBound...].prefix { $0.isNumber })!
                }
                if parts.count == 2 {
                    field.defaultBits = parseDefault(parts[1].trimmingCharacters(in: .whitespaces), field.type)
                }
                current!.fields.append(field)
            }
        }
        return WireSchema(directory: directory, path: path, structs: structs)
    }

    private static func parseDefault(_ text: String, _ type: FieldType) -> UInt64 {
        switch type {
        case .bool: return text == "true" ? 1 : 0
        case .int: return UInt64(bitPattern: Int64(text)!)
        case .uint: return UInt64(text)!
        case .float32: return UInt64(Float(text)!.bitPattern)
        case .float64: return Double(text)!.bitPattern
        default:
            Issue.record("default of a \(type) field is not supported by these tests")
            return 0
        }
    }
}
