// mp-test-child's `listen` mode: serves a Tester to every connection on a unix socket, under
// the fd limit and connection limit the test asks for, until the parent closes its socket.
//
//   MP_TEST_CHILD_LISTEN=<socket path>  MP_TEST_CHILD_NOFILE=<fd limit>  MP_TEST_CHILD_MAX_CONNECTIONS=<n>

import Multiprocess
import RPCTestKit
#if canImport(Glibc)
import Glibc
#endif

func runListen(_ ipcFd: Int32) -> Int32 {
    let environment = { (name: String) in getenv(name).map { String(cString: $0) } }
    guard let path = environment("MP_TEST_CHILD_LISTEN") else {
        printError("listen mode needs MP_TEST_CHILD_LISTEN=<socket path>")
        return 2
    }
    if let text = environment("MP_TEST_CHILD_NOFILE"), let limit = UInt(text) {
        // What `prlimit --nofile=N:N` does, for this process alone.
        var bound = rlimit(rlim_cur: rlim_t(limit), rlim_max: rlim_t(limit))
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &bound) == 0 else {
            printError("setrlimit(RLIMIT_NOFILE, \(limit)) failed: errno \(errno)")
            return 1
        }
    }
    let maxConnections = environment("MP_TEST_CHILD_MAX_CONNECTIONS").flatMap { Int($0) } ?? 64
    let fd: Int32
    do {
        fd = try Process.bind(address: "unix:" + path, dataDirectory: "/", name: "unused").fd
    } catch {
        printError("\(error)")
        return 1
    }
    let listener = Protocol().listen(fd: fd, maxConnections: maxConnections, policy: .sameUser) { TesterServer() }
    guard writeAll(ipcFd, Array("listening\n".utf8)) else { return 1 }
    var buffer = [UInt8](repeating: 0, count: 64)
    while true {
        let count = read(ipcFd, &buffer, buffer.count)
        if count == 0 { break }
        if count < 0 && errno != EINTR { break }
    }
    listener.stop()
    return 0
}
