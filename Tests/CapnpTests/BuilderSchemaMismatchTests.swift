// A builder holding what a peer sent (copied in) may disagree with the schema; getters must not trap.

import Testing
@_spi(Generated) @testable import Capnp

/// A root struct with one pointer slot holding `fill`'s object, copied from a reader into a builder.
private func builderHolding(_ fill: (PointerBuilder) -> Void) throws -> StructBuilder {
    let source = MessageBuilder()
    let root = source.root.initStruct(dataWords: 0, pointerCount: 1)
    fill(root._pointer(0))
    let reader = try MessageReader(bytes: source.serialize())
    let target = MessageBuilder()
    try target.setRoot(try reader.root().readStruct())
    return target.root.getStruct(dataWords: 0, pointerCount: 1)
}

@Test func structGetterReplacesAListOrCapabilityWithAFreshStruct() throws {
    let withList = try builderHolding { _ = $0.initList(.fourBytes, count: 3) }
    let fromList = withList._pointer(0).getStruct(dataWords: 1, pointerCount: 0)
    #expect(fromList._read(0) as UInt64 == 0)
    fromList._write(0, UInt64(7))
    #expect(try withList.asReader._pointer(0).readStruct()._read(0) as UInt64 == 7)

    let withCapability = try builderHolding { $0.setCapability(4) }
    let fromCapability = withCapability._pointer(0).getStruct(dataWords: 1, pointerCount: 0)
    #expect(fromCapability._read(0) as UInt64 == 0)
}

@Test func listAndBlobGettersOnOtherKindsReadEmptyAndLeaveTheSlot() throws {
    let withStruct = try builderHolding { $0.initStruct(dataWords: 1, pointerCount: 0)._write(0, UInt64(9)) }
    #expect(withStruct._pointer(0).getList(.fourBytes).count == 0)
    #expect(withStruct._pointer(0).getText() == "")
    #expect(withStruct._pointer(0).blobBytes().count == 0)
    #expect(try withStruct.asReader._pointer(0).readStruct()._read(0) as UInt64 == 9)

    let withStructList = try builderHolding { _ = $0.initStructList(count: 2, dataWords: 1, pointerCount: 0) }
    #expect(withStructList._pointer(0).getText() == "")

    let withCapability = try builderHolding { $0.setCapability(1) }
    #expect(withCapability._pointer(0).getList(.pointer).count == 0)
    #expect(withCapability._pointer(0).readCapabilityIndex() == 1)
}
