// Constants (file-level and nested; primitive, text, data, struct, list) equal what `capnp eval` gives.

import Capnp
import TestSupport
import Testing

@Suite struct ConstantsTests {
    @Test("struct constants are the messages capnp eval -obinary writes",
          arguments: ["constStruct", "Outer.innerConst", "constPoint"])
    func structConstantBytes(_ name: String) throws {
        let reader: StructReader = switch name {
        case "constStruct": constStruct.structReader
        case "Outer.innerConst": Outer.innerConst.structReader
        default: constPoint.structReader
        }
        let message = MessageBuilder()
        try message.setRoot(reader)
        #expect(message.serialize() == (try Oracle.evalBinary(name)))
    }

    @Test("struct constants read field by field")
    func structConstantFields() throws {
        #expect(constStruct.int16Field == -2)
        #expect(try constStruct.textField == "const")
        #expect(try constStruct.structList.map(\.uint8Field) == [1, 2])
        #expect(Outer.innerConst.value == 5 && Outer.innerConst.mode == .off)
        #expect(try Outer.innerConst.deeper.text == "deep")
        #expect(constPoint.x == 0 && constPoint.y == 0)
        #expect(try constPoint.label == "origin" && origin.label == "origin")
    }

    @Test("primitive, text, data and list constants equal capnp's values for them")
    func valueConstants() throws {
        // capnp prints non-struct constants only as text; written into a struct, capnp encodes them for us to read.
        let names = [("boolField", "constBool"), ("int8Field", "constInt8"), ("uint64Field", "constUInt64"),
                     ("float32Field", "constFloat32"), ("float64Field", "constFloat64"), ("enumField", "constEnum"),
                     ("textField", "constText"), ("dataField", "constData"), ("int16List", "constList"),
                     ("textList", "constTextList"), ("int32Field", "Outer.answer")]
        let literal = "(" + (try names.map { "\($0.0) = \(try Oracle.eval($0.1))" }).joined(separator: ", ") + ")"
        let tool = try MessageReader(bytes: try Oracle.encode(literal, as: "AllTypes")).root(as: AllTypes.self)
        #expect(tool.boolField == constBool)
        #expect(tool.int8Field == constInt8)
        #expect(tool.uint64Field == constUInt64)
        #expect(tool.float32Field.bitPattern == constFloat32.bitPattern)
        #expect(tool.float64Field.bitPattern == constFloat64.bitPattern)
        #expect(tool.enumField == constEnum)
        #expect(try tool.textField == constText)
        #expect(try tool.dataField.array == constData)
        #expect(try Array(tool.int16List) == Array(constList))
        #expect(try tool.textList.elements() == constTextList.elements())
        #expect(tool.int32Field == Outer.answer)
        // And the values are the schema's, not merely consistent.
        #expect(constBool && constInt8 == -8 && constUInt64 == .max && constFloat32 == -0.5 && constEnum == .bar)
        #expect(constFloat64 == 6.02214076e23 && constText == "hello \"world\"\n\ttab" && constData == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Array(constList) == [1, -1, 32767] && constTextList.elements() == ["a", "bc"])
    }
}
