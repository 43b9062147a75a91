// Listening on a unix socket: several clients, disconnectIncoming, the connection limit, the
// peer-uid policy, and `auto` finding nothing.

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import TestSupport
import Testing

@Suite("Listen")
struct ListenTests {
    @Test("several clients connect to one listener, each gets its own Init; disconnectIncoming ends them")
    func severalClients() async throws {
        let directory = try TemporaryDirectory("mp-listen")  // removed when dropped
        let datadir = directory.path
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

    @Test("Ipc.disconnectIncoming ends what every listener of that Ipc accepted; the listeners go on accepting")
    func ipcDisconnectIncoming() async throws {
        let directory = try TemporaryDirectory("mp-listen")  // removed when dropped
        let datadir = directory.path
        let ipc = Ipc()
        let one = try ipc.listenAddress("unix:one.sock", dataDirectory: datadir, name: "x") { EchoInit() }
        let two = try ipc.listenAddress("unix:two.sock", dataDirectory: datadir, name: "x") { EchoInit() }
        defer { one.stop(); two.stop() }
        let other = try Ipc().listenAddress("unix:other.sock", dataDirectory: datadir, name: "x") { EchoInit() }
        defer { other.stop() }
        var clients: [Protocol.Connected<Init.Client>] = []
        for address in ["unix:one.sock", "unix:two.sock", "unix:other.sock"] {
            clients.append(try #require(try await Ipc().connectAddress(address, dataDirectory: datadir, name: "x", as: Init.Client.self)))
        }
        ipc.disconnectIncoming()
        #expect(await clients[0].connection.disconnected().cause == .peer)
        #expect(await clients[1].connection.disconnected().cause == .peer)
        #expect(try await clients[2].initClient.makeEcho().echo(echo: "another Ipc's") == "another Ipc's")
        let again = try #require(try await Ipc().connectAddress("unix:one.sock", dataDirectory: datadir, name: "x", as: Init.Client.self))
        #expect(try await again.initClient.makeEcho().echo(echo: "still accepting") == "still accepting")
    }

    @Test("the context is shared by copies of an Ipc and its Protocol, and keeps values by type")
    func context() {
        struct NodeName: Sendable, Equatable { let name: String }
        let ipc = Ipc()
        let copy = ipc
        #expect(ipc.context[NodeName.self] == nil)
        copy.context[NodeName.self] = NodeName(name: "noded")
        #expect(ipc.context[NodeName.self] == NodeName(name: "noded"))
        #expect(ipc.protocol.context[NodeName.self] == NodeName(name: "noded"))
        #expect(ipc.context[Int.self] == nil, "another type has no value")
        ipc.context[NodeName.self] = nil
        #expect(copy.context[NodeName.self] == nil)
        #expect(Ipc().context[NodeName.self] == nil, "a new Ipc has a context of its own")
    }

    @Test("auto returns nil when nothing listens; an explicit address throws")
    func nothingListening() async throws {
        let directory = try TemporaryDirectory("mp-listen")  // removed when dropped
        let datadir = directory.path
        #expect(try await Ipc().connectAddress("auto", dataDirectory: datadir, name: "node", as: Init.Client.self) == nil)
        let error = await #expect(throws: Ipc.IpcError.self) {
            _ = try await Ipc().connectAddress("unix", dataDirectory: datadir, name: "node", as: Init.Client.self)
        }
        guard case .unreachable(_, .nothingListening) = error else {
            Issue.record("expected .unreachable(nothingListening), got \(String(describing: error))")
            return
        }
    }

    @Test("connections beyond the limit, and peers whose uid is not allowed, are closed at once")
    func refusals() async throws {
        let directory = try TemporaryDirectory("mp-listen")  // removed when dropped
        let datadir = directory.path
        let limited = try Ipc().listenAddress("unix:limited.sock", dataDirectory: datadir, name: "x", maxConnections: 1) { EchoInit() }
        defer { limited.stop() }
        let first = try await Ipc().connectAddress("unix:limited.sock", dataDirectory: datadir, name: "x", as: Init.Client.self)
        #expect(first != nil)
        let limitedError = await #expect(throws: Ipc.IpcError.self) {
            _ = try await Ipc().connectAddress("unix:limited.sock", dataDirectory: datadir, name: "x", as: Init.Client.self)
        }
        if case .serverFailed = limitedError {} else { Issue.record("expected .serverFailed, got \(String(describing: limitedError))") }
        // A policy that allows only some other uid refuses us: the same check as otherUid()
        // below, without needing root.
        let strict = try Ipc().listenAddress("unix:strict.sock", dataDirectory: datadir, name: "x",
                                             policy: .uids([getuid() &+ 4242])) { EchoInit() }
        defer { strict.stop() }
        let strictError = await #expect(throws: Ipc.IpcError.self) {
            _ = try await Ipc().connectAddress("unix:strict.sock", dataDirectory: datadir, name: "x", as: Init.Client.self)
        }
        if case .serverFailed = strictError {} else { Issue.record("expected .serverFailed, got \(String(describing: strictError))") }
        #expect(strict.connectionCount == 0)
    }

    /// Runs a python client as uid/gid 65534 (nobody) that connects to `path`, says whether it
    /// could, then waits for the server to close the connection.
    private func clientAsNobody(_ path: String) throws -> (process: Foundation.Process, output: Pipe) {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print("connect failed: " + e.strerror, flush=True); sys.exit(0)
            print("connected", flush=True)
            print("closed by the server" if s.recv(1) == b"" else "got data", flush=True)
            """
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output)
    }

    @Test("a client running as another uid is refused by the default policy, and served when its uid is allowed",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
                   "needs root and setpriv to run a client as uid 65534"))
    func otherUid() async throws {
        let directory = try TemporaryDirectory("mp-listen")  // removed when dropped
        let datadir = directory.path
        // mkdtemp made it 0700; open it so that the sockets' own modes are what decides.
        try #require(chmod(datadir, 0o755) == 0)
        // The socket file's mode 0600 alone keeps uid 65534 out.
        let closed = try Ipc().listenAddress("unix:closed.sock", dataDirectory: datadir, name: "x") { EchoInit() }
        defer { closed.stop() }
        let denied = try clientAsNobody(datadir + "/closed.sock")
        denied.process.waitUntilExit()
        let deniedText = String(decoding: denied.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(deniedText == "connect failed: Permission denied\n")

        // With the file opened to everyone, SO_PEERCRED is what refuses it: closed at once.
        let sameUser = try Ipc().listenAddress("unix:same.sock", dataDirectory: datadir, name: "x") { EchoInit() }
        defer { sameUser.stop() }
        try #require(chmod(datadir + "/same.sock", 0o666) == 0)
        let refused = try clientAsNobody(datadir + "/same.sock")
        refused.process.waitUntilExit()
        let refusedText = String(decoding: refused.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(refusedText == "connected\nclosed by the server\n")
        #expect(sameUser.connectionCount == 0)

        // A policy naming uid 65534 serves it, until we close it.
        // The client sends nothing: no handshake deadline, or a busy machine may close it first.
        let patient = Ipc(protocol: Protocol(options: ConnectionOptions(handshakeTimeout: nil)))
        let allowing = try patient.listenAddress("unix:allow.sock", dataDirectory: datadir, name: "x", policy: .uids([65534])) { EchoInit() }
        defer { allowing.stop() }
        try #require(chmod(datadir + "/allow.sock", 0o666) == 0)
        let served = try clientAsNobody(datadir + "/allow.sock")
        defer { if served.process.isRunning { served.process.terminate() } }
        try await eventually("the listener to serve uid 65534") { allowing.connectionCount == 1 }
        allowing.disconnectIncoming()
        served.process.waitUntilExit()
        let servedText = String(decoding: served.output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(servedText == "connected\nclosed by the server\n")
    }
}
