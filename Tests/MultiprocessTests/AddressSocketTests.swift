// Process.bind / connect on unix socket addresses under a temporary data directory.

import Multiprocess
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Process.bind and connect")
struct AddressSocketTests {
    @Test func unixIsNameDotSockInTheDataDirectory() throws {
        let datadir = try TemporaryDirectory()
        let listener = try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        defer { close(listener.fd) }
        #expect(listener.path == datadir.path + "/node.sock")
        #expect(fileMode(listener.path).map { $0 & S_IFMT == S_IFSOCK } == true)
        try expectExchange(listener: listener.fd, address: "unix", datadir: datadir.path, name: "node")
    }

    @Test func unixPathIsRelativeToTheDataDirectoryUnlessAbsolute() throws {
        let datadir = try TemporaryDirectory()
        try datadir.makeDirectory("rel")
        let relative = try Process.bind(address: "unix:rel/path.sock", dataDirectory: datadir.path, name: "node")
        defer { close(relative.fd) }
        #expect(relative.path == datadir.path + "/rel/path.sock")
        try expectExchange(listener: relative.fd, address: "unix:rel/path.sock", datadir: datadir.path, name: "x")

        let other = try TemporaryDirectory()
        let absolute = try Process.bind(address: "unix:\(other.path)/abs.sock", dataDirectory: datadir.path, name: "node")
        defer { close(absolute.fd) }
        #expect(absolute.path == other.path + "/abs.sock")
        try expectExchange(listener: absolute.fd, address: "unix:\(other.path)/abs.sock", datadir: "/nonexistent", name: "x")
    }

    @Test func severalClientsShareOneListener() throws {
        let datadir = try TemporaryDirectory()
        let listener = try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        defer { close(listener.fd) }
        let clients = try (0..<5).map { _ in try Process.connect(address: "unix", dataDirectory: datadir.path, name: "node") }
        defer { clients.forEach { close($0) } }
        var accepted: [Int32] = []
        defer { accepted.forEach { close($0) } }
        for _ in clients {
            accepted.append(try SocketIO.accept(listener.fd))
        }
        for (index, client) in clients.enumerated() { try SocketIO.writeAll(client, "client \(index);") }
        // Server side: echo each connection's message back on that connection.
        for fd in accepted {
            let message = try SocketIO.readExactly(fd, "client 0;".utf8.count)
            try SocketIO.writeAll(fd, message)
        }
        for (index, client) in clients.enumerated() {
            #expect(try SocketIO.readExactly(client, "client 0;".utf8.count) == Array("client \(index);".utf8))
        }
    }

    @Test func socketFileHasMode0600AndFdsAreCloseOnExec() throws {
        let datadir = try TemporaryDirectory()
        let listener = try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        defer { close(listener.fd) }
        let mode = try #require(fileMode(listener.path))
        #expect(mode & 0o7777 == 0o600, "mode \(String(mode & 0o7777, radix: 8))")
        #expect(SocketIO.isCloseOnExec(listener.fd))
        let client = try Process.connect(address: "unix", dataDirectory: datadir.path, name: "node")
        defer { close(client) }
        #expect(SocketIO.isCloseOnExec(client))
    }

    @Test func staleSocketFileIsReplaced() throws {
        let datadir = try TemporaryDirectory()
        let first = try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        close(first.fd)  // the file stays: a crashed process leaves it like this
        #expect(fileMode(first.path) != nil)
        #expect(throws: ProcessError.nothingListening(path: first.path)) {
            try Process.connect(address: "unix", dataDirectory: datadir.path, name: "node")
        }
        let second = try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        defer { close(second.fd) }
        #expect(second.path == first.path)
        try expectExchange(listener: second.fd, address: "unix", datadir: datadir.path, name: "node")
    }

    @Test func socketSomeoneListensOnIsNotTaken() throws {
        let datadir = try TemporaryDirectory()
        let live = try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        defer { close(live.fd) }
        #expect(throws: ProcessError.addressInUse(path: live.path)) {
            try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        }
        // bind's probe connection reaches the live listener once, already closed.
        let probe = try SocketIO.accept(live.fd)
        #expect(try SocketIO.readToEnd(probe).isEmpty)
        close(probe)
        #expect(fileMode(live.path).map { $0 & S_IFMT == S_IFSOCK } == true)
        try expectExchange(listener: live.fd, address: "unix", datadir: datadir.path, name: "node")
    }

    @Test func fileThatIsNotASocketIsRefusedAndLeftIntact() throws {
        let datadir = try TemporaryDirectory()
        let path = try datadir.write("node.sock", "keep me")
        #expect(throws: ProcessError.notASocket(path: path)) {
            try Process.bind(address: "unix", dataDirectory: datadir.path, name: "node")
        }
        #expect(try datadir.read("node.sock") == "keep me")
        #expect(throws: ProcessError.notASocket(path: path)) {
            try Process.connect(address: "unix", dataDirectory: datadir.path, name: "node")
        }
        #expect(ProcessError.notASocket(path: path).description
            == "\(path) exists and is not a socket; left it alone: remove it or choose another address")
    }

    @Test func connectWithNobodyListeningIsRecognizable() throws {
        let datadir = try TemporaryDirectory()
        let missing = datadir.path + "/node.sock"
        #expect(throws: ProcessError.nothingListening(path: missing)) {
            try Process.connect(address: "unix", dataDirectory: datadir.path, name: "node")
        }
        #expect(ProcessError.nothingListening(path: missing).description == "nothing is listening on \(missing)")
    }

    @Test func pathsUpTo107BytesFitAndLongerOnesAreRefused() throws {
        let datadir = try TemporaryDirectory()
        let room = 107 - datadir.path.utf8.count - 1
        let fits = String(repeating: "f", count: room)
        let listener = try Process.bind(address: "unix:\(fits)", dataDirectory: datadir.path, name: "node")
        defer { close(listener.fd) }
        #expect(listener.path.utf8.count == 107)
        try expectExchange(listener: listener.fd, address: "unix:\(fits)", datadir: datadir.path, name: "node")

        let tooLong = datadir.path + "/" + fits + "g"
        #expect(throws: ProcessError.socketPathTooLong(path: tooLong, bytes: 108)) {
            try Process.bind(address: "unix:\(fits)g", dataDirectory: datadir.path, name: "node")
        }
        #expect(throws: ProcessError.socketPathTooLong(path: tooLong, bytes: 108)) {
            try Process.connect(address: "unix:\(fits)g", dataDirectory: datadir.path, name: "node")
        }
        let message = ProcessError.socketPathTooLong(path: tooLong, bytes: 108).description
        #expect(message.contains(tooLong) && message.contains("108 bytes") && message.contains("at most 107"))
        #expect(fileMode(tooLong) == nil)
    }

    @Test(arguments: ["", "tcp:127.0.0.1:8332", "UNIX", "unixx", "unix/path", "auto"])
    func unknownSchemeIsRefused(address: String) {
        #expect(throws: ProcessError.unknownAddressScheme(address)) {
            try Process.bind(address: address, dataDirectory: "/tmp", name: "node")
        }
        #expect(throws: ProcessError.unknownAddressScheme(address)) {
            try Process.connect(address: address, dataDirectory: "/tmp", name: "node")
        }
        #expect(ProcessError.unknownAddressScheme(address).description.hasPrefix("unknown address scheme in '\(address)'"))
    }

    @Test func unixAddressesThatNameNoPathAreRefused() {
        #expect(throws: ProcessError.invalidAddress(address: "unix:", reason: "no path after 'unix:'")) {
            try Process.connect(address: "unix:", dataDirectory: "/tmp", name: "node")
        }
        #expect(throws: ProcessError.self) { try Process.bind(address: "unix", dataDirectory: "/tmp", name: "") }
        #expect(throws: ProcessError.self) { try Process.bind(address: "unix:a\u{0}b", dataDirectory: "/tmp", name: "n") }
    }

    @Test func bindInAMissingDirectorySaysWhichPath() throws {
        let datadir = try TemporaryDirectory()
        let path = datadir.path + "/missing/node.sock"
        #expect(throws: ProcessError.systemCallFailed(operation: "bind \(path)", errno: ENOENT)) {
            try Process.bind(address: "unix:missing/node.sock", dataDirectory: datadir.path, name: "node")
        }
    }

    /// Connects a client to `address`, accepts it on `listener`, and sends bytes both ways.
    private func expectExchange(listener: Int32, address: String, datadir: String, name: String) throws {
        let client = try Process.connect(address: address, dataDirectory: datadir, name: name)
        defer { close(client) }
        let server = try SocketIO.accept(listener)
        defer { close(server) }
        try SocketIO.writeAll(client, "ping")
        #expect(try SocketIO.readExactly(server, 4) == Array("ping".utf8))
        try SocketIO.writeAll(server, "pong")
        #expect(try SocketIO.readExactly(client, 4) == Array("pong".utf8))
    }
}
