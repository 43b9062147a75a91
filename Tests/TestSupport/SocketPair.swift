// A connected pair of unix sockets (stream unless asked otherwise), CLOEXEC unless asked otherwise.

#if canImport(Glibc)
import Glibc
#endif

public struct SocketPairError: Error, CustomStringConvertible {
    public let description: String
}

/// A connected pair of unix sockets of `type` (SOCK_STREAM by default). `closeOnExec: false` is
/// for tests of code that must set CLOEXEC itself.
public func socketPair(type: Int32 = Int32(SOCK_STREAM.rawValue), closeOnExec: Bool = true) throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    let flags = closeOnExec ? Int32(SOCK_CLOEXEC.rawValue) : 0
    guard socketpair(AF_UNIX, type | flags, 0, &fds) == 0 else {
        throw SocketPairError(description: "socketpair failed: errno \(errno)")
    }
    return (fds[0], fds[1])
}
