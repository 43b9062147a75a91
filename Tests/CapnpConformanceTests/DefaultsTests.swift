// Schema defaults: an empty struct reads every default, and each agrees with `capnp eval Type.field`.

import Capnp
import TestSupport
import Testing

@Suite struct DefaultsTests {
    static let float32Default = Float(1234.5)
    static let float64Default = -1.25e47

    static func checkDefaults(_ root: Defaults.Reader, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(root.boolField == true, sourceLocation: sourceLocation)
        #expect(root.int8Field == -123, sourceLocation: sourceLocation)
        #expect(root.int16Field == -12345, sourceLocation: sourceLocation)
        #expect(root.int32Field == -12345678, sourceLocation: sourceLocation)
        #expect(root.int64Field == -123456789012345, sourceLocation: sourceLocation)
        #expect(root.uint8Field == 234, sourceLocation: sourceLocation)
        #expect(root.uint16Field == 45678, sourceLocation: sourceLocation)
        #expect(root.uint32Field == 3456789012, sourceLocation: sourceLocation)
        #expect(root.uint64Field == 12345678901234567890, sourceLocation: sourceLocation)
        #expect(root.float32Field == float32Default, sourceLocation: sourceLocation)
        #expect(root.float64Field == float64Default, sourceLocation: sourceLocation)
        #expect(root.enumField == .baz, sourceLocation: sourceLocation)
        #expect(root.importedEnumField == .blue, sourceLocation: sourceLocation)
        #expect(try root.textField == "foo", sourceLocation: sourceLocation)
        #expect(try root.dataField.array == Array("bar".utf8), sourceLocation: sourceLocation)
        let nested = try root.structField
        #expect(nested.int32Field == 42, sourceLocation: sourceLocation)
        #expect(try nested.textField == "nested", sourceLocation: sourceLocation)
        #expect(try Array(nested.enumList) == [.bar, .qux], sourceLocation: sourceLocation)
        #expect(try Array(root.boolList) == [true, false, false, true, true], sourceLocation: sourceLocation)
        #expect(try Array(root.int64List) == [-1, 0, .max], sourceLocation: sourceLocation)
        #expect(try Array(root.float32List) == [1.5, -2.25], sourceLocation: sourceLocation)
        #expect(try root.textList.elements() == ["plugh", "xyzzy", "thud"], sourceLocation: sourceLocation)
        #expect(try root.dataList.elements().map(\.array) == [[0, 1], [0xff]], sourceLocation: sourceLocation)
        #expect(try Array(root.enumList) == [.qux, .foo], sourceLocation: sourceLocation)
        let points = try root.structList
        #expect(points.count == 2, sourceLocation: sourceLocation)
        if points.count == 2 {
            #expect(points[0].x == 1 && points[0].y == 2, sourceLocation: sourceLocation)
            #expect(try points[0].label == "a", sourceLocation: sourceLocation)
            #expect(points[1].x == -3 && points[1].y == 4 && !points[1].hasLabel, sourceLocation: sourceLocation)
        }
        #expect(try root.int32ListList.elements().map { Array($0) } == [[1, 2], [], [3]], sourceLocation: sourceLocation)
        #expect(try root.importedStruct.x == 7 && root.importedStruct.y == -7, sourceLocation: sourceLocation)
        #expect(root.zeroDefault == 0, sourceLocation: sourceLocation)
    }

    @Test("an empty struct built in Swift reads every schema default, and so does capnp's empty struct")
    func emptyStructReadsDefaults() throws {
        let message = MessageBuilder()
        _ = message.initRoot(Defaults.self)
        let bytes = message.serialize()
        #expect(bytes == (try Oracle.encode("()", as: "Defaults")))
        try Self.checkDefaults(try MessageReader(bytes: bytes).root(as: Defaults.self))
        try Self.checkDefaults(try MessageReader(bytes: try Oracle.encode("()", as: "Defaults")).root(as: Defaults.self))
        // A struct pointer that is null reads as the defaults too.
        let holder = MessageBuilder()
        _ = holder.initRoot(Empty.self)
        try Self.checkDefaults(try MessageReader(bytes: holder.serialize()).root(as: Defaults.self))
    }

    /// Each default field, and where the same value can be written explicitly: (type, field) in a struct without a default.
    static let hosts: [(field: String, type: String, hostField: String)] = [
        ("boolField", "AllTypes", "boolField"), ("int8Field", "AllTypes", "int8Field"),
        ("int16Field", "AllTypes", "int16Field"), ("int32Field", "AllTypes", "int32Field"),
        ("int64Field", "AllTypes", "int64Field"), ("uint8Field", "AllTypes", "uint8Field"),
        ("uint16Field", "AllTypes", "uint16Field"), ("uint32Field", "AllTypes", "uint32Field"),
        ("uint64Field", "AllTypes", "uint64Field"), ("float32Field", "AllTypes", "float32Field"),
        ("float64Field", "AllTypes", "float64Field"), ("enumField", "AllTypes", "enumField"),
        ("importedEnumField", "AllTypes", "importedEnum"), ("textField", "AllTypes", "textField"),
        ("dataField", "AllTypes", "dataField"), ("structField", "AllTypes", "structField"),
        ("boolList", "AllTypes", "boolList"), ("int64List", "AllTypes", "int64List"),
        ("float32List", "AllTypes", "float32List"), ("textList", "AllTypes", "textList"),
        ("dataList", "AllTypes", "dataList"), ("enumList", "AllTypes", "enumList"),
        ("structList", "Shapes", "points"), ("int32ListList", "AllTypes", "int32ListList"),
        ("importedStruct", "AllTypes", "importedStruct"), ("zeroDefault", "AllTypes", "int32Field"),
    ]

    @Test("NaN, negative zero, infinity and minimum-integer defaults equal capnp eval's values",
          arguments: [("float64Nan", "float64Field"), ("float32NegZero", "float32Field"), ("float64Inf", "float64Field"),
                      ("int64Min", "int64Field"), ("int8Min", "int8Field")])
    func extremeDefaults(_ field: String, _ hostField: String) throws {
        let empty = MessageBuilder()
        _ = empty.initRoot(Defaults.self)
        let d = try MessageReader(bytes: empty.serialize()).root(as: Defaults.self)
        var value = try Oracle.eval("Defaults.\(field)")
        // capnp prints -0.0 as "-0", which its parser reads back as the integer 0; spell it as a float.
        if hostField.hasPrefix("float"), Int(value) != nil { value += ".0" }
        let literal = "(\(hostField) = \(value))"
        let host = try MessageReader(bytes: try Oracle.encode(literal, as: "AllTypes")).root(as: AllTypes.self)
        switch field {
        case "float64Nan": #expect(host.float64Field.bitPattern == d.float64Nan.bitPattern && d.float64Nan.isNaN)
        case "float32NegZero":
            #expect(host.float32Field.bitPattern == d.float32NegZero.bitPattern && d.float32NegZero.sign == .minus)
        case "float64Inf": #expect(host.float64Field == d.float64Inf && d.float64Inf == -.infinity)
        case "int64Min": #expect(host.int64Field == d.int64Min && d.int64Min == .min)
        default: #expect(host.int8Field == d.int8Min && d.int8Min == .min)
        }
        // Written explicitly, the default still encodes as zero bits.
        let message = MessageBuilder()
        let root = message.initRoot(Defaults.self)
        root.float64Nan = d.float64Nan
        root.float32NegZero = d.float32NegZero
        root.float64Inf = d.float64Inf
        root.int64Min = d.int64Min
        root.int8Min = d.int8Min
        #expect(message.serialize() == empty.serialize())
    }

    @Test("every default equals capnp eval's value for the field")
    func defaultsEqualCapnpEval() throws {
        let empty = MessageBuilder()
        _ = empty.initRoot(Defaults.self)
        let d = try MessageReader(bytes: empty.serialize()).root(as: Defaults.self)
        var literals: [String: [String]] = [:]
        for host in Self.hosts {
            literals[host.type, default: []].append("\(host.hostField) = \(try Oracle.eval("Defaults.\(host.field)"))")
        }
        // Everything but zeroDefault and the struct list fits one AllTypes literal (zeroDefault reuses int32Field).
        let allTypes = literals["AllTypes"]!.filter { !$0.hasPrefix("int32Field = 0") }
        let host = try MessageReader(bytes: try Oracle.encode("(" + allTypes.joined(separator: ", ") + ")", as: "AllTypes"))
            .root(as: AllTypes.self)
        #expect(host.boolField == d.boolField)
        #expect(host.int8Field == d.int8Field)
        #expect(host.int16Field == d.int16Field)
        #expect(host.int32Field == d.int32Field)
        #expect(host.int64Field == d.int64Field)
        #expect(host.uint8Field == d.uint8Field)
        #expect(host.uint16Field == d.uint16Field)
        #expect(host.uint32Field == d.uint32Field)
        #expect(host.uint64Field == d.uint64Field)
        #expect(host.float32Field.bitPattern == d.float32Field.bitPattern)
        #expect(host.float64Field.bitPattern == d.float64Field.bitPattern)
        #expect(host.enumField == d.enumField)
        #expect(host.importedEnum == d.importedEnumField)
        #expect(try host.textField == d.textField)
        #expect(try host.dataField.array == d.dataField.array)
        #expect(try host.structField.int32Field == d.structField.int32Field)
        #expect(try host.structField.textField == d.structField.textField)
        #expect(try Array(host.structField.enumList) == Array(d.structField.enumList))
        #expect(try Array(host.boolList) == Array(d.boolList))
        #expect(try Array(host.int64List) == Array(d.int64List))
        #expect(try Array(host.float32List) == Array(d.float32List))
        #expect(try host.textList.elements() == d.textList.elements())
        #expect(try host.dataList.elements().map(\.array) == d.dataList.elements().map(\.array))
        #expect(try Array(host.enumList) == Array(d.enumList))
        #expect(try host.int32ListList.elements().map { Array($0) } == d.int32ListList.elements().map { Array($0) })
        #expect(try host.importedStruct.x == d.importedStruct.x && host.importedStruct.y == d.importedStruct.y)
        #expect(try Oracle.eval("Defaults.zeroDefault") == "\(d.zeroDefault)")

        let shapes = try MessageReader(bytes: try Oracle.encode("(" + literals["Shapes"]!.joined() + ")", as: "Shapes"))
            .root(as: Shapes.self)
        let points = try shapes.points, defaultPoints = try d.structList
        #expect(points.count == defaultPoints.count)
        for (ours, theirs) in zip(points, defaultPoints) {
            #expect(ours.x == theirs.x && ours.y == theirs.y)
            #expect(try ours.label == theirs.label && ours.hasLabel == theirs.hasLabel)
        }
    }

    @Test("a struct default is the message capnp eval -obinary writes for it")
    func structDefaultBytes() throws {
        let empty = MessageBuilder()
        _ = empty.initRoot(Defaults.self)
        let d = try MessageReader(bytes: empty.serialize()).root(as: Defaults.self)
        for (name, reader) in [("Defaults.structField", try d.structField.structReader),
                               ("Defaults.importedStruct", try d.importedStruct.structReader)] {
            let copy = MessageBuilder()
            try copy.setRoot(reader)
            #expect(copy.serialize() == (try Oracle.evalBinary(name)), "\(name)")
        }
    }

    @Test("builder getters materialize pointer defaults, and capnp reads them as the schema's values")
    func builderMaterializesDefaults() throws {
        let message = MessageBuilder()
        let root = message.initRoot(Defaults.self)
        #expect(root.textField == "foo" && Array(root.dataField) == Array("bar".utf8))
        #expect(!root.hasTextField)  // reading a blob default does not write it
        // Reading a struct or list through the builder copies the default in, as capnp's builders do.
        #expect(root.structField.int32Field == 42)
        #expect(Array(root.boolList) == [true, false, false, true, true])
        #expect(Array(root.int64List) == [-1, 0, .max])
        #expect(Array(root.float32List) == [1.5, -2.25])
        #expect(root.textList.count == 3 && root.dataList.count == 2)
        #expect(Array(root.enumList) == [.qux, .foo])
        #expect(root.structList.count == 2 && root.structList[1].x == -3)
        #expect(root.int32ListList.count == 3)
        #expect(root.importedStruct.y == -7)
        root.textField = root.textField
        root.dataField = root.dataField
        #expect(root.hasStructField && root.hasTextList && root.hasStructList && root.hasImportedStruct)
        try Self.checkDefaults(root.asReader)

        // capnp prints every field now, each with the value `capnp eval` gives for its default.
        let names = ["textField", "dataField", "structField", "boolList", "int64List", "float32List", "textList", "dataList",
                     "enumList", "structList", "int32ListList", "importedStruct"]
        let literal = "(" + (try names.map { "\($0) = \(try Oracle.eval("Defaults.\($0)"))" }).joined(separator: ", ") + ")"
        #expect(try Oracle.decode(message.serialize(), as: "Defaults") == (try Oracle.normalized(literal, as: "Defaults")))
    }

    @Test("setting a field to its default writes zero bits, as capnp does")
    func defaultValuesEncodeAsZero() throws {
        let message = MessageBuilder()
        let root = message.initRoot(Defaults.self)
        root.boolField = true
        root.int8Field = -123
        root.uint64Field = 12345678901234567890
        root.float32Field = Self.float32Default
        root.float64Field = Self.float64Default
        root.enumField = .baz
        let literal = "(boolField = true, int8Field = -123, uint64Field = 12345678901234567890, float32Field = 1234.5, "
            + "float64Field = -1.25e47, enumField = baz)"
        #expect(message.serialize() == (try Oracle.encode(literal, as: "Defaults")))
        #expect(message.serialize() == (try Oracle.encode("()", as: "Defaults")))
        root.int8Field = 0
        root.boolField = false
        root.enumField = .foo
        let changed = "(int8Field = 0, boolField = false, enumField = foo)"
        #expect(message.serialize() == (try Oracle.encode(changed, as: "Defaults")))
        let back = try MessageReader(bytes: message.serialize()).root(as: Defaults.self)
        #expect(back.int8Field == 0 && !back.boolField && back.enumField == .foo && back.int16Field == -12345)
    }

    @Test("a newer schema reads an older (smaller) struct's missing fields as defaults")
    func olderStructReadsDefaults() throws {
        let bytes = try Oracle.encode("()", as: "Empty")
        let late = try MessageReader(bytes: bytes).root(as: Late.self)
        #expect(late.a == 17)
        #expect(try late.b == "late" && !late.hasB)
        #expect(try Oracle.eval("Late.a") == "17" && Oracle.eval("Late.b") == "\"late\"")
    }

    @Test("building on an older, smaller struct grows it to the schema's size, and capnp reads the result")
    func builderUpgradesOlderStruct() throws {
        let old = try MessageReader(bytes: try Oracle.encode("()", as: "Empty")).root(as: Empty.self)
        let message = MessageBuilder()
        try message.setRoot(old.structReader)
        let late = message.getRoot(Late.self)
        #expect(late.a == 17 && late.b == "late")
        late.a = 5
        late.b = "grown"
        #expect(try Oracle.decode(message.serialize(), as: "Late") == "(a = 5, b = \"grown\")")
    }
}
