// A connected pair of unix stream sockets, both CLOEXEC.

#if canImport(Glibc)
import Glibc
#endif

public struct SocketPairError: Error, CustomStringConvertible {
    public let description: String
}

public func socketPair() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        throw SocketPairError(description: "socketpair failed: errno \(errno)")
    }
    return (fds[0], fds[1])
}
