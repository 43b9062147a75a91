// Bytes as the conformance tests compare and print them.

import Capnp

func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

extension Capnp.DataReader {
    var array: [UInt8] { Array(self) }
}
