// Builders of generic structs bound to concrete types: Text is settable, Data set from bytes, a
// struct or list parameter gets its init — without `throws` — and the bytes are capnp's.

import Capnp
import Testing
import TestSupport

@Suite struct GenericStructBuilderTests {
    @Test("Pair(Text, AllTypes), Generic(Text, Point) and Generic(Data, List(Int32)) build without throwing")
    func boundParameterForms() throws {
        let literal = #"(textToPoint = (single = (key = "s", value = (x = 1, y = 2)), key = "k"), "#
            + #"dataToList = (single = (value = [7, 8]), key = 0x"01 02"), pair = (first = "f", second = (int32Field = 3)))"#
        let message = MessageBuilder()
        let root = message.initRoot(UsesGenerics.self)
        let textToPoint = root.initTextToPoint()
        let single = textToPoint.initSingle()
        single.key = "s"                      // Key == Text: a plain settable String
        let point = single.initValue()        // Value: StructType: init, not a throwing set
        point.x = 1
        point.y = 2
        textToPoint.key = "k"
        let dataToList = root.initDataToList()
        let values = dataToList.initSingle().initValue(count: 2)  // Value == List(Int32)
        values[0] = 7
        values[1] = 8
        dataToList.setKey([1, 2])             // Key == Data: from bytes
        let pair = root.initPair()
        pair.first = "f"
        pair.initSecond().int32Field = 3
        #expect(message.serialize() == (try Oracle.encode(literal, as: "UsesGenerics")))
        #expect(try root.asReader.textToPoint.key == "k" && pair.first == "f")
    }
}
