// The two ends every RPC test runs between: a server on this process's loop over a socketpair,
// or the `rpc-test-peer` executable in a child process.

import CapnpRPC
import Multiprocess
import RPCTestKit
import TestSupport
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

/// The error a call threw, as an RPCError (nil when it did not throw).
func rpcError<T>(_ body: () async throws -> T) async -> RPCError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? RPCError ?? RPCError(.failed, "not an RPCError: \(error)")
    }
}
