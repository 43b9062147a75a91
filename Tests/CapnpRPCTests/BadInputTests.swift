// Hostile peers: bytes that are not RPC, RPC that breaks the protocol, params that lie.
// Each fails only what it touches, with a typed error; nothing crashes or hangs.

import Capnp
import CapnpRPC
import Multiprocess
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("RPC bad input")
struct BadInputTests {
    /// A server connection on one end of a socketpair; the test writes raw bytes to the other.
    private func rawPeer() throws -> (server: Connection, raw: Int32) {
        let (ours, theirs) = try socketPair()
        return (try Connection(fd: ours, serving: TesterServer(), options: ConnectionOptions(isServer: true)), theirs)
    }

    private func send(_ bytes: [UInt8], to fd: Int32) {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #expect(written == bytes.count)
    }

    /// A fresh connection still works: the loop and the process survived.
    private func stillServing() async throws {
        let ends = try Endpoints(.inProcess)
        defer { ends.finish() }
        #expect(try await ends.tester.add(a: 20, b: 22) == 42)
    }

    @Test("a frame claiming 2^32 segments ends that connection only")
    func hugeSegmentTable() async throws {
        let (server, raw) = try rawPeer()
        defer { close(raw); server.close() }
        send([0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 60), to: raw)
        let ended = try await withHangGuard("the connection to fail") { await server.disconnected() }
        #expect(ended.cause == .failed && !ended.reason.isEmpty, "\(ended)")
        try await stillServing()
    }

    @Test("a frame whose segment table exceeds the size limit ends the connection before its body arrives")
    func messageAboveTheSizeLimit() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        // 1 Mi words (8 MiB) allowed; the frame claims one segment of 16 Mi words (128 MiB) and
        // sends none of it: only a check of the segment table can end the connection now.
        let server = try Connection(fd: ours, serving: TesterServer(),
                                    options: ConnectionOptions(traversalLimitInWords: 1 << 20, isServer: true))
        defer { server.close() }
        send([0, 0, 0, 0] + withUnsafeBytes(of: UInt32(16 << 20).littleEndian, Array.init), to: raw)
        let ended = try await withHangGuard("the connection to fail") { await server.disconnected() }
        #expect(ended.cause == .failed)
        #expect(ended.reason.contains("Message is too large"), "\(ended)")
        // The peer was told why: an Abort, encoded as the capnp tool decodes it.
        var reply = [UInt8](repeating: 0, count: 4096)
        let count = read(raw, &reply, reply.count)
        let text = try CapnpTool.run(["decode", "--short", "/usr/include/capnp/rpc.capnp", "Message"],
                                        input: Array(reply.prefix(max(count, 0))))
        let abort = String(decoding: text, as: UTF8.self)
        #expect(abort.hasPrefix("(abort = (reason = ") && abort.contains("[16777216 <= 1048576]; Message is too large"), "\(abort)")
        try await stillServing()
    }

    @Test("a message just under the size limit is served")
    func messageUnderTheSizeLimit() async throws {
        let (ours, theirs) = try socketPair()
        let server = try Connection(fd: theirs, serving: TesterServer(),
                                    options: ConnectionOptions(traversalLimitInWords: 1 << 14, isServer: true))
        let client = try Connection(fd: ours)
        defer { client.close(); server.close() }
        let tester = client.bootstrap(as: Tester.Client.self)
        // Text in a Box(Text): the message is the text plus a few dozen words of RPC framing.
        func measure(_ bytes: Int) async throws -> Int {
            try await tester.measure { params in
                let box = params.initBox()
                try box.setValue(Capnp.Text.Reader(String(repeating: "x", count: bytes)))
            }.value.count
        }
        #expect(try await measure((1 << 14) * 8 - 1024) == (1 << 14) * 8 - 1024)
        let error = await rpcError { try await measure((1 << 14) * 8 + 1024) }
        #expect(error?.kind == .disconnected)
        #expect(error?.reason.contains("Message is too large") == true, "\(String(describing: error))")
        let ended = try await withHangGuard("the connection to fail") { await server.disconnected() }
        #expect(ended.cause == .failed && ended.reason.contains("Message is too large"), "\(ended)")
    }

    @Test("random bytes end that connection only")
    func randomBytes() async throws {
        let (server, raw) = try rawPeer()
        defer { close(raw); server.close() }
        var generator = SeededRandom.forTest()
        // One segment of 4 words whose root pointer points far outside it.
        var bytes: [UInt8] = [0, 0, 0, 0, 4, 0, 0, 0]
        bytes += [0xF0, 0xFF, 0xFF, 0x7F, 0x01, 0x00, 0x01, 0x00]
        bytes += (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        send(bytes, to: raw)
        let ended = try await withHangGuard("the connection to fail, \(generator)") { await server.disconnected() }
        #expect(ended.cause == .failed && !ended.reason.isEmpty, "\(ended), \(generator)")
        try await stillServing()
    }

    @Test("a call to a capability the peer never exported ends that connection only")
    func callToUnknownImport() async throws {
        let (server, raw) = try rawPeer()
        defer { close(raw); server.close() }
        // Encoded by the capnp tool from rpc.capnp: the oracle, not our own encoder.
        let message = try CapnpTool.run(
            ["encode", "/usr/include/capnp/rpc.capnp", "Message"],
            input: Array("(call = (questionId = 5, target = (importedCap = 99), interfaceId = 1, methodId = 0))".utf8))
        send(message, to: raw)
        let ended = try await withHangGuard("the connection to fail") { await server.disconnected() }
        #expect(ended.cause == .failed && !ended.reason.isEmpty, "\(ended)")
        // The server said why before it hung up: an Abort message (rpc.capnp union member 1).
        var reply = [UInt8](repeating: 0, count: 4096)
        let count = read(raw, &reply, reply.count)
        #expect(count > 16, "expected an Abort message before the close")
        try await stillServing()
    }

    @Test("a peer's Abort ends the connection; its reason is kept to one line of 1 KiB")
    func peerAborts() async throws {
        let (server, raw) = try rawPeer()
        defer { close(raw); server.close() }
        let reason = "first line\\nsecond line " + String(repeating: "x", count: 100_000)
        let message = try CapnpTool.run(
            ["encode", "/usr/include/capnp/rpc.capnp", "Message"],
            input: Array("(abort = (reason = \"\(reason)\", type = failed))".utf8))
        send(message, to: raw)
        let ended = try await withHangGuard("the connection to end") { await server.disconnected() }
        #expect(ended.cause == .failed)
        #expect(ended.reason.hasPrefix("the peer aborted: first line second line xxx"), "\(ended.reason.prefix(80))")
        #expect(ended.reason.hasSuffix("x...") && ended.reason.utf8.count == 1024 + 3)
        try await stillServing()
    }

    @Test("a peer that closes with our messages unread (a reset, not an EOF) ended as .peer")
    func peerResets() async throws {
        let (ours, raw) = try socketPair()
        let client = try Connection(fd: ours)
        defer { client.close() }
        let tester = client.bootstrap(as: Tester.Client.self)
        let call = Task { await rpcError { try await tester.add(a: 1, b: 2) } }
        // The bootstrap and the call reach the raw end; closing it unread resets the socket.
        var waiting = pollfd(fd: raw, events: Int16(POLLIN), revents: 0)
        #expect(poll(&waiting, 1, 10_000) == 1)
        close(raw)
        let error = try await withHangGuard("the pending call to fail") { await call.value }
        #expect(error?.kind == .disconnected, "\(String(describing: error))")
        let ended = try await withHangGuard("the disconnect signal") { await client.disconnected() }
        #expect(ended.cause == .peer, "\(ended)")
    }

    @Test("a pending call fails promptly when the peer sends garbage")
    func pendingCallWhenPeerSendsGarbage() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        let client = try Connection(fd: ours)
        defer { client.close() }
        let tester = client.bootstrap(as: Tester.Client.self)
        let call = Task { await rpcError { try await tester.add(a: 1, b: 2) } }
        send([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], to: raw)
        let error = try await withHangGuard("the pending call to fail") { await call.value }
        #expect(error?.kind == .disconnected || error?.kind == .failed, "got \(String(describing: error))")
        let ended = try await withHangGuard("the disconnect signal") { await client.disconnected() }
        #expect(ended.cause == .failed, "\(ended)")
    }

    @Test("params that are not the method's struct fail the call as .failed")
    func malformedParams() async throws {
        let ends = try Endpoints(.inProcess)
        defer { ends.finish() }
        let error = await rpcError {
            let message = MessageBuilder()  // built here: `call` takes it as `sending`
            message.root.setText("not a struct")
            return try await ends.tester.capability.call(interfaceId: Calculator.typeId, methodId: Calculator.Method.add.rawValue, params: message)
        }
        #expect(error?.kind == .failed)
        #expect(error?.reason.contains("malformed") == true, "reason: \(error?.reason ?? "none")")
        #expect(try await ends.tester.add(a: 1, b: 1) == 2)
    }

    @Test("a capability index outside the message's table fails the call as .failed, not a crash", arguments: Setup.allCases)
    func capabilityIndexOutOfRange(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let error = await rpcError {
            let message = MessageBuilder()  // built here: `call` takes it as `sending`
            let params = message.initRoot(Tester.CallBackParams.self)
            params.callback.setCapability(7)  // the table is empty
            params.depth = 1
            return try await ends.tester.capability.call(interfaceId: Tester.typeId, methodId: Tester.Method.callBack.rawValue, params: message)
        }
        #expect(error?.kind == .failed)
        // capnp checks the index when it copies the params into the request, on our side.
        #expect(error?.reason.contains("invalid capability pointer") == true, "reason: \(String(describing: error))")
        #expect(try await ends.tester.add(a: 1, b: 1) == 2)
    }

    @Test("the peer executable rejects a bad -ipcfd with status 2")
    func peerRejectsBadFlags() throws {
        for arguments in [["-ipcfd", "x"], ["-ipcfd"], ["-ipcfd", "-3"], []] {
            let result = try ToolRunner.run(try Process.executableDirectory() + "/rpc-test-peer", arguments)
            #expect(result.status == 2, "\(arguments): status \(result.status)")
            #expect(result.stderr.contains("usage") || result.stderr.contains("-ipcfd value"), "\(result.stderr)")
        }
    }
}
