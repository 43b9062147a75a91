// Keyword-named members, nested types, imports, and the type IDs and method ordinals capnp assigns.

import Capnp
import Foundation
import TestSupport
import Testing

@Suite struct NamesAndIdsTests {
    /// `capnp compile -ocapnp` output: each declaration's qualified name and ID, and each interface's methods.
    struct Declarations {
        var ids: [String: UInt64] = [:]
        var methods: [String: [(name: String, ordinal: UInt16)]] = [:]
        var superclasses: [String: [String]] = [:]

        init(_ schema: Schema) throws {
            let text = String(decoding: try CapnpTool.run(["compile", "-ocapnp", schema.path]), as: UTF8.self)
            var stack: [(indent: Int, name: String)] = []
            for line in text.split(separator: "\n") {
                let indent = line.prefix { $0 == " " }.count
                let words = line.split(separator: " ")
                while let last = stack.last, last.indent >= indent { stack.removeLast() }
                if words.count >= 3, ["struct", "enum", "interface", "const"].contains(words[0]), words[2].hasPrefix("@0x") {
                    let name = (stack.last.map { $0.name + "." } ?? "") + words[1]
                    ids[name] = UInt64(words[2].dropFirst(3).prefix { $0.isHexDigit }, radix: 16)
                    if words[0] == "interface", let open = line.range(of: "superclasses(") {
                        superclasses[name] = line[open.upperBound...].prefix { $0 != ")" }.split(separator: ",")
                            .map { $0.trimmingCharacters(in: .whitespaces) }
                    }
                    let code = line.split(separator: "#", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces)
                    if code.hasSuffix("{") { stack.append((indent, name)) }
                } else if let scope = stack.last, words.count >= 3, words[1].hasPrefix("@"),
                          let ordinal = UInt16(words[1].dropFirst()), words[2].hasPrefix("(") {
                    methods[scope.name, default: []].append((String(words[0]), ordinal))
                }
            }
        }
    }

    @Test("every generated struct and interface carries the type ID capnp assigned")
    func typeIdsMatchCapnp() throws {
        let declarations = try Declarations(.test)
        let imported = try Declarations(.imported)
        let ours: [(String, UInt64)] = [
            ("AllTypes", AllTypes.typeId), ("Defaults", Defaults.typeId), ("Shapes", Shapes.typeId),
            ("Outer", Outer.typeId), ("Outer.Inner", Outer.Inner.typeId), ("Outer.Inner.Deeper", Outer.Inner.Deeper.typeId),
            ("Generic", Generic<Capnp.Text, Capnp.Text>.typeId), ("Generic.Entry", Generic<Capnp.Text, Capnp.Bytes>.Entry.typeId),
            ("UsesGenerics", UsesGenerics.typeId), ("Keywords", Keywords.typeId), ("Empty", Empty.typeId),
            ("Late", Late.typeId), ("HoldsEnumV1", HoldsEnumV1.typeId), ("UnionV2", UnionV2.typeId),
            ("Base", Base.typeId), ("Derived", Derived.typeId), ("HoldsCaps", HoldsCaps.typeId),
        ]
        for (name, id) in ours {
            #expect(declarations.ids[name] == id, "\(name)")
        }
        #expect(imported.ids["Point"] == Point.typeId)
        #expect(imported.ids["Pair"] == Pair<Capnp.Text, Capnp.Text>.typeId)
        #expect(declarations.ids.count > ours.count)  // the parse found enums and constants too
    }

    @Test("interfaces carry capnp's method ordinals and superclass IDs")
    func interfaceOrdinals() throws {
        let declarations = try Declarations(.test)
        #expect(Base.Method.allCases.map { ("\($0)", $0.rawValue) }.elementsEqual(declarations.methods["Base"] ?? [], by: ==))
        #expect(Derived.Method.allCases.map { ("\($0)", $0.rawValue) }.elementsEqual(declarations.methods["Derived"] ?? [], by: ==))
        #expect(declarations.superclasses["Derived"] == ["Base"])
        #expect(Derived.superclassIds == [Base.typeId])
        // The method param/result structs are real structs with capnp's layout.
        #expect(Derived.AddParams._dataWordCount == 1 && Derived.AddParams._pointerCount == 0)
        #expect(Derived.DescribeParams._pointerCount == 1 && Derived.GetBaseResults._pointerCount == 1)
        let message = MessageBuilder()
        let params = message.initRoot(Derived.AddParams.self)
        params.a = 2
        params.b = -3
        #expect(params.asReader.a + params.asReader.b == -1)
    }

    @Test("interface fields hold capability pointers: an index into the message's table, or null")
    func capabilityFields() throws {
        let message = MessageBuilder()
        let root = message.initRoot(HoldsCaps.self)
        root.derived.setCapability(2)
        #expect(root.hasDerived && !root.hasBase)
        let back = try MessageReader(bytes: message.serialize()).root(as: HoldsCaps.self)
        // Outside RPC there is no capability table: the raw index is what the pointer holds.
        #expect(try back.structReader._pointer(1).readCapabilityIndex() == 2 && !back.hasBase)
        // Word 3 (after the segment table and root pointer, the struct's second pointer) is capnp's capability pointer.
        let bytes = message.serialize()
        let word = bytes[24..<32].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(word == 3 | UInt64(2) << 32)
    }

    @Test("members named after Swift keywords round-trip through capnp")
    func keywordMembers() throws {
        let literal = "(struct = 1, class = \"c\", default = true, type = protocol, self = -1, return = [1, 2])"
        let message = MessageBuilder()
        let root = message.initRoot(Keywords.self)
        root.struct_ = 1
        root.class_ = "c"
        root.default_ = true
        root.type = .protocol_
        root.self_ = -1
        let list = root.initReturn(count: 2)
        list[0] = 1
        list[1] = 2
        #expect(message.serialize() == (try Oracle.encode(literal, as: "Keywords")))
        let back = try MessageReader(bytes: try Oracle.encode(literal, as: "Keywords")).root(as: Keywords.self)
        #expect(back.struct_ == 1 && back.default_ && back.type == .protocol_ && back.self_ == -1)
        #expect(try back.class_ == "c" && Array(back.return_) == [1, 2])
        #expect(Keywords.Type_.self_.rawValue == 0 && Keywords.Type_(rawValue: 2) == .init_)
        // Enumerants named like the generated members still get their own cases and values.
        #expect(AwkwardNames.rawValue.rawValue == 0 && AwkwardNames.unknown_.rawValue == 1)
        #expect(AwkwardNames(rawValue: 2) == .init_ && AwkwardNames(rawValue: 3) == .unknown(3))
    }

    @Test("nested structs and enums, and types imported from another schema file")
    func nestedAndImported() throws {
        let literal = "(inner = (value = 3, mode = off, deeper = (text = \"d\")), inners = [(value = 1), (mode = on)])"
        let message = MessageBuilder()
        let root = message.initRoot(Outer.self)
        let inner = root.initInner()
        inner.value = 3
        inner.mode = .off
        inner.initDeeper().text = "d"
        let inners = root.initInners(count: 2)
        inners[0].value = 1
        inners[1].mode = .on
        #expect(message.serialize() == (try Oracle.encode(literal, as: "Outer")))
        let back = try MessageReader(bytes: try Oracle.encode(literal, as: "Outer")).root(as: Outer.self)
        #expect(try back.inner.mode == .off && back.inners[1].mode == .on && back.inners[0].mode == .on)
        #expect(try back.inner.deeper.text == "d")

        let point = "(x = 4, y = 5, label = \"five\")"
        let p = try MessageReader(bytes: try Schema.imported.tool.encode(point, as: "Point")).root(as: Point.self)
        #expect(p.x == 4 && p.y == 5)
        #expect(try p.label == "five")
        let pm = MessageBuilder()
        let pb = pm.initRoot(Point.self)
        pb.x = 4
        pb.y = 5
        pb.label = "five"
        #expect(pm.serialize() == (try Schema.imported.tool.encode(point, as: "Point")))
        #expect(Color(rawValue: 2) == .blue)
    }
}
