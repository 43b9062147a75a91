import Testing
@testable import Capnp

@Test func smokeBuildMatchesCapnpTool() throws {
    let message = MessageBuilder()
    let root = message.root.initStruct(dataWords: 1, pointerCount: 4)
    root.write(0, UInt32(7))
    root.pointer(0).setText("hi")
    let list = root.pointer(1).initList(.twoBytes, count: 3)
    for i in 0..<3 { list.write(i, Int16(i + 1)) }
    let d = root.pointer(2).initStruct(dataWords: 1, pointerCount: 4)
    d.write(0, UInt32(9))
    let e = root.pointer(3).initStructList(count: 2, dataWords: 1, pointerCount: 4)
    e.structElement(0).write(0, UInt32(1))
    e.structElement(1).pointer(0).setText("x")
    root.writeBool(32, false, default: true)
    let bytes = message.serialize()
    print(bytes.map { String($0, radix: 16) }.joined(separator: " "))
    let reader = try MessageReader(bytes: bytes)
    let r = try reader.root().readStruct()
    #expect(r.read(0) as UInt32 == 7)
    #expect(try r.pointer(0).readText() == "hi")
    #expect(r.readBool(32, default: true) == false)
    let l = try r.pointer(3).readList(expected: .composite)
    #expect(try l.structElement(1).pointer(0).readText() == "x")
    #expect(try reader.totalSize().words > 0)
}
