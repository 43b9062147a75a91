// Data fields: Reader and Builder both give a `DataReader` view of the message's bytes (no copy).

import Capnp
import Testing
import TestSupport

@Suite struct DataFieldTests {
    @Test("a Builder's Data field is a view: bytes written in place after reading it show through")
    func builderDataIsAView() throws {
        let message = MessageBuilder()
        let root = message.initRoot(AllTypes.self)
        let bytes = root.initDataField(count: 3)
        let view: DataReader = root.dataField  // the same type as AllTypes.Reader.dataField
        bytes[0] = 7; bytes[1] = 8; bytes[2] = 9
        #expect(Array(view) == [7, 8, 9], "a copy would still read zeros")
        #expect(try Array(root.asReader.dataField) == [7, 8, 9])
    }

    @Test("a Data field set from another message's view, or from bytes, is a copy capnp reads")
    func setFromViewOrBytes() throws {
        let literal = #"(dataField = 0x"01 02 03")"#
        let source = try MessageReader(bytes: try Oracle.encode(literal, as: "AllTypes")).root(as: AllTypes.self)
        let message = MessageBuilder()
        let root = message.initRoot(AllTypes.self)
        root.dataField = try source.dataField
        #expect(message.serialize() == (try Oracle.encode(literal, as: "AllTypes")))
        root.setDataField([0xff])
        #expect(Array(root.dataField) == [0xff])
    }
}
