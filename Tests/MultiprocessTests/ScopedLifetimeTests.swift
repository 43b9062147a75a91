// Scoped lifetimes: withSpawnedProcess, Ipc.withConnection and CapnpRPC's withConnection end
// what they started whether the body returns, throws or is cancelled.

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import Synchronization
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

private struct Planned: Error {}

/// What a body saw, for the test to check after the scope ended.
private final class Seen: Sendable {
    let pid = Atomic<Int32>(0)
    let connection = Mutex<Connection?>(nil)
}

/// Whether `pid` is no longer a child of ours: it was reaped (waitpid finds no such child).
/// A child still running, or exited but not reaped, is not.
private func isReaped(_ pid: pid_t) -> Bool {
    var status: Int32 = 0
    return waitpid(pid, &status, WNOHANG) == -1 && errno == ECHILD
}

private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mp-scoped-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Scoped lifetimes")
struct ScopedLifetimeTests {
    // Each test fails if the scope's close is removed from that exit path: the child stays
    // unreaped, or the connection stays open (the test still holds it).

    @Test("withSpawnedProcess returns the body's value and reaps the child")
    func spawnedReturns() async throws {
        let seen = Seen()
        let reply = try await Ipc().withSpawnedProcess("mp-demo-child", as: Init.Client.self) { child in
            seen.pid.store(child.pid, ordering: .relaxed)
            return try await child.initClient.makeEcho().echo(echo: "scoped")
        }
        #expect(reply == "scoped")
        #expect(isReaped(seen.pid.load(ordering: .relaxed)))
    }

    @Test("withSpawnedProcess reaps the child when the body throws, and rethrows")
    func spawnedThrows() async throws {
        let seen = Seen()
        await #expect(throws: Planned.self) {
            try await Ipc().withSpawnedProcess("mp-demo-child", as: Init.Client.self) { child in
                seen.pid.store(child.pid, ordering: .relaxed)
                #expect(try await child.initClient.makeEcho().echo(echo: "up") == "up")
                throw Planned()
            }
        }
        let pid = seen.pid.load(ordering: .relaxed)
        #expect(pid > 0)
        #expect(isReaped(pid))
    }

    @Test("withSpawnedProcess reaps the child when its task is cancelled")
    func spawnedCancelled() async throws {
        let seen = Seen()
        let task = Task {
            try await Ipc().withSpawnedProcess("mp-demo-child", as: Init.Client.self) { child in
                seen.pid.store(child.pid, ordering: .relaxed)
                try await Task.sleep(for: .seconds(3600))
            }
        }
        try await eventually("the body to start") { seen.pid.load(ordering: .relaxed) != 0 }
        task.cancel()
        let outcome = try await withHangGuard("the cancelled scope to end") { await task.result }
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(isReaped(seen.pid.load(ordering: .relaxed)))
    }

    @Test("withConnection closes the connection when the body throws, and when its task is cancelled")
    func connectionThrowsOrCancelled() async throws {
        for cancel in [false, true] {
            let (near, far) = try socketPair()
            let server = try Connection(fd: far, bootstrap: Capability(serving: EchoServer()))
            defer { server.close() }
            let seen = Seen()
            let task = Task {
                try await withConnection(fd: near) { connection in
                    #expect(try await connection.bootstrap(as: Echo.Client.self).echo(echo: "hi") == "hi")
                    seen.connection.withLock { $0 = connection }  // after the call: cancel lands in the sleep
                    if cancel { try await Task.sleep(for: .seconds(3600)) }
                    throw Planned()
                }
            }
            try await eventually("the body to start") { seen.connection.withLock { $0 != nil } }
            if cancel { task.cancel() }
            let outcome = try await withHangGuard("the scope to end") { await task.result }
            if cancel {
                #expect(throws: CancellationError.self) { try outcome.get() }
            } else {
                #expect(throws: Planned.self) { try outcome.get() }
            }
            let connection = try #require(seen.connection.withLock { $0 })
            let ended = try await withHangGuard("the scoped connection to close") { await connection.disconnected() }
            #expect(ended.cause == .local, "cancel: \(cancel)")
            #expect(await server.disconnected().cause == .peer)
        }
    }

    @Test("an absolute unix:/path is served and reached with no data directory or name")
    func absoluteUnixPath() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let address = "unix:\(directory)/node.sock"
        let listener = try Ipc().listenAddress(address) { EchoInit() }
        defer { listener.stop() }
        let seen = Seen()
        let reply = try await Ipc().withConnection(to: address, as: Init.Client.self) { node in
            seen.connection.withLock { $0 = node.connection }
            return try await node.initClient.makeEcho().echo(echo: "over \(address)")
        }
        #expect(reply == "over \(address)")
        let connection = try #require(seen.connection.withLock { $0 })
        let ended = try await withHangGuard("the scoped connection to close") { await connection.disconnected() }
        #expect(ended.cause == .local)
        try await eventually("the listener to see the client go") { listener.connectionCount == 0 }
    }

    @Test("without a data directory, `unix` and relative paths fail with errors that say what to give")
    func relativeNeedsDataDirectory() async throws {
        for address in ["unix:node.sock", "unix"] {
            #expect(throws: ProcessError.self) { try Ipc().listenAddress(address, name: "node") { EchoInit() } }
            let error = await #expect(throws: Ipc.IpcError.self) {
                _ = try await Ipc().connectAddress(address, name: "node", as: Init.Client.self)
            }
            guard case .unreachable(_, .invalidAddress(_, let reason)) = error else {
                Issue.record("\(address): expected .unreachable(.invalidAddress), got \(String(describing: error))")
                continue
            }
            #expect(reason.contains("data directory"), "\(reason)")
        }
    }
}
