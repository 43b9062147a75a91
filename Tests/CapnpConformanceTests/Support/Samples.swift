// The AllTypes sample: one text literal for capnp, the same value built with generated builders
// (fields set in the literal's order, so allocation order matches), and a check of every field.

import Capnp
import Testing

enum AllTypesSample {
    static let literal = """
        (voidField = void, boolField = true, int8Field = -123, int16Field = -12345, int32Field = -12345678, \
        int64Field = -123456789012345, uint8Field = 234, uint16Field = 45678, uint32Field = 3456789012, \
        uint64Field = 12345678901234567890, float32Field = 1234.5, float64Field = -1.25e-47, \
        textField = "foo", dataField = 0x"62 61 72", \
        structField = (voidField = void, boolField = true, int8Field = -12, int16Field = 3456, int32Field = -78901234, \
        int64Field = 56789012345678, uint8Field = 90, uint16Field = 1234, uint32Field = 56789012, \
        uint64Field = 345678901234567890, float32Field = -1.25e-10, float64Field = 345, textField = "baz", \
        dataField = 0x"71 75 78", structField = (textField = "nested", structField = (textField = "really nested")), \
        enumField = baz), \
        enumField = qux, \
        voidList = [void, void, void], \
        boolList = [false, true, false, true, true], \
        int8List = [12, -34, -128, 127], \
        int16List = [1234, -5678, -32768, 32767], \
        int32List = [12345678, -90123456, -2147483648, 2147483647], \
        int64List = [123456789012345, -678901234567890, -9223372036854775808, 9223372036854775807], \
        uint8List = [12, 34, 0, 255], \
        uint16List = [1234, 5678, 0, 65535], \
        uint32List = [12345678, 90123456, 0, 4294967295], \
        uint64List = [123456789012345, 678901234567890, 0, 18446744073709551615], \
        float32List = [0, 1234567, 1e37, -1e37, 1e-37, -1e-37, inf, -inf, nan], \
        float64List = [0, 123456789012345, 1e306, -1e306, 1e-306, -1e-306, inf, -inf, nan], \
        textList = ["plugh", "xyzzy", "thud"], \
        dataList = [0x"6f 6f 70 73", "", 0x"00 ff"], \
        structList = [(textField = "structlist 1"), (textField = "structlist 2"), (textField = "structlist 3")], \
        enumList = [foo, qux, baz], \
        int32ListList = [[1, 2, 3], [], [4]], \
        textListList = [["a", "b"], ["c"]], \
        structListList = [[(x = 1, y = 2, label = "p")], [(x = -1, y = -2)]], \
        importedStruct = (x = 10, y = -20, label = "imported"), \
        importedEnum = green)
        """

    static let float32s: [Float] = [0, 1234567, Float(1e37 as Double), Float(-1e37 as Double), Float(1e-37 as Double),
                                    Float(-1e-37 as Double), .infinity, -.infinity, .nan]
    static let float64s: [Double] = [0, 123456789012345, 1e306, -1e306, 1e-306, -1e-306, .infinity, -.infinity, .nan]

    static func build(_ root: AllTypes.Builder) {
        root.boolField = true
        root.int8Field = -123
        root.int16Field = -12345
        root.int32Field = -12345678
        root.int64Field = -123456789012345
        root.uint8Field = 234
        root.uint16Field = 45678
        root.uint32Field = 3456789012
        root.uint64Field = 12345678901234567890
        root.float32Field = 1234.5
        root.float64Field = -1.25e-47
        root.textField = "foo"
        root.setDataField([0x62, 0x61, 0x72])
        let sub = root.initStructField()
        sub.boolField = true
        sub.int8Field = -12
        sub.int16Field = 3456
        sub.int32Field = -78901234
        sub.int64Field = 56789012345678
        sub.uint8Field = 90
        sub.uint16Field = 1234
        sub.uint32Field = 56789012
        sub.uint64Field = 345678901234567890
        sub.float32Field = Float(-1.25e-10 as Double)
        sub.float64Field = 345
        sub.textField = "baz"
        sub.setDataField([0x71, 0x75, 0x78])
        let nested = sub.initStructField()
        nested.textField = "nested"
        nested.initStructField().textField = "really nested"
        sub.enumField = .baz
        root.enumField = .qux
        _ = root.initVoidList(count: 3)
        fill(root.initBoolList(count: 5), [false, true, false, true, true])
        fill(root.initInt8List(count: 4), [12, -34, -128, 127])
        fill(root.initInt16List(count: 4), [1234, -5678, -32768, 32767])
        fill(root.initInt32List(count: 4), [12345678, -90123456, -2147483648, 2147483647])
        fill(root.initInt64List(count: 4), [123456789012345, -678901234567890, .min, .max])
        fill(root.initUint8List(count: 4), [12, 34, 0, 255])
        fill(root.initUint16List(count: 4), [1234, 5678, 0, 65535])
        fill(root.initUint32List(count: 4), [12345678, 90123456, 0, 4294967295])
        fill(root.initUint64List(count: 4), [123456789012345, 678901234567890, 0, .max])
        fill(root.initFloat32List(count: float32s.count), float32s)
        fill(root.initFloat64List(count: float64s.count), float64s)
        let texts = root.initTextList(count: 3)
        for (index, text) in ["plugh", "xyzzy", "thud"].enumerated() { texts.set(index, text) }
        let datas = root.initDataList(count: 3)
        let blobs: [[UInt8]] = [[0x6f, 0x6f, 0x70, 0x73], [], [0x00, 0xff]]
        for (index, bytes) in blobs.enumerated() { datas.set(index, bytes) }
        let structs = root.initStructList(count: 3)
        for index in 0..<3 { structs[index].textField = "structlist \(index + 1)" }
        fill(root.initEnumList(count: 3), [.foo, .qux, .baz])
        let lists = root.initInt32ListList(count: 3)
        fill(lists.initList(0, count: 3), [1, 2, 3])
        _ = lists.initList(1, count: 0)
        fill(lists.initList(2, count: 1), [4])
        let textLists = root.initTextListList(count: 2)
        let first = textLists.initList(0, count: 2)
        first.set(0, "a")
        first.set(1, "b")
        textLists.initList(1, count: 1).set(0, "c")
        let pointLists = root.initStructListList(count: 2)
        let p = pointLists.initList(0, count: 1)[0]
        p.x = 1
        p.y = 2
        p.label = "p"
        let q = pointLists.initList(1, count: 1)[0]
        q.x = -1
        q.y = -2
        let imported = root.initImportedStruct()
        imported.x = 10
        imported.y = -20
        imported.label = "imported"
        root.importedEnum = .green
    }

    static func fill<L: MutableCollection>(_ list: L, _ values: [L.Element]) where L.Index == Int {
        var list = list  // the builders' setters are nonmutating; this only satisfies MutableCollection
        precondition(list.count == values.count)
        for (index, value) in values.enumerated() { list[index] = value }
    }

    /// Every field of the sample, read through the generated reader.
    static func check(_ root: AllTypes.Reader, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(root.boolField == true, sourceLocation: sourceLocation)
        #expect(root.int8Field == -123, sourceLocation: sourceLocation)
        #expect(root.int16Field == -12345, sourceLocation: sourceLocation)
        #expect(root.int32Field == -12345678, sourceLocation: sourceLocation)
        #expect(root.int64Field == -123456789012345, sourceLocation: sourceLocation)
        #expect(root.uint8Field == 234, sourceLocation: sourceLocation)
        #expect(root.uint16Field == 45678, sourceLocation: sourceLocation)
        #expect(root.uint32Field == 3456789012, sourceLocation: sourceLocation)
        #expect(root.uint64Field == 12345678901234567890, sourceLocation: sourceLocation)
        #expect(root.float32Field == 1234.5, sourceLocation: sourceLocation)
        #expect(root.float64Field == -1.25e-47, sourceLocation: sourceLocation)
        #expect(try root.textField == "foo", sourceLocation: sourceLocation)
        #expect(try root.textFieldBytes.array == Array("foo".utf8), sourceLocation: sourceLocation)
        #expect(try root.dataField.array == [0x62, 0x61, 0x72], sourceLocation: sourceLocation)
        #expect(root.hasStructField, sourceLocation: sourceLocation)
        let sub = try root.structField
        #expect(sub.boolField == true, sourceLocation: sourceLocation)
        #expect(sub.int8Field == -12, sourceLocation: sourceLocation)
        #expect(sub.int16Field == 3456, sourceLocation: sourceLocation)
        #expect(sub.int32Field == -78901234, sourceLocation: sourceLocation)
        #expect(sub.int64Field == 56789012345678, sourceLocation: sourceLocation)
        #expect(sub.uint8Field == 90, sourceLocation: sourceLocation)
        #expect(sub.uint16Field == 1234, sourceLocation: sourceLocation)
        #expect(sub.uint32Field == 56789012, sourceLocation: sourceLocation)
        #expect(sub.uint64Field == 345678901234567890, sourceLocation: sourceLocation)
        #expect(sub.float32Field == Float(-1.25e-10 as Double), sourceLocation: sourceLocation)
        #expect(sub.float64Field == 345, sourceLocation: sourceLocation)
        #expect(try sub.textField == "baz", sourceLocation: sourceLocation)
        #expect(try sub.dataField.array == [0x71, 0x75, 0x78], sourceLocation: sourceLocation)
        #expect(try sub.structField.textField == "nested", sourceLocation: sourceLocation)
        #expect(try sub.structField.structField.textField == "really nested", sourceLocation: sourceLocation)
        #expect(try !sub.structField.structField.hasStructField, sourceLocation: sourceLocation)
        #expect(sub.enumField == .baz, sourceLocation: sourceLocation)
        #expect(try sub.voidList.count == 0 && !sub.hasVoidList, sourceLocation: sourceLocation)
        #expect(root.enumField == .qux, sourceLocation: sourceLocation)
        #expect(try root.voidList.count == 3, sourceLocation: sourceLocation)
        #expect(try Array(root.boolList) == [false, true, false, true, true], sourceLocation: sourceLocation)
        #expect(try Array(root.int8List) == [12, -34, -128, 127], sourceLocation: sourceLocation)
        #expect(try Array(root.int16List) == [1234, -5678, -32768, 32767], sourceLocation: sourceLocation)
        #expect(try Array(root.int32List) == [12345678, -90123456, -2147483648, 2147483647], sourceLocation: sourceLocation)
        #expect(try Array(root.int64List) == [123456789012345, -678901234567890, .min, .max], sourceLocation: sourceLocation)
        #expect(try Array(root.uint8List) == [12, 34, 0, 255], sourceLocation: sourceLocation)
        #expect(try Array(root.uint16List) == [1234, 5678, 0, 65535], sourceLocation: sourceLocation)
        #expect(try Array(root.uint32List) == [12345678, 90123456, 0, 4294967295], sourceLocation: sourceLocation)
        #expect(try Array(root.uint64List) == [123456789012345, 678901234567890, 0, .max], sourceLocation: sourceLocation)
        #expect(try root.float32List.map(\.bitPattern) == float32s.map(\.bitPattern), sourceLocation: sourceLocation)
        #expect(try root.float64List.map(\.bitPattern) == float64s.map(\.bitPattern), sourceLocation: sourceLocation)
        #expect(try root.textList.elements() == ["plugh", "xyzzy", "thud"], sourceLocation: sourceLocation)
        #expect(try root.dataList.elements().map(\.array) == [[0x6f, 0x6f, 0x70, 0x73], [], [0x00, 0xff]],
                sourceLocation: sourceLocation)
        let structs = try root.structList
        #expect(structs.count == 3, sourceLocation: sourceLocation)
        for (index, element) in structs.enumerated() {
            #expect(try element.textField == "structlist \(index + 1)", sourceLocation: sourceLocation)
            #expect(element.int32Field == 0 && !element.hasStructField, sourceLocation: sourceLocation)
        }
        #expect(try Array(root.enumList) == [.foo, .qux, .baz], sourceLocation: sourceLocation)
        #expect(try root.int32ListList.elements().map { Array($0) } == [[1, 2, 3], [], [4]], sourceLocation: sourceLocation)
        #expect(try root.textListList.elements().map { try $0.elements() } == [["a", "b"], ["c"]], sourceLocation: sourceLocation)
        let pointLists = try root.structListList.elements()
        #expect(pointLists.map(\.count) == [1, 1], sourceLocation: sourceLocation)
        #expect(pointLists[0][0].x == 1 && pointLists[0][0].y == 2, sourceLocation: sourceLocation)
        #expect(try pointLists[0][0].label == "p", sourceLocation: sourceLocation)
        #expect(pointLists[1][0].x == -1 && pointLists[1][0].y == -2 && !pointLists[1][0].hasLabel, sourceLocation: sourceLocation)
        let imported = try root.importedStruct
        #expect(imported.x == 10 && imported.y == -20, sourceLocation: sourceLocation)
        #expect(try imported.label == "imported", sourceLocation: sourceLocation)
        #expect(root.importedEnum == .green, sourceLocation: sourceLocation)
    }
}
