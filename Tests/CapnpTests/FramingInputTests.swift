// Framed input from the byte containers callers actually hold: Foundation Data, slices.

import Foundation
import Testing
@_spi(Generated) @testable import Capnp

@Test func framedMessageDecodesFromFoundationDataAndSlices() throws {
    let message = MessageBuilder()
    let root = message.root.initStruct(dataWords: 1, pointerCount: 1)
    root._write(0, UInt64(0xFEED_F00D))
    root._pointer(0).setText("from Data")
    let bytes = message.serialize()

    let fromData = try MessageReader(contiguousBytes: Foundation.Data(bytes))
    let viaData = try fromData.root().readStruct()
    #expect(viaData._read(0) as UInt64 == 0xFEED_F00D)
    #expect(try viaData._pointer(0).readText() == "from Data")

    let padded = [0xAA] + bytes + [0xBB]
    let fromSlice = try MessageReader(contiguousBytes: padded[1..<(padded.count - 1)])
    #expect(try fromSlice.root().readStruct()._pointer(0).readText() == "from Data")

    // A lazily mapped collection has no contiguous storage; it is gathered first.
    let fromLazy = try MessageReader(contiguousBytes: bytes.lazy.map { $0 })
    #expect(fromLazy.segmentCount == 1)
}

@Test func trailingBytesAfterAFramedMessageAreRejected() throws {
    let bytes = MessageBuilder().serialize() + [0, 0, 0, 0, 0, 0, 0, 0]
    #expect(throws: CapnpError.self) { try MessageReader(contiguousBytes: Foundation.Data(bytes)) }
}
