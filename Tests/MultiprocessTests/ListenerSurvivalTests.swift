// A listener that keeps serving (issue 13): through running out of fds, when its caller drops
// it, and when sockets that say nothing hold every slot.

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

private func temporaryDirectory() throws -> String {
    let path = "/tmp/mp-ls-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func echoes(_ connected: Protocol.Connected<Init.Client>, _ text: String) async throws -> Bool {
    try await connected.initClient.makeEcho().echo(echo: text) == text
}

@Suite("Listener survival", .serialized)
struct ListenerSurvivalTests {
    // Mutation: the accept loop before this fix left on EMFILE and closed the listening socket;
    // the last connect then fails with ECONNREFUSED (ProcessError.nothingListening).
    @Test("a server with 48 fds takes 60 connections, runs out of fds, and serves again once they close")
    func survivesRunningOutOfFds() async throws {
        let child = try await ListeningChild.start(["MP_TEST_CHILD_NOFILE": "48"])
        defer { child.stop() }
        var sockets: [Int32] = []
        for _ in 0..<60 { sockets.append(try child.connectRaw()) }
        // Some were accepted, the rest wait in the backlog while accept fails with EMFILE.
        try await eventually("the server to reach its fd limit") { try child.openFds() >= 46 }
        for fd in sockets { close(fd) }
        let client = try await withHangGuard("a client served after the fds came back", seconds: 60) {
            try child.connect()
        }
        defer { client.connection.close() }
        #expect(try await client.tester.add(a: 40, b: 2) == 42)
    }

    // Mutation: with the accepted connections kept by the Listener object alone (the code
    // before), dropping it after stop() closed them, and the last call fails with .disconnected.
    @Test("a stopped listener that its caller drops leaves the connections it accepted open")
    func droppedListenerKeepsConnections() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        var listener: IpcListener? = try Ipc().listenAddress("unix", dataDirectory: datadir, name: "n") { EchoInit() }
        let connected = try #require(try await Ipc().connectAddress("unix", dataDirectory: datadir, name: "n", as: Init.Client.self))
        #expect(try await echoes(connected, "before"))
        weak let gone = listener
        listener?.stop()
        listener = nil
        try await eventually("the accept thread to end and the listener to go") { gone == nil }
        #expect(try await echoes(connected, "after the listener went"))
        #expect(connected.connection.disconnect == nil)
    }

    @Test("a listener that its caller drops without stop() goes on accepting")
    func droppedListenerAccepts() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        var listener: IpcListener? = try Ipc().listenAddress("unix", dataDirectory: datadir, name: "n") { EchoInit() }
        let fd = listener!.fd
        listener = nil
        let connected = try #require(try await Ipc().connectAddress("unix", dataDirectory: datadir, name: "n", as: Init.Client.self))
        #expect(try await echoes(connected, "still accepting"))
        shutdown(fd, Int32(SHUT_RDWR))  // what stop() does: the accept thread ends
    }

    // Mutation: without eviction (makeRoom only counting, the code before) the client is
    // refused while the 500 sockets hold the 64 slots, and connectAddress throws.
    @Test("500 sockets that connect and say nothing do not keep a real client out")
    func idleSocketsDoNotTakeEverySlot() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        let listener = try Ipc().listenAddress("unix", dataDirectory: datadir, name: "n") { EchoInit() }
        defer { listener.stop(); listener.disconnectIncoming() }
        var idle: [Int32] = []
        defer { for fd in idle { close(fd) } }
        for _ in 0..<500 { idle.append(try Process.connect(address: "unix", dataDirectory: datadir, name: "n")) }
        let connected = try await withHangGuard("a real client served", seconds: 60) {
            try #require(try await Ipc().connectAddress("unix", dataDirectory: datadir, name: "n", as: Init.Client.self))
        }
        #expect(try await echoes(connected, "served"))
        #expect(listener.connectionCount <= 64)
    }

    // Mutation: with no handshake deadline the silent socket is never closed (the hang guard fires).
    @Test("a socket that connects and sends nothing is closed at the handshake deadline")
    func handshakeDeadline() async throws {
        let datadir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: datadir) }
        let ipc = Ipc(protocol: Protocol(options: ConnectionOptions(handshakeTimeout: .milliseconds(300))))
        let listener = try ipc.listenAddress("unix", dataDirectory: datadir, name: "n") { EchoInit() }
        defer { listener.stop() }
        let silent = try Process.connect(address: "unix", dataDirectory: datadir, name: "n")
        defer { close(silent) }
        // The server says why (an Abort) and closes: read to EOF.
        let said = try SocketIO.readToEnd(silent, seconds: 60)
        #expect(!said.isEmpty)
        #expect(String(decoding: said, as: UTF8.self).contains("handshake deadline"))
        // A client that makes a call within the deadline stays.
        let connected = try #require(try await ipc.connectAddress("unix", dataDirectory: datadir, name: "n", as: Init.Client.self))
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await echoes(connected, "past the deadline"))
    }
}
