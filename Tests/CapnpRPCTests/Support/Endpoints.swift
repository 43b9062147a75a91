// The two ends every RPC test runs between: a server on this process's loop over a socketpair,
// or the `rpc-test-peer` executable in a child process.

import CapnpRPC
import Multiprocess
import RPCTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

enum Setup: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inProcess, crossProcess
    var testDescription: String { rawValue }
}

/// A client connection to a `Tester`, and what serves it.
struct Endpoints: Sendable {
    let client: Connection
    let tester: Tester.Client
    /// The serving connection when in process.
    let server: Connection?
    /// The serving process when cross-process.
    let peer: PeerProcess?

    init(_ setup: Setup) throws {
        switch setup {
        case .inProcess:
            let (ours, theirs) = try socketPair()
            server = try Connection(fd: theirs, serving: TesterServer(), options: ConnectionOptions(isServer: true))
            client = try Connection(fd: ours)
            peer = nil
        case .crossProcess:
            let process = try PeerProcess.spawnTestPeer()
            peer = process
            client = try Connection(fd: process.fd)
            server = nil
        }
        tester = client.bootstrap(as: Tester.Client.self)
    }

    /// Ends the serving side as a crash would (cross-process: SIGKILL), or closes it.
    func killServer() {
        server?.close()
        peer?.kill()
    }

    /// Closes our side; a peer process must then exit 0 on its own.
    func finish() {
        client.close()
        if let peer {
            let status = try? peer.wait()
            #expect(status == .exited(0), "rpc-test-peer: \(String(describing: status))")
        }
        server?.close()
    }
}

struct SystemError: Error, CustomStringConvertible {
    let description: String
}

func socketPair() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        throw SystemError(description: "socketpair failed: errno \(errno)")
    }
    return (fds[0], fds[1])
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing with `TimedOut` if it has not finished after `seconds` (a hang guard,
/// not a speed check: the limits are far above any normal run).
func withHangGuard<T: Sendable>(_ what: String, seconds: Int = 30,
                                _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// Polls `condition` until it holds; throws `TimedOut` if it never does.
func eventually(_ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    for _ in 0..<3000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what: what)
}

/// The error a call threw, as an RPCError (nil when it did not throw).
func rpcError<T>(_ body: () async throws -> T) async -> RPCError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? RPCError ?? RPCError(.failed, "not an RPCError: \(error)")
    }
}
