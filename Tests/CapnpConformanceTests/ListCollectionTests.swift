// Lists of pointers read as collections of Results, and the setters building lists needs:
// subscripts on Text and Data lists, lists of lists, and copying a Reader into a struct list.

import Capnp
import Testing
import TestSupport

@Suite struct ListCollectionTests {
    @Test("a Text list is a collection of Results: a malformed element is a failure, the others read")
    func pointerListAsCollection() throws {
        var bytes = try Oracle.encode(#"(names = ["a", "b"])"#, as: "ListsV1")
        // Word 4 (after the segment table) is element 1's pointer: make it point far outside the segment.
        let far = UInt64(1000) << 2 | 1 | UInt64(2) << 32 | UInt64(2) << 35
        for byte in 0..<8 { bytes[8 + 4 * 8 + byte] = UInt8(truncatingIfNeeded: far >> (8 * UInt64(byte))) }
        let names = try MessageReader(bytes: bytes).root(as: ListsV1.self).names
        #expect(names.count == 2)
        #expect(try names[0].get() == "a")
        guard case .failure(let error) = names[1] else { Issue.record("a pointer out of the segment read as a value"); return }
        #expect(error.kind == .outOfBounds)
        #expect(names.compactMap { try? $0.get() } == ["a"])
        #expect(throws: CapnpError.self) { try names.elements() }
    }

    @Test("Text, Data and list-of-list elements are set by subscript; a struct list copies a Reader in")
    func buildingByElement() throws {
        let literal = #"(textList = ["x", "yz"], dataList = [0x"01 02"], int32ListList = [[5, 6]], "#
            + #"structList = [(int8Field = 1, textField = "one"), (int16Field = 2)])"#
        let source = try MessageReader(bytes: try Oracle.encode(#"(int8Field = 1, textField = "one")"#, as: "AllTypes"))
            .root(as: AllTypes.self)
        let other = MessageBuilder()
        let data = other.initRoot(AllTypes.self)
        data.setDataField([1, 2])

        let message = MessageBuilder()
        let root = message.initRoot(AllTypes.self)
        let texts = root.initTextList(count: 2)
        texts[0] = "x"
        texts[1] = "yz"
        #expect(texts[1] == "yz")
        let datas = root.initDataList(count: 1)
        datas[0] = data.dataField
        #expect(Array(datas[0]) == [1, 2])
        let lists = root.initInt32ListList(count: 1)
        _ = lists.initList(0, count: 2)
        lists[0][0] = 5
        lists[0][1] = 6
        let second = try MessageReader(bytes: try Oracle.encode("(int16Field = 2)", as: "AllTypes")).root(as: AllTypes.self)
        let structs = root.initStructList(count: 2)
        structs[1].textField = "stale"  // the copy clears what `second` lacks, as capnp's set does
        structs[1].int8Field = 9
        try structs.set(1, second)
        try structs.set(0, source)
        // Compared as capnp reads it: the cleared "stale" text still takes room in the message.
        #expect(try Oracle.decode(message.serialize(), as: "AllTypes") == Oracle.normalized(literal, as: "AllTypes"))
    }
}
