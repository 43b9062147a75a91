// The RPC server's fuzz target: bytes written into a served connection (the node's EchoInit,
// over an in-process socketpair), then EOF. The connection must end, with its socket closed,
// within a bound; a crash, a hang or an assertion is a finding.

import CapnpRPC
import Dispatch
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

func fuzzServer(_ input: UnsafeRawBufferPointer) {
    var fds: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        fatalError("socketpair failed: errno \(errno)")
    }
    let peer = fds[1]
    defer { close(peer) }
    let server: Connection
    do {
        server = try Connection(fd: fds[0], serving: EchoInit(), options: ConnectionOptions(isServer: true))
    } catch {
        fatalError("could not serve: \(error)")
    }
    defer { server.close() }
    let ended = DispatchSemaphore(value: 0)
    server.onDisconnect { _ in ended.signal() }
    // Write everything while reading what comes back, so that neither side waits on a full
    // socket; then EOF, and read until the server closes.
    var written = 0
    var shut = false
    if input.isEmpty {
        shutdown(peer, Int32(SHUT_WR))
        shut = true
    }
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        var event = pollfd(fd: peer, events: Int16(POLLIN) | (shut ? 0 : Int16(POLLOUT)), revents: 0)
        guard poll(&event, 1, 10_000) > 0 else { fatalError("the server neither read nor answered for 10 s") }
        if !shut && event.revents & Int16(POLLOUT) != 0 {
            let n = send(peer, input.baseAddress! + written, input.count - written, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            if n > 0 { written += n } else if n < 0 && errno != EAGAIN { written = input.count }
            if written == input.count {
                shutdown(peer, Int32(SHUT_WR))
                shut = true
            }
        }
        if event.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
            let n = recv(peer, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN) { break }
        }
    }
    guard ended.wait(timeout: .now() + 10) == .success else { fatalError("the connection did not end within 10 s of EOF") }
}

/// libFuzzer's entry: one input.
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzServer(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

/// Built by scripts/fuzz (FUZZING): libFuzzer's driver. Built plainly: runs each file named
/// (or each file in each directory named) once, as the regression run of a corpus.
@main
struct Main {
    static func main() {
        #if FUZZING
        exit(runFuzzer(fuzzerTestOneInput))
        #else
        replayCorpus(CommandLine.arguments.dropFirst(), fuzzServer)
        #endif
    }
}
