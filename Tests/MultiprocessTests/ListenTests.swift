// Listening on a unix socket: several clients, disconnectIncoming, the connection limit, the
// peer-uid policy, and `auto` finding nothing.

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import Testing

private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mp-listen-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Listen")
struct ListenTests {
    @Test("several clients connect to one listener, each gets its own Init; disconnectIncoming ends them")
    func severalClients() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        let listener = try Ipc().listenAddress("unix", dataDirectory: datadir, name: "node") { EchoInit() }
        defer { listener.stop() }
        var clients: [Protocol.Connected<Init.Client>] = []
        for index in 0..<3 {
            let connected = try #require(try await Ipc().connectAddress("auto", dataDirectory: datadir, name: "node", as: Init.Client.self))
            #expect(try await connected.initClient.makeEcho().echo(echo: "client \(index)") == "client \(index)")
            clients.append(connected)
        }
        #expect(listener.connectionCount == 3)
        listener.disconnectIncoming()
        for client in clients {
            #expect(await client.connection.disconnected().cause == .peer)
        }
    }

    @Test("auto returns nil when nothing listens; an explicit address throws")
    func nothingListening() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        #expect(try await Ipc().connectAddress("auto", dataDirectory: datadir, name: "node", as: Init.Client.self) == nil)
        await #expect(throws: ProcessError.self) {
            _ = try await Ipc().connectAddress("unix", dataDirectory: datadir, name: "node", as: Init.Client.self)
        }
    }

    @Test("connections beyond the limit, and peers whose uid is not allowed, are closed at once")
    func refusals() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        let limited = try Ipc().listenAddress("unix:limited.sock", dataDirectory: datadir, name: "x", maxConnections: 1) { EchoInit() }
        defer { limited.stop() }
        let first = try await Ipc().connectAddress("unix:limited.sock", dataDirectory: datadir, name: "x", as: Init.Client.self)
        #expect(first != nil)
        await #expect(throws: RPCError.self) {
            _ = try await Ipc().connectAddress("unix:limited.sock", dataDirectory: datadir, name: "x", as: Init.Client.self)
        }
        // We cannot become another user here without privileges games; a policy that allows
        // only some other uid refuses us, which is the same check.
        let strict = try Ipc().listenAddress("unix:strict.sock", dataDirectory: datadir, name: "x",
                                             policy: .uids([getuid() &+ 4242])) { EchoInit() }
        defer { strict.stop() }
        await #expect(throws: RPCError.self) {
            _ = try await Ipc().connectAddress("unix:strict.sock", dataDirectory: datadir, name: "x", as: Init.Client.self)
        }
        #expect(strict.connectionCount == 0)
    }
}
