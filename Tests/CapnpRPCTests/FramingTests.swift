// The framing under every connection (the shim's BufferedStream): many messages per read and
// per write, fds riding with their own message, frames split anywhere, and peers that stop
// halfway.

import Capnp
import CapnpRPC
import Dispatch
import RPCTestKit
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Serialized: several of these load the loop and the machine, and together they would stall
/// the timing-sensitive suites that run beside them.
@Suite("RPC framing", .serialized)
struct FramingTests {
    @Test("many calls in flight with fds among them: every fd reaches its own call", arguments: Setup.allCases)
    func fdsAmongManyCalls(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        let count = 60
        var readEnds: [Int: Int32] = [:]
        var writeEnds: [Int: Int32] = [:]
        for call in stride(from: 0, to: count, by: 3) {
            var fds: [Int32] = [-1, -1]
            try #require(pipe(&fds) == 0)
            (readEnds[call], writeEnds[call]) = (fds[0], fds[1])
        }
        defer { readEnds.values.forEach { close($0) } }
        // Every sixth text is large enough (40 kB) to be written and read on the large path.
        @Sendable func text(_ call: Int) -> String { "call \(call);" + (call % 6 == 0 ? String(repeating: ".", count: 40_000) : "") }
        let sinks = writeEnds
        try await withHangGuard("the calls") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for call in 0..<count {
                    group.addTask {
                        if let fd = sinks[call] {
                            try await tester.writeTo(sink: Callback.Client(Capability(fileDescriptor: fd)), text: text(call))
                        } else {
                            let sum = try await tester.add(a: Int32(call), b: 1)
                            #expect(sum == Int32(call) + 1)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        for (call, fd) in readEnds.sorted(by: { $0.key < $1.key }) {
            let expected = Array(text(call).utf8)
            let got = try SocketIO.readExactly(fd, expected.count)
            #expect(got == expected, "call \(call)'s pipe got \(String(decoding: got.prefix(20), as: UTF8.self))…")
        }
    }

    @Test("messages of every size class are answered while in flight together", arguments: Setup.allCases)
    func sizeClasses(setup: Setup) async throws {
        let ends = try Endpoints(setup)
        defer { ends.finish() }
        let tester = ends.tester
        // Copied into one write with others (small), written alone (over 16 kB), read into an
        // array of its own (over 32 kB), and far past the 64 kB read buffer.
        let sizes = [0, 100, 10_000, 20_000, 40_000, 300_000]
        let measured = try await withHangGuard("the calls") {
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for size in sizes + sizes {
                    group.addTask {
                        let got = try await tester.measure { params in
                            try params.initBox().setValue(Capnp.Text.Reader(String(repeating: "x", count: size)))
                        }.value.count
                        return (size, got)
                    }
                }
                return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
            }
        }
        #expect(measured.count == 2 * sizes.count)
        for (size, got) in measured { #expect(got == size) }
    }

    @Test("frames split into single bytes, and many frames in one piece, are read")
    func splitAndJoinedFrames() async throws {
        let (clientFd, relayA) = try socketPair()
        let (relayB, serverFd) = try socketPair()
        let relay = Relay(byteByByte: relayA, wholeReads: relayB)
        let server = try Connection(fd: serverFd, serving: TesterServer(), options: ConnectionOptions(isServer: true))
        let client = try Connection(fd: clientFd)
        defer {
            client.close()
            server.close()
            relay.stop()
        }
        let tester = client.bootstrap(as: Tester.Client.self)
        let sums = try await withHangGuard("the calls") {
            try await withThrowingTaskGroup(of: Int32.self) { group in
                for call in 0..<20 { group.addTask { try await tester.add(a: Int32(call), b: 100) } }
                return try await group.reduce(into: [Int32]()) { $0.append($1) }
            }
        }
        #expect(sums.sorted() == (100..<120).map { Int32($0) })
        #expect(relay.forwardedBytes > 20 * 64, "the calls went through the relay")
    }

    @Test("what a connection writes is standard framing: calls sent together decode with the capnp tool")
    func outputDecodesWithTheCapnpTool() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        let client = try Connection(fd: ours)
        let tester = client.bootstrap(as: Tester.Client.self)
        // Never answered: they fail when the connection closes.
        let calls = Task {
            await withTaskGroup(of: Void.self) { group in
                for call in 0..<20 { group.addTask { _ = await rpcError { try await tester.add(a: Int32(call), b: 7) } } }
            }
        }
        let bytes = try await readFrames(raw, until: 21, "a bootstrap and 20 calls")
        let framed = completeFrames(bytes)
        client.close()
        await calls.value
        let text = try CapnpTool.run(["decode", "--short", "/usr/include/capnp/rpc.capnp", "Message"],
                                        input: Array(bytes.prefix(framed.bytes)))
        let messages = String(decoding: text, as: UTF8.self).split(separator: "\n")
        #expect(messages.count == framed.frames)
        #expect(messages.first?.hasPrefix("(bootstrap = (questionId = 0") == true, "\(messages.first ?? "")")
        let calling = messages.filter { $0.hasPrefix("(call = (questionId = ") }
        #expect(calling.count == 20, "\(messages)")
        let questionIds = Set(calling.map { $0.dropFirst("(call = (questionId = ".count).prefix { $0.isNumber } })
        #expect(questionIds.count == 20, "each call has its own question: \(calling)")
    }

    @Test("random frames and bytes in random pieces: every connection ends, none crashes or hangs")
    func randomFramesInRandomPieces() async throws {
        var generator = SeededRandom.forTest()
        func random(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) }
        for round in 0..<100 {
            var bytes: [UInt8] = []
            for _ in 0..<random(1...4) {
                if random(0...1) == 0 {
                    // A plausible frame: 1 to 3 segments of up to 64 words, random words.
                    let sizes = (0..<random(1...3)).map { _ in UInt32(random(0...64)) }
                    var table = [UInt32(sizes.count - 1)] + sizes
                    if table.count % 2 == 1 { table.append(0) }
                    bytes += table.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
                    bytes += (0..<Int(sizes.reduce(0, +)) * 8).map { _ in UInt8(random(0...255)) }
                } else {
                    bytes += (0..<random(1...200)).map { _ in UInt8(random(0...255)) }
                }
            }
            let (ours, raw) = try socketPair()
            let server = try Connection(fd: ours, serving: TesterServer(), options: ConnectionOptions(isServer: true))
            var at = 0
            while at < bytes.count {
                let piece = min(bytes.count - at, random(1...50))
                try? SocketIO.writeAll(raw, Array(bytes[at..<at + piece])) // the server may have hung up already
                at += piece
            }
            close(raw)
            let seed = generator.description // the generator is inout: not captured by the guard
            let ended = try await withHangGuard("connection \(round) to end, \(seed)") { await server.disconnected() }
            #expect(ended.cause != .local && !ended.reason.isEmpty, "round \(round): \(ended), \(seed)")
            server.close()
        }
        let ends = try Endpoints(.inProcess)
        defer { ends.finish() }
        #expect(try await ends.tester.add(a: 20, b: 22) == 42, "a fresh connection is served")
    }

    @Test("a full socket: queued messages wait for room, then go out whole and in order")
    func fullSocket() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        let client = try Connection(fd: ours)
        let tester = client.bootstrap(as: Tester.Client.self)
        // 60 calls of 8 kB (each queued with the others, not written alone): 480 kB, more than
        // a unix socket holds. Few and large, so that a TSan build makes them quickly too.
        let count = 60
        let big = String(repeating: "q", count: 8_000)
        let calls = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<count {
                    group.addTask { _ = await rpcError { try await tester.measure { try $0.initBox().setValue(.init(big)) } } }
                }
            }
        }
        // Nothing is read until the socket has filled and stayed full for a while.
        let queued = try await withHangGuard("the socket to fill") {
            var (queued, last): (Int32, Int32) = (0, -1)
            while queued == 0 || queued != last {
                last = queued
                try await Task.sleep(for: .milliseconds(100))
                _ = ioctl(raw, UInt(FIONREAD), &queued)
            }
            return queued
        }
        let bytes = try await readFrames(raw, until: count + 1, "a bootstrap and \(count) calls")
        #expect(Int(queued) < bytes.count, "the socket held \(queued) of \(bytes.count) bytes: the rest had to wait")
        client.close()
        await calls.value
        let framed = completeFrames(bytes)
        #expect(framed.bytes == bytes.count, "only whole frames")
        let text = try CapnpTool.run(["decode", "--short", "/usr/include/capnp/rpc.capnp", "Message"], input: bytes)
        let calling = String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("(call = (questionId = ") }
        let questionIds = calling.compactMap { Int($0.dropFirst("(call = (questionId = ".count).prefix { $0.isNumber }) }
        #expect(questionIds.count == count && Set(questionIds).count == count, "\(questionIds.count) calls decoded")
        // No answer came, so no question ID was freed: they were handed out, and sent, in order.
        #expect(questionIds == questionIds.sorted(), "the calls went out in the order they were sent")
    }

    @Test("a message with an fd and one right behind it: the read stops after the fd, and the next message is still read")
    func messageBehindAnFd() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        let server = try Connection(fd: ours, serving: TesterServer(), options: ConnectionOptions(isServer: true))
        defer { server.close() }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        func bootstrap(_ question: Int) throws -> [UInt8] {
            try CapnpTool.run(["encode", "/usr/include/capnp/rpc.capnp", "Message"],
                                 input: Array("(bootstrap = (questionId = \(question)))".utf8))
        }
        var replies: [UInt8] = []
        // Each round both arrive while the loop thread is held, so that one epoll report covers
        // them. Linux ends the server's read after the first (it carried an fd): a short read
        // with the second still there, and no report to come for it.
        for round in 0..<5 {
            let holding = Locked(false)
            let hold = Task(executorPreference: RPCLoop.shared) {
                holding.withLock { $0 = true }
                usleep(100_000)
            }
            try await eventually("the loop to be held") { holding.withLock { $0 } }
            try #require(sendWithFd(raw, try bootstrap(2 * round), fd: devNull))
            try SocketIO.writeAll(raw, try bootstrap(2 * round + 1))
            await hold.value
            replies = try await readFrames(raw, until: 2 * (round + 1), "round \(round)'s two answers", after: replies, seconds: 10)
        }
        let text = try CapnpTool.run(["decode", "--short", "/usr/include/capnp/rpc.capnp", "Message"], input: replies)
        let answers = String(decoding: text, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("(return = (answerId = ") }
        #expect(answers.count == 10, "\(answers.count) answers")
    }

    @Test("a peer that stops reading ends the connection instead of leaving calls hanging")
    func peerStopsReading() async throws {
        let (ours, raw) = try socketPair()
        defer { close(raw) }
        try #require(shutdown(raw, Int32(SHUT_RD)) == 0)
        let client = try Connection(fd: ours)
        defer { client.close() }
        let tester = client.bootstrap(as: Tester.Client.self)
        let error = try await withHangGuard("the call to fail") { await rpcError { try await tester.add(a: 1, b: 2) } }
        #expect(error?.kind == .disconnected, "\(String(describing: error))")
        let ended = try await withHangGuard("the connection to end") { await client.disconnected() }
        #expect(ended.cause == .peer, "\(ended)")
    }

    @Test("a peer that closes in the middle of a message ends the connection, saying so",
          arguments: [(claimedWords: 4, sentWords: 1), (claimedWords: 100_000, sentWords: 5_000)])
    func peerClosesMidMessage(claimedWords: Int, sentWords: Int) async throws {
        let (ours, raw) = try socketPair()
        let server = try Connection(fd: ours, serving: TesterServer(), options: ConnectionOptions(isServer: true))
        defer { server.close() }
        let table = [0, 0, 0, 0] + withUnsafeBytes(of: UInt32(claimedWords).littleEndian, Array.init)
        try SocketIO.writeAll(raw, table + [UInt8](repeating: 0, count: sentWords * 8))
        close(raw)
        let ended = try await withHangGuard("the connection to end") { await server.disconnected() }
        #expect(ended.cause == .peer && ended.reason.contains("in the middle of a message"), "\(ended)")
    }
}

/// Reads `fd` (made non-blocking) onto `bytes` until they hold `frames` whole frames.
private func readFrames(_ fd: Int32, until frames: Int, _ what: String, after bytes: [UInt8] = [],
                        seconds: Int = 30) async throws -> [UInt8] {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    return try await withHangGuard(what, seconds: seconds) {
        var bytes = bytes
        while completeFrames(bytes).frames < frames {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let got = read(fd, &chunk, chunk.count)
            if got > 0 { bytes += chunk.prefix(got) } else { try await Task.sleep(for: .milliseconds(2)) }
        }
        return bytes
    }
}

/// How many whole frames `bytes` starts with, and their length.
private func completeFrames(_ bytes: [UInt8]) -> (frames: Int, bytes: Int) {
    func word32(_ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
    var at = 0
    var frames = 0
    while bytes.count - at >= 8 {
        let segments = word32(at) + 1
        let tableBytes = (segments + 2) / 2 * 8
        guard bytes.count - at >= tableBytes else { break }
        let words = (0..<segments).reduce(0) { $0 + word32(at + 4 + 4 * $1) }
        guard bytes.count - at >= tableBytes + words * 8 else { break }
        at += tableBytes + words * 8
        frames += 1
    }
    return (frames, at)
}

/// Sends `bytes` with `fd` attached (SCM_RIGHTS) in one sendmsg; whether all went.
private func sendWithFd(_ socket: Int32, _ bytes: [UInt8], fd: Int32) -> Bool {
    var bytes = bytes
    let headerSize = MemoryLayout<cmsghdr>.size // CMSG_DATA's offset on Linux
    var control = [UInt8](repeating: 0, count: headerSize + 8) // CMSG_SPACE(sizeof(int))
    let sent = bytes.withUnsafeMutableBytes { data in
        control.withUnsafeMutableBytes { control in
            var piece = iovec(iov_base: data.baseAddress, iov_len: data.count)
            return withUnsafeMutablePointer(to: &piece) { piece in
                var message = msghdr()
                message.msg_iov = piece
                message.msg_iovlen = 1
                message.msg_control = control.baseAddress
                message.msg_controllen = control.count
                let header = control.baseAddress!.assumingMemoryBound(to: cmsghdr.self)
                header.pointee.cmsg_len = headerSize + MemoryLayout<Int32>.size
                header.pointee.cmsg_level = SOL_SOCKET
                header.pointee.cmsg_type = Int32(SCM_RIGHTS)
                (control.baseAddress! + headerSize).storeBytes(of: fd, as: Int32.self)
                return sendmsg(socket, &message, Int32(MSG_NOSIGNAL))
            }
        }
    }
    return sent == bytes.count
}

/// Forwards between two sockets on threads of its own: from the first to the second one byte
/// per write, with a pause so that the reader sees the bytes apart; back as they are read, so
/// that many frames arrive in one piece.
private final class Relay: Sendable {
    private let first: Int32
    private let second: Int32
    private let done = DispatchGroup()
    private let forwarded = Locked<Int>(0)

    init(byteByByte first: Int32, wholeReads second: Int32) {
        self.first = first
        self.second = second
        for (from, to, split) in [(first, second, true), (second, first, false)] {
            DispatchQueue.global().async(group: done) { [self] in pump(from: from, to: to, split: split) }
        }
    }

    var forwardedBytes: Int { forwarded.withLock { $0 } }

    private func pump(from: Int32, to: Int32, split: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(from, &buffer, buffer.count)
            guard count > 0 else { break }
            if split {
                forwarded.withLock { $0 += count }
                for byte in buffer.prefix(count) {
                    guard (try? SocketIO.writeAll(to, [byte])) != nil else { return }
                    usleep(20)
                }
            } else {
                guard (try? SocketIO.writeAll(to, Array(buffer.prefix(count)))) != nil else { return }
            }
        }
        shutdown(to, Int32(SHUT_WR))
    }

    /// Ends both pumps and closes the sockets.
    func stop() {
        shutdown(first, Int32(SHUT_RDWR))
        shutdown(second, Int32(SHUT_RDWR))
        done.wait()
        close(first)
        close(second)
    }
}
